"""Reads for the day itself: tables, what was captured there, documents, the restitution."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet

from fabrique.accounts.models import User
from fabrique.accounts.permissions import STAFF_ROLES
from fabrique.participation.models import Contribution, Visibility
from fabrique.processes.models import Process

from ..models import CapturedContribution, Registration, Table, Workshop, WorkshopDocument
from .registration import registration_counts

# A restitution edited later than this after its publication says « updated on … ».
UPDATE_GRACE = timedelta(minutes=5)


def table_list(*, workshop: Workshop) -> QuerySet[Table]:
    """The workshop's tables in their order, with how many were captured and seated there."""
    return (
        Table.objects.filter(workshop=workshop)
        .select_related("facilitator")
        .annotate(
            capture_count=Count("captures", distinct=True),
            participant_count=Count(
                "registrations",
                filter=Q(registrations__checked_in_at__isnull=False)
                & ~Q(registrations__status=Registration.Status.CANCELLED),
                distinct=True,
            ),
        )
        .order_by("position", "pk")
    )


def table_facilitator_candidates(*, workshop: Workshop) -> QuerySet[User]:
    """Who may hold a table: the territory's staff and the workshop's own facilitators."""
    territory = workshop.process.territory
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(role_assignments__territory=territory, role_assignments__role__in=STAFF_ROLES)
            | Q(facilitated_workshops=workshop)
        )
        .distinct()
        .order_by("display_name", "email")
    )


def tables_facilitated_by(*, user: User) -> QuerySet[Table]:
    """The tables a person holds in workshops not cancelled: where they type contributions in."""
    return (
        Table.objects.filter(facilitator=user)
        .exclude(workshop__status=Workshop.Status.CANCELLED)
        .select_related("workshop__process__territory")
        .order_by("-workshop__starts_at", "position")
    )


def present_participants(*, workshop: Workshop) -> QuerySet[Registration]:
    """The people marked present, with their table, to seat them."""
    return (
        Registration.objects.filter(workshop=workshop, checked_in_at__isnull=False)
        .exclude(status=Registration.Status.CANCELLED)
        .select_related("table")
        .order_by("name", "pk")
    )


def _publicly_visible() -> Q:
    """Participation's rule: only published contributions their authors did not withdraw."""
    return Q(
        contribution__visibility=Visibility.PUBLISHED,
        contribution__removed_by_author=False,
        contribution__merged_into__isnull=True,
    )


def capture_list(
    *,
    workshop: Workshop,
    table: Table | None = None,
    whole_workshop: bool = False,
    public_only: bool = False,
) -> QuerySet[CapturedContribution]:
    """What was captured at a workshop, oldest first; at one ``table``, or at none of them
    (``whole_workshop``); only what everyone may see when ``public_only``."""
    qs = CapturedContribution.objects.filter(workshop=workshop)
    if table is not None:
        qs = qs.filter(table=table)
    elif whole_workshop:
        qs = qs.filter(table__isnull=True)
    if public_only:
        qs = qs.filter(_publicly_visible())
    return qs.select_related(
        "contribution__process", "contribution__commune", "contribution__collected_by", "table"
    ).prefetch_related("contribution__themes")


@dataclass
class TableCaptures:
    """One table (None: captured for the whole workshop) and what was captured there."""

    table: Table | None
    captures: list[CapturedContribution] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.captures)


def captures_by_table(*, workshop: Workshop, public_only: bool = False) -> list[TableCaptures]:
    """Captures grouped by table in the tables' order; captures without a table come last.
    Tables with nothing captured are listed only in the back-office (not ``public_only``)."""
    groups: dict[int | None, TableCaptures] = {
        t.pk: TableCaptures(table=t) for t in Table.objects.filter(workshop=workshop)
    }
    loose = TableCaptures(table=None)
    for capture in capture_list(workshop=workshop, public_only=public_only):
        groups.get(capture.table_id, loose).captures.append(capture)
    result = [g for g in groups.values() if g.captures or not public_only]
    if loose.captures:
        result.append(loose)
    return result


@dataclass(frozen=True)
class RestitutionFigures:
    registered: int
    present: int
    walk_ins: int
    captured: int
    tables: int
    by_kind: list[tuple[str, int]]
    by_table: list[tuple[str, int]]


def _registration_figures(workshop: Workshop) -> tuple[int, int, int]:
    """Registered beforehand (walk-ins are confirmed registrations too), present, walk-ins."""
    counts = registration_counts(workshop=workshop)
    return counts["confirmed"] - counts["walk_ins"], counts["present"], counts["walk_ins"]


def restitution_figures(*, workshop: Workshop, public_only: bool = False) -> RestitutionFigures:
    """The figures of a workshop, computed: who came, what was said, by kind and by table.

    ``public_only`` counts only the contributions everyone may read, as the public page lists.
    """
    registered, present, walk_ins = _registration_figures(workshop)
    captures = CapturedContribution.objects.filter(workshop=workshop)
    if public_only:
        captures = captures.filter(_publicly_visible())
    kinds = dict(Contribution.Kind.choices)
    by_kind = [
        (str(kinds.get(row["contribution__kind"], row["contribution__kind"])), row["n"])
        for row in captures.values("contribution__kind")
        .annotate(n=Count("pk"))
        .order_by("-n", "contribution__kind")
    ]
    per_table = dict(
        captures.values_list("table_id").annotate(n=Count("pk")).values_list("table_id", "n")
    )
    tables = list(Table.objects.filter(workshop=workshop).order_by("position", "pk"))
    by_table = [(t.name, per_table.get(t.pk, 0)) for t in tables]
    return RestitutionFigures(
        registered=registered,
        present=present,
        walk_ins=walk_ins,
        captured=sum(per_table.values()),
        tables=len(tables),
        by_kind=by_kind,
        by_table=by_table,
    )


def document_list(*, workshop: Workshop, public_only: bool = False) -> QuerySet[WorkshopDocument]:
    qs = WorkshopDocument.objects.filter(workshop=workshop).select_related("table")
    if public_only:
        qs = qs.filter(is_public=True)
    return qs.order_by("created_at", "pk")


def restitution_updated_at(workshop: Workshop) -> datetime | None:
    """When a published restitution was last changed, if later than its publication."""
    published = workshop.restitution_published_at
    if published is None or workshop.updated_at - published < UPDATE_GRACE:
        return None
    return workshop.updated_at


def workshops_with_restitution(*, process: Process) -> QuerySet[Workshop]:
    """The process's public workshops whose restitution is published, latest workshop first."""
    return (
        Workshop.objects.filter(process=process, restitution_published_at__isnull=False)
        .exclude(status__in=[Workshop.Status.DRAFT, Workshop.Status.CANCELLED])
        .select_related("process", "commune")
        .order_by("-starts_at", "-pk")
    )
