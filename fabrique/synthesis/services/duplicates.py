"""Near-duplicates of a process: searched in the background, then merged or dismissed by staff.

The search reads every published contribution of the process (merged ones are already out)
and keeps the clusters the topic engine finds close. What staff decided is not proposed again
by later searches (a cluster dismissed as « not duplicates », a contribution left apart from
a merge), unless a new contribution joins them. Merging goes through
``participation.merging``: nothing is deleted, the merged contributions keep their page and
pass their supports on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

import numpy as np
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from fabrique.accounts.models import User
from fabrique.participation import merging
from fabrique.participation.models import Contribution
from fabrique.processes.models import Process

from ..models import DuplicateCluster, DuplicateScan
from .progress import progress_writer

logger = logging.getLogger(__name__)

# How close two texts must be (cosine of their TF-IDF vectors) for each sensitivity.
THRESHOLDS = {"strict": 0.85, "usual": 0.7, "broad": 0.55}
DEFAULT_SENSITIVITY = "usual"
# A search that has not moved for this long was interrupted (a worker stopped).
STALE_AFTER = timedelta(minutes=30)
# Texts longer than this are cut: the beginning says what a contribution is about.
TEXT_LENGTH = 1500


def _texts(rows: Sequence[tuple[int, str, str]]) -> list[str]:
    return [f"{title}. {body[:TEXT_LENGTH]}" for _pk, title, body in rows]


def scans_mark_stale(*, process: Process, now: datetime | None = None) -> int:
    """A search that has not moved for a long while was interrupted: say so, so that it can
    be launched again."""
    now = now or timezone.now()
    return DuplicateScan.objects.filter(
        process=process,
        status__in=[DuplicateScan.Status.QUEUED, DuplicateScan.Status.RUNNING],
        created_at__lt=now - STALE_AFTER,
    ).update(
        status=DuplicateScan.Status.FAILED,
        finished_at=now,
        error=_(
            "The search was interrupted, or never started: the server may have stopped or the "
            "background tasks may not be running. Launch it again."
        ),
    )


def duplicate_scan_launch(
    *, process: Process, by: User | None, threshold: float = THRESHOLDS[DEFAULT_SENSITIVITY]
) -> DuplicateScan:
    """Queue a search for near-duplicates; the task workers run it. One at a time."""
    if not 0.5 <= threshold <= 0.99:
        raise ValidationError({"threshold": _("Choose a closeness between 0.5 and 0.99.")})
    count = merging.listed(process).count()
    if count < 2:
        raise ValidationError(
            _("Fewer than two published contributions: there is nothing to compare yet.")
        )
    scans_mark_stale(process=process)
    try:
        with transaction.atomic():
            scan = DuplicateScan.objects.create(
                process=process,
                threshold=threshold,
                contribution_count=count,
                created_by=by,
                stage=_("Waiting for a worker…"),
            )
    except IntegrityError as error:
        raise ValidationError(
            _("A search for near-duplicates is already running for this process: wait for it.")
        ) from error
    transaction.on_commit(lambda: duplicate_scan_task.enqueue(scan.pk))
    return scan


def duplicate_scan_run(*, scan: DuplicateScan) -> DuplicateScan:
    """Search the near-duplicates of a queued scan (called by the task worker)."""
    claimed = DuplicateScan.objects.filter(pk=scan.pk, status=DuplicateScan.Status.QUEUED).update(
        status=DuplicateScan.Status.RUNNING, started_at=timezone.now(), progress=0
    )
    if not claimed:
        scan.refresh_from_db()
        return scan
    scan.refresh_from_db()
    write = progress_writer(DuplicateScan, scan.pk)
    try:
        rows = list(merging.listed(scan.process).order_by("pk").values_list("pk", "title", "body"))
        write(0.02, _("Reading %(count)s contributions…") % {"count": len(rows)})
        texts = _texts(rows)
        groups, closeness = _find(texts, scan.threshold, write)
        write(0.95, _("Saving the clusters…"))
        _store(scan, [pk for pk, _t, _b in rows], groups, closeness)
    except Exception as error:  # any failure is shown to staff, who may launch it again
        logger.exception("Near-duplicate search %s failed", scan.pk)
        message = (
            "; ".join(error.messages)
            if isinstance(error, ValidationError)
            else _("The search stopped on an unexpected error (%(error)s). Launch it again.")
            % {"error": type(error).__name__}
        )
        DuplicateScan.objects.filter(pk=scan.pk, status=DuplicateScan.Status.RUNNING).update(
            status=DuplicateScan.Status.FAILED, error=message, finished_at=timezone.now()
        )
    scan.refresh_from_db()
    return scan


def _find(
    texts: list[str], threshold: float, write: Callable[[float, str], None]
) -> tuple[list[list[int]], list[float]]:
    """The engine's clusters (indices in ``texts``) and how close each one is."""
    from ..topics import duplicate_groups

    write(0.05, _("Comparing %(count)s contributions…") % {"count": len(texts)})
    groups = [
        sorted(group) for group in duplicate_groups(texts, threshold=threshold) if len(group) > 1
    ]
    write(0.9, _("Measuring the clusters…"))
    return groups, _closeness(texts, groups)


def _closeness(texts: Sequence[str], groups: Sequence[Sequence[int]]) -> list[float]:
    """For each cluster, the mean cosine between two of its texts, measured as the engine
    does (TF-IDF over word stems, idf of the whole process): what staff read as closeness."""
    if not groups:
        return []
    # The engine's groups come without their closeness: the same vectors, built once more.
    from ..topics import SimilarityIndex

    weights = SimilarityIndex.build(texts).weights
    found = []
    for group in groups:
        rows = weights[list(group)]
        # Rows have length 1 (0 for a text without a meaningful word): the sum of the cosines
        # of all pairs is |Σ rows|² − Σ |row|², without forming the n × n products.
        total = np.asarray(rows.sum(axis=0)).ravel()
        own = float(rows.multiply(rows).sum())
        size = len(group)
        found.append(max(0.0, (float(total @ total) - own) / (size * (size - 1))))
    return found


@transaction.atomic
def _store(
    scan: DuplicateScan,
    ids: Sequence[int],
    groups: Sequence[Sequence[int]],
    closeness: Sequence[float],
) -> None:
    # Only while this search is still the running one: one marked as stalled (and perhaps
    # replaced by another) must not overwrite what came after.
    finished = DuplicateScan.objects.filter(pk=scan.pk, status=DuplicateScan.Status.RUNNING).update(
        status=DuplicateScan.Status.DONE,
        progress=100,
        stage="",
        contribution_count=len(ids),
        finished_at=timezone.now(),
    )
    if not finished:
        return
    process = scan.process
    # Staff already looked at these together: what they left apart stays apart.
    decided = [
        frozenset(c.contributions.values_list("pk", flat=True))
        for c in DuplicateCluster.objects.filter(process=process).exclude(
            outcome=DuplicateCluster.Outcome.OPEN
        )
    ]
    # Clusters still to review from an earlier search are replaced by this one's.
    DuplicateCluster.objects.filter(process=process, outcome=DuplicateCluster.Outcome.OPEN).delete()
    for group, similarity in sorted(
        zip(groups, closeness, strict=True), key=lambda item: (-item[1], item[0])
    ):
        members = frozenset(ids[i] for i in group)
        if any(members <= earlier for earlier in decided):
            continue
        cluster = DuplicateCluster.objects.create(
            scan=scan, process=process, similarity=round(float(similarity), 4), size=len(members)
        )
        cluster.contributions.set(members)


@task()
def duplicate_scan_task(scan_id: int) -> str:
    """Search a process's near-duplicates; the page shows the progress."""
    return duplicate_scan_run(scan=DuplicateScan.objects.get(pk=scan_id)).status


# --- Staff decide -----------------------------------------------------------------------


def handled_message(cluster: DuplicateCluster) -> str:
    """What to say when someone acts on a cluster already merged or dismissed; "" if open."""
    if cluster.outcome == DuplicateCluster.Outcome.OPEN:
        return ""
    who = cluster.resolved_by.display_name if cluster.resolved_by else _("someone")
    return _("This cluster has already been handled (%(outcome)s, by %(who)s).") % {
        "outcome": cluster.get_outcome_display().lower(),
        "who": who,
    }


def _lock_open(cluster: DuplicateCluster) -> DuplicateCluster:
    locked = DuplicateCluster.objects.select_for_update().get(pk=cluster.pk)
    message = handled_message(locked)
    if message:
        raise ValidationError(message)
    return locked


def duplicate_cluster_merge(
    *,
    cluster: DuplicateCluster,
    target: Contribution,
    sources: Sequence[Contribution],
    by: User,
) -> DuplicateCluster:
    """Merge some contributions of a cluster into the one staff keep (``target``)."""
    with transaction.atomic():
        cluster = _lock_open(cluster)
        members = set(cluster.contributions.values_list("pk", flat=True))
        if target.pk not in members or any(source.pk not in members for source in sources):
            raise ValidationError(_("Choose contributions of this cluster only."))
        merging.contribution_merge(target=target, sources=sources, by=by)
        cluster.outcome = DuplicateCluster.Outcome.MERGED
        cluster.target = target
        cluster.resolved_at = timezone.now()
        cluster.resolved_by = by
        cluster.save(update_fields=["outcome", "target", "resolved_at", "resolved_by"])
    return cluster


def duplicate_cluster_dismiss(*, cluster: DuplicateCluster, by: User) -> DuplicateCluster:
    """« These are not duplicates »: the cluster leaves the list and is not proposed again."""
    with transaction.atomic():
        cluster = _lock_open(cluster)
        cluster.outcome = DuplicateCluster.Outcome.DISMISSED
        cluster.resolved_at = timezone.now()
        cluster.resolved_by = by
        cluster.save(update_fields=["outcome", "resolved_at", "resolved_by"])
    return cluster
