from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from fabrique.accounts.models import User
from fabrique.accounts.services import personal_data_requested

from .models import BodyMember, ProcessFollow


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
        },
    )
