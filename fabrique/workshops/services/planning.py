"""Planning workshops: create, edit, publish, cancel. Views, admin and the demo call these."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from fabrique.accounts.models import User
from fabrique.core.sanitize import sanitize_html
from fabrique.processes.models import ParticipationMode, Phase, Process, Theme

from ..models import Workshop
from .registration import (
    registrations_fill_free_seats,
    registrations_notify_cancellation,
    registrations_notify_change,
)

# Fields whose change registered people must hear about.
NOTIFIED_FIELDS = (
    "starts_at",
    "ends_at",
    "place_name",
    "address",
    "commune",
    "online_url",
    "format",
)


def _check(workshop: Workshop) -> None:
    """Everything that must hold for a workshop, in one place, with French messages."""
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    process = workshop.process
    if not workshop.title.strip():
        refuse("title", _("Give the workshop a title."))
    phase = workshop.phase
    if phase.process_id != process.pk:
        refuse("phase", _("This phase belongs to another process."))
    elif not phase.modes.filter(mode=ParticipationMode.WORKSHOPS).exists():
        refuse("phase", _("This phase does not open workshops: tick « Workshops » on the phase."))
    if workshop.starts_at and workshop.ends_at:
        if workshop.ends_at <= workshop.starts_at:
            refuse("ends_at", _("The workshop must end after it starts."))
        start_day = timezone.localtime(workshop.starts_at).date()
        if not phase.start_date <= start_day <= phase.end_date:
            refuse(
                "starts_at",
                _(
                    "The phase « %(phase)s » runs from %(start)s to %(end)s: "
                    "date the workshop within it."
                )
                % {
                    "phase": phase.title,
                    "start": date_format(phase.start_date, "j F Y"),
                    "end": date_format(phase.end_date, "j F Y"),
                },
            )
    if workshop.is_in_person and not (
        workshop.place_name or workshop.address or workshop.commune_id
    ):
        refuse(
            "address", _("Say where the workshop takes place: a place, an address or a commune.")
        )
    if workshop.is_online and not workshop.online_url:
        refuse("online_url", _("Give the link people will use to join online."))
    if (
        workshop.commune_id
        and not process.territory.communes.filter(pk=workshop.commune_id).exists()
    ):
        refuse(
            "commune", _("This commune is not in %(territory)s.") % {"territory": process.territory}
        )
    if (workshop.latitude is None) != (workshop.longitude is None):
        refuse("latitude", _("A point needs both a latitude and a longitude."))
    elif workshop.latitude is not None and workshop.longitude is not None:
        south, west, north, east = process.territory.map_bounds
        if not (south <= workshop.latitude <= north and west <= workshop.longitude <= east):
            refuse(
                "latitude",
                _("This point is outside %(territory)s.") % {"territory": process.territory},
            )
    if workshop.capacity is not None and workshop.capacity < 1:
        refuse("capacity", _("The capacity is at least one person, or empty for no limit."))
    if errors:
        raise ValidationError(errors)


def _apply(workshop: Workshop, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        setattr(workshop, name, value)
    workshop.title = workshop.title.strip()
    workshop.description = sanitize_html(workshop.description or "")
    if workshop.format == Workshop.Format.IN_PERSON:
        workshop.online_url = ""


@transaction.atomic
def workshop_create(
    *,
    process: Process,
    phase: Phase,
    title: str,
    starts_at: Any,
    ends_at: Any,
    created_by: User | None = None,
    themes: Iterable[Theme] = (),
    facilitators: Iterable[User] = (),
    **fields: Any,
) -> Workshop:
    workshop = Workshop(process=process, phase=phase, created_by=created_by)
    _apply(workshop, {"title": title, "starts_at": starts_at, "ends_at": ends_at, **fields})
    _check(workshop)
    workshop.save()
    workshop.themes.set(themes)
    workshop.facilitators.set(facilitators)
    return workshop


def _describe_changes(before: Workshop, after: Workshop) -> list[str]:
    changes: list[str] = []
    if before.starts_at != after.starts_at or before.ends_at != after.ends_at:
        changes.append(
            _("New time: %(when)s")
            % {"when": date_format(timezone.localtime(after.starts_at), "l j F Y, H:i")}
        )
    if (before.place_name, before.address, before.commune_id) != (
        after.place_name,
        after.address,
        after.commune_id,
    ):
        where = ", ".join(
            part for part in (after.place_name, after.address, str(after.commune or "")) if part
        )
        changes.append(_("New place: %(where)s") % {"where": where or _("to be confirmed")})
    if before.format != after.format:
        changes.append(_("New format: %(format)s") % {"format": after.get_format_display()})
    if before.online_url != after.online_url and after.online_url:
        changes.append(_("New link to join online."))
    return changes


@transaction.atomic
def workshop_update(
    *,
    workshop: Workshop,
    themes: Iterable[Theme] | None = None,
    facilitators: Iterable[User] | None = None,
    notify: bool = True,
    **fields: Any,
) -> list[str]:
    """Save the changes; tells registered people when the time, place or link changed.

    Returns the changes people were told about (empty when none).
    """
    before = Workshop.objects.get(pk=workshop.pk)
    _apply(workshop, fields)
    _check(workshop)
    workshop.save()
    if themes is not None:
        workshop.themes.set(themes)
    if facilitators is not None:
        workshop.facilitators.set(facilitators)
    if before.capacity is not None and (
        workshop.capacity is None or workshop.capacity > before.capacity
    ):
        # New seats go to the waiting list, in order; the people promoted are told.
        transaction.on_commit(lambda: registrations_fill_free_seats(workshop=workshop))
    changes = _describe_changes(before, workshop)
    if changes and notify and workshop.status == Workshop.Status.PUBLISHED:
        transaction.on_commit(
            lambda: registrations_notify_change(workshop=workshop, changes=changes)
        )
    return changes


def workshop_publish(*, workshop: Workshop) -> None:
    if workshop.status == Workshop.Status.CANCELLED:
        raise ValidationError(
            _("A cancelled workshop cannot be published again: create a new one.")
        )
    _check(workshop)
    workshop.status = Workshop.Status.PUBLISHED
    workshop.save(update_fields=["status", "updated_at"])


def workshop_unpublish(*, workshop: Workshop) -> None:
    """Back to draft, only while nobody has registered."""
    if workshop.registrations.exclude(status="cancelled").exists():
        raise ValidationError(
            _("People have registered: cancel the workshop instead, so that they are told.")
        )
    workshop.status = Workshop.Status.DRAFT
    workshop.save(update_fields=["status", "updated_at"])


@transaction.atomic
def workshop_cancel(*, workshop: Workshop, reason: str) -> None:
    """Cancel a published workshop and tell everyone registered why."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Say why the workshop is cancelled: people will read it.")}
        )
    if workshop.status == Workshop.Status.CANCELLED:
        raise ValidationError(_("This workshop is already cancelled."))
    was_published = workshop.status == Workshop.Status.PUBLISHED
    workshop.status = Workshop.Status.CANCELLED
    workshop.cancellation_reason = reason[:300]
    workshop.registration_open = False
    workshop.save(
        update_fields=["status", "cancellation_reason", "registration_open", "updated_at"]
    )
    if was_published:
        transaction.on_commit(lambda: registrations_notify_cancellation(workshop=workshop))
