"""Reads for the near-duplicates page: the latest search and the clusters to review."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.utils.translation import gettext as _

from fabrique.participation.models import Contribution, Visibility
from fabrique.processes.models import Process

from ..models import DuplicateCluster, DuplicateScan


def duplicate_scan_latest(*, process: Process) -> DuplicateScan | None:
    return DuplicateScan.objects.filter(process=process).select_related("created_by").first()


@dataclass
class Member:
    contribution: Contribution
    # Why it can no longer be merged, when it changed since the search; "" while listed.
    gone: str = ""

    @property
    def name(self) -> str:
        c = self.contribution
        if c.collected_for:
            return c.collected_for
        if c.author is not None:
            return c.author.display_name
        return _("A participant")


@dataclass
class ClusterView:
    cluster: DuplicateCluster
    members: list[Member]
    listed: list[Member] = field(default_factory=list)

    @property
    def stale(self) -> bool:
        """A contribution of the cluster was merged, hidden or removed since the search."""
        return len(self.listed) < len(self.members)

    @property
    def large(self) -> bool:
        return self.cluster.size > MERGE_AT_ONCE

    @property
    def mergeable(self) -> bool:
        return not self.large and len(self.listed) >= 2

    @property
    def default_target(self) -> Contribution | None:
        """The most supported, the oldest first among equals (members come in that order)."""
        return self.listed[0].contribution if self.listed else None


def _gone(contribution: Contribution) -> str:
    if contribution.merged_into_id is not None:
        return _("merged since into « %(title)s »") % {
            "title": contribution.merged_into.title if contribution.merged_into else "?"
        }
    if contribution.removed_by_author:
        return _("removed by its author since")
    if contribution.visibility == Visibility.HIDDEN:
        return _("hidden by moderation since")
    if contribution.visibility != Visibility.PUBLISHED:
        return _("awaiting moderation")
    return ""


def open_clusters(*, process: Process) -> QuerySet[DuplicateCluster]:
    return DuplicateCluster.objects.filter(process=process, outcome=DuplicateCluster.Outcome.OPEN)


# A cluster bigger than this is not merged from the page (a text copied by hundreds of people,
# or a chain of close texts): its first contributions are shown, it can be dismissed.
MERGE_AT_ONCE = 50
SHOWN_OF_LARGE = 10


def cluster_views(
    clusters: QuerySet[DuplicateCluster] | list[DuplicateCluster],
) -> list[ClusterView]:
    """Each cluster with its contributions (authors, supports) and what changed since."""
    members = Contribution.objects.select_related("author", "merged_into").order_by(
        "-support_count", "created_at", "pk"
    )
    clusters = list(clusters)
    small = [c for c in clusters if c.size <= MERGE_AT_ONCE]
    prefetch_related_objects(small, Prefetch("contributions", queryset=members))
    views = []
    for cluster in clusters:
        if cluster.size <= MERGE_AT_ONCE:
            found = [Member(c, _gone(c)) for c in cluster.contributions.all()]
        else:
            # The oldest few: sorting a hundred thousand by supports would hold the page.
            through = DuplicateCluster.contributions.through.objects.filter(
                duplicatecluster=cluster
            ).order_by("contribution_id")
            first = list(through.values_list("contribution_id", flat=True)[:SHOWN_OF_LARGE])
            found = [Member(c, _gone(c)) for c in members.filter(pk__in=first)]
        views.append(
            ClusterView(cluster=cluster, members=found, listed=[m for m in found if not m.gone])
        )
    return views


def resolved_clusters(*, process: Process, limit: int = 20) -> list[DuplicateCluster]:
    """The latest decisions, newest first."""
    return list(
        DuplicateCluster.objects.filter(process=process)
        .exclude(outcome=DuplicateCluster.Outcome.OPEN)
        .select_related("target", "resolved_by")
        .prefetch_related("contributions")
        .order_by("-resolved_at", "-pk")[:limit]
    )
