"""Personal data held by the opinion maps: in the person's export.

On erasure, a person's answers go with the account (``on_delete=CASCADE``); the statements
they proposed stay, without their name, because others have answered them."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from fabrique.accounts.models import User
from fabrique.accounts.services import personal_data_requested

from .models import Statement, StatementVote


@receiver(personal_data_requested)
def opinion_personal_data(sender: Any, user: User, **kwargs: Any) -> tuple[str, Any]:
    votes = StatementVote.objects.filter(voter=user).select_related("statement__activity")
    proposed = Statement.objects.filter(author=user).select_related("activity")
    return (
        "opinion_maps",
        {
            "answers": [
                {
                    "opinion_map": v.statement.activity.title,
                    "statement": v.statement.text,
                    "answer": {1: "agree", -1: "disagree", 0: "pass"}[v.value],
                    "answered_at": v.voted_at.isoformat(),
                }
                for v in votes.order_by("voted_at", "pk")
            ],
            "statements_proposed": [
                {
                    "opinion_map": s.activity.title,
                    "statement": s.text,
                    "status": s.status,
                    "reason": s.moderation_reason,
                    "proposed_at": s.created_at.isoformat(),
                }
                for s in proposed.order_by("created_at", "pk")
            ],
        },
    )
