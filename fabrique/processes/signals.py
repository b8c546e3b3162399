from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils.translation import gettext as _

from fabrique.accounts.models import User
from fabrique.accounts.services import account_erasing, personal_data_requested

from .models import BodyMember, News, Process, ProcessFollow


@receiver(personal_data_requested)
def process_personal_data(sender: Any, user: User, **kwargs: Any) -> tuple[str, Any]:
    """Followed processes and seats in governance bodies, for the person's data export."""
    return (
        "processes",
        {
            "follows": [
                {"process": f.process.title, "since": f.created_at.isoformat()}
                for f in ProcessFollow.objects.filter(user=user).select_related("process")
            ],
            "body_memberships": [
                {
                    "body": m.body.name,
                    "process": m.body.process.title,
                    "role": m.role,
                    "organisation": m.organisation,
                }
                for m in BodyMember.objects.filter(user=user).select_related("body__process")
            ],
            "news_written": [
                {"title": n.title, "process": n.process.title, "at": n.published_at.isoformat()}
                for n in News.objects.filter(author=user).select_related("process")
            ],
            "processes_created": list(
                Process.objects.filter(created_by=user).values_list("title", flat=True)
            ),
        },
    )


@receiver(account_erasing)
def anonymise_body_seats(sender: Any, user: User, **kwargs: Any) -> None:
    """A seat outlives the account that held it, but not the person's name."""
    BodyMember.objects.filter(user=user).update(user=None, name=_("Former member"))
