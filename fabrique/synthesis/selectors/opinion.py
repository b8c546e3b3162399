"""Reads on opinion maps: what a participant is asked next, and the map as people see it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.safestring import SafeString, mark_safe

from fabrique.accounts.models import User
from fabrique.participation.merging import listed
from fabrique.participation.models import Contribution
from fabrique.processes.models import Process

from ..models.opinion import OpinionActivity, OpinionComputation, Statement, StatementVote
from ..services.opinion import viewer_key

# Colours told apart by people with the common colour-vision deficiencies (Okabe & Ito),
# dark enough for a 3:1 contrast on white; each group also has its own shape.
GROUP_COLOURS = [
    "#0072b2",
    "#c2410c",
    "#00805f",
    "#b4457f",
    "#8a6100",
    "#5b4bb7",
    "#44546a",
    "#a61b1b",
    "#2f6f2f",
    "#7a4a00",
]
GROUP_SHAPES = ["circle", "square", "triangle", "diamond", "cross"] * 2

MAP_WIDTH = 520
MAP_HEIGHT = 400
MAP_MARGIN = 26
# The statements that unite or divide the most are listed; the others are in the tables.
LISTED = 10


def opinion_activities(process: Process) -> QuerySet[OpinionActivity]:
    """The process's opinion maps, for staff, with their figures."""
    return (
        OpinionActivity.objects.filter(process=process)
        .annotate(
            accepted_count=Count(
                "statements", filter=Q(statements__status=Statement.Status.ACCEPTED)
            ),
            pending_count=Count(
                "statements", filter=Q(statements__status=Statement.Status.PENDING)
            ),
        )
        .order_by("-created_at", "-pk")  # grouped rows ignore the model's default order
    )


def public_activities(process: Process) -> QuerySet[OpinionActivity]:
    """The opinion maps participants see, newest first."""
    return (
        OpinionActivity.objects.filter(process=process)
        .exclude(status=OpinionActivity.Status.DRAFT)
        .select_related("process")
        .order_by("-created_at", "-pk")
    )


def pending_statements(*, process: Process) -> QuerySet[Statement]:
    """Statements proposed by participants that wait for a moderator, oldest first."""
    return (
        Statement.objects.filter(activity__process=process, status=Statement.Status.PENDING)
        .select_related("activity", "author")
        .order_by("created_at", "pk")
    )


def accepted_statements(activity: OpinionActivity) -> QuerySet[Statement]:
    return activity.statements.filter(status=Statement.Status.ACCEPTED)


def statements_with_counts(activity: OpinionActivity, status: str) -> QuerySet[Statement]:
    return (
        activity.statements.filter(status=status)
        .select_related("source_contribution", "author")
        .annotate(
            agree=Count("votes", filter=Q(votes__value=1)),
            disagree=Count("votes", filter=Q(votes__value=-1)),
            passed=Count("votes", filter=Q(votes__value=0)),
        )
        .order_by("position", "pk")  # grouped rows ignore the model's default order
    )


def voter_count(activity: OpinionActivity) -> int:
    return (
        StatementVote.objects.filter(
            statement__activity=activity, statement__status=Statement.Status.ACCEPTED
        )
        .values("voter_id")
        .distinct()
        .count()
    )


def _order_key(activity: OpinionActivity, user: User, statement_id: int) -> str:
    """A random order of the statements of its own for each person, the same every time."""
    return hashlib.sha256(f"{activity.pk}:{user.pk}:{statement_id}".encode()).hexdigest()


@dataclass
class VoterProgress:
    statement: Statement | None  # the next one to answer, None when all are answered
    answered: int
    total: int


def voter_progress(activity: OpinionActivity, user: User) -> VoterProgress:
    """The next statement this person has not answered yet, in their own order."""
    ids = list(accepted_statements(activity).values_list("pk", flat=True))
    answered = set(
        StatementVote.objects.filter(voter=user, statement_id__in=ids).values_list(
            "statement_id", flat=True
        )
    )
    left = sorted(
        (pk for pk in ids if pk not in answered), key=lambda pk: _order_key(activity, user, pk)
    )
    statement = (
        Statement.objects.select_related("source_contribution").get(pk=left[0]) if left else None
    )
    return VoterProgress(statement=statement, answered=len(answered), total=len(ids))


def my_votes(activity: OpinionActivity, user: User) -> QuerySet[StatementVote]:
    return (
        StatementVote.objects.filter(
            voter=user, statement__activity=activity, statement__status=Statement.Status.ACCEPTED
        )
        .select_related("statement")
        .order_by("-voted_at", "-pk")
    )


def my_proposals(activity: OpinionActivity, user: User) -> QuerySet[Statement]:
    return activity.statements.filter(author=user, by_participant=True).order_by("-created_at")


def contributions_for_statements(
    process: Process, *, q: str = "", kind: str = "", theme: int | None = None
) -> QuerySet[Contribution]:
    """The contributions of the process staff may turn into statements: those everyone
    sees in its lists (not hidden, removed or merged into another)."""
    qs = listed(process)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(body__icontains=q))
    if kind:
        qs = qs.filter(kind=kind)
    if theme:
        qs = qs.filter(themes=theme)
    return qs.order_by("-support_count", "-created_at", "-pk")


def latest_computation(activity: OpinionActivity) -> OpinionComputation | None:
    return activity.computations.first()


def published_computation(activity: OpinionActivity) -> OpinionComputation | None:
    return activity.computations.filter(published_at__isnull=False).first()


# --- The map as shown -------------------------------------------------------------------


@dataclass
class GroupShare:
    label: str
    colour: str
    agree: float
    disagree: float
    passed: float
    seen: int

    # Whole percentages for the widths of bars (CSS wants a dot, not a French comma).
    @property
    def agree_pct(self) -> int:
        return round(self.agree * 100)

    @property
    def disagree_pct(self) -> int:
        return min(round(self.disagree * 100), 100 - self.agree_pct)

    @property
    def pass_pct(self) -> int:
        return max(0, 100 - self.agree_pct - self.disagree_pct) if self.seen else 0


@dataclass
class StatementView:
    index: int
    text: str
    direction: str  # "agree" or "disagree": how the group, or everyone, leans
    agree: int
    disagree: int
    passed: int
    groups: list[GroupShare]
    # For a group's characteristic statements: the group's shares against everyone else's.
    inside: GroupShare | None = None
    outside: GroupShare | None = None
    # False when no statement clearly sets the group apart and this is only the closest one.
    significant: bool = True

    @property
    def seen(self) -> int:
        return self.agree + self.disagree + self.passed


@dataclass
class Dot:
    x: float
    y: float
    group: int
    mine: bool = False


@dataclass
class GroupView:
    index: int
    label: str
    colour: str
    shape: str
    size: int
    share: float
    label_x: float
    label_y: float
    representative: list[StatementView] = field(default_factory=list)


@dataclass
class MapView:
    computation: OpinionComputation
    k: int
    silhouette: float | None
    min_votes: int
    voters: int
    in_map: int
    left_out: int
    vote_count: int
    dots: list[Dot]
    mine: Dot | None
    my_group: GroupView | None
    groups: list[GroupView]
    consensus: list[StatementView]
    divisive: list[StatementView]
    statements: list[StatementView]
    consensus_total: int
    divisive_total: int
    width: int = MAP_WIDTH
    height: int = MAP_HEIGHT

    @property
    def dots_markup(self) -> SafeString:
        """The dots of everyone but the viewer, as SVG: written here rather than by the
        template, which is slow for thousands of dots. Only numbers go in it."""
        pk = int(self.computation.pk)
        return mark_safe(
            "".join(
                f'<use href="#dot-{pk}-{int(d.group)}" x="{float(d.x)}" y="{float(d.y)}"/>'
                for d in self.dots
                if not d.mine
            )
        )


def _share(label: str, colour: str, counts: dict[str, int]) -> GroupShare:
    seen = counts["agree"] + counts["disagree"] + counts["pass"]
    return GroupShare(
        label=label,
        colour=colour,
        agree=counts["agree"] / seen if seen else 0.0,
        disagree=counts["disagree"] / seen if seen else 0.0,
        passed=counts["pass"] / seen if seen else 0.0,
        seen=seen,
    )


def _statement_view(
    result: dict[str, Any], index: int, direction: str = "", group: int | None = None
) -> StatementView:
    data = result["statements"][index]
    labels = [g["label"] for g in result["groups"]]
    groups = [
        _share(labels[g], GROUP_COLOURS[g], counts) for g, counts in enumerate(data["groups"])
    ]
    counts = data["counts"]
    view = StatementView(
        index=index,
        text=data["text"],
        direction=direction or ("agree" if counts["agree"] >= counts["disagree"] else "disagree"),
        agree=counts["agree"],
        disagree=counts["disagree"],
        passed=counts["pass"],
        groups=groups,
    )
    if group is not None:
        others = {"agree": 0, "disagree": 0, "pass": 0}
        for g, group_counts in enumerate(data["groups"]):
            if g != group:
                for key in others:
                    others[key] += group_counts[key]
        view.inside = groups[group]
        view.outside = _share("", "#6b7280", others)
    return view


def _representative(result: dict[str, Any], data: dict[str, Any], group: int) -> StatementView:
    view = _statement_view(result, data["statement"], data["direction"], group=group)
    view.significant = bool(data.get("significant", True))
    return view


def _scaled(points: list[list[float]]) -> list[tuple[float, float]]:
    """The coordinates drawn in the box, with the same scale on both axes (distances on the
    map are those the method found)."""
    if not points:
        return []
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    inner_w = MAP_WIDTH - 2 * MAP_MARGIN
    inner_h = MAP_HEIGHT - 2 * MAP_MARGIN
    range_x = (max(xs) - min(xs)) or 1.0
    range_y = (max(ys) - min(ys)) or 1.0
    scale = min(inner_w / range_x, inner_h / range_y)
    mid_x = (max(xs) + min(xs)) / 2
    mid_y = (max(ys) + min(ys)) / 2
    return [
        (
            round(MAP_WIDTH / 2 + (x - mid_x) * scale, 1),
            # SVG's y axis points down.
            round(MAP_HEIGHT / 2 - (y - mid_y) * scale, 1),
        )
        for x, y in zip(xs, ys, strict=True)
    ]


def map_view(computation: OpinionComputation, viewer: User | None) -> MapView:
    result = computation.result
    k = result["k"]
    scaled = _scaled(result["points"])
    mine_index = None
    if viewer is not None:
        mine_index = computation.viewer_points.get(viewer_key(computation.pk, viewer.pk))
    dots = [
        Dot(x=x, y=y, group=point[2], mine=i == mine_index)
        for i, ((x, y), point) in enumerate(zip(scaled, result["points"], strict=True))
    ]
    in_map = result["participants"]["in_map"]
    groups: list[GroupView] = []
    for g, data in enumerate(result["groups"]):
        members = [d for d in dots if d.group == g]
        label_x = sum(d.x for d in members) / len(members) if members else MAP_WIDTH / 2
        label_y = sum(d.y for d in members) / len(members) if members else MAP_HEIGHT / 2
        groups.append(
            GroupView(
                index=g,
                label=data["label"],
                colour=GROUP_COLOURS[g],
                shape=GROUP_SHAPES[g],
                size=data["size"],
                share=data["size"] / in_map if in_map else 0.0,
                label_x=round(label_x, 1),
                label_y=round(label_y, 1),
                representative=[_representative(result, r, g) for r in data["representative"]],
            )
        )
    mine = next((d for d in dots if d.mine), None)
    # The viewer's dot is drawn last, above the others.
    dots.sort(key=lambda d: d.mine)
    return MapView(
        computation=computation,
        k=k,
        silhouette=result.get("silhouette"),
        min_votes=result["min_votes"],
        voters=result["participants"]["voters"],
        in_map=in_map,
        left_out=result["participants"]["left_out"],
        vote_count=result["vote_count"],
        dots=dots,
        mine=mine,
        my_group=groups[mine.group] if mine is not None else None,
        groups=groups,
        consensus=[
            _statement_view(result, c["statement"], c["direction"])
            for c in result["consensus"][:LISTED]
        ],
        divisive=[_statement_view(result, i) for i in result["divisive"][:LISTED]],
        consensus_total=len(result["consensus"]),
        divisive_total=len(result["divisive"]),
        statements=[_statement_view(result, i) for i in range(len(result["statements"]))],
    )
