"""Who may do what with workshops. Views check these on the server; templates only hide links.

- Territory administrators and facilitators of the territory plan workshops and run any of them.
- A person named facilitator of a workshop runs that workshop (registrations, the day, live).
- A table's facilitator types in what is said at their table.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from fabrique.accounts.models import Role
from fabrique.accounts.permissions import AnyUser, has_role
from fabrique.processes.models import Process

from .models import Table, Workshop


def can_plan_workshops(user: AnyUser, process: Process) -> bool:
    return has_role(user, process.territory, Role.TERRITORY_ADMIN, Role.FACILITATOR)


def can_run_workshop(user: AnyUser, workshop: Workshop) -> bool:
    if can_plan_workshops(user, workshop.process):
        return True
    return bool(
        user.is_authenticated
        and user.is_active
        and workshop.facilitators.filter(pk=user.pk).exists()
    )


def can_capture_at_table(user: AnyUser, table: Table) -> bool:
    if can_run_workshop(user, table.workshop):
        return True
    return bool(user.is_authenticated and user.is_active and table.facilitator_id == user.pk)


def can_view_workshop(user: AnyUser, workshop: Workshop) -> bool:
    """Drafts are seen only by those who prepare them."""
    return workshop.is_public or can_run_workshop(user, workshop)


def workshop_permission_required(
    predicate: Callable[[AnyUser, Workshop], bool],
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorate a view under /gestion/<territory>/demarches/<slug>/ateliers/<pk>/: it receives
    ``workshop`` once ``predicate`` allows the user; anonymous visitors go to the log-in page."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(
            request: HttpRequest,
            territory_slug: str,
            slug: str,
            pk: int,
            *args: Any,
            **kwargs: Any,
        ) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            workshop = get_object_or_404(
                Workshop.objects.select_related("process__territory", "phase"),
                process__territory__slug=territory_slug,
                process__slug=slug,
                pk=pk,
            )
            if not predicate(request.user, workshop):
                raise PermissionDenied
            return view(request, *args, workshop=workshop, **kwargs)

        return wrapped

    return decorator


workshop_runner_required = workshop_permission_required(can_run_workshop)
