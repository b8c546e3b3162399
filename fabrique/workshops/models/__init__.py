"""Workshops: planning, registrations, the day itself (tables, captures, documents), live sessions.

One module per part of a workshop's life; every model is importable from here.
"""

from .day import CapturedContribution, Table, WorkshopDocument
from .registration import Invitation, Registration
from .workshop import Workshop

__all__ = [
    "CapturedContribution",
    "Invitation",
    "Registration",
    "Table",
    "Workshop",
    "WorkshopDocument",
]
