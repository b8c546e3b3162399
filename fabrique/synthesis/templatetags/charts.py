"""Charts drawn on the server as plain HTML and CSS: no script, no outside service, the same
in a browser and in a PDF. Each chart stands next to a table of the same figures; its
bars carry a text summary for screen readers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django import template
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

from fabrique.synthesis.selectors.figures import CrossTable, GroupRow, share_text

register = template.Library()

# Hues far apart from each other, each dark enough for 3:1 against white (WCAG 1.4.11);
# the table next to every chart gives the same figures without colours.
PALETTE = ["#1d4e89", "#b35806", "#1b7a4c", "#8e3b8f", "#8a6100", "#00727d", "#b3261e", "#4b5563"]
OTHERS_COLOUR = "#767676"


@dataclass
class Segment:
    label: str
    count: int
    share: float
    colour: str

    @property
    def width(self) -> str:
        return f"{self.share * 100:.3f}"

    @property
    def share_display(self) -> str:
        return share_text(self.share)


@dataclass
class Bar:
    label: str
    total: int
    segments: list[Segment]

    @property
    def summary(self) -> str:
        parts = ", ".join(f"{s.label} {s.share_display}" for s in self.segments if s.count)
        return f"{self.label} ({self.total}) : {parts}" if parts else self.label


@register.inclusion_tag("synthesis/figures/_stacked_bars.html")
def stacked_bars(table: CrossTable, series: int = 7) -> dict[str, Any]:
    """One bar per topic, cut by the dimension's values. The ``series`` values with the most
    contributions get a colour of their own; the others are gathered in one grey part."""
    ranked = sorted(
        range(len(table.columns)), key=lambda i: (-table.totals[i].count, table.columns[i].label)
    )
    shown = [i for i in ranked if table.totals[i].count][:series]
    rest = [i for i in range(len(table.columns)) if i not in shown]
    shown.sort()
    legend = [(table.columns[i].label, PALETTE[n % len(PALETTE)]) for n, i in enumerate(shown)]
    if any(table.totals[i].count for i in rest):
        legend.append((_("Other values"), OTHERS_COLOUR))
    bars = []
    for row in table.rows:
        if not row.total.count:
            continue
        segments = [
            Segment(label, row.cells[i].count, row.cells[i].share, colour)
            for (label, colour), i in zip(legend, shown, strict=False)
        ]
        others = sum(row.cells[i].count for i in rest)
        if others:
            segments.append(
                Segment(_("Other values"), others, others / row.total.count, OTHERS_COLOUR)
            )
        bars.append(Bar(row.label, row.total.count, segments))
    return {"bars": bars, "legend": legend, "table": table}


# The index is drawn on a log scale around 1, cut at 1/8 and 8: a group twice as present as
# in the population and one half as present are as far from the middle.
INDEX_LIMIT = 3  # log2(8)


@dataclass
class IndexBar:
    label: str
    index: float | None
    level: str
    detail: str

    @property
    def position(self) -> float:
        """Where the bar ends, from -1 (1/8 or less) to 1 (8 or more)."""
        if self.index is None:
            return 0.0
        if self.index <= 0:
            return -1.0
        return max(-1.0, min(1.0, math.log2(self.index) / INDEX_LIMIT))

    @property
    def left(self) -> str:
        return f"{50 + min(self.position, 0) * 50:.3f}"

    @property
    def width(self) -> str:
        return f"{abs(self.position) * 50:.3f}"

    @property
    def capped(self) -> bool:
        return abs(self.position) >= 1

    @property
    def index_display(self) -> str:
        return "—" if self.index is None else str(floatformat(self.index, 2))


@register.inclusion_tag("synthesis/figures/_index_bars.html")
def index_bars(rows: list[GroupRow], caption: str = "", note: bool = True) -> dict[str, Any]:
    """Diverging bars of the representation index of each group, around 1."""
    bars = [
        IndexBar(
            label=row.label,
            index=row.index,
            level=row.level,
            detail=_("%(participants)s of the participants, %(population)s of the population")
            % {
                "participants": share_text(row.participant_share),
                "population": share_text(row.population_share),
            },
        )
        for row in rows
    ]
    return {"bars": bars, "caption": caption, "note": note}


@register.filter
def heat(level: int) -> str:
    """The shading class of a cell of a cross table."""
    return f"heat-{max(0, min(int(level or 0), 5))}"


@register.filter
def share(value: float | None) -> str:
    return share_text(value)
