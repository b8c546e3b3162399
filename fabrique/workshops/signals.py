"""Personal data held by workshops: in the person's export, and erased with the account."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from fabrique.accounts.models import User
from fabrique.accounts.services import account_erasing, personal_data_requested

from .models import Registration


def _when(moment: Any) -> str | None:
    return moment.isoformat() if moment else None


@receiver(personal_data_requested)
def workshops_personal_data(sender: Any, user: User, **kwargs: Any) -> tuple[str, Any]:
    registrations = Registration.objects.filter(user=user).select_related("workshop__process")
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
            ]
        },
    )


@receiver(account_erasing)
def erase_registrations(sender: Any, user: User, **kwargs: Any) -> None:
    """Attendance figures stay right; who came does not."""
    Registration.objects.filter(user=user).update(name="—", email="", needs="", user=None)
