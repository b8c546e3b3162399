"""Background work of the day itself, run by the task workers."""

from __future__ import annotations

from django_tasks import task

from .models import Workshop
from .services import day


@task()
def restitution_email_task(workshop_id: int) -> int:
    """E-mail a workshop's restitution to the people who registered or came."""
    workshop = Workshop.objects.select_related("process").get(pk=workshop_id)
    return day.restitution_email(workshop=workshop)
