"""The panel's life after its draw: invitations, answers, leaving, sessions and attendance,
and the organisers' export.

Back-office views, the member space (reached by a private link, without an account), the
task worker and the personal-data receivers all call these. Draws and replacements stay in
``services``; the seat a member frees is filled by a replacement draw published there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fabrique.accounts.models import Role, User
from fabrique.accounts.services import notify
from fabrique.core.tabular import csv_for_spreadsheets, xlsx_table
from fabrique.core.urls import absolute_url

from . import services
from .models import Draw, Panel, Session, Volunteer

Status = Volunteer.Status

# Everyone a draw picked, whatever they answered since.
DRAWN_STATUSES = (Status.SELECTED, Status.ACCEPTED, Status.DECLINED, Status.LEFT)


# --- Reads --------------------------------------------------------------------------------


def drawn_volunteers(panel: Panel) -> QuerySet[Volunteer]:
    """The people drawn for the panel, by number, with how many sessions each attended."""
    return (
        panel.volunteers.filter(status__in=DRAWN_STATUSES)
        .select_related("commune")
        .annotate(attended=Count("sessions_attended", distinct=True))
        .order_by("number")
    )


def panel_staff(panel: Panel) -> QuerySet[User]:
    """Who is told when a member answers or leaves: the administrators of the territory,
    those who can draw a replacement."""
    return User.objects.filter(
        is_active=True,
        role_assignments__territory_id=panel.process.territory_id,
        role_assignments__role=Role.TERRITORY_ADMIN,
    ).distinct()


# Covered by a replacement draw whose seed is published (a draw that failed gave the seat
# to nobody).
_REPLACED = Q(replaced_in__status__in=[s for s in Draw.Status if s != Draw.Status.FAILED])


def seat_still_free(volunteer: Volunteer) -> bool:
    """Whether no replacement draw has been published for the seat this person gave up."""
    return not Volunteer.objects.filter(_REPLACED, pk=volunteer.pk).exists()


@dataclass(frozen=True)
class StatusCount:
    key: str
    label: str
    count: int


def status_counts(panel: Panel) -> list[StatusCount]:
    """How many drawn people are at each step, invitations apart from answers."""
    rows = panel.volunteers.filter(status__in=DRAWN_STATUSES).aggregate(
        to_invite=Count("pk", filter=Q(status=Status.SELECTED, invited_at__isnull=True)),
        invited=Count("pk", filter=Q(status=Status.SELECTED, invited_at__isnull=False)),
        accepted=Count("pk", filter=Q(status=Status.ACCEPTED)),
        declined=Count("pk", filter=Q(status=Status.DECLINED)),
        left=Count("pk", filter=Q(status=Status.LEFT)),
    )
    labels = {
        "to_invite": lambda n: ngettext("drawn, not invited yet", "drawn, not invited yet", n),
        "invited": lambda n: ngettext("invited, no answer yet", "invited, no answer yet", n),
        "accepted": lambda n: ngettext("member", "members", n),
        "declined": lambda n: ngettext("declined", "declined", n),
        "left": lambda n: ngettext("left the panel", "left the panel", n),
    }
    return [StatusCount(key, label(rows[key]), rows[key]) for key, label in labels.items()]


@dataclass(frozen=True)
class PendingInvitations:
    by_email: list[Volunteer]
    by_phone: list[Volunteer]
    """Drawn people without an e-mail address: staff call them and record the answer."""


def invitations_pending(panel: Panel) -> PendingInvitations:
    waiting = list(
        panel.volunteers.filter(status=Status.SELECTED, invited_at__isnull=True).order_by("number")
    )
    return PendingInvitations(
        by_email=[v for v in waiting if v.email],
        by_phone=[v for v in waiting if not v.email],
    )


def seats_to_fill(panel: Panel) -> list[Volunteer]:
    """People who declined or left and whom no replacement draw covers yet."""
    return list(
        panel.volunteers.filter(status__in=[Status.DECLINED, Status.LEFT])
        .exclude(_REPLACED)
        .order_by("number")
    )


def attendance_candidates(session: Session) -> QuerySet[Volunteer]:
    """Who can be ticked present: the members, and whoever was recorded present before
    leaving (their attendance stays)."""
    return (
        session.panel.volunteers.filter(
            Q(status__in=[Status.SELECTED, Status.ACCEPTED]) | Q(sessions_attended=session)
        )
        .distinct()
        .order_by("number")
    )


def sessions_with_attendance(panel: Panel) -> QuerySet[Session]:
    """The panel's sessions in date order, each with how many were ``present``."""
    # Explicit order: grouped rows ignore the model's default order.
    return panel.sessions.annotate(present=Count("attendees")).order_by("starts_at", "pk")


@dataclass(frozen=True)
class MemberSpace:
    """What a drawn person sees on their private page."""

    volunteer: Volunteer
    upcoming: list[Session]
    past: list[Session]
    attended: set[int]
    can_answer: bool
    can_change_mind: bool
    can_leave: bool
    can_withdraw: bool

    @property
    def attended_count(self) -> int:
        return len([s for s in self.past if s.pk in self.attended])


def member_space(volunteer: Volunteer) -> MemberSpace:
    status = volunteer.status
    # Drawn people see what they would commit to; members also see what has been done.
    sessions = list(volunteer.panel.sessions.all()) if volunteer.is_member else []
    now = timezone.now()
    return MemberSpace(
        volunteer=volunteer,
        upcoming=[s for s in sessions if s.starts_at >= now],
        past=[s for s in sessions if s.starts_at < now][::-1] if status == Status.ACCEPTED else [],
        attended=set(volunteer.sessions_attended.values_list("pk", flat=True)),
        can_answer=status == Status.SELECTED,
        can_change_mind=status == Status.DECLINED and seat_still_free(volunteer),
        can_leave=status == Status.ACCEPTED,
        can_withdraw=status == Status.POOL,
    )


# --- Telling people -------------------------------------------------------------------------


def _members_url(panel: Panel) -> str:
    return reverse(
        "panels:bo_members", args=[panel.process.territory.slug, panel.process.slug, panel.slug]
    )


def _tell_staff(volunteer: Volunteer, text: str, by: User | None) -> None:
    notify(
        users=panel_staff(volunteer.panel),
        text=text % {"name": volunteer_label(volunteer), "panel": volunteer.panel.title},
        url=_members_url(volunteer.panel),
        exclude=by,
    )


def volunteer_label(volunteer: Volunteer) -> str:
    """« Prénom Nom (V0007) », or only the pseudonym once the name is erased."""
    name = f"{volunteer.first_name} {volunteer.last_name}".strip()
    if not name or name == "— —":
        return volunteer.pseudonym
    return f"{name} ({volunteer.pseudonym})"


def _send(messages: Sequence[EmailMessage]) -> int:
    if messages:
        get_connection().send_messages(list(messages))
    return len(messages)


def invitations_email(*, volunteer_ids: Sequence[int], reply_to_id: int | None = None) -> int:
    """E-mail each drawn person their invitation and private link (run by the task worker).

    Returns how many were sent. People who answered in between (by telephone) and those
    who declined are skipped; members who accepted receive their link again.
    """
    reply_to = User.objects.filter(pk=reply_to_id, is_active=True).first() if reply_to_id else None
    volunteers = (
        Volunteer.objects.filter(
            pk__in=volunteer_ids, status__in=[Status.SELECTED, Status.ACCEPTED]
        )
        .exclude(email="")
        .select_related("panel__process__territory")
    )
    messages = []
    # The people drawn have no account and so no language of their own: the platform's.
    with translation.override(settings.LANGUAGE_CODE):
        for volunteer in volunteers:
            panel = volunteer.panel
            body = render_to_string(
                "panels/email/invitation.txt",
                {
                    "volunteer": volunteer,
                    "panel": panel,
                    "process": panel.process,
                    "territory": panel.process.territory,
                    "sessions": panel.sessions.filter(starts_at__gte=timezone.now()),
                    "space_url": absolute_url(
                        reverse("panels:member_space", args=[volunteer.token])
                    ),
                    "reply_to": reply_to,
                },
            )
            subject = (
                _("Your private page for the citizen panel « %(panel)s »")
                if volunteer.status == Status.ACCEPTED
                else _("You have been drawn for the citizen panel « %(panel)s »")
            ) % {"panel": panel.title}
            messages.append(
                EmailMessage(
                    subject=f"[{panel.process.territory.name}] {subject}",
                    body=body,
                    to=[volunteer.email],
                    reply_to=[reply_to.email] if reply_to else None,
                )
            )
    return _send(messages)


def session_email(*, session_id: int, new: bool) -> int:
    """E-mail the members who accepted about a session planned or changed (task worker)."""
    session = Session.objects.select_related("panel__process__territory").filter(pk=session_id)
    found = session.first()
    if found is None:
        return 0  # deleted before the worker got to it
    panel = found.panel
    members = panel.volunteers.filter(status=Status.ACCEPTED).exclude(email="")
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        subject = (
            _("New session of the citizen panel « %(panel)s »")
            if new
            else _("A session of the citizen panel « %(panel)s » has changed")
        ) % {"panel": panel.title}
        for volunteer in members:
            body = render_to_string(
                "panels/email/session.txt",
                {
                    "volunteer": volunteer,
                    "panel": panel,
                    "session": found,
                    "new": new,
                    "space_url": absolute_url(
                        reverse("panels:member_space", args=[volunteer.token])
                    ),
                },
            )
            messages.append(
                EmailMessage(
                    subject=f"[{panel.process.territory.name}] {subject}",
                    body=body,
                    to=[volunteer.email],
                )
            )
    return _send(messages)


# --- Invitations and answers ------------------------------------------------------------------


def members_invite(*, panel: Panel, by: User | None) -> int:
    """Invite by e-mail every drawn person not invited yet who has an address; returns how
    many. Each is claimed (``invited_at``) before the e-mails leave, so that a second click
    or a second worker sends nothing more. Replies to the e-mails reach ``by``."""
    from .tasks import member_invitations_task

    with transaction.atomic():
        ids = list(
            panel.volunteers.select_for_update()
            .filter(status=Status.SELECTED, invited_at__isnull=True)
            .exclude(email="")
            .values_list("pk", flat=True)
        )
        if not ids:
            return 0
        Volunteer.objects.filter(pk__in=ids).update(invited_at=timezone.now())
        reply_to = by.pk if by is not None else None
        transaction.on_commit(lambda: member_invitations_task.enqueue(ids, reply_to))
    return len(ids)


def member_invite_again(*, volunteer: Volunteer, by: User | None) -> Volunteer:
    """Send one person their invitation (or, once they accepted, their link) again."""
    from .tasks import member_invitations_task

    if not volunteer.email:
        raise ValidationError(_("This person has no e-mail address: call them."))
    if not volunteer.is_member:
        raise ValidationError(_("Only a drawn person who has not declined can be invited."))
    volunteer.invited_at = timezone.now()
    volunteer.save(update_fields=["invited_at"])
    reply_to = by.pk if by is not None else None
    transaction.on_commit(lambda: member_invitations_task.enqueue([volunteer.pk], reply_to))
    return volunteer


def _not_drawn(volunteer: Volunteer) -> ValidationError:
    if volunteer.status == Status.LEFT:
        return ValidationError(_("You have left the panel. To come back, contact the organisers."))
    return ValidationError(_("You have not been drawn for this panel."))


def invitation_answer(
    *, volunteer: Volunteer, accept: bool, note: str = "", by: User | None = None
) -> Volunteer:
    """A drawn person accepts or declines, on their page or by telephone to staff (``by``).

    The same answer twice changes nothing. Declining frees the seat and tells staff, who
    can draw a replacement; until a replacement draw is published for it the person may
    still change their mind and accept. Accepting then declining is allowed too.
    """
    with transaction.atomic():
        locked = (
            Volunteer.objects.select_for_update()
            .select_related("panel__process__territory")
            .get(pk=volunteer.pk)
        )
        now = timezone.now()
        if accept:
            if locked.status == Status.ACCEPTED:
                return locked
            if locked.status == Status.DECLINED:
                if not seat_still_free(locked):
                    raise ValidationError(
                        _(
                            "Your seat has already been offered to someone else: a "
                            "replacement draw took place after your answer. If you still "
                            "wish to take part, contact the organisers."
                        )
                    )
                changed_mind = True
            elif locked.status == Status.SELECTED:
                changed_mind = False
            else:
                raise _not_drawn(locked)
            locked.status, locked.status_note = Status.ACCEPTED, ""
            locked.answered_at = now
            locked.invited_at = locked.invited_at or now
            locked.save(update_fields=["status", "status_note", "answered_at", "invited_at"])
            if changed_mind:
                _tell_staff(
                    locked,
                    _("%(name)s changed their mind and accepts to join « %(panel)s »."),
                    by,
                )
            return locked
        if locked.status == Status.DECLINED:
            return locked
        if not locked.is_member:
            raise _not_drawn(locked)
        if locked.invited_at is None:  # reached by telephone
            locked.invited_at = now
            locked.save(update_fields=["invited_at"])
        services.member_release(volunteer=locked, status=Status.DECLINED, note=note.strip())
        _tell_staff(
            locked,
            _("%(name)s declined to join « %(panel)s »: a replacement can be drawn."),
            by,
        )
        return locked


def member_leave(*, volunteer: Volunteer, note: str = "", by: User | None = None) -> Volunteer:
    """A member leaves the panel (or staff record that they did); staff are told so that
    they can draw a replacement. Leaving twice changes nothing."""
    with transaction.atomic():
        locked = (
            Volunteer.objects.select_for_update()
            .select_related("panel__process__territory")
            .get(pk=volunteer.pk)
        )
        if locked.status == Status.LEFT:
            return locked
        services.member_release(volunteer=locked, status=Status.LEFT, note=note.strip())
        _tell_staff(
            locked,
            _("%(name)s left the panel « %(panel)s »: a replacement can be drawn."),
            by,
        )
        return locked


def pool_withdraw(*, volunteer: Volunteer) -> Volunteer:
    """A volunteer not drawn leaves the pool; their name and contact are erased."""
    if volunteer.status == Status.WITHDRAWN:
        return volunteer
    if volunteer.status != Status.POOL:
        raise ValidationError(
            _("Only a volunteer still in the pool can withdraw from it; a member leaves the panel.")
        )
    return services.volunteer_withdraw(volunteer=volunteer)


def volunteer_erase(*, volunteer: Volunteer) -> Volunteer:
    """The person's account is deleted: their name and contact go (the pseudonym and the
    answers stay in the published pool). A member thereby leaves, and staff are told."""
    with transaction.atomic():
        was_member = volunteer.is_member
        label = volunteer.pseudonym
        volunteer = services.volunteer_withdraw(volunteer=volunteer)
        if was_member:
            notify(
                users=panel_staff(volunteer.panel),
                text=_(
                    "A member of « %(panel)s » (%(pseudonym)s) deleted their account and so "
                    "left the panel: a replacement can be drawn."
                )
                % {"panel": volunteer.panel.title, "pseudonym": label},
                url=_members_url(volunteer.panel),
            )
    return volunteer


# --- Sessions and attendance --------------------------------------------------------------------


def session_save(
    *,
    panel: Panel,
    title: str,
    starts_at: datetime,
    place: str = "",
    description: str = "",
    document: Any = None,
    session: Session | None = None,
    tell_members: bool = False,
) -> Session:
    """Plan or change a session. ``document``: a new file, ``False`` to remove the current
    one, ``None`` to keep it. ``tell_members`` e-mails the members who accepted."""
    from .tasks import session_email_task

    if session is not None and session.panel_id != panel.pk:
        raise ValidationError(_("This session belongs to another panel."))
    new = session is None
    session = session or Session(panel=panel)
    session.title, session.starts_at = title.strip(), starts_at
    session.place, session.description = place.strip(), description.strip()
    previous = session.document.name if session.document else ""
    if document is False:
        session.document = ""  # an empty name: no file
    elif document:
        session.document = document
    session.full_clean()
    session.save()
    if previous and previous != session.document.name:
        # Removed only once the session is saved: a refused upload keeps the old file.
        session.document.storage.delete(previous)
    if tell_members:
        session_id = session.pk
        transaction.on_commit(lambda: session_email_task.enqueue(session_id, new))
    return session


def session_delete(*, session: Session) -> None:
    if session.document:
        session.document.delete(save=False)
    session.delete()


def attendance_set(*, session: Session, present_ids: Iterable[int]) -> Session:
    """Record who came to a session: exactly the people given, all members of the panel."""
    present = set(present_ids)
    allowed = set(attendance_candidates(session).values_list("pk", flat=True))
    if present - allowed:
        raise ValidationError(_("Only members of the panel can be recorded as present."))
    session.attendees.set(present)
    return session


# --- Export for the organisers ---------------------------------------------------------------


def members_export_table(panel: Panel) -> tuple[list[str], list[list[Any]]]:
    """One row per person drawn: who they are, how to reach them, their answer to each
    quota question, where they stand, and how many sessions they attended."""
    categories = list(panel.categories.all())
    header = [
        _("Number"),
        _("Pseudonym"),
        _("First name"),
        _("Last name"),
        _("E-mail address"),
        _("Telephone"),
        _("Commune"),
        *[c.label for c in categories],
        _("Status"),
        _("Note"),
        _("Invited on"),
        _("Answered on"),
        _("Sessions attended"),
    ]

    def local(moment: datetime | None) -> datetime | None:
        return timezone.localtime(moment).replace(tzinfo=None) if moment else None

    rows: list[list[Any]] = []
    for v in drawn_volunteers(panel).prefetch_related("values"):
        chosen = {value.category_id: value.label for value in v.values.all()}
        rows.append(
            [
                v.number,
                v.pseudonym,
                v.first_name,
                v.last_name,
                v.email,
                v.phone,
                v.commune.name if v.commune else "",
                *[chosen.get(c.pk, "") for c in categories],
                v.get_status_display(),
                v.status_note,
                local(v.invited_at),
                local(v.answered_at),
                v.attended,  # type: ignore[attr-defined]  # annotated by drawn_volunteers
            ]
        )
    return header, rows


def members_export_csv(panel: Panel) -> bytes:
    """The export for French spreadsheets (« ; » between columns)."""
    header, rows = members_export_table(panel)
    return csv_for_spreadsheets([header, *rows])


def members_export_xlsx(panel: Panel) -> bytes:
    header, rows = members_export_table(panel)
    return xlsx_table(header, rows, sheet_title=_("Members"), frozen="C2")
