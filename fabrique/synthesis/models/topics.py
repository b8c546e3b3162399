"""Syntheses of what was said: dated versions of topics, with the edits staff made to them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fabrique.participation.models import Contribution
from fabrique.processes.models import Phase, Process, Theme


class Synthesis(models.Model):
    """One computation of topics over a process's contributions: a dated version.

    Staff edit the latest version (rename, merge, split, move); every edit raises
    ``revision``, so that an edit prepared on a page that has since changed is refused.
    A new computation makes a new version; older ones stay readable.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="syntheses")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    phase = models.ForeignKey(
        Phase,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("phase"),
    )
    theme = models.ForeignKey(
        Theme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("theme"),
    )
    kind = models.CharField(
        _("kind of contribution"), max_length=12, choices=Contribution.Kind.choices, blank=True
    )
    requested_topics = models.PositiveSmallIntegerField(
        _("number of topics"),
        null=True,
        blank=True,
        help_text=_("Leave empty to let the method choose."),
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.FloatField(default=0)
    stage = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    method = models.JSONField(default=dict, blank=True)
    contribution_count = models.PositiveIntegerField(default=0)
    revision = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("synthesis")
        verbose_name_plural = _("syntheses")
        constraints = [
            models.UniqueConstraint(fields=["process", "number"], name="synthesis_number_unique"),
            # One computation at a time per process: launching twice is refused.
            models.UniqueConstraint(
                fields=["process"],
                condition=Q(status__in=["queued", "running"]),
                name="synthesis_one_running",
            ),
        ]

    def __str__(self) -> str:
        return self.title or str(_("Synthesis no. %(number)s") % {"number": self.number})

    def get_absolute_url(self) -> str:
        return reverse(
            "synthesis:bo_synthesis",
            args=[self.process.territory.slug, self.process.slug, self.number],
        )

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class Topic(models.Model):
    synthesis = models.ForeignKey(Synthesis, on_delete=models.CASCADE, related_name="topics")
    position = models.PositiveIntegerField(default=0)
    label = models.CharField(_("name"), max_length=200)
    keywords = models.JSONField(default=list, blank=True)
    renamed = models.BooleanField(default=False)
    origin = models.CharField(max_length=300, blank=True)
    size = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.label


class TopicMembership(models.Model):
    """Which topic a contribution is in, for one version."""

    synthesis = models.ForeignKey(Synthesis, on_delete=models.CASCADE, related_name="memberships")
    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="+")
    representative = models.BooleanField(default=False)
    closeness = models.FloatField(default=0)
    moved = models.BooleanField(default=False)
    foreign_language = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("contribution in a topic")
        verbose_name_plural = _("contributions in topics")
        constraints = [
            models.UniqueConstraint(
                fields=["synthesis", "contribution"], name="membership_one_per_contribution"
            )
        ]
        indexes = [models.Index(fields=["topic", "-closeness"], name="membership_topic")]

    def __str__(self) -> str:
        return f"{self.contribution_id} → {self.topic_id}"


class TopicEdit(models.Model):
    """What staff changed on a version, for its history."""

    class Action(models.TextChoices):
        RENAME = "rename", _("Renamed")
        MERGE = "merge", _("Merged")
        SPLIT = "split", _("Split")
        MOVE = "move", _("Moved contributions")

    synthesis = models.ForeignKey(Synthesis, on_delete=models.CASCADE, related_name="edits")
    revision = models.PositiveIntegerField()
    action = models.CharField(max_length=10, choices=Action.choices)
    summary = models.CharField(max_length=500)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-revision"]

    def __str__(self) -> str:
        return self.summary
