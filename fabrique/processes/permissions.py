"""Who may do what on processes. Staff of the territory manage its processes."""

from __future__ import annotations

from fabrique.accounts.permissions import AnyUser, can_manage_territory

from .models import Process


def can_manage_process(user: AnyUser, process: Process) -> bool:
    return can_manage_territory(user, process.territory)


def can_view_process(user: AnyUser, process: Process) -> bool:
    """Drafts are seen only by those who prepare them."""
    return process.is_public or can_manage_process(user, process)
