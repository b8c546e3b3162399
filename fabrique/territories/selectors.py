"""Reads on territories: populations and shares by basin, current territory, a commune
from what a person typed."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from fabrique.core.db import fold

from .models import Basin, BasinGrouping, BasinMembership, Commune, Territory

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


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
    ).order_by("position", "name")  # grouped rows ignore the model's default order
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


# --- A commune from what a person typed -------------------------------------------------

COMMUNE_MESSAGES: Mapping[str, StrOrPromise] = {
    "unknown": _("“%(value)s” is not a commune of %(territory)s. Pick one from the list."),
    "ambiguous": _("Several communes are called “%(value)s”: add the INSEE code, as in the list."),
}
_CODE_AT_END = re.compile(r"\(?\b(\d{4,5}|2[AB]\d{3})\)?\s*$", re.IGNORECASE)


def insee_code(text: str) -> str:
    """An INSEE code as typed or as a spreadsheet left it: without spaces, in capitals, with
    the leading zero that spreadsheets drop from codes such as 01053 (« 1053 »)."""
    code = re.sub(r"\s+", "", text or "").upper()
    if code.isdigit() and len(code) == 4:
        code = "0" + code
    return code


def commune_name_key(name: str) -> str:
    """A commune's name folded for comparison: « Saint-Rémy » matches « saint remy »."""
    return re.sub(r"[\s\-'’]+", " ", fold(name) or "").strip()


def find_commune(
    communes: QuerySet[Commune] | Iterable[Commune],
    text: str,
    *,
    territory_name: str = "",
    messages: Mapping[str, StrOrPromise] = COMMUNE_MESSAGES,
) -> Commune:
    """The commune among ``communes`` that ``text`` names: by its INSEE code, alone or after
    the name as in « Chalon-sur-Saône (71076) », or by its name, whatever the accents, case
    and hyphens. Raises a ValidationError (code « unknown » or « ambiguous ») with
    ``messages``, whose texts may use %(value)s and %(territory)s."""
    candidates = list(communes)
    text = (text or "").strip()
    code_match = _CODE_AT_END.search(text)
    if code_match:
        code = insee_code(code_match.group(1))
        for commune in candidates:
            if commune.insee_code == code:
                return commune
    key = commune_name_key(text)
    matches = [c for c in candidates if commune_name_key(c.name) == key]
    if len(matches) == 1:
        return matches[0]
    code = "ambiguous" if matches else "unknown"
    raise ValidationError(
        messages[code], code=code, params={"value": text, "territory": territory_name}
    )
