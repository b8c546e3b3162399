"""Near-duplicates found among a process's contributions, for staff to merge or dismiss.

A search (``DuplicateScan``) reads every published contribution of a process, in the
background, and keeps the clusters of close ones (``DuplicateCluster``). It belongs to the
process, not to a version of topics: a process may have no synthesis yet, a version covers a
chosen part of the contributions only, and what staff decided about a cluster (« these are
not duplicates ») must outlive every later search.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fabrique.participation.models import Contribution
from fabrique.processes.models import Process


class DuplicateScan(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="duplicate_scans")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    threshold = models.FloatField(_("closeness threshold"))
    progress = models.FloatField(default=0)
    stage = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    contribution_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("search for near-duplicates")
        verbose_name_plural = _("searches for near-duplicates")
        constraints = [
            # One search at a time per process: asking twice is refused.
            models.UniqueConstraint(
                fields=["process"],
                condition=Q(status__in=["queued", "running"]),
                name="duplicate_scan_one_running",
            )
        ]

    def __str__(self) -> str:
        return f"{self.process} — {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class DuplicateCluster(models.Model):
    """Contributions found close to each other: staff merge them into one, or dismiss."""

    class Outcome(models.TextChoices):
        OPEN = "open", _("To review")
        MERGED = "merged", _("Merged")
        DISMISSED = "dismissed", _("Not duplicates")

    scan = models.ForeignKey(DuplicateScan, on_delete=models.CASCADE, related_name="clusters")
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="+")
    contributions = models.ManyToManyField(Contribution, related_name="+")
    # How close they are: the mean cosine of their TF-IDF vectors, two by two (0 to 1).
    similarity = models.FloatField(default=0)
    # How many contributions, at the search (a copied text can gather hundreds).
    size = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.OPEN)
    target = models.ForeignKey(
        Contribution, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-similarity", "pk"]
        verbose_name = _("cluster of near-duplicates")
        verbose_name_plural = _("clusters of near-duplicates")
        indexes = [models.Index(fields=["process", "outcome"], name="duplicate_cluster_outcome")]

    def __str__(self) -> str:
        return f"{self.process} — {self.pk}"
