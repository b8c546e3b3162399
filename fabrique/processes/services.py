"""Writes on processes, phases, themes, bodies and news. Views, admin and commands call these."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import send_mass_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from fabrique.accounts.models import User
from fabrique.accounts.services import notify
from fabrique.core.sanitize import sanitize_html
from fabrique.core.urls import absolute_url
from fabrique.territories.models import Territory

from .models import (
    BodyMember,
    GovernanceBody,
    Meeting,
    News,
    ParticipationMode,
    Phase,
    PhaseMode,
    Process,
    ProcessFollow,
    Resource,
    Spotlight,
    Theme,
)


def _unique_slug(model: Any, base: str, *, exclude_pk: int | None = None, **scope: Any) -> str:
    base = slugify(base)[:70] or "x"
    slug, counter = base, 2
    while model.objects.filter(slug=slug, **scope).exclude(pk=exclude_pk).exists():
        slug, counter = f"{base}-{counter}", counter + 1
    return slug


def _check_dates(start: date, end: date) -> None:
    if end < start:
        raise ValidationError({"end_date": _("The end date comes before the start date.")})


def _d(value: date) -> str:
    return date_format(value, "DATE_FORMAT")


# --- Process --------------------------------------------------------------------------


def process_save(
    *,
    territory: Territory,
    title: str,
    summary: str,
    start_date: date,
    end_date: date,
    presentation: str = "",
    cover: Any = None,
    cover_alt: str = "",
    process: Process | None = None,
    created_by: User | None = None,
) -> Process:
    _check_dates(start_date, end_date)
    if process is None:
        process = Process(territory=territory, created_by=created_by)
    if not process.slug:
        process.slug = _unique_slug(Process, title)
    process.title = title.strip()
    process.summary = summary.strip()
    process.presentation = sanitize_html(presentation)
    process.start_date, process.end_date = start_date, end_date
    if cover is not None:
        process.cover = cover or ""
    process.cover_alt = cover_alt.strip()
    phases_outside = (
        process.phases.exclude(start_date__gte=start_date, end_date__lte=end_date)
        if process.pk
        else Phase.objects.none()
    )
    if phases_outside.exists():
        raise ValidationError(
            {
                "start_date": _("These phases would fall outside the new dates: %(names)s.")
                % {"names": ", ".join(p.title for p in phases_outside)}
            }
        )
    process.full_clean()
    process.save()
    return process


def process_set_status(*, process: Process, status: str) -> Process:
    if status not in Process.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    if status != Process.Status.DRAFT and not process.phases.exists():
        raise ValidationError(
            {
                "status": _(
                    "A process needs at least one phase before it is published: "
                    "people must see what is open and when."
                )
            }
        )
    process.status = status
    if status == Process.Status.PUBLISHED and process.published_at is None:
        process.published_at = timezone.now()
    process.save(update_fields=["status", "published_at", "updated_at"])
    return process


# --- Phases ---------------------------------------------------------------------------


def phase_save(
    *,
    process: Process,
    kind: str,
    title: str,
    start_date: date,
    end_date: date,
    modes: Iterable[str] = (),
    description: str = "",
    custom_kind: str = "",
    phase: Phase | None = None,
) -> Phase:
    """Create or update a phase; its dates lie within the process and overlap no other phase."""
    _check_dates(start_date, end_date)
    if kind == Phase.Kind.OTHER and not custom_kind.strip():
        raise ValidationError({"custom_kind": _("Say how this kind of phase is called.")})
    if start_date < process.start_date or end_date > process.end_date:
        raise ValidationError(
            {
                "start_date" if start_date < process.start_date else "end_date": _(
                    "The phase must lie within the process dates, from %(start)s to %(end)s."
                )
                % {"start": _d(process.start_date), "end": _d(process.end_date)}
            }
        )
    unknown = set(modes) - set(ParticipationMode.values)
    if unknown:
        raise ValidationError({"modes": _("Unknown participation mode.")})
    with transaction.atomic():
        # One writer at a time per process: two phases saved at once cannot both pass the
        # overlap check.
        Process.objects.select_for_update().filter(pk=process.pk).first()
        overlapping = process.phases.filter(start_date__lte=end_date, end_date__gte=start_date)
        if phase is not None and phase.pk:
            overlapping = overlapping.exclude(pk=phase.pk)
        clash = overlapping.first()
        if clash is not None:
            raise ValidationError(
                {
                    "start_date": _(
                        "These dates overlap the phase « %(title)s » (%(start)s – %(end)s). "
                        "Phases follow one another."
                    )
                    % {
                        "title": clash.title,
                        "start": _d(clash.start_date),
                        "end": _d(clash.end_date),
                    }
                }
            )
        phase = phase or Phase(process=process)
        phase.kind = kind
        phase.custom_kind = custom_kind.strip() if kind == Phase.Kind.OTHER else ""
        phase.title = title.strip()
        phase.description = sanitize_html(description)
        phase.start_date, phase.end_date = start_date, end_date
        phase.full_clean()
        phase.save()
        phase.modes.exclude(mode__in=list(modes)).delete()
        existing = set(phase.modes.values_list("mode", flat=True))
        PhaseMode.objects.bulk_create(
            PhaseMode(phase=phase, mode=m) for m in modes if m not in existing
        )
    return phase


def phase_delete(*, phase: Phase) -> None:
    process = phase.process
    if process.status != Process.Status.DRAFT and process.phases.count() == 1:
        raise ValidationError(
            _("A public process keeps at least one phase. Put it back to draft first.")
        )
    phase.delete()


# --- Themes, resources, spotlights ----------------------------------------------------


def theme_save(
    *,
    process: Process,
    title: str,
    description: str = "",
    colour: str = "#2f6b3f",
    icon: str | None = None,
    theme: Theme | None = None,
) -> Theme:
    if theme is None:
        theme = Theme(process=process, position=process.themes.count())
    if not theme.slug:
        theme.slug = _unique_slug(Theme, title, process=process)
    theme.title = title.strip()
    theme.description = sanitize_html(description)
    theme.colour = colour
    if icon is not None:
        theme.icon = icon
    theme.full_clean()
    theme.save()
    return theme


def resource_save(
    *,
    process: Process,
    kind: str,
    title: str,
    url: str = "",
    file: Any = None,
    description: str = "",
    theme: Theme | None = None,
    resource: Resource | None = None,
) -> Resource:
    if theme is not None and theme.process_id != process.pk:
        raise ValidationError({"theme": _("This theme belongs to another process.")})
    resource = resource or Resource(process=process)
    if file:
        resource.file = file
    if not url and not resource.file:
        raise ValidationError({"url": _("Give an address or a file.")})
    resource.kind, resource.title, resource.url = kind, title.strip(), url
    resource.description, resource.theme = description.strip(), theme
    resource.full_clean()
    resource.save()
    return resource


def theme_delete(*, theme: Theme) -> None:
    triads = theme.bodies.filter(kind=GovernanceBody.Kind.TRIAD)
    if triads.exists():
        raise ValidationError(
            _(
                "The triad « %(name)s » carries this theme: delete it or give it another "
                "theme first."
            )
            % {"name": triads.first()}
        )
    theme.delete()


def item_delete(*, item: GovernanceBody | Meeting | News | Spotlight) -> None:
    """Delete a body (with its members and meetings), a meeting, a news item or a spotlight."""
    item.delete()


def resource_delete(*, resource: Resource) -> None:
    if resource.file:
        resource.file.delete(save=False)
    resource.delete()


def spotlight_save(
    *,
    theme: Theme,
    title: str,
    start_date: date,
    end_date: date,
    description: str = "",
    spotlight: Spotlight | None = None,
) -> Spotlight:
    _check_dates(start_date, end_date)
    spotlight = spotlight or Spotlight(theme=theme)
    spotlight.title, spotlight.description = title.strip(), sanitize_html(description)
    spotlight.start_date, spotlight.end_date = start_date, end_date
    spotlight.full_clean()
    spotlight.save()
    return spotlight


# --- Governance bodies ----------------------------------------------------------------

TRIAD_ROLES = (
    BodyMember.Role.ELECTED,
    BodyMember.Role.TECHNICAL_PILOT,
    BodyMember.Role.CIVIL_SOCIETY,
)


def body_save(
    *,
    process: Process,
    kind: str,
    name: str,
    mandate: str = "",
    theme: Theme | None = None,
    is_public: bool = True,
    body: GovernanceBody | None = None,
) -> GovernanceBody:
    if theme is not None and theme.process_id != process.pk:
        raise ValidationError({"theme": _("This theme belongs to another process.")})
    if kind == GovernanceBody.Kind.TRIAD and theme is None:
        raise ValidationError({"theme": _("A triad carries one theme: choose it.")})
    if body is not None and body.pk and kind == GovernanceBody.Kind.TRIAD:
        _check_triad_members(list(body.members.all()))
    body = body or GovernanceBody(process=process, position=process.bodies.count())
    body.kind, body.name, body.theme = kind, name.strip(), theme
    body.mandate, body.is_public = sanitize_html(mandate), is_public
    body.full_clean()
    body.save()
    return body


def _check_triad_members(members: list[BodyMember]) -> None:
    for member in members:
        if member.role not in TRIAD_ROLES:
            raise ValidationError(
                {
                    "role": _(
                        "A triad has one elected official, one technical pilot and one "
                        "civil-society representative; « %(role)s » is not one of them."
                    )
                    % {"role": member.get_role_display()}
                }
            )
    for role in TRIAD_ROLES:
        holders = [m for m in members if m.role == role]
        if len(holders) > 1:
            raise ValidationError(
                {
                    "role": _("A triad has only one %(role)s: %(names)s cannot all be one.")
                    % {
                        "role": BodyMember.Role(role).label.lower(),
                        "names": ", ".join(m.name for m in holders),
                    }
                }
            )


def triad_missing_roles(body: GovernanceBody) -> list[str]:
    """The triad roles still unfilled, as labels (empty for other bodies)."""
    if body.kind != GovernanceBody.Kind.TRIAD:
        return []
    present = {m.role for m in body.members.all()}
    return [str(BodyMember.Role(r).label) for r in TRIAD_ROLES if r not in present]


def member_save(
    *,
    body: GovernanceBody,
    name: str,
    role: str,
    organisation: str = "",
    user: User | None = None,
    member: BodyMember | None = None,
) -> BodyMember:
    member = member or BodyMember(body=body)
    member.name = (name or (user.display_name if user else "")).strip()
    member.role, member.organisation, member.user = role, organisation.strip(), user
    if not member.name:
        raise ValidationError({"name": _("Give the member's name.")})
    member.full_clean()
    with transaction.atomic():
        # One writer at a time per body: two members added at once are checked in turn.
        GovernanceBody.objects.select_for_update().filter(pk=body.pk).first()
        if body.kind == GovernanceBody.Kind.TRIAD:
            others = body.members.exclude(pk=member.pk) if member.pk else body.members.all()
            _check_triad_members([*others, member])
        member.save()
    return member


def member_delete(*, member: BodyMember) -> None:
    member.delete()


def meeting_save(
    *,
    body: GovernanceBody,
    date: date,
    title: str,
    minutes: str = "",
    minutes_published: bool = False,
    meeting: Meeting | None = None,
) -> Meeting:
    meeting = meeting or Meeting(body=body)
    meeting.date, meeting.title = date, title.strip()
    meeting.minutes, meeting.minutes_published = sanitize_html(minutes), minutes_published
    if minutes_published and not minutes.strip():
        raise ValidationError({"minutes": _("Write the minutes before publishing them.")})
    meeting.full_clean()
    meeting.save()
    return meeting


# --- News and followers ---------------------------------------------------------------


def process_follow(*, process: Process, user: User) -> ProcessFollow:
    follow, _created = ProcessFollow.objects.get_or_create(process=process, user=user)
    return follow


def process_unfollow(*, process: Process, user: User) -> None:
    ProcessFollow.objects.filter(process=process, user=user).delete()


def news_publish(
    *, process: Process, author: User | None, title: str, body: str, send_email: bool
) -> News:
    news = News(process=process, author=author, title=title.strip(), body=sanitize_html(body))
    news.full_clean()
    with transaction.atomic():
        news.save()
        if process.is_public:
            notify(
                users=User.objects.filter(process_follows__process=process),
                text=_("News from « %(process)s »: %(title)s")
                % {"process": process.title, "title": news.title},
                url=news.get_absolute_url(),
                email=False,
            )
        if send_email and process.is_public:
            from .tasks import news_email_followers_task

            # After commit: a worker must find the news item it is asked to send.
            transaction.on_commit(lambda: news_email_followers_task.enqueue(news.pk))
    return news


def news_email_followers(*, news: News) -> int:
    """E-mail a news item to the process's followers, once. Returns how many were sent."""
    # Claim the item first: two workers, or a retried task, never send it twice.
    claimed = News.objects.filter(pk=news.pk, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return 0
    recipients = list(
        User.objects.filter(process_follows__process=news.process, is_active=True).values_list(
            "email", flat=True
        )
    )
    subject = f"[{news.process.title}] {news.title}"
    text = render_to_string(
        "processes/email/news.txt",
        {
            "news": news,
            "news_url": absolute_url(news.get_absolute_url()),
            "process_url": absolute_url(news.process.get_absolute_url()),
        },
    )
    send_mass_mail([(subject, text, None, [email]) for email in recipients], fail_silently=False)
    news.refresh_from_db(fields=["emailed_at"])
    return len(recipients)
