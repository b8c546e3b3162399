"""Audiences that other apps define: a workshop "for panel members only" asks the panels app.

Sibling apps do not import each other; the one that knows (panels) answers this signal.
"""

from __future__ import annotations

from django.dispatch import Signal

from fabrique.accounts.models import User

from .models import Process

# Sent with sender=Process, email=str, user=User | None; receivers return True for a member.
panel_membership_asked = Signal()


def is_panel_member(*, process: Process, email: str = "", user: User | None = None) -> bool:
    """True when a receiver knows this person as a member of one of the process's panels."""
    responses = panel_membership_asked.send(sender=Process, process=process, email=email, user=user)
    return any(answer for _receiver, answer in responses)
