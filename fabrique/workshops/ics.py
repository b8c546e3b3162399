"""Calendar files (RFC 5545) of workshops: one event people add to their calendar.

The same workshop always has the same UID, so that a calendar that imports the file again
(after a change of time or place, or a cancellation) updates the event instead of adding a
second one; SEQUENCE grows with each change.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from fabrique.core.urls import absolute_url

from .models import Workshop

PRODUCT_ID = "-//Fabrique//Ateliers//FR"
CONTENT_TYPE = "text/calendar; charset=utf-8"


def workshop_uid(workshop: Workshop) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "fabrique.local"
    return f"atelier-{workshop.pk}@{host}"


def workshop_location(workshop: Workshop, *, with_online_link: bool) -> str:
    """Place, address and commune; the link to join for those who may have it."""
    parts: list[str] = []
    if workshop.is_in_person:
        parts = [p for p in (workshop.place_name, workshop.address) if p]
        if workshop.commune_id and workshop.commune:
            parts.append(workshop.commune.name)
    if workshop.is_online:
        online = workshop.online_url if with_online_link and workshop.online_url else ""
        parts.append(f"{_('Online')} : {online}" if online else _("Online"))
    return ", ".join(parts)


def workshop_ics(
    workshop: Workshop, *, with_online_link: bool = False, personal_url: str = ""
) -> bytes:
    """The workshop as a one-event calendar.

    ``with_online_link`` only for people whose registration is confirmed; ``personal_url``
    (their registration page) is added to the description when given.
    """
    with translation.override(settings.LANGUAGE_CODE):
        calendar = Calendar()
        calendar.add("prodid", PRODUCT_ID)
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("method", "PUBLISH")

        event = Event()
        event.add("uid", workshop_uid(workshop))
        event.add("dtstamp", datetime.now(UTC).replace(microsecond=0))
        event.add("dtstart", workshop.starts_at.astimezone(UTC).replace(microsecond=0))
        event.add("dtend", workshop.ends_at.astimezone(UTC).replace(microsecond=0))
        # Whole seconds since the epoch: always grows when the workshop is saved again.
        updated = workshop.updated_at or timezone.now()
        event.add("sequence", int(updated.timestamp()))
        event.add("last-modified", updated.astimezone(UTC).replace(microsecond=0))
        event.add("summary", workshop.title)
        location = workshop_location(workshop, with_online_link=with_online_link)
        if location:
            event.add("location", location)
        public_url = absolute_url(workshop.get_absolute_url())
        event.add("url", public_url)
        event.add("description", _description(workshop, public_url, personal_url))
        event.add(
            "status", "CANCELLED" if workshop.status == Workshop.Status.CANCELLED else "CONFIRMED"
        )
        event.add("transp", "OPAQUE")
        if workshop.has_point:
            event.add("geo", (float(workshop.latitude or 0), float(workshop.longitude or 0)))
        calendar.add_component(event)
        return calendar.to_ical()


def _description(workshop: Workshop, public_url: str, personal_url: str) -> str:
    lines: list[str] = []
    if workshop.status == Workshop.Status.CANCELLED:
        lines.append(_("This workshop is cancelled."))
        if workshop.cancellation_reason:
            lines.append(workshop.cancellation_reason)
        lines.append("")
    if workshop.summary:
        lines.append(workshop.summary)
    lines.append(f"{workshop.process.title} — {workshop.process.territory.name}")
    if workshop.accessibility:
        lines += ["", _("Accessibility:"), workshop.accessibility]
    lines += ["", _("The workshop's page:"), public_url]
    if personal_url:
        lines += ["", _("Your registration (cancel, calendar, QR code):"), personal_url]
    return "\n".join(lines).strip()
