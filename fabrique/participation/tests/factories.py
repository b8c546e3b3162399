from __future__ import annotations

from datetime import date

from fabrique.processes import services as process_services
from fabrique.processes.models import ParticipationMode, Phase, Process
from fabrique.processes.tests.factories import ProcessFactory, published_process_open_for


def open_process(**kwargs) -> Process:
    """A published process whose current phase takes contributions."""
    return published_process_open_for(ParticipationMode.CONTRIBUTIONS, **kwargs)


def closed_process() -> Process:
    process = ProcessFactory(start_date=date(2020, 1, 1), end_date=date(2020, 12, 31))
    process_services.phase_save(
        process=process, kind=Phase.Kind.REFLECTION, title="Passée",
        start_date=date(2020, 1, 1), end_date=date(2020, 12, 31),
        modes=[ParticipationMode.CONTRIBUTIONS],
    )  # fmt: skip
    process_services.process_set_status(process=process, status=Process.Status.PUBLISHED)
    return process
