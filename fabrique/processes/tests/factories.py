from __future__ import annotations

from datetime import date

import factory
from factory.django import DjangoModelFactory

from fabrique.processes.models import GovernanceBody, Phase, Process, Theme
from fabrique.territories.tests.factories import TerritoryFactory


class ProcessFactory(DjangoModelFactory):
    class Meta:
        model = Process

    territory = factory.SubFactory(TerritoryFactory)
    title = factory.Sequence(lambda n: f"Démarche n°{n}")
    slug = factory.Sequence(lambda n: f"demarche-{n}")
    summary = "Construire ensemble l'avenir du territoire."
    start_date = date(2026, 1, 1)
    end_date = date(2026, 12, 31)


class PhaseFactory(DjangoModelFactory):
    class Meta:
        model = Phase

    process = factory.SubFactory(ProcessFactory)
    kind = Phase.Kind.DIAGNOSTIC
    title = factory.Sequence(lambda n: f"Phase {n}")
    start_date = date(2026, 1, 1)
    end_date = date(2026, 3, 31)


class ThemeFactory(DjangoModelFactory):
    class Meta:
        model = Theme

    process = factory.SubFactory(ProcessFactory)
    title = factory.Sequence(lambda n: f"Thématique {n}")
    slug = factory.Sequence(lambda n: f"thematique-{n}")


class BodyFactory(DjangoModelFactory):
    class Meta:
        model = GovernanceBody

    process = factory.SubFactory(ProcessFactory)
    kind = GovernanceBody.Kind.STEERING_COMMITTEE
    name = "Comité de pilotage"


def published_process_open_for(mode: str, title: str = "Boîte à idées", **kwargs) -> Process:
    """A published process whose one phase, around today, opens ``mode``."""
    from datetime import timedelta

    from django.utils import timezone

    from fabrique.processes import services

    today = timezone.localdate()
    process = ProcessFactory(
        start_date=today - timedelta(days=30), end_date=today + timedelta(days=30), **kwargs
    )
    services.phase_save(
        process=process,
        kind=Phase.Kind.REFLECTION,
        title=title,
        start_date=process.start_date,
        end_date=process.end_date,
        modes=[mode],
    )
    services.process_set_status(process=process, status=Process.Status.PUBLISHED)
    return process
