"""Figures of a synthesis: who says what (topic × commune, basin, actor, channel) and how
well participation represents the population (communes, basins, age bands, gender).

Every table is one aggregate query, whatever the number of contributions: the rest is
arithmetic on a few dozen rows.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Lower
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fabrique.accounts.models import ActorKind, AgeBand, Gender, User
from fabrique.participation.models import Comment, Contribution, Support, Visibility
from fabrique.processes.models import Process
from fabrique.territories.models import BasinGrouping, BasinMembership
from fabrique.workshops.models import Registration

from ..models import ReferenceShare, StatementVote, Synthesis, TopicMembership

# --- Shared definitions -------------------------------------------------------------------

UNKNOWN = "unknown"
OUTSIDE = "outside"
NO_TOPIC = 0

# Under this share of participants to population, a group is under-represented; above the
# inverse, over-represented.
UNDER = 0.5
OVER = 2.0
# Groups smaller than this share of the population get no warning: with fifty communes,
# the smallest ones would otherwise fill the page with warnings about a handful of people.
MIN_WARNING_SHARE = 0.03
# Below this many participants with a known answer, shares say nothing reliable.
MIN_PARTICIPANTS = 20


class Dimension:
    COMMUNE = "commune"
    BASIN = "basin"
    ACTOR = "actor"
    CHANNEL = "channel"

    choices = [
        (COMMUNE, gettext_lazy("Commune")),
        (BASIN, gettext_lazy("Basin")),
        (ACTOR, gettext_lazy("Kind of actor")),
        (CHANNEL, gettext_lazy("Channel")),
    ]


class Channel:
    ONLINE = "online"
    WORKSHOP = "workshop"
    IN_PERSON = "in_person"

    choices = [
        (ONLINE, gettext_lazy("Online")),
        (WORKSHOP, gettext_lazy("In a workshop")),
        (IN_PERSON, gettext_lazy("Collected in person")),
    ]


def live(prefix: str = "") -> Q:
    """Contributions that count: published, not removed by their author, not merged away."""
    return (
        Q(**{f"{prefix}visibility": Visibility.PUBLISHED})
        & Q(**{f"{prefix}removed_by_author": False})
        & Q(**{f"{prefix}merged_into__isnull": True})
    )


def commune_of(prefix: str = "") -> Case:
    """The commune a contribution speaks for: the one it was placed in, else its author's
    — unless it was collected in person, whose recorded author is the facilitator."""
    return Case(
        When(**{f"{prefix}commune_id__isnull": False}, then=F(f"{prefix}commune_id")),
        When(
            **{f"{prefix}collected_by_id__isnull": True},
            then=F(f"{prefix}author__commune_id"),
        ),
        default=Value(None),
        output_field=IntegerField(),
    )


def channel_of(prefix: str = "") -> Case:
    return Case(
        When(**{f"{prefix}workshop_capture__isnull": False}, then=Value(Channel.WORKSHOP)),
        When(**{f"{prefix}collected_by_id__isnull": False}, then=Value(Channel.IN_PERSON)),
        default=Value(Channel.ONLINE),
        output_field=CharField(),
    )


def actor_of(prefix: str = "") -> Case:
    """The author's kind of actor; unknown for contributions collected in person."""
    return Case(
        When(**{f"{prefix}collected_by_id__isnull": False}, then=Value("")),
        default=Coalesce(F(f"{prefix}author__actor_kind"), Value("")),
        output_field=CharField(),
    )


def _outer(name: str) -> OuterRef:
    return OuterRef(name)


def share_text(share: float | None) -> str:
    """0.1234 → « 12 % »; small shares keep a decimal (« 2,6 % »)."""
    if share is None:
        return "—"
    digits = 0 if share >= 0.1 else -1  # -1: a decimal only when there is one
    return f"{floatformat(share * 100, digits)} %"


def index_text(index: float | None) -> str:
    return "—" if index is None else str(floatformat(index, 2))


# --- Who says what ------------------------------------------------------------------------


@dataclass
class Cell:
    count: int = 0
    supports: int = 0
    share: float = 0.0  # of the row's contributions
    level: int = 0  # 0..5, for the shading


@dataclass
class Column:
    key: str
    label: str


@dataclass
class Row:
    topic_id: int
    label: str
    cells: list[Cell]
    total: Cell


@dataclass
class CrossTable:
    dimension: str
    dimension_label: str
    columns: list[Column]
    rows: list[Row]
    totals: list[Cell]
    total: Cell
    hidden_columns: int = 0  # communes without any contribution, left out

    @property
    def is_empty(self) -> bool:
        return self.total.count == 0


def dimension_label(dimension: str) -> str:
    return str(dict(Dimension.choices).get(dimension, dimension))


def who_says_what(
    *, synthesis: Synthesis, dimension: str, grouping: BasinGrouping | None = None
) -> CrossTable:
    """Topics of a version crossed with a dimension: contributions and their supports."""
    memberships = TopicMembership.objects.filter(live("contribution__"), synthesis=synthesis)
    if dimension in (Dimension.COMMUNE, Dimension.BASIN):
        memberships = memberships.annotate(w_commune=commune_of("contribution__"))
        if dimension == Dimension.BASIN:
            if grouping is None:
                raise ValueError("A basin table needs a grouping.")
            memberships = memberships.annotate(
                w_key=Subquery(
                    BasinMembership.objects.filter(
                        grouping=grouping, commune_id=_outer("w_commune")
                    ).values("basin_id")[:1],
                    output_field=IntegerField(),
                )
            )
            key_field = "w_key"
        else:
            key_field = "w_commune"
        group = ["topic_id", key_field, "w_commune"]
    elif dimension == Dimension.ACTOR:
        memberships = memberships.annotate(w_key=actor_of("contribution__"))
        key_field, group = "w_key", ["topic_id", "w_key"]
    elif dimension == Dimension.CHANNEL:
        memberships = memberships.annotate(w_key=channel_of("contribution__"))
        key_field, group = "w_key", ["topic_id", "w_key"]
    else:
        raise ValueError(f"Unknown dimension {dimension!r}")
    aggregated = list(
        memberships.values(*group)
        .annotate(n=Count("pk"), supports=Coalesce(Sum("contribution__support_count"), 0))
        .order_by()
    )
    territory = synthesis.process.territory
    columns, key_of, hidden = _columns(dimension, territory, grouping, aggregated, key_field)
    topics = list(synthesis.topics.values_list("pk", "label"))
    table = _build(dimension, topics, columns, aggregated, key_of)
    table.hidden_columns = hidden
    return table


def _columns(
    dimension: str,
    territory: Any,
    grouping: BasinGrouping | None,
    aggregated: list[dict[str, Any]],
    key_field: str,
) -> tuple[list[Column], Callable[[dict[str, Any]], str], int]:
    """The columns of the table, a function from an aggregate row to its column key, and
    how many communes were left out for want of any contribution."""
    if dimension == Dimension.COMMUNE:
        names = dict(territory.communes.values_list("pk", "name"))

        def commune_key(row: dict[str, Any]) -> str:
            commune = row["w_commune"]
            if commune is None:
                return UNKNOWN
            return str(commune) if commune in names else OUTSIDE

        seen = {commune_key(row) for row in aggregated if row["n"]}
        columns = [
            Column(str(pk), name)
            for pk, name in sorted(names.items(), key=lambda item: item[1])
            if str(pk) in seen
        ]
        columns += _extra_columns(seen, {OUTSIDE: _("Outside the territory")})
        hidden = len(names) - sum(1 for c in columns if c.key.isdigit())
        return columns, commune_key, hidden
    if dimension == Dimension.BASIN:
        assert grouping is not None
        basins = list(grouping.basins.values_list("pk", "name"))

        def basin_key(row: dict[str, Any]) -> str:
            if row["w_key"] is not None:
                return str(row["w_key"])
            return UNKNOWN if row["w_commune"] is None else OUTSIDE

        seen = {basin_key(row) for row in aggregated if row["n"]}
        columns = [Column(str(pk), name) for pk, name in basins]
        columns += _extra_columns(seen, {OUTSIDE: _("In no basin")})
        return columns, basin_key, 0
    if dimension == Dimension.ACTOR:
        columns = [Column(value, str(label)) for value, label in ActorKind.choices]
        columns.append(Column("", _("Not said")))
        return columns, lambda row: row[key_field] or "", 0
    columns = [Column(value, str(label)) for value, label in Channel.choices]
    return columns, lambda row: row[key_field], 0


def _extra_columns(seen: set[str], labels: dict[str, str]) -> list[Column]:
    extra = [Column(key, label) for key, label in labels.items() if key in seen]
    if UNKNOWN in seen:
        extra.append(Column(UNKNOWN, _("Commune unknown")))
    return extra


def _build(
    dimension: str,
    topics: list[tuple[int, str]],
    columns: list[Column],
    aggregated: list[dict[str, Any]],
    key_of: Callable[[dict[str, Any]], str],
) -> CrossTable:
    index = {column.key: i for i, column in enumerate(columns)}
    counts: dict[int, list[list[int]]] = defaultdict(lambda: [[0, 0] for _c in columns])
    for item in aggregated:
        position = index.get(key_of(item))
        if position is None:
            continue
        topic = item["topic_id"] if item["topic_id"] is not None else NO_TOPIC
        counts[topic][position][0] += item["n"]
        counts[topic][position][1] += item["supports"]
    labels = list(topics)
    if NO_TOPIC in counts:
        labels.append((NO_TOPIC, _("In no topic")))
    rows: list[Row] = []
    for topic_id, label in labels:
        values = counts.get(topic_id) or [[0, 0] for _c in columns]
        total = Cell(sum(v[0] for v in values), sum(v[1] for v in values))
        cells = [Cell(n, s, (n / total.count) if total.count else 0.0) for n, s in values]
        rows.append(Row(topic_id, label, cells, total))
    totals = [
        Cell(sum(r.cells[i].count for r in rows), sum(r.cells[i].supports for r in rows))
        for i in range(len(columns))
    ]
    grand = Cell(sum(c.count for c in totals), sum(c.supports for c in totals), 1.0)
    for cell in totals:
        cell.share = cell.count / grand.count if grand.count else 0.0
    highest = max((cell.share for row in rows for cell in row.cells), default=0.0)
    for row in rows:
        for cell in row.cells:
            cell.level = math.ceil(5 * cell.share / highest) if highest and cell.count else 0
    return CrossTable(
        dimension=dimension,
        dimension_label=dimension_label(dimension),
        columns=columns,
        rows=rows,
        totals=totals,
        total=grand,
    )


def cross_table_csv_rows(table: CrossTable) -> list[list[Any]]:
    header: list[Any] = [_("Topic")]
    for column in table.columns:
        header += [
            _("%(value)s — contributions") % {"value": column.label},
            _("%(value)s — supports") % {"value": column.label},
        ]
    header += [_("Total contributions"), _("Total supports")]
    rows: list[list[Any]] = [header]
    for row in table.rows:
        line: list[Any] = [row.label]
        for cell in row.cells:
            line += [cell.count, cell.supports]
        rows.append([*line, row.total.count, row.total.supports])
    line = [_("Total")]
    for cell in table.totals:
        line += [cell.count, cell.supports]
    rows.append([*line, table.total.count, table.total.supports])
    return rows


# --- Representativeness -------------------------------------------------------------------


@dataclass
class GroupRow:
    key: str
    label: str
    population: int | None
    population_share: float | None
    participants: int
    participant_share: float | None
    contributions: int | None = None
    contribution_share: float | None = None

    @property
    def index(self) -> float | None:
        if not self.population_share or self.participant_share is None:
            return None
        return self.participant_share / self.population_share

    @property
    def level(self) -> str:
        index = self.index
        if index is None:
            return ""
        if index < UNDER:
            return "under"
        if index > OVER:
            return "over"
        return "balanced"

    @property
    def index_display(self) -> str:
        return index_text(self.index)


@dataclass
class GroupTable:
    """Participants of each group against its share of the population."""

    key: str
    title: str
    rows: list[GroupRow]
    known: int  # participants counted in the shares
    unknown: int = 0  # participants who did not say
    outside: int = 0  # participants living outside the territory
    source: str = ""
    has_reference: bool = True
    warnings: list[str] = field(default_factory=list)

    @property
    def too_few(self) -> bool:
        return self.known < MIN_PARTICIPANTS

    @property
    def gave_share(self) -> float | None:
        total = self.known + self.unknown + self.outside
        return (self.known + self.outside) / total if total else None


@dataclass
class MapPoint:
    name: str
    latitude: float
    longitude: float
    contributions: int
    participants: int
    population_share: str
    participant_share: str
    index: str
    level: str


@dataclass
class Representativeness:
    participants: int
    accounts: int
    walk_ins: int
    by_way: dict[str, int]
    contributions: int
    collected: int
    communes: GroupTable
    basins: GroupTable | None
    attributes: list[GroupTable]
    map_points: list[MapPoint]
    unmapped: int

    min_participants: int = MIN_PARTICIPANTS

    @property
    def min_warning_share(self) -> str:
        return share_text(MIN_WARNING_SHARE)

    @property
    def warnings(self) -> list[str]:
        found = list(self.basins.warnings) if self.basins else []
        found += self.communes.warnings
        for table in self.attributes:
            found += table.warnings
        return found

    @property
    def tables(self) -> list[GroupTable]:
        return [t for t in (self.basins, self.communes, *self.attributes) if t is not None]


def participants(process: Process) -> QuerySet[User]:
    """People with an account who took part: wrote, supported, commented, answered an
    opinion map, or came to a workshop and were marked present. Authors of contributions
    collected in person are the facilitators who typed them: not counted for that."""
    authors = Contribution.objects.filter(
        live(), process=process, collected_by__isnull=True, author__isnull=False
    ).values("author_id")
    supporters = Support.objects.filter(contribution__process=process).values("user_id")
    commenters = Comment.objects.filter(
        contribution__process=process,
        visibility=Visibility.PUBLISHED,
        removed_by_author=False,
        author__isnull=False,
    ).values("author_id")
    present = Registration.objects.filter(
        workshop__process=process, checked_in_at__isnull=False, user__isnull=False
    ).values("user_id")
    return User.objects.filter(
        Q(pk__in=authors)
        | Q(pk__in=supporters)
        | Q(pk__in=commenters)
        | Q(pk__in=_opinion_voters(process))
        | Q(pk__in=present)
    )


def _opinion_voters(process: Process) -> QuerySet[StatementVote, Any]:
    return StatementVote.objects.filter(statement__activity__process=process).values("voter_id")


def walk_ins(process: Process) -> int:
    """People present at a workshop without an account: one per address, else one per
    registration."""
    present = Registration.objects.filter(
        workshop__process=process, checked_in_at__isnull=False, user__isnull=True
    )
    with_address = (
        present.exclude(email="").annotate(address=Lower("email")).values("address").distinct()
    )
    return with_address.count() + present.filter(email="").count()


def reference_shares(process: Process) -> dict[str, list[ReferenceShare]]:
    """Population shares per attribute: the process's own, else its territory's."""
    found: dict[str, list[ReferenceShare]] = {}
    rows = ReferenceShare.objects.filter(
        Q(process=process) | Q(territory_id=process.territory_id)
    ).order_by("attribute", "position", "pk")
    by_scope: dict[tuple[str, bool], list[ReferenceShare]] = defaultdict(list)
    for row in rows:
        by_scope[(row.attribute, row.process_id is not None)].append(row)
    for attribute, _label in ReferenceShare.Attribute.choices:
        found[attribute] = by_scope.get((attribute, True)) or by_scope.get((attribute, False), [])
    return found


ATTRIBUTE_VALUES: dict[str, list[tuple[str, Any]]] = {
    ReferenceShare.Attribute.AGE_BAND: list(AgeBand.choices),
    ReferenceShare.Attribute.GENDER: list(Gender.choices),
}

# How a group is named at the start of a warning sentence.
GROUP_NAMES: dict[str, Any] = {
    AgeBand.FROM_15_TO_29: gettext_lazy("People aged 15 to 29"),
    AgeBand.FROM_30_TO_44: gettext_lazy("People aged 30 to 44"),
    AgeBand.FROM_45_TO_59: gettext_lazy("People aged 45 to 59"),
    AgeBand.FROM_60_TO_74: gettext_lazy("People aged 60 to 74"),
    AgeBand.FROM_75: gettext_lazy("People aged 75 or more"),
    Gender.WOMAN: gettext_lazy("Women"),
    Gender.MAN: gettext_lazy("Men"),
    Gender.OTHER: gettext_lazy("People who answered « other »"),
}


def representativeness(
    *, process: Process, grouping: BasinGrouping | None = None
) -> Representativeness:
    territory = process.territory
    people = participants(process)
    by_commune: dict[int | None, int] = dict(
        people.values("commune_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("commune_id", "n")
    )
    contributions = Contribution.objects.filter(live(), process=process)
    contributions_by_commune: dict[int | None, int] = dict(
        contributions.annotate(w_commune=commune_of())
        .values("w_commune")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("w_commune", "n")
    )
    collected = contributions.filter(collected_by__isnull=False).count()
    communes = list(territory.communes.values_list("pk", "name", "population"))
    commune_ids = {pk for pk, _n, _p in communes}
    population = sum(p for _pk, _n, p in communes)
    known = sum(n for pk, n in by_commune.items() if pk in commune_ids)
    known_contributions = sum(n for pk, n in contributions_by_commune.items() if pk in commune_ids)
    outside = sum(n for pk, n in by_commune.items() if pk is not None and pk not in commune_ids)
    accounts = sum(by_commune.values())
    extra = walk_ins(process)

    def row(key: str, label: str, pop: int, count: int, contributed: int) -> GroupRow:
        return GroupRow(
            key=key,
            label=label,
            population=pop,
            population_share=pop / population if population else None,
            participants=count,
            participant_share=count / known if known else None,
            contributions=contributed,
            contribution_share=contributed / known_contributions if known_contributions else None,
        )

    commune_rows = [
        row(str(pk), name, pop, by_commune.get(pk, 0), contributions_by_commune.get(pk, 0))
        for pk, name, pop in sorted(communes, key=lambda c: c[1])
    ]
    commune_table = GroupTable(
        key="communes",
        title=_("Communes"),
        rows=commune_rows,
        known=known,
        unknown=by_commune.get(None, 0) + extra,
        outside=outside,
        source=_("Official populations of the communes"),
    )
    commune_table.warnings = _warnings(
        commune_table,
        _(
            "The inhabitants of the commune « %(name)s » make up %(population)s of the "
            "population but %(participants)s of the participants: their voice is "
            "under-represented (index %(index)s)."
        ),
    )
    basin_table = None
    if grouping is not None:
        basin_table = _basin_table(grouping, commune_rows, commune_table)
    attributes = _attribute_tables(process, people, extra)
    points, unmapped = _map_points(process, commune_rows)
    return Representativeness(
        participants=accounts + extra,
        accounts=accounts,
        walk_ins=extra,
        by_way=_ways(process),
        contributions=contributions.count(),
        collected=collected,
        communes=commune_table,
        basins=basin_table,
        attributes=attributes,
        map_points=points,
        unmapped=unmapped,
    )


def _ways(process: Process) -> dict[str, int]:
    return {
        "contributed": Contribution.objects.filter(
            live(), process=process, collected_by__isnull=True, author__isnull=False
        )
        .values("author_id")
        .distinct()
        .count(),
        "supported": Support.objects.filter(contribution__process=process)
        .values("user_id")
        .distinct()
        .count(),
        "commented": Comment.objects.filter(
            contribution__process=process,
            visibility=Visibility.PUBLISHED,
            removed_by_author=False,
            author__isnull=False,
        )
        .values("author_id")
        .distinct()
        .count(),
        "answered": _opinion_voters(process).distinct().count(),
        "present": Registration.objects.filter(
            workshop__process=process, checked_in_at__isnull=False
        ).count(),
    }


def _basin_table(
    grouping: BasinGrouping, commune_rows: list[GroupRow], communes: GroupTable
) -> GroupTable:
    basin_of_commune = dict(
        BasinMembership.objects.filter(grouping=grouping).values_list("commune_id", "basin_id")
    )
    sums: dict[int | None, list[int]] = defaultdict(lambda: [0, 0, 0])
    for commune in commune_rows:
        basin = basin_of_commune.get(int(commune.key))
        sums[basin][0] += commune.population or 0
        sums[basin][1] += commune.participants
        sums[basin][2] += commune.contributions or 0
    population = sum(v[0] for v in sums.values())
    contributions = sum(v[2] for v in sums.values())
    rows = []
    for pk, name in grouping.basins.values_list("pk", "name"):
        pop, count, contributed = sums.get(pk, [0, 0, 0])
        rows.append(
            GroupRow(
                key=str(pk),
                label=name,
                population=pop,
                population_share=pop / population if population else None,
                participants=count,
                participant_share=count / communes.known if communes.known else None,
                contributions=contributed,
                contribution_share=contributed / contributions if contributions else None,
            )
        )
    if None in sums:
        pop, count, contributed = sums[None]
        rows.append(
            GroupRow(
                key=OUTSIDE,
                label=_("Communes in no basin"),
                population=pop,
                population_share=pop / population if population else None,
                participants=count,
                participant_share=count / communes.known if communes.known else None,
                contributions=contributed,
                contribution_share=contributed / contributions if contributions else None,
            )
        )
    table = GroupTable(
        key="basins",
        title=grouping.name,
        rows=rows,
        known=communes.known,
        unknown=communes.unknown,
        outside=communes.outside,
        source=_("Official populations of the communes, added up by basin"),
    )
    table.warnings = _warnings(
        table,
        _(
            "The inhabitants of the basin « %(name)s » make up %(population)s of the "
            "population but %(participants)s of the participants: their voice is "
            "under-represented (index %(index)s)."
        ),
    )
    return table


def _attribute_tables(process: Process, people: QuerySet[User], extra: int) -> list[GroupTable]:
    shares = reference_shares(process)
    counted = people.aggregate(
        **{
            f"{attribute}__{value}": Count("pk", filter=Q(**{attribute: value}))
            for attribute, values in ATTRIBUTE_VALUES.items()
            for value, _label in values
        },
        total=Count("pk"),
    )
    total = counted["total"] + extra
    tables = []
    for attribute, label in ReferenceShare.Attribute.choices:
        reference = {r.value: r for r in shares.get(attribute, [])}
        counts = {
            value: counted[f"{attribute}__{value}"] for value, _l in ATTRIBUTE_VALUES[attribute]
        }
        known = sum(counts.values())
        rows = []
        for value, value_label in ATTRIBUTE_VALUES[attribute]:
            share = reference.get(value)
            population_share = float(share.share) / 100 if share is not None else None
            rows.append(
                GroupRow(
                    key=value,
                    label=str(value_label),
                    population=None,
                    population_share=population_share,
                    participants=counts[value],
                    participant_share=counts[value] / known if known else None,
                )
            )
        table = GroupTable(
            key=attribute,
            title=str(label),
            rows=rows,
            known=known,
            unknown=total - known,
            source="; ".join(sorted({r.source for r in reference.values() if r.source})),
            has_reference=bool(reference),
        )
        message = (
            _(
                "%(group)s make up %(population)s of the population but %(participants)s of "
                "the participants who gave their age band: their voice is under-represented "
                "(index %(index)s)."
            )
            if attribute == ReferenceShare.Attribute.AGE_BAND
            else _(
                "%(group)s make up %(population)s of the population but %(participants)s of "
                "the participants who gave their gender: their voice is under-represented "
                "(index %(index)s)."
            )
        )
        table.warnings = _warnings(table, message, group_names=True)
        tables.append(table)
    return tables


def _warnings(table: GroupTable, message: str, *, group_names: bool = False) -> list[str]:
    if table.too_few:
        return []
    found = []
    for row in table.rows:
        if (
            row.level == "under"
            and row.population_share is not None
            and row.population_share >= MIN_WARNING_SHARE
        ):
            found.append(
                message
                % {
                    "name": row.label,
                    "group": str(GROUP_NAMES.get(row.key, row.label)),
                    "population": share_text(row.population_share),
                    "participants": share_text(row.participant_share),
                    "index": index_text(row.index),
                }
            )
    return found


def _map_points(process: Process, commune_rows: list[GroupRow]) -> tuple[list[MapPoint], int]:
    """A point per commune: the mean position of the contributions placed in it."""
    located = {
        row["commune_id"]: row
        for row in Contribution.objects.filter(
            live(), process=process, latitude__isnull=False, commune__isnull=False
        )
        .values("commune_id")
        .annotate(lat=Avg("latitude"), lon=Avg("longitude"), n=Count("pk"))
        .order_by()
    }
    points = []
    for commune in commune_rows:
        found = located.get(int(commune.key))
        if found is None:
            continue
        points.append(
            MapPoint(
                name=commune.label,
                latitude=float(Decimal(found["lat"])),
                longitude=float(Decimal(found["lon"])),
                contributions=commune.contributions or 0,
                participants=commune.participants,
                population_share=share_text(commune.population_share),
                participant_share=share_text(commune.participant_share),
                index=commune.index_display,
                level=commune.level,
            )
        )
    return points, len(commune_rows) - len(points)
