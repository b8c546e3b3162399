"""Who may do what with contributions. Views check these on the server."""

from __future__ import annotations

from fabrique.accounts.models import Role
from fabrique.accounts.permissions import AnyUser, has_role
from fabrique.processes.models import Process
from fabrique.territories.models import Territory


def can_moderate_territory(user: AnyUser, territory: Territory) -> bool:
    return has_role(user, territory, Role.MODERATOR, Role.TERRITORY_ADMIN)


def can_moderate(user: AnyUser, process: Process) -> bool:
    return can_moderate_territory(user, process.territory)


def can_answer(user: AnyUser, process: Process) -> bool:
    """Staff and members of governance bodies give the official answers."""
    return has_role(user, process.territory, Role.TERRITORY_ADMIN, Role.BODY_MEMBER)


def can_collect(user: AnyUser, process: Process) -> bool:
    """Facilitators type in what people said in person."""
    return has_role(user, process.territory, Role.FACILITATOR, Role.TERRITORY_ADMIN)
