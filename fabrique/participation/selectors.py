"""Reads on contributions: the filtered, sorted, searched list; a contribution's page."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Avg, Count, F, FloatField, Q, QuerySet, Value
from django.db.models.functions import Cast, Floor, Mod
from django.urls import reverse

from fabrique.accounts.models import User
from fabrique.core.db import Fold, fold
from fabrique.processes.models import Process
from fabrique.territories.models import BasinMembership

from .models import Comment, Contribution, Visibility

SORTS = ("recent", "supported", "commented", "random")


@dataclass(frozen=True)
class ContributionFilters:
    theme: int | None = None
    kind: str = ""
    commune: int | None = None
    basin: int | None = None
    status: str = ""
    phase: int | None = None
    q: str = ""
    sort: str = "recent"


def contribution_list(
    process: Process, filters: ContributionFilters, *, seed: str = ""
) -> QuerySet[Contribution]:
    """The published contributions matching the filters, in the order asked for. The same
    for every viewer, hence cached whole (``views``); an author's own contributions awaiting
    moderation are listed apart (``awaiting_moderation``)."""
    qs = Contribution.objects.filter(
        process=process,
        visibility=Visibility.PUBLISHED,
        removed_by_author=False,
        merged_into__isnull=True,  # merged into another: its page stays, the lists skip it
    )
    if filters.theme:
        qs = qs.filter(themes=filters.theme)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.commune:
        qs = qs.filter(commune_id=filters.commune)
    if filters.basin:
        qs = qs.filter(
            commune_id__in=BasinMembership.objects.filter(basin_id=filters.basin).values(
                "commune_id"
            )
        )
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.phase:
        qs = qs.filter(phase_id=filters.phase)
    if filters.q.strip():
        qs = _search(qs, filters.q.strip())
    qs = qs.select_related("process", "commune", "author").prefetch_related("themes")
    if filters.q.strip() and connection.vendor == "postgresql" and filters.sort == "recent":
        return qs.order_by("-rank", "-created_at", "-pk")
    if filters.sort == "supported":
        return qs.order_by("-support_count", "-created_at", "-pk")
    if filters.sort == "commented":
        return qs.order_by("-comment_count", "-created_at", "-pk")
    if filters.sort == "random":
        # Stable for a visitor (their seed), different from one visitor to another, and
        # cheap: a hash of the seed picks a stride through the ids.
        stride = int(hashlib.sha256(seed.encode()).hexdigest()[:6], 16) % 9973 + 1
        shuffle = Mod(F("id") * Value(stride), Value(10007))
        return qs.annotate(shuffle=shuffle).order_by("shuffle", "pk")
    return qs.order_by("-created_at", "-pk")


# French stemming without accents (migration 0003 of this app).
SEARCH_CONFIG = "french_unaccent"


def awaiting_moderation(process: Process, author: User) -> QuerySet[Contribution]:
    """What an author posted that moderators have not read yet."""
    return Contribution.objects.filter(
        process=process, author=author, visibility=Visibility.PENDING, removed_by_author=False
    ).order_by("-created_at", "-pk")


def _search(qs: QuerySet[Contribution], text: str) -> QuerySet[Contribution]:
    """French full-text search on PostgreSQL (stemming: « pistes cyclables » finds
    « piste cyclable »; accents ignored: « ecole » finds « école »); on SQLite every word
    must appear in the title or the text, accents and case ignored."""
    if connection.vendor == "postgresql":
        query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
        return qs.filter(search_vector=query).annotate(rank=SearchRank(F("search_vector"), query))
    qs = qs.annotate(folded_title=Fold("title"), folded_body=Fold("body"))
    for word in text.split():
        folded = fold(word)
        qs = qs.filter(Q(folded_title__contains=folded) | Q(folded_body__contains=folded))
    return qs


# Beyond this many located contributions in view, the map shows counts per grid cell.
MAP_POINTS = 2000
MAP_GRID = 24


@dataclass(frozen=True)
class MapBox:
    south: float
    west: float
    north: float
    east: float

    @classmethod
    def parse(cls, text: str) -> MapBox | None:
        """``south,west,north,east`` as the map sends it; None when malformed."""
        try:
            south, west, north, east = (float(x) for x in text.split(","))
        except ValueError:
            return None
        if not (-90 <= south < north <= 90 and -180 <= west < east <= 180):
            return None
        return cls(south, west, north, east)


def contribution_map(qs: QuerySet[Contribution], box: MapBox) -> dict[str, Any]:
    """The located contributions of ``qs`` inside ``box`` as GeoJSON: each point while
    they are few, else one point per cell of a grid over the box with its count (the map
    asks again as one zooms in). Its cost does not grow with the number shown."""
    located = qs.filter(
        latitude__gte=box.south,
        latitude__lte=box.north,
        longitude__gte=box.west,
        longitude__lte=box.east,
    ).order_by()
    rows = list(
        located.values_list("pk", "title", "kind", "latitude", "longitude", "process__slug")[
            : MAP_POINTS + 1
        ]
    )
    if len(rows) <= MAP_POINTS:
        features = [
            _point(float(lon), float(lat), title=title, kind=kind, url=_detail_url(slug, pk))
            for pk, title, kind, lat, lon, slug in rows
            if lat is not None and lon is not None  # the box excludes them; for the checker
        ]
        return {"type": "FeatureCollection", "clustered": False, "features": features}
    step_lat = (box.north - box.south) / MAP_GRID
    step_lon = (box.east - box.west) / MAP_GRID
    latitude, longitude = Cast("latitude", FloatField()), Cast("longitude", FloatField())
    cells = (
        located.annotate(
            cell_y=Floor((latitude - box.south) / step_lat),
            cell_x=Floor((longitude - box.west) / step_lon),
        )
        .values("cell_y", "cell_x")
        .annotate(count=Count("pk"), lat=Avg(latitude), lon=Avg(longitude))
        .order_by("cell_y", "cell_x")
    )
    features = [_point(c["lon"], c["lat"], count=c["count"]) for c in cells]
    return {"type": "FeatureCollection", "clustered": True, "features": features}


def _point(lon: float, lat: float, **properties: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
        "properties": properties,
    }


def _detail_url(slug: str, pk: int) -> str:
    return reverse("participation:detail", kwargs={"slug": slug, "pk": pk})


def contribution_comments(contribution: Contribution, viewer: User | None = None) -> list[Comment]:
    """Top-level comments with their replies, as the viewer may see them."""
    visible = Q(visibility=Visibility.PUBLISHED)
    if viewer is not None and viewer.is_authenticated:
        visible |= Q(author=viewer)
    comments = list(
        contribution.comments.filter(visible).select_related("author").order_by("created_at", "pk")
    )
    by_parent: dict[int | None, list[Comment]] = {}
    for comment in comments:
        by_parent.setdefault(comment.parent_id, []).append(comment)
    for comment in comments:
        comment.visible_replies = by_parent.get(comment.pk, [])  # type: ignore[attr-defined]
    return by_parent.get(None, [])
