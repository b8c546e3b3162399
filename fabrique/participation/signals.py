from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from fabrique.accounts.models import User
from fabrique.accounts.services import personal_data_requested

from .models import Comment, Contribution, Support


@receiver(personal_data_requested)
def participation_personal_data(sender: Any, user: User, **kwargs: Any) -> tuple[str, Any]:
    """What a person wrote and supported, for their data export."""
    return (
        "participation",
        {
            "contributions": [
                {
                    "process": c.process.title,
                    "kind": c.kind,
                    "title": c.title,
                    "text": c.body,
                    "commune": c.commune.name if c.commune else None,
                    "point": [float(c.latitude), float(c.longitude)]
                    if c.latitude is not None and c.longitude is not None
                    else None,
                    "created_at": c.created_at.isoformat(),
                    "status": c.status,
                    "answer": c.answer,
                }
                for c in Contribution.objects.filter(author=user).select_related(
                    "process", "commune"
                )
            ],
            "comments": [
                {"on": c.contribution.title, "text": c.body, "created_at": c.created_at.isoformat()}
                for c in Comment.objects.filter(author=user).select_related("contribution")
            ],
            "supports": [
                {"contribution": s.contribution.title, "at": s.created_at.isoformat()}
                for s in Support.objects.filter(user=user).select_related("contribution")
            ],
        },
    )
