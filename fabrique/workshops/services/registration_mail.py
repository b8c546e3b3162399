"""The e-mails of registrations, and the reminders the day before.

The task worker runs these (``workshops.tasks``); ``manage.py send_workshop_reminders``
calls :func:`reminders_send_due`. People who registered have no language of their own
here: the platform's.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import segno
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fabrique.core.urls import absolute_url

from ..ics import CONTENT_TYPE, workshop_ics, workshop_location
from ..models import Invitation, Registration, Workshop
from ..selectors.registration import (
    LIVE_STATUSES,
    registrations_due_for_reminder,
    reminder_is_due,
    waitlist_position,
)

Status = Registration.Status

# --- Personal links ------------------------------------------------------------------------

_CHECKIN_SIGNER = signing.Signer(salt="fabrique.workshops.checkin", sep=".", algorithm="sha256")


def checkin_token(registration: Registration) -> str:
    """What the check-in QR code carries: the registration, signed. Not the personal token,
    so that a code seen over someone's shoulder does not let anyone cancel their seat."""
    return _CHECKIN_SIGNER.sign(str(registration.pk))


def registration_pk_from_checkin_token(token: str) -> int | None:
    try:
        value = _CHECKIN_SIGNER.unsign(token)
    except signing.BadSignature:
        return None
    return int(value) if value.isdigit() else None


def personal_url(registration: Registration) -> str:
    return absolute_url(reverse("workshops:registration", args=[registration.token]))


def checkin_url(registration: Registration) -> str:
    return absolute_url(reverse("workshops:checkin_scan", args=[checkin_token(registration)]))


def checkin_qr_svg(registration: Registration, *, label: str) -> SafeString:
    """The check-in QR code, drawn in SVG, with a text alternative."""
    code = segno.make(checkin_url(registration), error="m")
    svg = code.svg_inline(scale=5, border=3, light="#fff", omitsize=True, svgclass="qr-code")
    svg = svg.replace("<svg ", format_html('<svg role="img" aria-label="{}" ', label), 1)
    return mark_safe(svg)  # segno's own markup; the label is escaped above


def checkin_qr_png(registration: Registration) -> bytes:
    out = io.BytesIO()
    segno.make(checkin_url(registration), error="m").save(out, kind="png", scale=8, border=3)
    return out.getvalue()


# --- Sending -------------------------------------------------------------------------------


def _send(messages: Sequence[EmailMessage]) -> int:
    if messages:
        get_connection().send_messages(list(messages))
    return len(messages)


def _subject(workshop: Workshop, text: str) -> str:
    return f"[{workshop.process.territory.name}] {text}"


def _context(registration: Registration, **extra: Any) -> dict[str, Any]:
    workshop = registration.workshop
    seated = registration.status == Status.CONFIRMED
    return {
        "registration": registration,
        "workshop": workshop,
        "process": workshop.process,
        "territory": workshop.process.territory,
        "page_url": personal_url(registration),
        "workshop_url": absolute_url(workshop.get_absolute_url()),
        "workshops_url": absolute_url(reverse("workshops:list", args=[workshop.process.slug])),
        "where": workshop_location(workshop, with_online_link=seated),
        "starts_at": timezone.localtime(workshop.starts_at),
        "ends_at": timezone.localtime(workshop.ends_at),
        **extra,
    }


def _attach_calendar_and_code(message: EmailMessage, registration: Registration) -> None:
    workshop = registration.workshop
    message.attach(
        "atelier.ics",
        workshop_ics(
            workshop,
            with_online_link=registration.status == Status.CONFIRMED,
            personal_url=personal_url(registration),
        ),
        CONTENT_TYPE,
    )
    if workshop.is_in_person:
        message.attach("qr-code-presence.png", checkin_qr_png(registration), "image/png")


# What each e-mail about one registration says: template, subject, attachments.
KINDS: dict[str, tuple[str, str, bool]] = {
    "confirm_link": (
        "workshops/email/registration_confirm_link.txt",
        gettext_noop("Confirm your registration for « %(title)s »"),
        False,
    ),
    "link_again": (
        "workshops/email/registration_link_again.txt",
        gettext_noop("Your registration for « %(title)s »"),
        False,
    ),
    "confirmed": (
        "workshops/email/registration_confirmed.txt",
        gettext_noop("You are registered for « %(title)s »"),
        True,
    ),
    "waitlisted": (
        "workshops/email/waitlist_joined.txt",
        gettext_noop("On the waiting list for « %(title)s »"),
        False,
    ),
    "promoted": (
        "workshops/email/waitlist_promoted.txt",
        gettext_noop("A place has opened: you are registered for « %(title)s »"),
        True,
    ),
    "cancelled": (
        "workshops/email/registration_cancelled.txt",
        gettext_noop("Registration cancelled: « %(title)s »"),
        False,
    ),
    "reminder": (
        "workshops/email/reminder_workshop.txt",
        gettext_noop("Reminder: « %(title)s »"),
        True,
    ),
}


def _registration_message(registration: Registration, kind: str, **extra: Any) -> EmailMessage:
    template, subject, attach = KINDS[kind]
    body = render_to_string(
        template,
        _context(registration, position=waitlist_position(registration=registration), **extra),
    )
    message = EmailMessage(
        subject=_subject(
            registration.workshop, _(subject) % {"title": registration.workshop.title}
        ),
        body=body,
        to=[registration.email],
    )
    if attach and registration.status == Status.CONFIRMED:
        _attach_calendar_and_code(message, registration)
    return message


def registration_email_send(*, registration_id: int, kind: str, by_staff: bool = False) -> int:
    """E-mail one person about their registration; returns 1 when sent, 0 when there was
    nobody to write to (no address, erased, or the registration moved on in between)."""
    registration = (
        Registration.objects.select_related("workshop__process__territory", "workshop__commune")
        .filter(pk=registration_id)
        .first()
    )
    if registration is None or not registration.email or kind not in KINDS:
        return 0
    expected = {
        "confirm_link": (Status.PENDING,),
        "confirmed": (Status.CONFIRMED,),
        "promoted": (Status.CONFIRMED,),
        "waitlisted": (Status.WAITLISTED,),
        "cancelled": (Status.CANCELLED,),
    }.get(kind)
    if expected and registration.status not in expected:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        return _send([_registration_message(registration, kind, by_staff=by_staff)])


# --- Reminders -----------------------------------------------------------------------------


def reminder_send(*, registration_id: int, now: datetime | None = None) -> bool:
    """Send this person's reminder if it is due and was not sent yet (whoever calls it, the
    scheduled task or the command, and however often)."""
    now = now or timezone.now()
    registration = (
        Registration.objects.select_related("workshop__process__territory", "workshop__commune")
        .filter(pk=registration_id)
        .first()
    )
    if registration is None or not reminder_is_due(registration=registration, now=now):
        return False
    with transaction.atomic():
        claimed = Registration.objects.filter(
            pk=registration.pk, reminder_sent_at__isnull=True, status=Status.CONFIRMED
        ).update(reminder_sent_at=now)
        if not claimed:
            return False  # another worker got there first
        registration.reminder_sent_at = now
        # If the mail server refuses it, the mark is rolled back and the next run retries.
        with translation.override(settings.LANGUAGE_CODE):
            _send([_registration_message(registration, "reminder")])
    return True


def reminders_send_due(*, now: datetime | None = None) -> int:
    """Every reminder due now; returns how many left."""
    now = now or timezone.now()
    return sum(
        reminder_send(registration_id=r.pk, now=now)
        for r in registrations_due_for_reminder(now=now)
    )


# --- Workshop cancelled or changed ----------------------------------------------------------


def _live_with_address(workshop: Workshop) -> list[Registration]:
    return list(
        workshop.registrations.filter(status__in=LIVE_STATUSES, walk_in=False)
        .exclude(email="")
        .select_related("workshop__process__territory", "workshop__commune")
    )


def workshop_cancelled_email(*, workshop_id: int) -> int:
    """Tell everyone registered, waiting or confirming that the workshop is cancelled."""
    workshop = Workshop.objects.select_related("process__territory").filter(pk=workshop_id).first()
    if workshop is None or workshop.status != Workshop.Status.CANCELLED:
        return 0
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        subject = _subject(workshop, _("Cancelled: « %(title)s »") % {"title": workshop.title})
        for registration in _live_with_address(workshop):
            message = EmailMessage(
                subject=subject,
                body=render_to_string(
                    "workshops/email/registration_workshop_cancelled.txt",
                    _context(registration),
                ),
                to=[registration.email],
            )
            if registration.status == Status.CONFIRMED:
                # The cancelled event, so that calendars that took the first one drop it.
                message.attach("atelier.ics", workshop_ics(workshop), CONTENT_TYPE)
            messages.append(message)
    return _send(messages)


def workshop_changed_email(*, workshop_id: int, changes: Sequence[str]) -> int:
    """Tell everyone registered, waiting or confirming what changed; the registered get
    the calendar file again."""
    workshop = Workshop.objects.select_related("process__territory").filter(pk=workshop_id).first()
    if workshop is None or workshop.status != Workshop.Status.PUBLISHED or not changes:
        return 0
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        subject = _subject(workshop, _("Change: « %(title)s »") % {"title": workshop.title})
        for registration in _live_with_address(workshop):
            message = EmailMessage(
                subject=subject,
                body=render_to_string(
                    "workshops/email/registration_workshop_changed.txt",
                    _context(registration, changes=list(changes)),
                ),
                to=[registration.email],
            )
            if registration.status == Status.CONFIRMED:
                _attach_calendar_and_code(message, registration)
            messages.append(message)
    return _send(messages)


# --- Invitations ---------------------------------------------------------------------------


def invitation_url(invitation: Invitation) -> str:
    return absolute_url(f"{invitation.workshop.get_absolute_url()}?invitation={invitation.token}")


def invitations_email(*, invitation_ids: Sequence[int]) -> int:
    """E-mail each invitation its link; marks them sent."""
    invitations = list(
        Invitation.objects.filter(pk__in=invitation_ids).select_related(
            "workshop__process__territory", "workshop__commune"
        )
    )
    messages = []
    sent_ids = []
    with translation.override(settings.LANGUAGE_CODE):
        for invitation in invitations:
            workshop = invitation.workshop
            if workshop.status != Workshop.Status.PUBLISHED or workshop.is_past:
                continue
            sent_ids.append(invitation.pk)
            messages.append(
                EmailMessage(
                    subject=_subject(
                        workshop, _("Invitation: « %(title)s »") % {"title": workshop.title}
                    ),
                    body=render_to_string(
                        "workshops/email/invitation_workshop.txt",
                        {
                            "invitation": invitation,
                            "workshop": workshop,
                            "process": workshop.process,
                            "territory": workshop.process.territory,
                            "invitation_url": invitation_url(invitation),
                            "where": workshop_location(workshop, with_online_link=False),
                            "starts_at": timezone.localtime(workshop.starts_at),
                            "ends_at": timezone.localtime(workshop.ends_at),
                        },
                    ),
                    to=[invitation.email],
                )
            )
    sent = _send(messages)
    Invitation.objects.filter(pk__in=sent_ids).update(sent_at=timezone.now())
    return sent
