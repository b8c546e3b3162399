"""Who says what (topic × commune, basin, actor, channel) and representativeness: exact
figures on a small data set, one query per table whatever the data."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fabrique.accounts.models import ActorKind, User
from fabrique.accounts.tests.factories import UserFactory
from fabrique.participation.models import Visibility
from fabrique.participation.tests.factories import open_process
from fabrique.processes.models import Process
from fabrique.synthesis.models import Synthesis, Topic
from fabrique.synthesis.selectors import figures
from fabrique.synthesis.selectors.figures import Dimension
from fabrique.synthesis.tests.factories import (
    ContributionFactory,
    SynthesisFactory,
    TopicFactory,
    put_in_topic,
)
from fabrique.territories.models import Basin, BasinGrouping, BasinMembership, Commune, Territory
from fabrique.territories.tests.factories import CommuneFactory, TerritoryFactory
from fabrique.workshops.models import CapturedContribution
from fabrique.workshops.tests.factories import WorkshopFactory

pytestmark = pytest.mark.django_db


@dataclass
class Scene:
    territory: Territory
    process: Process
    synthesis: Synthesis
    grouping: BasinGrouping
    north: Basin
    south: Basin
    a: Commune
    b: Commune
    c: Commune
    t1: Topic
    t2: Topic
    facilitator: User


def make_scene() -> Scene:
    """Three communes (6 000, 3 000 and 1 000 inhabitants), two basins, two topics and
    seven contributions — every way a contribution can come in."""
    a = CommuneFactory(name="Aubigny", population=6000)
    b = CommuneFactory(name="Bellevue", population=3000)
    c = CommuneFactory(name="Champlain", population=1000)
    territory = TerritoryFactory(communes=[a, b, c])
    grouping = BasinGrouping.objects.create(territory=territory, name="Bassins de vie")
    north = Basin.objects.create(grouping=grouping, name="Nord", position=0)
    south = Basin.objects.create(grouping=grouping, name="Sud", position=1)
    BasinMembership.objects.create(grouping=grouping, basin=north, commune=a)
    BasinMembership.objects.create(grouping=grouping, basin=south, commune=b)
    BasinMembership.objects.create(grouping=grouping, basin=south, commune=c)
    process = open_process(territory=territory)
    synthesis = SynthesisFactory(process=process)
    t1 = TopicFactory(synthesis=synthesis, label="Vélo", position=0)
    t2 = TopicFactory(synthesis=synthesis, label="Arbres", position=1)
    u1 = UserFactory(commune=a, actor_kind=ActorKind.INHABITANT)
    u2 = UserFactory(commune=b, actor_kind=ActorKind.ASSOCIATION)
    u3 = UserFactory()
    facilitator = UserFactory(commune=a, actor_kind=ActorKind.STAFF)

    def contribution(**kwargs):
        return ContributionFactory(process=process, **kwargs)

    # Online, no commune given: the author's commune (Aubigny).
    put_in_topic(contribution(author=u1, support_count=3), t1)
    # Online, placed in Champlain although its author lives in Bellevue.
    put_in_topic(contribution(author=u2, commune=c, support_count=5), t1)
    # Collected in person in Bellevue: the author recorded is the facilitator.
    put_in_topic(
        contribution(author=facilitator, collected_by=facilitator, commune=b, support_count=0),
        t2,
    )
    # Typed in at a workshop, no commune: the facilitator's commune must not be used.
    captured = contribution(author=facilitator, collected_by=facilitator, support_count=2)
    CapturedContribution.objects.create(
        contribution=captured, workshop=WorkshopFactory(process=process)
    )
    put_in_topic(captured, t2)
    # Online, author without a commune.
    put_in_topic(contribution(author=u3, support_count=1), t1)
    # Hidden by moderation: counted nowhere.
    put_in_topic(contribution(author=u1, visibility=Visibility.HIDDEN, support_count=50), t1)
    # In no topic (too few usable words).
    put_in_topic(contribution(author=u1, support_count=4), None, synthesis=synthesis)
    return Scene(
        territory, process, synthesis, grouping, north, south, a, b, c, t1, t2, facilitator
    )


def grid(table: figures.CrossTable) -> dict[str, dict[str, tuple[int, int]]]:
    """{topic: {column: (contributions, supports)}} without the empty cells."""
    return {
        row.label: {
            column.label: (cell.count, cell.supports)
            for column, cell in zip(table.columns, row.cells, strict=True)
            if cell.count
        }
        for row in table.rows
    }


class TestWhoSaysWhat:
    def test_by_commune(self):
        scene = make_scene()

        table = figures.who_says_what(synthesis=scene.synthesis, dimension=Dimension.COMMUNE)

        assert [c.label for c in table.columns] == [
            "Aubigny", "Bellevue", "Champlain", "Commune inconnue",
        ]  # fmt: skip
        assert grid(table) == {
            "Vélo": {"Aubigny": (1, 3), "Champlain": (1, 5), "Commune inconnue": (1, 1)},
            "Arbres": {"Bellevue": (1, 0), "Commune inconnue": (1, 2)},
            "Dans aucun sujet": {"Aubigny": (1, 4)},
        }
        assert [(r.total.count, r.total.supports) for r in table.rows] == [(3, 9), (2, 2), (1, 4)]
        assert [(c.count, c.supports) for c in table.totals] == [(2, 7), (1, 0), (1, 5), (2, 3)]
        assert (table.total.count, table.total.supports) == (6, 15)
        velo = table.rows[0]
        assert [round(c.share, 3) for c in velo.cells] == [0.333, 0, 0.333, 0.333]

    def test_communes_without_contributions_are_left_out_and_counted(self):
        scene = make_scene()
        scene.territory.communes.add(CommuneFactory(name="Dampierre", population=500))

        table = figures.who_says_what(synthesis=scene.synthesis, dimension=Dimension.COMMUNE)

        assert "Dampierre" not in [c.label for c in table.columns]
        assert table.hidden_columns == 1

    def test_by_basin(self):
        scene = make_scene()

        table = figures.who_says_what(
            synthesis=scene.synthesis, dimension=Dimension.BASIN, grouping=scene.grouping
        )

        assert [c.label for c in table.columns] == ["Nord", "Sud", "Commune inconnue"]
        assert grid(table) == {
            "Vélo": {"Nord": (1, 3), "Sud": (1, 5), "Commune inconnue": (1, 1)},
            "Arbres": {"Sud": (1, 0), "Commune inconnue": (1, 2)},
            "Dans aucun sujet": {"Nord": (1, 4)},
        }

    def test_by_kind_of_actor_collected_contributions_are_not_the_facilitators(self):
        scene = make_scene()

        table = figures.who_says_what(synthesis=scene.synthesis, dimension=Dimension.ACTOR)

        assert grid(table) == {
            "Vélo": {
                "Habitant ou habitante": (1, 3),
                "Association": (1, 5),
                "Non renseigné": (1, 1),
            },
            "Arbres": {"Non renseigné": (2, 2)},
            "Dans aucun sujet": {"Habitant ou habitante": (1, 4)},
        }

    def test_by_channel(self):
        scene = make_scene()

        table = figures.who_says_what(synthesis=scene.synthesis, dimension=Dimension.CHANNEL)

        assert grid(table) == {
            "Vélo": {"En ligne": (3, 9)},
            "Arbres": {"En atelier": (1, 2), "Recueillie en personne": (1, 0)},
            "Dans aucun sujet": {"En ligne": (1, 4)},
        }

    @pytest.mark.parametrize("dimension", ["commune", "basin", "actor", "channel"])
    def test_the_number_of_queries_does_not_grow_with_the_data(self, dimension):
        scene = make_scene()
        grouping = scene.grouping if dimension == "basin" else None

        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                figures.who_says_what(
                    synthesis=scene.synthesis, dimension=dimension, grouping=grouping
                )
            return len(queries)

        before = count()
        t3 = TopicFactory(synthesis=scene.synthesis, label="Bus", position=2)
        for commune in (scene.a, scene.b, scene.c):
            for _i in range(3):
                author = UserFactory(commune=commune, actor_kind=ActorKind.BUSINESS)
                put_in_topic(ContributionFactory(process=scene.process, author=author), t3)
        assert count() == before
        assert before <= 4

    def test_csv_rows(self):
        scene = make_scene()
        table = figures.who_says_what(synthesis=scene.synthesis, dimension=Dimension.CHANNEL)

        rows = figures.cross_table_csv_rows(table)

        assert rows[0][:3] == ["Sujet", "En ligne — contributions", "En ligne — soutiens"]
        assert rows[1] == ["Vélo", 3, 9, 0, 0, 0, 0, 3, 9]
        assert rows[-1] == ["Total", 4, 13, 1, 2, 1, 0, 6, 15]
