"""A workshop planned in a phase of a process."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fabrique.processes.models import Phase, Process, Theme
from fabrique.territories.models import Commune


class Workshop(models.Model):
    class Format(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")
        HYBRID = "hybrid", _("Hybrid (in person and online)")

    class Audience(models.TextChoices):
        OPEN = "open", _("Open to all")
        INVITATION = "invitation", _("By invitation")
        PANEL = "panel", _("Citizen panel members only")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    process = models.ForeignKey(
        Process, on_delete=models.CASCADE, related_name="workshops", verbose_name=_("process")
    )
    phase = models.ForeignKey(
        Phase, on_delete=models.PROTECT, related_name="workshops", verbose_name=_("phase")
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(
        _("summary"),
        max_length=300,
        blank=True,
        help_text=_("One or two sentences, shown in lists."),
    )
    description = models.TextField(_("description"), blank=True)
    themes = models.ManyToManyField(
        Theme, related_name="workshops", blank=True, verbose_name=_("themes")
    )
    format = models.CharField(
        _("format"), max_length=10, choices=Format.choices, default=Format.IN_PERSON
    )
    commune = models.ForeignKey(
        Commune,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune"),
    )
    place_name = models.CharField(
        _("place"), max_length=200, blank=True, help_text=_("For example: salle des fêtes.")
    )
    address = models.CharField(_("street address"), max_length=300, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    online_url = models.URLField(
        _("link to join online"),
        blank=True,
        help_text=_("Sent to registered people only, in their confirmation and reminder."),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leave empty for no limit. Beyond it, people join a waiting list."),
    )
    audience = models.CharField(
        _("audience"), max_length=12, choices=Audience.choices, default=Audience.OPEN
    )
    registration_open = models.BooleanField(
        _("registrations open"),
        default=True,
        help_text=_("Untick to close registrations before the day."),
    )
    accessibility = models.TextField(
        _("accessibility"),
        blank=True,
        help_text=_(
            "Step-free access, hearing loop, sign language, childcare, transport… "
            "What people need to know to come."
        ),
    )
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="facilitated_workshops",
        blank=True,
        verbose_name=_("facilitators"),
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    cancellation_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    restitution = models.TextField(_("restitution"), blank=True)
    restitution_published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")
        indexes = [models.Index(fields=["process", "status", "starts_at"], name="workshop_list")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="workshop_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                name="workshop_capacity_positive",
            ),
            models.CheckConstraint(
                condition=(Q(latitude__isnull=True) & Q(longitude__isnull=True))
                | (Q(latitude__isnull=False) & Q(longitude__isnull=False)),
                name="workshop_point_complete",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("workshops:detail", kwargs={"slug": self.process.slug, "pk": self.pk})

    @property
    def is_public(self) -> bool:
        return self.status != self.Status.DRAFT and self.process.is_public

    @property
    def is_online(self) -> bool:
        return self.format in (self.Format.ONLINE, self.Format.HYBRID)

    @property
    def is_in_person(self) -> bool:
        return self.format in (self.Format.IN_PERSON, self.Format.HYBRID)

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def is_past(self) -> bool:
        return self.ends_at <= timezone.now()

    @property
    def has_restitution(self) -> bool:
        return self.restitution_published_at is not None

    @property
    def seats_left(self) -> int | None:
        """Seats not yet taken by confirmed registrations; None when there is no limit."""
        if self.capacity is None:
            return None
        confirmed = getattr(self, "confirmed_count", None)
        if confirmed is None:
            confirmed = self.registrations.filter(status="confirmed").count()
        return max(self.capacity - confirmed, 0)
