"""Reads on territories: populations and shares by basin, current territory."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, QuerySet, Sum

from .models import Basin, BasinGrouping, BasinMembership, Commune, Territory


@dataclass(frozen=True)
class BasinFigures:
    basin: Basin | None
    name: str
    commune_count: int
    population: int
    share: float  # of the territory's population, 0..1


@dataclass(frozen=True)
class GroupingFigures:
    grouping: BasinGrouping
    territory_population: int
    basins: list[BasinFigures]
    unassigned: list[Commune]


def territory_for_host(host: str) -> Territory | None:
    hostname = host.split(":")[0].lower()
    if hostname:
        territory = Territory.objects.filter(domain__iexact=hostname).first()
        if territory is not None:
            return territory
    if settings.DEFAULT_TERRITORY_SLUG:
        territory = Territory.objects.filter(slug=settings.DEFAULT_TERRITORY_SLUG).first()
        if territory is not None:
            return territory
    return Territory.objects.order_by("pk").first()


def territory_communes(territory: Territory) -> QuerySet[Commune]:
    return territory.communes.order_by("name")


def grouping_figures(grouping: BasinGrouping) -> GroupingFigures:
    territory = grouping.territory
    total = territory.population
    basins = grouping.basins.annotate(
        commune_count=Count("memberships"), population=Sum("memberships__commune__population")
    )
    figures = [
        BasinFigures(
            basin=basin,
            name=basin.name,
            commune_count=basin.commune_count,
            population=int(basin.population or 0),
            share=(int(basin.population or 0) / total) if total else 0.0,
        )
        for basin in basins
    ]
    assigned = BasinMembership.objects.filter(grouping=grouping).values("commune_id")
    unassigned = list(territory.communes.exclude(pk__in=assigned).order_by("name"))
    return GroupingFigures(
        grouping=grouping, territory_population=total, basins=figures, unassigned=unassigned
    )


def basin_communes(basin: Basin) -> list[BasinMembership]:
    return list(basin.memberships.select_related("commune").order_by("commune__name"))


def commune_basin(*, grouping: BasinGrouping, commune: Commune) -> Basin | None:
    membership = (
        BasinMembership.objects.filter(grouping=grouping, commune=commune)
        .select_related("basin")
        .first()
    )
    return membership.basin if membership else None


def communes_taken(*, grouping: BasinGrouping, except_basin: Basin | None) -> dict[int, str]:
    """Commune id → name of the basin that already holds it, other than ``except_basin``."""
    memberships = BasinMembership.objects.filter(grouping=grouping).select_related("basin")
    if except_basin is not None:
        memberships = memberships.exclude(basin=except_basin)
    return {m.commune_id: m.basin.name for m in memberships}
