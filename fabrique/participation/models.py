"""Contributions (ideas, questions, testimonies), comments, supports, moderation, answers."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fabrique.processes.models import Phase, Process, Theme
from fabrique.territories.models import Commune

ATTACHMENT_EXTENSIONS = ["pdf", "odt", "docx", "ods", "xlsx", "png", "jpg", "jpeg", "webp"]


class ParticipationSettings(models.Model):
    """How a process takes contributions."""

    process = models.OneToOneField(
        Process, on_delete=models.CASCADE, related_name="participation_settings"
    )
    premoderation = models.BooleanField(
        _("moderate before publication"),
        default=False,
        help_text=_("Contributions and comments appear once a moderator has accepted them."),
    )
    edit_window_minutes = models.PositiveIntegerField(
        _("minutes during which authors may edit"),
        default=60,
        validators=[MaxValueValidator(60 * 24 * 30)],
    )

    class Meta:
        verbose_name = _("participation settings")
        verbose_name_plural = _("participation settings")

    def __str__(self) -> str:
        return f"{self.process}"


class Visibility(models.TextChoices):
    PUBLISHED = "published", _("Published")
    PENDING = "pending", _("Awaiting moderation")
    HIDDEN = "hidden", _("Hidden by moderation")


class Contribution(models.Model):
    class Kind(models.TextChoices):
        IDEA = "idea", _("Idea or proposal")
        QUESTION = "question", _("Question")
        TESTIMONY = "testimony", _("Testimony or observation")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        UNDER_STUDY = "under_study", _("Under study")
        RETAINED = "retained", _("Retained")
        PARTLY_RETAINED = "partly_retained", _("Partly retained")
        NOT_RETAINED = "not_retained", _("Not retained")
        DONE = "done", pgettext_lazy("contribution status", "Done")

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="contributions")
    phase = models.ForeignKey(Phase, on_delete=models.PROTECT, related_name="contributions")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.IDEA)
    title = models.CharField(_("title"), max_length=150)
    body = models.TextField(_("text"), max_length=5000)
    themes = models.ManyToManyField(
        Theme, related_name="contributions", blank=True, verbose_name=_("themes")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contributions",
    )
    commune = models.ForeignKey(
        Commune, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    latitude = models.DecimalField(
        max_digits=8,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    image = models.ImageField(_("image"), upload_to="contributions/images/", blank=True)
    image_alt = models.CharField(_("description of the image"), max_length=200, blank=True)
    attachment = models.FileField(
        _("attachment"),
        upload_to="contributions/files/",
        blank=True,
        validators=[FileExtensionValidator(ATTACHMENT_EXTENSIONS)],
    )
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLISHED
    )
    moderation_reason = models.CharField(max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED
    )
    status_reason = models.TextField(_("reason"), blank=True)
    answer = models.TextField(_("official answer"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Offline voices: typed in by a facilitator for someone met in person.
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    collected_place = models.CharField(_("where it was collected"), max_length=200, blank=True)
    collected_on = models.DateField(_("when it was collected"), null=True, blank=True)
    collected_for = models.CharField(
        _("name given by the person"),
        max_length=100,
        blank=True,
        help_text=_("Optional: a first name or « a resident of … »."),
    )
    removed_by_author = models.BooleanField(default=False)
    # French full-text search: kept up to date by a PostgreSQL trigger (migration 0003);
    # unused on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)
    support_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    # --- Near-duplicates (``merging``) ---
    # Gathered by staff into another contribution: it leaves the lists, the map, the search
    # and the counts, and keeps its page, which links to where it went (``ContributionMerge``
    # holds what the merge moved, to show it and to undo it).
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_sources",
        verbose_name=_("merged into"),
    )
    merged_at = models.DateTimeField(_("merged on"), null=True, blank=True)
    # --- end near-duplicates ---

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        indexes = [
            models.Index(fields=["process", "visibility", "-created_at"], name="contrib_list"),
            models.Index(
                fields=["process", "visibility", "-support_count"], name="contrib_support"
            ),
            models.Index(
                fields=["process", "visibility", "-comment_count"], name="contrib_comment"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(latitude__isnull=True) & Q(longitude__isnull=True))
                | (Q(latitude__isnull=False) & Q(longitude__isnull=False)),
                name="contribution_point_complete",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("pk")), name="contribution_not_merged_into_itself"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("participation:detail", kwargs={"slug": self.process.slug, "pk": self.pk})

    @property
    def is_collected_in_person(self) -> bool:
        return self.collected_by_id is not None

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class ContributionRevision(models.Model):
    """What a contribution said before an edit: edits are visible."""

    contribution = models.ForeignKey(
        Contribution, on_delete=models.CASCADE, related_name="revisions"
    )
    title = models.CharField(max_length=150)
    body = models.TextField()
    replaced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-replaced_at"]

    def __str__(self) -> str:
        return f"{self.contribution_id} @ {self.replaced_at:%Y-%m-%d %H:%M}"


class Comment(models.Model):
    contribution = models.ForeignKey(
        Contribution, on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField(_("comment"), max_length=3000)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLISHED
    )
    moderation_reason = models.CharField(max_length=300, blank=True)
    removed_by_author = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return self.body[:60]


class Support(models.Model):
    contribution = models.ForeignKey(
        Contribution, on_delete=models.CASCADE, related_name="supports"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contribution", "user"], name="one_support_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.contribution_id}"


class ContributionFollow(models.Model):
    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contribution", "user"], name="one_contribution_follow_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.contribution_id}"


class Report(models.Model):
    """Someone asks moderators to look at a contribution or a comment."""

    contribution = models.ForeignKey(
        Contribution, on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(contribution__isnull=False) & Q(comment__isnull=True))
                | (Q(contribution__isnull=True) & Q(comment__isnull=False)),
                name="report_targets_one_thing",
            )
        ]

    def __str__(self) -> str:
        return self.reason[:60]


class ModerationLog(models.Model):
    """Every moderation act, with who did it and why."""

    class Action(models.TextChoices):
        HIDE = "hide", _("hidden")
        RESTORE = "restore", _("restored")
        ACCEPT = "accept", _("accepted")
        BLOCK = "block", _("account blocked")
        UNBLOCK = "unblock", _("account unblocked")
        DISMISS = "dismiss", _("report dismissed")
        MERGE = "merge", _("merged into another contribution")
        UNMERGE = "unmerge", _("merge undone")
        REFUSE = "refuse", _("refused")

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    contribution = models.ForeignKey(
        Contribution, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)
    subject = models.CharField(
        max_length=200,
        blank=True,
        help_text="What was moderated, when it is not a contribution, a comment or an account "
        "(a statement of an opinion map…), as moderators read it in the log.",
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.action}"


# --- Near-duplicates (``merging``) ---------------------------------------------------------


class ContributionMerge(models.Model):
    """One contribution gathered into another by staff, with what the merge moved.

    Nothing disappears: the source keeps its page, text, author and comments; its supports
    and followers go to the target. What moved is written down here, so that the page can
    say it and staff can undo the merge.
    """

    source = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="merges_out")
    target = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="merges_in")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    # Ids of the people whose support moved from the source to the target.
    supports_moved = models.JSONField(default=list, blank=True)
    # People who supported both: their support of the source is folded into the one they give
    # the target (one support per person), and written down here, [user id, ISO date].
    supports_shared = models.JSONField(default=list, blank=True)
    # Followers of the source who did not follow the target yet.
    follows_added = models.JSONField(default=list, blank=True)
    # Contributions merged earlier into the source, now pointing straight at the target.
    sources_carried = models.JSONField(default=list, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("merge of contributions")
        verbose_name_plural = _("merges of contributions")
        constraints = [
            models.UniqueConstraint(
                fields=["source"],
                condition=Q(undone_at__isnull=True),
                name="one_standing_merge_per_source",
            )
        ]

    def __str__(self) -> str:
        return f"{self.source_id} → {self.target_id}"

    @property
    def support_total(self) -> int:
        return len(self.supports_moved) + len(self.supports_shared)
