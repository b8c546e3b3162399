from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from fabrique.processes import services as process_services
from fabrique.processes.models import ParticipationMode, Phase, Process
from fabrique.processes.tests.factories import ProcessFactory


def open_process(**kwargs) -> Process:
    """A published process whose current phase takes contributions."""
    today = timezone.localdate()
    process = ProcessFactory(
        start_date=today - timedelta(days=30), end_date=today + timedelta(days=30), **kwargs
    )
    process_services.phase_save(
        process=process,
        kind=Phase.Kind.REFLECTION,
        title="Boîte à idées",
        start_date=process.start_date,
        end_date=process.end_date,
        modes=[ParticipationMode.CONTRIBUTIONS],
    )
    process_services.process_set_status(process=process, status=Process.Status.PUBLISHED)
    return process


def closed_process() -> Process:
    process = ProcessFactory(start_date=date(2020, 1, 1), end_date=date(2020, 12, 31))
    process_services.phase_save(
        process=process, kind=Phase.Kind.REFLECTION, title="Passée",
        start_date=date(2020, 1, 1), end_date=date(2020, 12, 31),
        modes=[ParticipationMode.CONTRIBUTIONS],
    )  # fmt: skip
    process_services.process_set_status(process=process, status=Process.Status.PUBLISHED)
    return process
