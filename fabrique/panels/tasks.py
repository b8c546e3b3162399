"""Background work of panels, run by the task workers."""

from __future__ import annotations

from django_tasks import task

from . import services
from .models import Draw


@task()
def draw_run_task(draw_id: int) -> str:
    """Compute the fair distribution and draw the panel; the page shows the progress."""
    draw = services.draw_run(draw=Draw.objects.get(pk=draw_id))
    return draw.status
