"""Writes on people and their roles."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from fabrique.territories.models import Commune, Territory

from .models import Notification, Role, RoleAssignment, RoleEvent, User


def profile_update(
    *,
    user: User,
    display_name: str,
    commune: Commune | None,
    actor_kind: str,
    email_notifications: str = "immediate",
    age_band: str | None = None,
    gender: str | None = None,
) -> User:
    """Save a person's profile; ``age_band`` and ``gender`` left as None are kept as they
    were (callers that do not ask them)."""
    user.display_name = display_name.strip()
    user.commune = commune
    user.actor_kind = actor_kind
    user.email_notifications = email_notifications
    if age_band is not None:
        user.age_band = age_band
    if gender is not None:
        user.gender = gender
    user.full_clean(exclude=["password"])
    user.save(
        update_fields=[
            "display_name",
            "commune",
            "actor_kind",
            "age_band",
            "gender",
            "email_notifications",
        ]
    )
    return user


def notifications_mark_read(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


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
        "age_band": user.age_band,
        "gender": user.gender,
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


def notify(
    *,
    users: Iterable[User],
    text: str,
    url: str,
    exclude: User | None = None,
    email: bool = True,
) -> int:
    """Tell people something happened: on the site, and by e-mail as each one chose.

    Returns how many were notified. E-mails to those who want them at once leave after the
    transaction commits, through the background queue; ``email=False`` when an e-mail of its
    own already goes out (process news).
    """
    from .tasks import notifications_email_task

    recipients = {u.pk: u for u in users if u.is_active and (exclude is None or u.pk != exclude.pk)}
    created = Notification.objects.bulk_create(
        Notification(user=user, text=text[:300], url=url[:300]) for user in recipients.values()
    )
    immediate = [
        n.pk for n in created if email and recipients[n.user_id].email_notifications == "immediate"
    ]
    if immediate:
        transaction.on_commit(lambda: notifications_email_task.enqueue(immediate))
    return len(created)


def notifications_email(*, notification_ids: list[int] | None = None, digest: bool = False) -> int:
    """E-mail notifications not yet e-mailed: the given ones, or each daily reader's digest."""
    from django.core.mail import send_mail
    from django.template.loader import render_to_string

    from fabrique.core.urls import absolute_url

    pending = Notification.objects.filter(emailed_at__isnull=True, read_at__isnull=True)
    if notification_ids is not None:
        pending = pending.filter(pk__in=notification_ids)
    if digest:
        pending = pending.filter(user__email_notifications="daily")
    by_user: dict[int, list[Notification]] = {}
    for notification in pending.select_related("user"):
        by_user.setdefault(notification.user_id, []).append(notification)
    sent = 0
    for items in by_user.values():
        # Claimed before sending: a second worker finds nothing left to send.
        claimed = Notification.objects.filter(
            pk__in=[n.pk for n in items], emailed_at__isnull=True
        ).update(emailed_at=timezone.now())
        if not claimed:
            continue
        user = items[0].user
        body = render_to_string(
            "accounts/email/notifications.txt",
            {"user": user, "items": [(n.text, absolute_url(n.url)) for n in items]},
        )
        subject = (
            items[0].text
            if len(items) == 1
            else _("%(count)s news about what you follow") % {"count": len(items)}
        )
        send_mail(f"[Fabrique] {subject}", body, None, [user.email])
        sent += 1
    return sent
