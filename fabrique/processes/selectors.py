"""Reads on processes: what is open now, what comes next, key figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Case, Count, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from fabrique.territories.models import Territory

from .models import GovernanceBody, News, ParticipationMode, Phase, Process, Spotlight, Theme


def public_processes(territory: Territory | None) -> QuerySet[Process]:
    if not territory:  # also a lazy "no territory" from the middleware
        return Process.objects.none()
    # Published first, then closed, then archived; the most recent first within each.
    status_order = Case(
        When(status=Process.Status.PUBLISHED, then=Value(0)),
        When(status=Process.Status.CLOSED, then=Value(1)),
        default=Value(2),
    )
    return (
        Process.objects.filter(territory=territory)
        .exclude(status=Process.Status.DRAFT)
        .order_by(status_order, "-start_date")
    )


def phases_with_modes(process: Process) -> list[Phase]:
    return list(process.phases.prefetch_related("modes").order_by("start_date"))


@dataclass
class Timeline:
    phases: list[Phase]
    today: date
    current: list[Phase] = field(default_factory=list)
    next: Phase | None = None
    open_modes: list[tuple[str, str]] = field(default_factory=list)

    def state_of(self, phase: Phase) -> str:
        return phase.state(self.today)


def process_timeline(process: Process, today: date | None = None) -> Timeline:
    today = today or timezone.localdate()
    phases = phases_with_modes(process)
    for phase in phases:
        phase.current_state = phase.state(today)  # type: ignore[attr-defined]  # for templates
    timeline = Timeline(phases=phases, today=today)
    timeline.current = [p for p in phases if p.state(today) == "open"]
    timeline.next = next((p for p in phases if p.state(today) == "upcoming"), None)
    if process.status == Process.Status.PUBLISHED:
        open_values = {m for p in timeline.current for m in p.mode_values}
        timeline.open_modes = [
            (value, str(label))
            for value, label in ParticipationMode.choices
            if value in open_values
        ]
    return timeline


def process_themes(process: Process) -> QuerySet[Theme]:
    return process.themes.all()


def public_bodies(process: Process) -> QuerySet[GovernanceBody]:
    return process.bodies.filter(is_public=True).select_related("theme").prefetch_related("members")


def all_bodies(process: Process) -> QuerySet[GovernanceBody]:
    return process.bodies.select_related("theme").prefetch_related("members", "meetings")


def published_meetings_prefetch() -> Prefetch:
    from .models import Meeting

    return Prefetch(
        "meetings",
        queryset=Meeting.objects.filter(minutes_published=True),
        to_attr="published_meetings",
    )


def current_spotlights(process: Process, today: date | None = None) -> QuerySet[Spotlight]:
    today = today or timezone.localdate()
    return Spotlight.objects.filter(
        theme__process=process, start_date__lte=today, end_date__gte=today
    ).select_related("theme__process")


def latest_news(process: Process, limit: int = 3) -> QuerySet[News]:
    return process.news.filter(published_at__lte=timezone.now())[:limit]


@dataclass(frozen=True)
class KeyFigures:
    phases: int
    themes: int
    bodies: int
    followers: int
    days_left: int | None


def key_figures(process: Process, today: date | None = None) -> KeyFigures:
    today = today or timezone.localdate()
    counts = Process.objects.filter(pk=process.pk).aggregate(
        phases=Count("phases", distinct=True),
        themes=Count("themes", distinct=True),
        bodies=Count("bodies", filter=Q(bodies__is_public=True), distinct=True),
        followers=Count("follows", distinct=True),
    )
    days_left = (process.end_date - today).days if process.end_date >= today else None
    return KeyFigures(days_left=days_left, **counts)
