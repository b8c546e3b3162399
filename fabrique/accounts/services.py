"""Writes on people and their roles."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils.translation import gettext as _

from fabrique.territories.models import Commune, Territory

from .models import Role, RoleAssignment, RoleEvent, User


def profile_update(
    *, user: User, display_name: str, commune: Commune | None, actor_kind: str
) -> User:
    user.display_name = display_name.strip()
    user.commune = commune
    user.actor_kind = actor_kind
    user.full_clean(exclude=["password"])
    user.save(update_fields=["display_name", "commune", "actor_kind"])
    return user


def role_grant(
    *, user: User, role: str, territory: Territory | None, granted_by: User | None
) -> RoleAssignment:
    if (role == Role.PLATFORM_ADMIN) != (territory is None):
        raise ValidationError(
            _(
                "The platform administrator role applies to the whole platform, "
                "every other role to one territory."
            )
        )
    with transaction.atomic():
        assignment, created = RoleAssignment.objects.get_or_create(
            user=user, territory=territory, role=role, defaults={"granted_by": granted_by}
        )
        if created:
            RoleEvent.objects.create(
                action=RoleEvent.Action.GRANTED,
                role=role,
                user=user,
                territory=territory,
                actor=granted_by,
            )
    return assignment


def role_withdraw(*, assignment: RoleAssignment, withdrawn_by: User | None) -> None:
    with transaction.atomic():
        RoleEvent.objects.create(
            action=RoleEvent.Action.WITHDRAWN,
            role=assignment.role,
            user=assignment.user,
            territory=assignment.territory,
            actor=withdrawn_by,
        )
        assignment.delete()


# Apps above accounts add what they hold about a person: each receiver returns
# a (section name, JSON-serialisable data) pair.
personal_data_requested = Signal()


def user_personal_data(*, user: User) -> dict[str, Any]:
    """Everything the platform holds about a person, as they can download it."""
    from allauth.account.models import EmailAddress

    data: dict[str, Any] = {
        "email": user.email,
        "display_name": user.display_name,
        "commune": (
            {"insee_code": user.commune.insee_code, "name": user.commune.name}
            if user.commune
            else None
        ),
        "actor_kind": user.actor_kind,
        "date_joined": user.date_joined.isoformat(),
        "last_login": user.last_login.isoformat() if user.last_login else None,
        "email_addresses": [
            {"email": e.email, "verified": e.verified, "primary": e.primary}
            for e in EmailAddress.objects.filter(user=user)
        ],
        "roles": [
            {
                "role": a.role,
                "territory": a.territory.name if a.territory else None,
                "granted_at": a.granted_at.isoformat(),
            }
            for a in user.role_assignments.select_related("territory")
        ],
        "role_history": [
            {
                "action": e.action,
                "role": e.role,
                "territory": e.territory.name if e.territory else None,
                "at": e.at.isoformat(),
                "about_me": e.user_id == user.pk,
            }
            for e in RoleEvent.objects.filter(Q(user=user) | Q(actor=user)).select_related(
                "territory"
            )
        ],
    }
    for _receiver, response in personal_data_requested.send(sender=User, user=user):
        section, section_data = cast(tuple[str, Any], response)  # receivers return a pair
        data[section] = section_data
    return data


# Apps above accounts anonymise what must outlive the account (a seat in a body…).
account_erasing = Signal()


def user_delete(*, user: User) -> None:
    """Erase an account and what is attached to it (RGPD right to erasure).

    What belongs to the person goes with the account; what others need to keep (the
    history of roles, a seat in a governance body) loses the link and the name.
    """
    with transaction.atomic():
        account_erasing.send(sender=User, user=user)
        user.delete()
