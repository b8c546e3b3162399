"""The day itself: tables (sub-groups), what was captured there, photos of the boards."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from fabrique.participation.models import Contribution

from .workshop import Workshop

DOCUMENT_EXTENSIONS = ["pdf", "png", "jpg", "jpeg", "webp", "odt", "docx", "odp", "pptx"]


class Table(models.Model):
    """A sub-group of a workshop, with its facilitator."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="tables")
    name = models.CharField(_("name"), max_length=100)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="facilitated_tables",
        verbose_name=_("facilitator"),
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("table")
        verbose_name_plural = _("tables")
        constraints = [
            models.UniqueConstraint(fields=["workshop", "name"], name="table_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class CapturedContribution(models.Model):
    """A contribution typed in during a workshop, on behalf of a participant.

    The contribution itself lives with the others (same list, map, synthesis); this link
    says at which workshop and table it was said.
    """

    contribution = models.OneToOneField(
        Contribution, on_delete=models.CASCADE, related_name="workshop_capture"
    )
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="captures")
    table = models.ForeignKey(
        Table, on_delete=models.SET_NULL, null=True, blank=True, related_name="captures"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("contribution captured in a workshop")
        verbose_name_plural = _("contributions captured in workshops")

    def __str__(self) -> str:
        return str(self.contribution)


class WorkshopDocument(models.Model):
    """A photo of a board, a slide deck, a handout: attached to the workshop or one table."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="documents")
    table = models.ForeignKey(
        Table,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("table"),
    )
    file = models.FileField(
        _("file"),
        upload_to="workshops/documents/",
        validators=[FileExtensionValidator(DOCUMENT_EXTENSIONS)],
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.CharField(
        _("description"),
        max_length=500,
        blank=True,
        help_text=_("What the photo shows, for people who cannot see it."),
    )
    is_public = models.BooleanField(
        _("shown with the restitution"),
        default=True,
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("workshop document")
        verbose_name_plural = _("workshop documents")

    def __str__(self) -> str:
        return self.title

    @property
    def is_image(self) -> bool:
        return self.file.name.lower().rsplit(".", 1)[-1] in {"png", "jpg", "jpeg", "webp"}
