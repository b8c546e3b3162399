"""Personal data held by workshops: in the person's export, and erased with the account."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone

from fabrique.accounts.models import User
from fabrique.accounts.services import account_erasing, personal_data_requested

from .models import Invitation, Registration


def _when(moment: Any) -> str | None:
    return moment.isoformat() if moment else None


def _theirs(user: User) -> Q:
    """Registrations made with the account, and those made with its address before."""
    return Q(user=user) | Q(user__isnull=True, email__iexact=user.email)


@receiver(personal_data_requested)
def workshops_personal_data(sender: Any, user: User, **kwargs: Any) -> tuple[str, Any]:
    registrations = Registration.objects.filter(_theirs(user)).select_related("workshop__process")
    return (
        "workshops",
        {
            "registrations": [
                {
                    "workshop": r.workshop.title,
                    "process": r.workshop.process.title,
                    "starts_at": _when(r.workshop.starts_at),
                    "name": r.name,
                    "email": r.email,
                    "needs": r.needs,
                    "status": r.status,
                    "registered_at": _when(r.created_at),
                    "present": _when(r.checked_in_at),
                }
                for r in registrations
            ],
            "invitations": [
                {
                    "workshop": i.workshop.title,
                    "email": i.email,
                    "name": i.name,
                    "sent_at": _when(i.sent_at),
                }
                for i in Invitation.objects.filter(email__iexact=user.email).select_related(
                    "workshop"
                )
            ],
        },
    )


@receiver(account_erasing)
def erase_registrations(sender: Any, user: User, **kwargs: Any) -> None:
    """Attendance figures stay right; who came does not. A place kept at a workshop still
    to come is given up, to the first person waiting."""
    from .services.registration import registration_cancel

    coming = Registration.objects.filter(
        _theirs(user),
        status__in=[
            Registration.Status.PENDING,
            Registration.Status.CONFIRMED,
            Registration.Status.WAITLISTED,
        ],
        workshop__ends_at__gt=timezone.now(),
    )
    for registration in coming:
        registration_cancel(registration=registration, notify=False)
    Registration.objects.filter(_theirs(user)).update(name="—", email="", needs="", user=None)
    Invitation.objects.filter(email__iexact=user.email).delete()
