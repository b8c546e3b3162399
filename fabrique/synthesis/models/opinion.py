"""Opinion maps, in the manner of Pol.is: short statements that participants agree with,
disagree with or pass; groups of people who vote alike, and what unites or divides them."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fabrique.participation.models import Contribution
from fabrique.processes.models import Process

STATEMENT_MAX_LENGTH = 280


class OpinionActivity(models.Model):
    """A set of statements put to the vote of participants, and the maps computed from it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open to votes")
        CLOSED = "closed", _("Closed")

    process = models.ForeignKey(
        Process, on_delete=models.CASCADE, related_name="opinion_activities"
    )
    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(
        _("introduction"),
        blank=True,
        max_length=3000,
        help_text=_("What the statements are about and what the results will be used for."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    opens_at = models.DateTimeField(
        _("opens on"),
        null=True,
        blank=True,
        help_text=_("Optional: votes are taken from this moment once the activity is open."),
    )
    closes_at = models.DateTimeField(
        _("closes on"),
        null=True,
        blank=True,
        help_text=_("Optional: votes are no longer taken after this moment."),
    )
    allow_participant_statements = models.BooleanField(
        _("participants may propose statements"),
        default=False,
        help_text=_("Their statements are put to the vote once a member of staff accepts them."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("opinion map")
        verbose_name_plural = _("opinion maps")
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=F("opens_at")),
                name="opinion_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("synthesis:opinion", args=[self.process.slug, self.pk])

    def takes_votes(self, now: datetime | None = None) -> bool:
        """Open, and within its dates when it has some."""
        now = now or timezone.now()
        return (
            self.status == self.Status.OPEN
            and (self.opens_at is None or self.opens_at <= now)
            and (self.closes_at is None or now < self.closes_at)
        )


class Statement(models.Model):
    """A short sentence put to the vote; typed by staff, taken from a contribution, or
    proposed by a participant (then moderated before it is put to the vote)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting moderation")
        ACCEPTED = "accepted", _("Put to the vote")
        REJECTED = "rejected", _("Withdrawn")

    activity = models.ForeignKey(
        OpinionActivity, on_delete=models.CASCADE, related_name="statements"
    )
    text = models.CharField(_("statement"), max_length=STATEMENT_MAX_LENGTH)
    source_contribution = models.ForeignKey(
        Contribution,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contribution it comes from"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    by_participant = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACCEPTED)
    moderation_reason = models.CharField(_("reason"), max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        constraints = [
            # A contribution becomes at most one statement of an activity.
            models.UniqueConstraint(
                fields=["activity", "source_contribution"],
                condition=Q(source_contribution__isnull=False),
                name="statement_one_per_contribution",
            )
        ]
        indexes = [models.Index(fields=["activity", "status", "position"], name="statement_list")]

    def __str__(self) -> str:
        return self.text


class StatementVote(models.Model):
    """One person's answer to one statement; changing it replaces it."""

    class Value(models.IntegerChoices):
        DISAGREE = -1, _("Disagree")
        PASS = 0, _("Passed")
        AGREE = 1, _("Agree")

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    value = models.SmallIntegerField(choices=Value.choices)
    voted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("vote on a statement")
        verbose_name_plural = _("votes on statements")
        constraints = [
            models.UniqueConstraint(fields=["statement", "voter"], name="statement_one_vote"),
            models.CheckConstraint(condition=Q(value__in=[-1, 0, 1]), name="statement_vote_value"),
        ]
        indexes = [models.Index(fields=["voter", "statement"], name="statement_vote_voter")]

    def __str__(self) -> str:
        return f"{self.voter_id} → {self.statement_id}: {self.value}"


class OpinionComputation(models.Model):
    """One computation of the opinion map: a dated version of its groups.

    ``result`` is what the public results page shows: no user id in it. Which point of the
    map is whose is kept apart, in ``viewer_points``, under keys that cannot be turned back
    into user ids without the site's secret key, so that each person can find their own dot.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    activity = models.ForeignKey(
        OpinionActivity, on_delete=models.CASCADE, related_name="computations"
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    min_votes = models.PositiveSmallIntegerField(default=7)
    max_groups = models.PositiveSmallIntegerField(default=5)
    seed = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    viewer_points = models.JSONField(default=dict, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    computed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("computation of an opinion map")
        verbose_name_plural = _("computations of opinion maps")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "number"], name="opinion_computation_number"
            ),
            # One computation at a time per activity: launching twice is refused.
            models.UniqueConstraint(
                fields=["activity"],
                condition=Q(status__in=["queued", "running"]),
                name="opinion_one_running",
            ),
            # The public sees one version of the map at most.
            models.UniqueConstraint(
                fields=["activity"],
                condition=Q(published_at__isnull=False),
                name="opinion_one_published",
            ),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(status="done"),
                name="opinion_published_when_done",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Computation no. %(number)s") % {"number": self.number})

    def get_absolute_url(self) -> str:
        process = self.activity.process
        return reverse(
            "synthesis:bo_opinion_computation",
            args=[process.territory.slug, process.slug, self.activity_id, self.number],
        )

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
