"""Writes on territories, communes and basins. Views, admin and commands all call these."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from fabrique.core.sanitize import sanitize_html
from fabrique.core.tabular import csv_rows, decode_text

from .models import Basin, BasinGrouping, BasinMembership, Commune, LegalPage, Territory
from .official_data import OfficialCommune, OfficialDataUnavailable, official_data
from .selectors import insee_code


class TerritoryImportError(Exception):
    """The code given cannot be imported; the message says why, for a person."""


@dataclass(frozen=True)
class TerritoryImportResult:
    territory: Territory
    created: bool
    commune_count: int
    population: int
    data_version: str

    @property
    def summary(self) -> str:
        return _("%(name)s: %(count)s communes, %(population)s inhabitants") % {
            "name": self.territory.name,
            "count": self.commune_count,
            "population": f"{self.population:,}".replace(",", "\u202f"),
        }


SIREN_RE = re.compile(r"^\d{9}$")
BASIN_NAME_MAX = Basin._meta.get_field("name").max_length or 120
INSEE_RE = re.compile(r"^(\d{5}|2[AB]\d{3})$")


def _normalise_code(code: str) -> str:
    return re.sub(r"\s+", "", code or "").upper()


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "territoire"
    slug, counter = base, 2
    while Territory.objects.filter(slug=slug).exists():
        slug, counter = f"{base}-{counter}", counter + 1
    return slug


def _upsert_communes(rows: Iterable[OfficialCommune]) -> list[Commune]:
    communes = []
    for row in rows:
        commune, _created = Commune.objects.update_or_create(
            insee_code=row.insee_code,
            defaults={
                "siren": row.siren,
                "name": row.name,
                "population": row.population,
                "department_code": row.department_code,
                "region_code": row.region_code,
                "postal_codes": list(row.postal_codes),
            },
        )
        communes.append(commune)
    return communes


def territory_import(*, code: str) -> TerritoryImportResult:
    """Create or update a territory from the official data.

    ``code`` is the SIREN of an EPCI (9 digits), or the INSEE code (5 characters) or SIREN
    of a commune. Re-importing updates names, populations and membership, never duplicates.
    Nothing is written when the code is malformed or unknown.
    """
    normalised = _normalise_code(code)
    if not (SIREN_RE.match(normalised) or INSEE_RE.match(normalised)):
        raise TerritoryImportError(
            _(
                "“%(code)s” is neither the SIREN number of an intercommunal authority "
                "(9 digits) nor the INSEE code of a commune (5 characters)."
            )
            % {"code": code}
        )
    try:
        data = official_data()
    except OfficialDataUnavailable as exc:
        raise TerritoryImportError(str(exc)) from exc

    epci = data.epcis.get(normalised)
    commune_row = data.communes.get(normalised) or data.communes_by_siren.get(normalised)
    if epci is not None:
        missing = [c for c in epci.member_codes if c not in data.communes]
        if missing:
            raise TerritoryImportError(
                _("The official data lists unknown member communes: %(codes)s.")
                % {"codes": ", ".join(missing)}
            )
        kind, official_code, name, legal_form = (
            Territory.Kind.EPCI,
            epci.siren,
            epci.name,
            epci.legal_form,
        )
        member_rows = [data.communes[c] for c in epci.member_codes]
    elif commune_row is not None:
        kind, official_code, name, legal_form = (
            Territory.Kind.COMMUNE,
            commune_row.insee_code,
            commune_row.name,
            "",
        )
        member_rows = [commune_row]
    else:
        what = (
            _("No intercommunal authority nor commune has the SIREN number %(code)s")
            if SIREN_RE.match(normalised)
            else _("No commune has the INSEE code %(code)s")
        )
        raise TerritoryImportError(
            (what % {"code": normalised})
            + " "
            + _("in the official data (version %(version)s).") % {"version": data.version}
        )

    with transaction.atomic():
        communes = _upsert_communes(member_rows)
        territory = Territory.objects.filter(official_code=official_code).first()
        created = territory is None
        if territory is None:
            territory = Territory(official_code=official_code, slug=_unique_slug(name))
        territory.name = name
        territory.kind = kind
        territory.legal_form = legal_form
        territory.imported_at = timezone.now()
        territory.full_clean()
        territory.save()
        territory.communes.set(communes)
        # Communes that left the territory leave its basins too.
        BasinMembership.objects.filter(grouping__territory=territory).exclude(
            commune__in=communes
        ).delete()
    return TerritoryImportResult(
        territory=territory,
        created=created,
        commune_count=len(communes),
        population=sum(c.population for c in communes),
        data_version=data.version,
    )


# --- Basins ---------------------------------------------------------------------------


def grouping_create(*, territory: Territory, name: str, description: str = "") -> BasinGrouping:
    grouping = BasinGrouping(territory=territory, name=name.strip(), description=description)
    grouping.full_clean()
    grouping.save()
    return grouping


def _check_communes_for_basin(
    *, grouping: BasinGrouping, communes: Iterable[Commune], basin: Basin | None
) -> None:
    territory_codes = set(grouping.territory.communes.values_list("pk", flat=True))
    outside = [c.name for c in communes if c.pk not in territory_codes]
    if outside:
        raise ValidationError(
            {
                "communes": _("Not in %(territory)s: %(names)s.")
                % {"territory": grouping.territory.name, "names": ", ".join(sorted(outside))}
            }
        )
    taken = BasinMembership.objects.filter(
        grouping=grouping, commune__in=list(communes)
    ).select_related("commune", "basin")
    if basin is not None and basin.pk:
        taken = taken.exclude(basin=basin)
    if taken:
        raise ValidationError(
            {
                "communes": _("Already in another basin of this grouping: %(list)s.")
                % {
                    "list": ", ".join(
                        f"{m.commune.name} ({m.basin.name})"
                        for m in sorted(taken, key=lambda m: m.commune.name)
                    )
                }
            }
        )


def basin_save(
    *,
    grouping: BasinGrouping,
    name: str,
    communes: Iterable[Commune],
    basin: Basin | None = None,
) -> Basin:
    """Create a basin, or update one, with exactly the communes given."""
    communes = list(communes)
    with transaction.atomic():
        if basin is None:
            basin = Basin(grouping=grouping, position=grouping.basins.count())
        basin.name = name.strip()
        basin.full_clean()
        _check_communes_for_basin(grouping=grouping, communes=communes, basin=basin)
        basin.save()
        basin.memberships.exclude(commune__in=communes).delete()
        existing = set(basin.memberships.values_list("commune_id", flat=True))
        BasinMembership.objects.bulk_create(
            BasinMembership(grouping=grouping, basin=basin, commune=c)
            for c in communes
            if c.pk not in existing
        )
    return basin


def basin_delete(*, basin: Basin) -> None:
    basin.delete()


@dataclass
class BasinImportReport:
    errors: list[str] = field(default_factory=list)
    basin_count: int = 0
    commune_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _looks_like_header(row: list[str]) -> bool:
    """A header names its columns: its first cell holds no digit (« code_insee »), where a
    mistyped code such as « 71O01 » does and is reported as a faulty line."""
    first = row[0].strip() if row else ""
    return bool(first) and not any(ch.isdigit() for ch in first)


def basins_import_csv(*, grouping: BasinGrouping, content: bytes | str) -> BasinImportReport:
    """Replace the grouping's basins with those of a CSV file (commune code; basin name[; note]).

    Every faulty line is reported and nothing is written if there is one.
    """
    report = BasinImportReport()
    text = decode_text(content) if isinstance(content, bytes) else content
    try:
        rows = csv_rows(text)
    except ValidationError as error:
        report.errors.extend(error.messages)
        return report
    if rows and _looks_like_header(rows[0]):
        start = 2
        rows = rows[1:]
    else:
        start = 1
    territory_communes = {c.insee_code: c for c in grouping.territory.communes.all()}
    seen: dict[str, int] = {}
    spellings: dict[str, str] = {}
    plan: dict[str, list[tuple[Commune, str]]] = {}
    for line_number, row in enumerate(rows, start=start):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < 2:
            report.errors.append(
                _("Line %(line)s: two columns are expected (commune code, basin name).")
                % {"line": line_number}
            )
            continue
        code = insee_code(row[0])
        basin_name = " ".join(row[1].split())
        note = row[2].strip() if len(row) > 2 else ""
        if not basin_name:
            report.errors.append(
                _("Line %(line)s: the basin name is empty.") % {"line": line_number}
            )
            continue
        if len(basin_name) > BASIN_NAME_MAX:
            report.errors.append(
                _("Line %(line)s: the basin name is longer than %(max)s characters.")
                % {"line": line_number, "max": BASIN_NAME_MAX}
            )
            continue
        # « Nord » and « nord » are one basin, spelt as it first appears.
        basin_name = spellings.setdefault(basin_name.casefold(), basin_name)
        commune = territory_communes.get(code)
        if commune is None:
            known = Commune.objects.filter(insee_code=code).first()
            if known is not None:
                message = _("Line %(line)s: %(commune)s is not a commune of %(territory)s.")
            elif INSEE_RE.match(code):
                message = _("Line %(line)s: no commune has the INSEE code “%(code)s”.")
            else:
                message = _("Line %(line)s: “%(code)s” is not an INSEE commune code.")
            report.errors.append(
                message
                % {
                    "line": line_number,
                    "code": row[0].strip(),
                    "commune": known,
                    "territory": grouping.territory.name,
                }
            )
            continue
        if code in seen:
            report.errors.append(
                _("Line %(line)s: %(commune)s is already placed on line %(first)s.")
                % {"line": line_number, "commune": commune, "first": seen[code]}
            )
            continue
        seen[code] = line_number
        plan.setdefault(basin_name, []).append((commune, note[:255]))
    if not plan and not report.errors:
        report.errors.append(_("The file contains no line to import."))
    if report.errors:
        return report

    with transaction.atomic():
        BasinMembership.objects.filter(grouping=grouping).delete()
        grouping.basins.exclude(name__in=list(plan)).delete()
        for position, (basin_name, members) in enumerate(plan.items()):
            basin, _created = Basin.objects.update_or_create(
                grouping=grouping, name=basin_name, defaults={"position": position}
            )
            BasinMembership.objects.bulk_create(
                BasinMembership(grouping=grouping, basin=basin, commune=commune, note=note)
                for commune, note in members
            )
    report.basin_count = len(plan)
    report.commune_count = len(seen)
    return report


def legal_page_save(*, territory: Territory, kind: str, body: str) -> LegalPage:
    page, _created = LegalPage.objects.update_or_create(
        territory=territory, kind=kind, defaults={"body": sanitize_html(body)}
    )
    return page


def _relative_luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_with_white(colour: str) -> float:
    """WCAG contrast ratio of white text on ``colour`` (#rrggbb)."""
    return 1.05 / (_relative_luminance(colour) + 0.05)


def territory_appearance_update(
    *, territory: Territory, primary_color: str, logo: Any = None, remove_logo: bool = False
) -> Territory:
    """Change the colour and logo of a territory's pages.

    The header writes white text on the primary colour, so a colour that would make it
    unreadable (contrast under 4.5:1, WCAG AA) is refused.
    """
    territory.primary_color = primary_color.lower()
    territory.full_clean(exclude=["communes"])
    ratio = contrast_with_white(territory.primary_color)
    if ratio < 4.5:
        raise ValidationError(
            {
                "primary_color": _(
                    "White text on this colour has a contrast of %(ratio).1f:1; at least 4.5:1 "
                    "is needed to be readable. Choose a darker colour."
                )
                % {"ratio": ratio}
            }
        )
    if remove_logo:
        territory.logo = ""
    elif logo:
        territory.logo = logo
    territory.save()
    return territory
