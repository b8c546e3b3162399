from __future__ import annotations

from django.db.models import QuerySet

from fabrique.territories.models import Territory

from .models import Role, RoleAssignment, RoleEvent, User


def user_roles(*, user: User, territory: Territory) -> list[str]:
    labels: list[str] = [
        str(Role(a.role).label)
        for a in RoleAssignment.objects.filter(user=user, territory=territory).order_by("role")
    ]
    if (
        user.is_superuser
        or RoleAssignment.objects.filter(user=user, role=Role.PLATFORM_ADMIN).exists()
    ):
        labels.insert(0, str(Role.PLATFORM_ADMIN.label))
    return labels


def territory_role_assignments(*, territory: Territory) -> QuerySet[RoleAssignment]:
    return (
        RoleAssignment.objects.filter(territory=territory)
        .select_related("user", "granted_by")
        .order_by("role", "user__display_name")
    )


def territory_role_events(*, territory: Territory) -> QuerySet[RoleEvent]:
    return RoleEvent.objects.filter(territory=territory).select_related("user", "actor")
