"""Background work of the opinion maps, run by the task workers."""

from __future__ import annotations

from django_tasks import task

from .models import OpinionComputation
from .services import opinion


@task()
def opinion_compute_task(computation_id: int) -> str:
    """Compute a version of an opinion map; the page shows the progress."""
    computation = opinion.opinion_computation_run(
        computation=OpinionComputation.objects.get(pk=computation_id)
    )
    return computation.status
