from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from fabrique.territories.models import BasinGrouping, Commune, Territory


class CommuneFactory(DjangoModelFactory):
    class Meta:
        model = Commune
        django_get_or_create = ("insee_code",)

    # Five characters whatever the number of communes made in a run (PostgreSQL checks it).
    insee_code = factory.Sequence(lambda n: f"9{n % 10000:04d}")
    name = factory.Faker("city", locale="fr_FR")
    population = factory.Faker("pyint", min_value=100, max_value=50000)
    department_code = "99"


class TerritoryFactory(DjangoModelFactory):
    class Meta:
        model = Territory
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Communauté de communes n°{n}")
    slug = factory.Sequence(lambda n: f"cc-{n}")
    kind = Territory.Kind.EPCI
    official_code = factory.Sequence(lambda n: f"{200000000 + n}")

    @factory.post_generation
    def communes(self, create: bool, extracted: object, **kwargs: object) -> None:
        if not create:
            return
        if extracted is None:
            self.communes.set(CommuneFactory.create_batch(4))  # type: ignore[attr-defined]
        else:
            self.communes.set(extracted)  # type: ignore[attr-defined]


class GroupingFactory(DjangoModelFactory):
    class Meta:
        model = BasinGrouping

    territory = factory.SubFactory(TerritoryFactory)
    name = "Bassins de vie"
