"""Who may do what on processes. Staff of the territory manage its processes."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from fabrique.accounts.permissions import AnyUser, can_manage_territory

from .models import Process


def can_manage_process(user: AnyUser, process: Process) -> bool:
    return can_manage_territory(user, process.territory)


def can_view_process(user: AnyUser, process: Process) -> bool:
    """Drafts are seen only by those who prepare them."""
    return process.is_public or can_manage_process(user, process)


def process_permission_required(
    predicate: Callable[[AnyUser, Process], bool],
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorate a view under /gestion/<territory>/demarches/<slug>/: it receives ``process``
    once ``predicate`` allows the user; anonymous visitors go to the log-in page."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(
            request: HttpRequest, territory_slug: str, slug: str, *args: Any, **kwargs: Any
        ) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            process = get_object_or_404(
                Process.objects.select_related("territory"),
                territory__slug=territory_slug,
                slug=slug,
            )
            if not predicate(request.user, process):
                raise PermissionDenied
            return view(request, *args, process=process, **kwargs)

        return wrapped

    return decorator


process_manager_required = process_permission_required(can_manage_process)
