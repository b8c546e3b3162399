"""Reads about who comes to a workshop: counts, who may register, the lists of the
back-office and of the door, the exports for the organisers."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fabrique.accounts.models import User
from fabrique.core.db import fold
from fabrique.core.tabular import csv_for_spreadsheets, xlsx_table
from fabrique.processes.audiences import is_panel_member

from ..models import Invitation, Registration, Workshop

Status = Registration.Status

# Registrations that still count: someone is coming, waiting for a seat, or confirming.
LIVE_STATUSES = (Status.PENDING, Status.CONFIRMED, Status.WAITLISTED)

# Reminders leave this long before the workshop starts.
REMINDER_BEFORE = timedelta(hours=24)


def normalize_email(email: str) -> str:
    return email.strip().lower()


# --- Counts --------------------------------------------------------------------------------


def registration_counts(*, workshop: Workshop) -> dict[str, Any]:
    """How many people are at each step, and what is left.

    Keys: ``confirmed``, ``waitlisted``, ``pending``, ``cancelled``, ``present`` (checked in,
    walk-ins included), ``walk_ins``, ``capacity`` (None: no limit) and ``seats_left``
    (None: no limit). Only confirmed registrations hold a seat.
    """
    counts = workshop.registrations.aggregate(
        confirmed=Count("pk", filter=Q(status=Status.CONFIRMED)),
        waitlisted=Count("pk", filter=Q(status=Status.WAITLISTED)),
        pending=Count("pk", filter=Q(status=Status.PENDING)),
        cancelled=Count("pk", filter=Q(status=Status.CANCELLED)),
        present=Count("pk", filter=Q(checked_in_at__isnull=False) & ~Q(status=Status.CANCELLED)),
        walk_ins=Count("pk", filter=Q(walk_in=True) & ~Q(status=Status.CANCELLED)),
    )
    counts["capacity"] = workshop.capacity
    counts["seats_left"] = (
        None if workshop.capacity is None else max(workshop.capacity - counts["confirmed"], 0)
    )
    return counts


def seats_taken(*, workshop: Workshop) -> int:
    return workshop.registrations.filter(status=Status.CONFIRMED).count()


def has_free_seat(*, workshop: Workshop) -> bool:
    return workshop.capacity is None or seats_taken(workshop=workshop) < workshop.capacity


def waitlist(*, workshop: Workshop) -> QuerySet[Registration]:
    """The waiting list, first come first served."""
    return workshop.registrations.filter(status=Status.WAITLISTED).order_by("waitlisted_at", "pk")


def waitlist_position(*, registration: Registration) -> int | None:
    """1 for the next person to get a seat; None when not on the waiting list."""
    if registration.status != Status.WAITLISTED or registration.waitlisted_at is None:
        return None
    ahead = (
        waitlist(workshop=registration.workshop)
        .filter(
            Q(waitlisted_at__lt=registration.waitlisted_at)
            | Q(waitlisted_at=registration.waitlisted_at, pk__lt=registration.pk)
        )
        .count()
    )
    return ahead + 1


# --- Who may register ----------------------------------------------------------------------


def registration_closed_reason(*, workshop: Workshop, by_staff: bool = False) -> str | None:
    """Why nobody can register now, or None when registrations are open.

    Staff adding someone (by telephone) pass ``by_staff``: they may still do it once
    registrations are closed to the public, until the workshop ends.
    """
    if workshop.status == Workshop.Status.DRAFT or not workshop.process.is_public:
        return _("This workshop is not published yet.")
    if workshop.status == Workshop.Status.CANCELLED:
        return _("This workshop is cancelled.")
    if by_staff:
        if workshop.is_past:
            return _("This workshop has already taken place.")
        return None
    if workshop.starts_at <= timezone.now():
        return _("This workshop has already started: registrations are closed.")
    if not workshop.registration_open:
        return _("Registrations for this workshop are closed.")
    return None


def invitation_for(*, workshop: Workshop, email: str) -> Invitation | None:
    if not email:
        return None
    return workshop.invitations.filter(email__iexact=normalize_email(email)).first()


def invitation_by_token(*, workshop: Workshop, token: str) -> Invitation | None:
    if not token:
        return None
    return workshop.invitations.filter(token=token[:64]).first()


def audience_refusal(
    *, workshop: Workshop, email: str = "", user: User | None = None
) -> str | None:
    """Why this person is not in the workshop's audience, or None when they are.

    The address is proved afterwards: by the confirmation e-mail for visitors, by the
    verified account for signed-in people.
    """
    if workshop.audience == Workshop.Audience.INVITATION:
        emails = {normalize_email(e) for e in (email, user.email if user else "") if e}
        if not any(invitation_for(workshop=workshop, email=e) for e in emails):
            return _(
                "This workshop is by invitation. Open the link of the invitation you received: "
                "it lets you register with the address it was sent to."
            )
    elif workshop.audience == Workshop.Audience.PANEL and not is_panel_member(
        process=workshop.process, email=normalize_email(email), user=user
    ):
        return _(
            "This workshop is for the members of the citizen panel. Register with the "
            "e-mail address you gave the panel."
        )
    return None


def live_registration(
    *, workshop: Workshop, user: User | None = None, email: str = ""
) -> Registration | None:
    """This person's registration that still counts (not cancelled), by account or address."""
    found = Q(pk__in=[])
    if user is not None:
        found |= Q(user=user)
    if email:
        found |= Q(email__iexact=normalize_email(email))
    return (
        workshop.registrations.filter(found, status__in=LIVE_STATUSES)
        .order_by("created_at")
        .first()
    )


def registrations_of_user(*, user: User) -> QuerySet[Registration]:
    """A signed-in person's registrations, the coming workshops first."""
    return (
        Registration.objects.filter(Q(user=user) | Q(email__iexact=user.email, user__isnull=True))
        .select_related("workshop__process__territory", "workshop__commune")
        .order_by("-workshop__starts_at")
    )


# --- Lists for the organisers ----------------------------------------------------------------

STATUS_ORDER = {Status.CONFIRMED: 0, Status.WAITLISTED: 1, Status.PENDING: 2, Status.CANCELLED: 3}


def registrations_for_backoffice(*, workshop: Workshop) -> list[Registration]:
    """Everyone who registered: registered, then the waiting list in its order, then those
    confirming their address, then cancellations."""
    people = list(workshop.registrations.select_related("user", "table", "checked_in_by"))
    far = timezone.now() + timedelta(days=36500)
    people.sort(
        key=lambda r: (
            STATUS_ORDER.get(Status(r.status), 9),
            r.waitlisted_at or far if r.status == Status.WAITLISTED else r.created_at,
            r.pk,
        )
    )
    return people


def registrations_for_checkin(*, workshop: Workshop, query: str = "") -> list[Registration]:
    """Who is expected at the door (registered, then the waiting list) and walk-ins, by name;
    ``query`` keeps the names that contain it, accents and case aside."""
    people = list(
        workshop.registrations.filter(
            Q(status__in=[Status.CONFIRMED, Status.WAITLISTED]) | Q(walk_in=True)
        )
        .exclude(status=Status.CANCELLED)
        .select_related("checked_in_by")
    )
    wanted = fold(query.strip()) or ""
    if wanted:
        people = [r for r in people if wanted in (fold(r.name) or "")]
    people.sort(key=lambda r: (fold(r.name) or "", r.pk))
    return people


def invitations_of(*, workshop: Workshop) -> QuerySet[Invitation]:
    return workshop.invitations.order_by("-created_at", "pk")


# --- Reminders -------------------------------------------------------------------------------


def reminder_due_at(workshop: Workshop) -> datetime:
    return workshop.starts_at - REMINDER_BEFORE


def reminder_is_due(*, registration: Registration, now: datetime | None = None) -> bool:
    """A reminder goes to a person registered more than a day before the workshop, once,
    in the day before it starts."""
    now = now or timezone.now()
    workshop = registration.workshop
    if (
        registration.status != Status.CONFIRMED
        or registration.walk_in
        or not registration.email
        or registration.reminder_sent_at is not None
        or workshop.status != Workshop.Status.PUBLISHED
    ):
        return False
    due = reminder_due_at(workshop)
    if not due <= now < workshop.starts_at:
        return False
    # Seated within the last day: the confirmation they just received says it all.
    seated = registration.promoted_at or registration.confirmed_at
    return seated is None or seated < due


def registrations_due_for_reminder(*, now: datetime | None = None) -> list[Registration]:
    now = now or timezone.now()
    candidates = (
        Registration.objects.filter(
            status=Status.CONFIRMED,
            walk_in=False,
            reminder_sent_at__isnull=True,
            workshop__status=Workshop.Status.PUBLISHED,
            workshop__starts_at__gt=now,
            workshop__starts_at__lte=now + REMINDER_BEFORE,
        )
        .exclude(email="")
        .select_related("workshop__process__territory", "workshop__commune")
    )
    return [r for r in candidates if reminder_is_due(registration=r, now=now)]


# --- Export for the organisers ---------------------------------------------------------------


def _local(moment: datetime | None) -> datetime | None:
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def registrations_export_table(*, workshop: Workshop) -> tuple[list[str], list[list[Any]]]:
    """One row per registration: who, how to reach them, their needs, where they stand."""
    header = [
        _("Name"),
        _("E-mail address"),
        _("Needs for coming"),
        _("Status"),
        _("Place on the waiting list"),
        _("Registered on"),
        _("Confirmed on"),
        _("Cancelled on"),
        _("Came without registering"),
        _("Arrived at"),
        _("Table"),
        _("With an account"),
    ]
    rows: list[list[Any]] = []
    position = 0
    for r in registrations_for_backoffice(workshop=workshop):
        if r.status == Status.WAITLISTED:
            position += 1
        rows.append(
            [
                r.name,
                r.email,
                r.needs,
                r.get_status_display(),
                position if r.status == Status.WAITLISTED else None,
                _local(r.created_at),
                _local(r.confirmed_at),
                _local(r.cancelled_at),
                _("yes") if r.walk_in else "",
                _local(r.checked_in_at),
                r.table.name if r.table else "",
                _("yes") if r.user_id else "",
            ]
        )
    return header, rows


def registrations_export_csv(*, workshop: Workshop) -> bytes:
    """For French spreadsheets (« ; » between columns)."""
    header, rows = registrations_export_table(workshop=workshop)
    return csv_for_spreadsheets([header, *rows])


def registrations_export_xlsx(*, workshop: Workshop) -> bytes:
    header, rows = registrations_export_table(workshop=workshop)
    return xlsx_table(header, rows, sheet_title=_("Registrations"), min_width=12)
