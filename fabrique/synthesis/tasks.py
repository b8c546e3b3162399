"""Background work of the synthesis, run by the task workers."""

from __future__ import annotations

from django_tasks import task

from .models import Synthesis
from .services import topics


@task()
def synthesis_run_task(synthesis_id: int) -> str:
    """Group a version's contributions into topics; the page shows the progress."""
    synthesis = topics.synthesis_run(synthesis=Synthesis.objects.get(pk=synthesis_id))
    return synthesis.status
