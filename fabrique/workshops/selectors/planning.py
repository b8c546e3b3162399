"""Reads for planning and browsing workshops."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from fabrique.processes.models import Process

from ..models import Registration, Workshop


def _with_counts(workshops: QuerySet[Workshop]) -> QuerySet[Workshop]:
    return workshops.annotate(
        confirmed_count=Count(
            "registrations",
            filter=Q(registrations__status=Registration.Status.CONFIRMED),
            distinct=True,
        ),
        waitlisted_count=Count(
            "registrations",
            filter=Q(registrations__status=Registration.Status.WAITLISTED),
            distinct=True,
        ),
        present_count=Count(
            "registrations", filter=Q(registrations__checked_in_at__isnull=False), distinct=True
        ),
    )


@dataclass(frozen=True)
class WorkshopFilters:
    theme: str = ""
    format: str = ""
    commune: str = ""
    when: str = "upcoming"  # upcoming | past | all


def public_workshops(
    *, process: Process, filters: WorkshopFilters | None = None
) -> QuerySet[Workshop]:
    """Workshops people can see: published, and cancelled ones (shown as such)."""
    filters = filters or WorkshopFilters()
    workshops = Workshop.objects.filter(
        process=process, status__in=[Workshop.Status.PUBLISHED, Workshop.Status.CANCELLED]
    )
    now = timezone.now()
    # Explicit order: the counts below group the rows, and grouped queries ignore the
    # model's default order. The next first; the past from the most recent.
    workshops = workshops.order_by("starts_at", "pk")
    if filters.when == "upcoming":
        workshops = workshops.filter(ends_at__gte=now)
    elif filters.when == "past":
        workshops = workshops.filter(ends_at__lt=now).order_by("-starts_at", "-pk")
    if filters.theme:
        workshops = workshops.filter(themes__slug=filters.theme)
    if filters.format:
        workshops = workshops.filter(format=filters.format)
    if filters.commune:
        workshops = workshops.filter(commune__insee_code=filters.commune)
    return _with_counts(
        workshops.select_related("commune", "phase").prefetch_related("themes")
    ).distinct()


def upcoming_workshops(*, process: Process, limit: int = 3) -> list[Workshop]:
    return list(public_workshops(process=process)[:limit])


def backoffice_workshops(*, process: Process) -> QuerySet[Workshop]:
    return _with_counts(
        Workshop.objects.filter(process=process)
        .select_related("commune", "phase")
        .prefetch_related("facilitators")
        .order_by("-starts_at")
    )


def workshop_points(*, workshops: Iterable[Workshop]) -> list[dict[str, object]]:
    """GeoJSON-like points for the map of workshops."""
    return [
        {
            "title": w.title,
            "url": w.get_absolute_url(),
            "lat": float(w.latitude),
            "lon": float(w.longitude),
            "when": timezone.localtime(w.starts_at).strftime("%d/%m/%Y %H:%M"),
        }
        for w in workshops
        if w.latitude is not None and w.longitude is not None
    ]
