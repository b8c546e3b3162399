"""Restitution reports made from a version of the topics, and the population shares that
participation is compared with."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fabrique.processes.models import Process
from fabrique.territories.models import BasinGrouping, Territory

from .topics import Synthesis, Topic


class ReferenceShare(models.Model):
    """The share of the population with one value of a personal attribute (gender, age band),
    typed in by staff from a source they name, for a whole territory or one process.

    Communes and basins need none: their populations are official data.
    """

    class Attribute(models.TextChoices):
        AGE_BAND = "age_band", _("Age band")
        GENDER = "gender", _("Gender")

    territory = models.ForeignKey(
        Territory, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    process = models.ForeignKey(
        Process, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    attribute = models.CharField(_("attribute"), max_length=20, choices=Attribute.choices)
    value = models.CharField(_("value"), max_length=20)
    share = models.DecimalField(
        _("share of the population (%)"),
        max_digits=6,
        decimal_places=3,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    source = models.CharField(_("source"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["attribute", "position", "pk"]
        verbose_name = _("population share")
        verbose_name_plural = _("population shares")
        constraints = [
            models.CheckConstraint(
                condition=(Q(territory__isnull=False) & Q(process__isnull=True))
                | (Q(territory__isnull=True) & Q(process__isnull=False)),
                name="reference_share_one_scope",
            ),
            models.UniqueConstraint(
                fields=["territory", "attribute", "value"],
                condition=Q(territory__isnull=False),
                name="reference_share_unique_territory",
            ),
            models.UniqueConstraint(
                fields=["process", "attribute", "value"],
                condition=Q(process__isnull=False),
                name="reference_share_unique_process",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_attribute_display()} — {self.value}: {self.share} %"


def _file_name(prefix: str, extension: str) -> str:
    # Unguessable: a draft's files must not be found by trying names.
    return f"synthesis/reports/{prefix}-{secrets.token_urlsafe(12)}.{extension}"


def report_pdf_path(instance: Report, filename: str) -> str:
    return _file_name(f"rapport-{instance.pk}", "pdf")


def report_xlsx_path(instance: Report, filename: str) -> str:
    return _file_name(f"contributions-{instance.pk}", "xlsx")


class Report(models.Model):
    """A restitution of what was said, composed by staff from one version of the topics.

    Its content is a snapshot taken when staff generate it (figures, topics with examples,
    representativeness, official answers): what is published does not move while the topics
    are edited, until staff generate it again. The PDF and the spreadsheet are made in the
    background from the same snapshot.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published on the site")

    class FilesStatus(models.TextChoices):
        NONE = "", _("Not made yet")
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Being made")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="+")
    synthesis = models.ForeignKey(
        Synthesis, on_delete=models.CASCADE, related_name="reports", verbose_name=_("version")
    )
    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(_("introduction"), blank=True)
    all_topics = models.BooleanField(_("every topic"), default=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="+", verbose_name=_("topics"))
    grouping = models.ForeignKey(
        BasinGrouping,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("grouping of communes"),
    )
    include_figures = models.BooleanField(_("key figures"), default=True)
    include_representativeness = models.BooleanField(_("representativeness"), default=True)
    include_answers = models.BooleanField(_("official answers"), default=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    content = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=10, default="fr")
    generated_at = models.DateTimeField(null=True, blank=True)
    # The version's revision when the content was taken: a later edit of the topics shows.
    generated_revision = models.PositiveIntegerField(null=True, blank=True)
    regenerated = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    pdf = models.FileField(upload_to=report_pdf_path, blank=True)
    xlsx = models.FileField(upload_to=report_xlsx_path, blank=True)
    files_status = models.CharField(
        max_length=10, choices=FilesStatus.choices, default=FilesStatus.NONE, blank=True
    )
    files_progress = models.FloatField(default=0)
    files_stage = models.CharField(max_length=200, blank=True)
    files_error = models.TextField(blank=True)
    files_generated_at = models.DateTimeField(null=True, blank=True)
    pdf_seconds = models.FloatField(null=True, blank=True)
    xlsx_seconds = models.FloatField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("restitution report")
        verbose_name_plural = _("restitution reports")
        indexes = [models.Index(fields=["process", "status"], name="report_process_status")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("synthesis:report", kwargs={"slug": self.process.slug, "pk": self.pk})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def files_ready(self) -> bool:
        return self.files_status == self.FilesStatus.DONE and bool(self.pdf) and bool(self.xlsx)

    @property
    def files_busy(self) -> bool:
        return self.files_status in (self.FilesStatus.QUEUED, self.FilesStatus.RUNNING)

    @property
    def is_stale(self) -> bool:
        """The topics of the version were edited since the content was taken."""
        return (
            self.generated_revision is not None
            and self.synthesis.revision != self.generated_revision
        )
