"""Who may do what. Every view checks these on the server; templates only hide links."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from fabrique.territories.models import Territory

from .models import Role, RoleAssignment, User

AnyUser = User | AnonymousUser

# Roles that open the back-office of a territory (its dashboard).
STAFF_ROLES = (Role.TERRITORY_ADMIN, Role.MODERATOR, Role.FACILITATOR, Role.BODY_MEMBER)


def request_user(request: HttpRequest) -> User:
    """The signed-in person of a request that a login guard has already let through."""
    user = request.user
    assert isinstance(user, User)
    return user


def is_platform_admin(user: AnyUser) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return RoleAssignment.objects.filter(
        user=user, role=Role.PLATFORM_ADMIN, territory__isnull=True
    ).exists()


def has_role(user: AnyUser, territory: Territory, *roles: str) -> bool:
    """True when the user holds one of ``roles`` on ``territory``; platform admins hold all."""
    if not user.is_authenticated or not user.is_active:
        return False
    if is_platform_admin(user):
        return True
    return RoleAssignment.objects.filter(user=user, territory=territory, role__in=roles).exists()


def can_manage_territory(user: AnyUser, territory: Territory) -> bool:
    return has_role(user, territory, Role.TERRITORY_ADMIN)


def can_open_backoffice(user: AnyUser, territory: Territory) -> bool:
    return has_role(user, territory, *STAFF_ROLES)


def grantable_roles(user: AnyUser, territory: Territory) -> list[Role]:
    """Roles this user may grant or withdraw on this territory."""
    if is_platform_admin(user):
        return [r for r in Role if r != Role.PLATFORM_ADMIN]
    if can_manage_territory(user, territory):
        return [r for r in Role if r != Role.PLATFORM_ADMIN]
    return []


def backoffice_territories(user: AnyUser) -> QuerySet[Territory]:
    if is_platform_admin(user):
        return Territory.objects.all()
    if not user.is_authenticated:
        return Territory.objects.none()
    return Territory.objects.filter(
        role_assignments__user=user, role_assignments__role__in=STAFF_ROLES
    ).distinct()


def territory_permission_required(
    predicate: Callable[[AnyUser, Territory], bool],
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorate a view taking ``territory_slug``: it receives ``territory`` once allowed.

    Anonymous visitors are sent to the log-in page; signed-in people without the role
    get a 403 page that says so.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(
            request: HttpRequest, territory_slug: str, *args: Any, **kwargs: Any
        ) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            territory = get_object_or_404(Territory, slug=territory_slug)
            if not predicate(request.user, territory):
                raise PermissionDenied
            return view(request, *args, territory=territory, **kwargs)

        return wrapped

    return decorator


def platform_admin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_platform_admin(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
