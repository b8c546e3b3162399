"""Template filters about processes."""

from __future__ import annotations

from django import template

from fabrique.accounts.permissions import AnyUser
from fabrique.processes.models import Process
from fabrique.processes.permissions import can_manage_process

register = template.Library()


@register.filter
def manages(user: AnyUser, process: Process) -> bool:
    """Whether the back-office tabs of the whole process are for this person (a facilitator
    named on one workshop only sees that workshop's)."""
    return can_manage_process(user, process)
