"""Workshops: planning, registrations, the day itself (tables, captures, documents), live sessions.

One module per part of a workshop's life; every model is importable from here.
"""

from .day import CapturedContribution, Table, WorkshopDocument
from .live import (
    LiveChoice,
    LiveParticipant,
    LivePoll,
    LivePollOption,
    LiveQuestion,
    LiveResponse,
    LiveSession,
    LiveUpvote,
    LiveWord,
)
from .registration import Invitation, Registration
from .workshop import Workshop

__all__ = [
    "CapturedContribution",
    "Invitation",
    "LiveChoice",
    "LiveParticipant",
    "LivePoll",
    "LivePollOption",
    "LiveQuestion",
    "LiveResponse",
    "LiveSession",
    "LiveUpvote",
    "LiveWord",
    "Registration",
    "Table",
    "Workshop",
    "WorkshopDocument",
]
