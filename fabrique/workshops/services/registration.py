"""Who comes to a workshop: register, confirm, wait for a seat, cancel, be checked in.

Views, the admin, commands and other parts of the app call these. Every change of seats
happens with the workshop's row locked (``select_for_update``), so that two people taking
the last seat at the same moment cannot both have it: the second one joins the waiting list.
Only confirmed registrations hold a seat; a visitor's registration is pending until they
open the link of the e-mail and confirm.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fabrique.accounts.models import User

from ..models import Invitation, Registration, Workshop
from ..selectors.registration import (
    audience_refusal,
    has_free_seat,
    live_registration,
    normalize_email,
    registration_closed_reason,
    reminder_due_at,
    waitlist,
)

Status = Registration.Status

NAME_MAX = Registration._meta.get_field("name").max_length or 150
NEEDS_MAX = Registration._meta.get_field("needs").max_length or 500


class AlreadyRegistered(ValidationError):
    """This person (account or address) already has a registration that counts."""

    def __init__(self, registration: Registration) -> None:
        super().__init__(_("You are already registered for this workshop."), code="already")
        self.registration = registration


# --- After the transaction: e-mails and the reminder -----------------------------------------


def _email_later(registration: Registration, kind: str, *, by_staff: bool = False) -> None:
    if not registration.email:
        return
    from ..tasks import registration_email_task

    pk = registration.pk
    transaction.on_commit(lambda: registration_email_task.enqueue(pk, kind, by_staff))


def _remind_later(registration: Registration) -> None:
    if not registration.email or registration.walk_in:
        return
    from ..tasks import reminder_schedule

    pk, when = registration.pk, reminder_due_at(registration.workshop)
    transaction.on_commit(lambda: reminder_schedule(registration_id=pk, when=when))


# --- Seats ---------------------------------------------------------------------------------


def _locked(workshop: Workshop) -> Workshop:
    """The workshop, re-read with its row locked until the transaction ends."""
    return (
        Workshop.objects.select_for_update(of=("self",))
        .select_related("process__territory")
        .get(pk=workshop.pk)
    )


def _reread(registration: Registration) -> Registration:
    return Registration.objects.select_for_update(of=("self",)).get(pk=registration.pk)


def _fill_free_seats(workshop: Workshop, now: datetime) -> list[Registration]:
    """Give the free seats to the waiting list, first come first served (workshop locked)."""
    if workshop.status != Workshop.Status.PUBLISHED or workshop.is_past:
        return []
    queue = waitlist(workshop=workshop)
    if workshop.capacity is not None:
        taken = workshop.registrations.filter(status=Status.CONFIRMED).count()
        free = max(workshop.capacity - taken, 0)
        if not free:
            return []
        queue = queue[:free]
    promoted = []
    for registration in queue:
        registration.workshop = workshop
        registration.status = Status.CONFIRMED
        registration.confirmed_at = registration.promoted_at = now
        registration.save(update_fields=["status", "confirmed_at", "promoted_at"])
        _email_later(registration, "promoted")
        _remind_later(registration)
        promoted.append(registration)
    return promoted


def _seat_or_queue(workshop: Workshop, registration: Registration, now: datetime) -> None:
    """A seat if one is free and nobody waits for it; the waiting list otherwise."""
    _fill_free_seats(workshop, now)
    if has_free_seat(workshop=workshop) and not waitlist(workshop=workshop).exists():
        registration.status = Status.CONFIRMED
        registration.confirmed_at = now
        registration.waitlisted_at = None
    else:
        registration.status = Status.WAITLISTED
        registration.waitlisted_at = now


def _announce(registration: Registration, *, by_staff: bool = False) -> None:
    if registration.status == Status.CONFIRMED:
        _email_later(registration, "confirmed", by_staff=by_staff)
        _remind_later(registration)
    elif registration.status == Status.WAITLISTED:
        _email_later(registration, "waitlisted", by_staff=by_staff)


def registrations_fill_free_seats(*, workshop: Workshop) -> list[Registration]:
    """After the capacity was raised: the waiting list takes the new seats, in its order,
    and each person is told by e-mail. Returns who got a seat."""
    with transaction.atomic():
        return _fill_free_seats(_locked(workshop), timezone.now())


# --- Registering ---------------------------------------------------------------------------


def _clean_person(*, name: str, email: str, needs: str, email_required: bool) -> dict[str, str]:
    errors: dict[str, list[str]] = {}
    name = " ".join(name.split())
    if not name:
        errors["name"] = [_("Give your name, so that the organisers can welcome you.")]
    elif len(name) > NAME_MAX:
        errors["name"] = [
            _("The name is too long (%(max)d characters at most).") % {"max": NAME_MAX}
        ]
    email = normalize_email(email)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("This e-mail address is not valid: check it.")]
    elif email_required:
        errors["email"] = [_("Give your e-mail address: the link to confirm is sent there.")]
    needs = needs.strip()
    if len(needs) > NEEDS_MAX:
        errors["needs"] = [_("Please keep it under %(max)d characters.") % {"max": NEEDS_MAX}]
    if errors:
        raise ValidationError(errors)
    return {"name": name, "email": email, "needs": needs}


def registration_create(
    *,
    workshop: Workshop,
    name: str,
    email: str = "",
    needs: str = "",
    user: User | None = None,
    by: User | None = None,
) -> Registration:
    """Register someone.

    - A signed-in person (``user``, address verified with the account) is registered at
      once: a seat, or the waiting list when full.
    - A visitor gives a name and an address: the registration is pending until they open
      the link e-mailed to them and confirm; it holds no seat before that.
    - Staff (``by``) register someone who called: no confirmation, no audience check, and
      they may do it after registrations closed to the public; the address is optional.

    Raises :class:`AlreadyRegistered` when this account or address already has a
    registration that counts, ``ValidationError`` with a message for everything else.
    """
    by_staff = by is not None
    if user is not None and not by_staff:
        email = user.email
    person = _clean_person(name=name, email=email, needs=needs, email_required=not by_staff)
    now = timezone.now()
    with transaction.atomic():
        workshop = _locked(workshop)
        reason = registration_closed_reason(workshop=workshop, by_staff=by_staff)
        if reason:
            raise ValidationError(reason, code="closed")
        existing = live_registration(workshop=workshop, user=user, email=person["email"])
        if existing is not None:
            raise AlreadyRegistered(existing)
        if not by_staff:
            refusal = audience_refusal(workshop=workshop, email=person["email"], user=user)
            if refusal:
                raise ValidationError(refusal, code="audience")
        registration = Registration(workshop=workshop, user=user, **person)
        if by_staff or user is not None:
            _seat_or_queue(workshop, registration, now)
        else:
            registration.status = Status.PENDING
        try:
            with transaction.atomic():
                registration.save()
        except IntegrityError:
            # The same form sent twice at once: the constraints keep a single registration.
            existing = live_registration(workshop=workshop, user=user, email=person["email"])
            if existing is None:
                raise
            raise AlreadyRegistered(existing) from None
        if registration.status == Status.PENDING:
            _email_later(registration, "confirm_link")
        else:
            _announce(registration, by_staff=by_staff)
    return registration


RESEND_EVERY = 10 * 60  # seconds


def registration_link_resend(*, registration: Registration) -> bool:
    """Someone gave an address already registered: the link goes to that address again
    (the page says nothing about whether it was registered). At most once every ten
    minutes, so that the form cannot be used to flood someone's mailbox."""
    if not cache.add(f"workshops:link-resent:{registration.pk}", 1, timeout=RESEND_EVERY):
        return False
    kind = "confirm_link" if registration.status == Status.PENDING else "link_again"
    _email_later(registration, kind)
    return True


def registration_confirm(*, registration: Registration, by: User | None = None) -> Registration:
    """The visitor proved their address (or staff confirmed it for them): a seat if one is
    free, the waiting list otherwise. Confirming twice changes nothing. Registrations
    closed in between do not stop it (the person registered while they were open); a
    cancelled or started workshop does."""
    now = timezone.now()
    with transaction.atomic():
        workshop = _locked(registration.workshop)
        registration = _reread(registration)
        registration.workshop = workshop
        if registration.status != Status.PENDING:
            return registration
        if workshop.status == Workshop.Status.CANCELLED:
            raise ValidationError(_("This workshop is cancelled."))
        if workshop.is_past or (by is None and workshop.starts_at <= now):
            raise ValidationError(_("This workshop has already started: it is too late."))
        _seat_or_queue(workshop, registration, now)
        registration.save(update_fields=["status", "confirmed_at", "waitlisted_at"])
        _announce(registration, by_staff=by is not None)
    return registration


def registration_cancel(
    *, registration: Registration, by: User | None = None, notify: bool = True
) -> Registration:
    """Cancel a registration; the seat it held goes to the first person waiting, who is
    told by e-mail. ``by``: the member of staff who did it. The person receives a word
    that it is done, unless ``notify`` is False (their account is being erased)."""
    now = timezone.now()
    with transaction.atomic():
        workshop = _locked(registration.workshop)
        registration = _reread(registration)
        registration.workshop = workshop
        if registration.status == Status.CANCELLED:
            return registration
        if by is None and workshop.is_past:
            raise ValidationError(_("This workshop has already taken place."))
        registration.status = Status.CANCELLED
        registration.cancelled_at = now
        registration.save(update_fields=["status", "cancelled_at"])
        _fill_free_seats(workshop, now)
        if notify and workshop.status != Workshop.Status.CANCELLED and not workshop.is_past:
            _email_later(registration, "cancelled", by_staff=by is not None)
    return registration


def registration_promote(
    *, registration: Registration, by: User, over_capacity: bool = False
) -> Registration:
    """Staff give a seat to someone on the waiting list, out of turn; beyond the capacity
    only when they say so (``over_capacity``)."""
    now = timezone.now()
    with transaction.atomic():
        workshop = _locked(registration.workshop)
        registration = _reread(registration)
        registration.workshop = workshop
        if registration.status != Status.WAITLISTED:
            raise ValidationError(_("Only people on the waiting list can be given a seat."))
        if workshop.status == Workshop.Status.CANCELLED:
            raise ValidationError(_("This workshop is cancelled."))
        if not over_capacity and not has_free_seat(workshop=workshop):
            raise ValidationError(
                _(
                    "The workshop is full (%(capacity)d places). Confirm that you want to go "
                    "beyond its capacity, or raise the capacity."
                )
                % {"capacity": workshop.capacity or 0},
                code="full",
            )
        registration.status = Status.CONFIRMED
        registration.confirmed_at = registration.promoted_at = now
        registration.save(update_fields=["status", "confirmed_at", "promoted_at"])
        _email_later(registration, "promoted", by_staff=True)
        _remind_later(registration)
    return registration


# --- At the door ---------------------------------------------------------------------------


def registration_check_in(*, registration: Registration, by: User | None) -> bool:
    """Mark the person present. Returns False when they already were (a second scan of the
    QR code, a double tap): the first time stays."""
    if registration.status == Status.CANCELLED:
        raise ValidationError(_("This registration is cancelled."))
    done = (
        Registration.objects.filter(pk=registration.pk, checked_in_at__isnull=True)
        .exclude(status=Status.CANCELLED)
        .update(checked_in_at=timezone.now(), checked_in_by=by)
    )
    registration.refresh_from_db(fields=["checked_in_at", "checked_in_by", "status"])
    return bool(done)


def registration_check_in_undo(*, registration: Registration) -> None:
    """A tap on the wrong name: the person is no longer marked present."""
    Registration.objects.filter(pk=registration.pk).update(checked_in_at=None, checked_in_by=None)
    registration.refresh_from_db(fields=["checked_in_at", "checked_in_by"])


def registration_walk_in(
    *, workshop: Workshop, name: str, email: str = "", by: User
) -> Registration:
    """Someone came without registering: recorded present at once, no e-mail sent."""
    person = _clean_person(name=name, email=email, needs="", email_required=False)
    now = timezone.now()
    with transaction.atomic():
        workshop = _locked(workshop)
        if workshop.status != Workshop.Status.PUBLISHED:
            raise ValidationError(_("This workshop is not published."))
        if person["email"] and live_registration(workshop=workshop, email=person["email"]):
            raise ValidationError(
                {
                    "email": _(
                        "This address is already registered: find the person in the list "
                        "and mark them present."
                    )
                }
            )
        registration = Registration(
            workshop=workshop,
            name=person["name"],
            email=person["email"],
            walk_in=True,
            status=Status.CONFIRMED,
            confirmed_at=now,
            checked_in_at=now,
            checked_in_by=by,
        )
        registration.save()
    return registration


# --- Invitations ---------------------------------------------------------------------------

_NAMED = re.compile(r"^(?P<name>.*?)\s*<(?P<email>[^<>]+)>$")


@dataclass
class InvitationsAdded:
    created: list[Invitation] = field(default_factory=list)
    already: list[str] = field(default_factory=list)


def invitations_parse(text: str) -> list[tuple[str, str]]:
    """One address a line, « Name <address> » or « address »: (name, address) pairs.

    Raises ``ValidationError`` listing every faulty line by its number.
    """
    people: list[tuple[str, str]] = []
    errors: list[str] = []
    seen: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().strip(",;").strip()
        if not line:
            continue
        match = _NAMED.match(line)
        name, email = (match["name"].strip(' "'), match["email"]) if match else ("", line)
        email = normalize_email(email)
        try:
            validate_email(email)
        except ValidationError:
            errors.append(
                _("Line %(number)d: « %(line)s » is not an e-mail address.")
                % {"number": number, "line": line[:80]}
            )
            continue
        if len(name) > 150:
            errors.append(_("Line %(number)d: the name is too long.") % {"number": number})
            continue
        if email not in seen:
            seen.add(email)
            people.append((name, email))
    if errors:
        raise ValidationError({"addresses": errors})
    if not people:
        raise ValidationError({"addresses": [_("Give at least one e-mail address.")]})
    return people


def invitations_add(*, workshop: Workshop, text: str, send: bool = True) -> InvitationsAdded:
    """Invite the addresses pasted (see :func:`invitations_parse`); nothing is written when a
    line is faulty. Addresses already invited are left as they are. The new invitations
    are e-mailed their link once saved (``send``)."""
    people = invitations_parse(text)
    result = InvitationsAdded()
    if workshop.status == Workshop.Status.CANCELLED or workshop.is_past:
        raise ValidationError(_("This workshop is cancelled or over: nobody can be invited."))
    with transaction.atomic():
        workshop = _locked(workshop)
        known = {normalize_email(e) for e in workshop.invitations.values_list("email", flat=True)}
        for name, email in people:
            if email in known:
                result.already.append(email)
                continue
            result.created.append(
                Invitation.objects.create(workshop=workshop, email=email, name=name)
            )
        if send and workshop.status == Workshop.Status.PUBLISHED:
            invitations_send_later(invitations=result.created)
    return result


def invitations_send_later(*, invitations: Sequence[Invitation]) -> None:
    """E-mail these invitations once the transaction commits (the worker sends them)."""
    ids = [i.pk for i in invitations]
    if not ids:
        return
    from ..tasks import invitations_email_task

    transaction.on_commit(lambda: invitations_email_task.enqueue(ids))


def invitation_delete(*, invitation: Invitation) -> None:
    """Withdraw an invitation; a registration already made stays (cancel it if need be)."""
    invitation.delete()


# --- The workshop changed or was cancelled (called by planning) ------------------------------


def registrations_notify_cancellation(*, workshop: Workshop) -> None:
    """Tell everyone registered, waiting or confirming that the workshop is cancelled, with
    the reason given (by e-mail, through the worker). Registrations stay as they were, for
    the record."""
    from ..tasks import workshop_cancelled_email_task

    pk = workshop.pk
    transaction.on_commit(lambda: workshop_cancelled_email_task.enqueue(pk))


def registrations_notify_change(*, workshop: Workshop, changes: list[str]) -> None:
    """Tell everyone registered, waiting or confirming what changed (time, place, link);
    the registered receive the calendar file again. Reminders follow the new time."""
    if not changes:
        return
    from ..tasks import workshop_changed_email_task

    pk, what = workshop.pk, [str(c) for c in changes]
    transaction.on_commit(lambda: workshop_changed_email_task.enqueue(pk, what))
    # A reminder sent for the old time does not cover a new time more than a day away.
    confirmed = workshop.registrations.filter(status=Status.CONFIRMED, walk_in=False)
    if reminder_due_at(workshop) > timezone.now():
        confirmed.filter(reminder_sent_at__isnull=False).update(reminder_sent_at=None)
    for registration in confirmed:
        registration.workshop = workshop
        _remind_later(registration)
