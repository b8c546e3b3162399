"""Background work of panels, run by the task workers."""

from __future__ import annotations

from django_tasks import task

from . import membership, services
from .models import Draw


@task()
def draw_run_task(draw_id: int) -> str:
    """Compute the fair distribution and draw the panel; the page shows the progress."""
    draw = services.draw_run(draw=Draw.objects.get(pk=draw_id))
    return draw.status


@task()
def member_invitations_task(volunteer_ids: list[int], reply_to_id: int | None = None) -> int:
    """E-mail drawn people their invitation and private link; returns how many were sent."""
    return membership.invitations_email(volunteer_ids=volunteer_ids, reply_to_id=reply_to_id)


@task()
def session_email_task(session_id: int, new: bool) -> int:
    """Tell the members of a session planned (``new``) or changed."""
    return membership.session_email(session_id=session_id, new=new)
