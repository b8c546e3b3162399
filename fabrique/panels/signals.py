"""What panels hold about a person with an account: in their data export, and erased with
their account."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from fabrique.accounts.models import User
from fabrique.accounts.services import account_erasing, personal_data_requested
from fabrique.processes.audiences import panel_membership_asked
from fabrique.processes.models import Process

from . import membership
from .models import Volunteer


def _when(moment: Any) -> str | None:
    return moment.isoformat() if moment else None


@receiver(personal_data_requested)
def panels_personal_data(sender: Any, user: User, **kwargs: Any) -> tuple[str, Any]:
    """Each panel the person volunteered for: contact, answers, where they stand, sessions."""
    volunteers = (
        Volunteer.objects.filter(user=user)
        .select_related("panel__process", "commune")
        .prefetch_related("values__category", "sessions_attended")
    )
    return (
        "panels",
        {
            "volunteers": [
                {
                    "panel": v.panel.title,
                    "process": v.panel.process.title,
                    "pseudonym": v.pseudonym,
                    "first_name": v.first_name,
                    "last_name": v.last_name,
                    "email": v.email,
                    "phone": v.phone,
                    "commune": v.commune.name if v.commune else None,
                    "answers": {value.category.label: value.label for value in v.values.all()},
                    "status": v.status,
                    "note": v.status_note,
                    "consent_at": _when(v.consent_at),
                    "confirmed_at": _when(v.confirmed_at),
                    "invited_at": _when(v.invited_at),
                    "answered_at": _when(v.answered_at),
                    "sessions_attended": [
                        {"title": s.title, "at": s.starts_at.isoformat()}
                        for s in v.sessions_attended.all()
                    ],
                }
                for v in volunteers
            ]
        },
    )


@receiver(account_erasing)
def erase_panel_volunteers(sender: Any, user: User, **kwargs: Any) -> None:
    """The name and contact go with the account; the pseudonym stays in published draws."""
    for volunteer in Volunteer.objects.filter(user=user).select_related("panel__process"):
        membership.volunteer_erase(volunteer=volunteer)


@receiver(panel_membership_asked)
def panel_member_check(
    sender: Any, process: Process, email: str = "", user: User | None = None, **kwargs: Any
) -> bool:
    """Members (drawn or accepted) of a panel of the process, by account or by address."""
    members = Volunteer.objects.filter(
        panel__process=process,
        status__in=[Volunteer.Status.SELECTED, Volunteer.Status.ACCEPTED],
    )
    if user is not None and members.filter(user=user).exists():
        return True
    return bool(email) and members.filter(email__iexact=email.strip()).exists()
