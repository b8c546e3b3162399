"""Processes (démarches): the spine that later capabilities hang on.

A process has dated phases; each phase opens participation modes (contributions, workshops,
questionnaires, panel, votes), whose data belongs to the mode's own app. Themes, governance
bodies, resources and news complete the picture.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.validators import FileExtensionValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fabrique.territories.models import Territory

# Documents people download; nothing a browser would run (no HTML, SVG or script).
RESOURCE_FILE_EXTENSIONS = [
    "pdf", "odt", "ods", "odp", "doc", "docx", "xls", "xlsx", "ppt", "pptx",
    "png", "jpg", "jpeg", "webp", "csv", "txt",
]  # fmt: skip
colour_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("A colour such as #1d4e89."))


class Process(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CLOSED = "closed", _("Closed")
        ARCHIVED = "archived", _("Archived")

    territory = models.ForeignKey(
        Territory, on_delete=models.CASCADE, related_name="processes", verbose_name=_("territory")
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("short name in addresses"), max_length=100, unique=True)
    summary = models.CharField(
        _("summary"),
        max_length=400,
        help_text=_(
            "One or two sentences: what the process is about. Shown in lists and previews."
        ),
    )
    presentation = models.TextField(
        _("presentation"),
        blank=True,
        help_text=_("Why this process, what it will produce, how the results will be used."),
    )
    cover = models.ImageField(_("cover image"), upload_to="processes/covers/", blank=True)
    cover_alt = models.CharField(
        _("description of the image"),
        max_length=200,
        blank=True,
        help_text=_("For people who cannot see it. Leave empty if the image is decorative."),
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("published on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start_date", "title"]
        verbose_name = _("process")
        verbose_name_plural = _("processes")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="process_dates_in_order"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("processes:detail", kwargs={"slug": self.slug})

    @property
    def is_public(self) -> bool:
        return self.status != self.Status.DRAFT


class ParticipationMode(models.TextChoices):
    """What a phase opens. Each mode's data lives in its own app."""

    CONTRIBUTIONS = "contributions", _("Ideas and questions")
    WORKSHOPS = "workshops", _("Workshops")
    SURVEYS = "surveys", _("Questionnaires")
    PANEL = "panel", _("Citizen panel")
    VOTES = "votes", _("Votes and budgets")


class Phase(models.Model):
    class Kind(models.TextChoices):
        LAUNCH = "launch", _("Launch")
        DIAGNOSTIC = "diagnostic", _("Diagnostic")
        LEARNING = "learning", _("Learning")
        REFLECTION = "reflection", _("Collective reflection")
        SOLUTIONS = "solutions", _("Solution building")
        DECISION = "decision", _("Prioritisation and decision")
        RESTITUTION = "restitution", _("Restitution")
        FOLLOW_UP = "follow_up", _("Follow-up")
        OTHER = "other", _("Other")

    process = models.ForeignKey(
        Process, on_delete=models.CASCADE, related_name="phases", verbose_name=_("process")
    )
    kind = models.CharField(_("kind of phase"), max_length=20, choices=Kind.choices)
    custom_kind = models.CharField(
        _("name of the kind"),
        max_length=80,
        blank=True,
        help_text=_("For a phase of another kind: how to call it."),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))

    class Meta:
        ordering = ["process", "start_date", "pk"]
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="phase_dates_in_order"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("processes:phase", kwargs={"slug": self.process.slug, "pk": self.pk})

    @property
    def kind_label(self) -> str:
        if self.kind == self.Kind.OTHER and self.custom_kind:
            return self.custom_kind
        return str(self.get_kind_display())

    def state(self, today: date | None = None) -> str:
        """ "done", "open" or "upcoming" on ``today``."""
        today = today or timezone.localdate()
        if today > self.end_date:
            return "done"
        if today < self.start_date:
            return "upcoming"
        return "open"

    @property
    def mode_values(self) -> list[str]:
        return [m.mode for m in self.modes.all()]

    def opens(self, mode: str, today: date | None = None) -> bool:
        """Whether people can take part through ``mode`` in this phase now.

        Only a published process's phase opens anything, and only between its dates.
        """
        return (
            mode in self.mode_values
            and self.process.status == Process.Status.PUBLISHED
            and self.state(today) == "open"
        )


class PhaseMode(models.Model):
    """A participation mode a phase opens."""

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="modes")
    mode = models.CharField(_("mode"), max_length=20, choices=ParticipationMode.choices)

    class Meta:
        ordering = ["phase", "mode"]
        constraints = [
            models.UniqueConstraint(fields=["phase", "mode"], name="unique_mode_per_phase")
        ]

    def __str__(self) -> str:
        return f"{self.phase} — {self.get_mode_display()}"


class Theme(models.Model):
    class Icon(models.TextChoices):
        ENERGY = "energy", _("Energy")
        FOOD = "food", _("Food")
        MOBILITY = "mobility", _("Mobility")
        NATURE = "nature", _("Nature")
        WATER = "water", _("Water")
        WASTE = "waste", _("Waste")
        HOUSING = "housing", _("Housing")
        ECONOMY = "economy", _("Economy")
        SOLIDARITY = "solidarity", _("Solidarity")
        HEALTH = "health", _("Health")
        CULTURE = "culture", _("Culture")
        GOVERNANCE = "governance", _("Governance")

    process = models.ForeignKey(
        Process, on_delete=models.CASCADE, related_name="themes", verbose_name=_("process")
    )
    title = models.CharField(_("title"), max_length=150)
    slug = models.SlugField(_("short name in addresses"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    colour = models.CharField(
        _("colour"), max_length=7, default="#2f6b3f", validators=[colour_validator]
    )
    icon = models.CharField(_("icon"), max_length=20, choices=Icon.choices, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["process", "position", "title"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        constraints = [
            models.UniqueConstraint(fields=["process", "slug"], name="unique_theme_slug")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "processes:theme", kwargs={"slug": self.process.slug, "theme_slug": self.slug}
        )


class Resource(models.Model):
    """Something to learn from: a document, a link, a video."""

    class Kind(models.TextChoices):
        DOCUMENT = "document", _("Document")
        LINK = "link", _("Link")
        VIDEO = "video", _("Video")

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="resources")
    theme = models.ForeignKey(
        Theme,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="resources",
        verbose_name=_("theme"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    url = models.URLField(_("address"), blank=True)
    file = models.FileField(
        _("file"),
        upload_to="processes/resources/",
        blank=True,
        validators=[FileExtensionValidator(RESOURCE_FILE_EXTENSIONS)],
        help_text=_("PDF, office document, spreadsheet, presentation, image or CSV."),
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "title"]
        verbose_name = _("resource")
        verbose_name_plural = _("resources")

    def __str__(self) -> str:
        return self.title

    @property
    def href(self) -> str:
        return self.file.url if self.file else self.url


class Spotlight(models.Model):
    """A dated focus on a theme: Chambéry's « enjeu du mois »."""

    theme = models.ForeignKey(
        Theme, on_delete=models.CASCADE, related_name="spotlights", verbose_name=_("theme")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))

    class Meta:
        ordering = ["start_date"]
        verbose_name = _("spotlight")
        verbose_name_plural = _("spotlights")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="spotlight_dates_in_order"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def is_current(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.start_date <= today <= self.end_date


class GovernanceBody(models.Model):
    class Kind(models.TextChoices):
        STEERING_COMMITTEE = "steering", _("Steering committee")
        COMMISSION = "commission", _("Thematic commission")
        TRIAD = "triad", _("Triad")
        GOVERNANCE_GROUP = "group", _("Governance group")
        FOLLOW_UP_COMMITTEE = "follow_up", _("Mixed follow-up committee")
        OTHER = "other", _("Other body")

    process = models.ForeignKey(
        Process, on_delete=models.CASCADE, related_name="bodies", verbose_name=_("process")
    )
    kind = models.CharField(_("kind of body"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    theme = models.ForeignKey(
        Theme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bodies",
        verbose_name=_("theme"),
        help_text=_("For a triad or a thematic commission: the theme it carries."),
    )
    mandate = models.TextField(
        _("mandate"), blank=True, help_text=_("What the body is for and what it decides.")
    )
    is_public = models.BooleanField(
        _("shown publicly"),
        default=True,
        help_text=_("Show the body, its members and its published minutes on the public pages."),
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["process", "position", "kind", "name"]
        verbose_name = _("governance body")
        verbose_name_plural = _("governance bodies")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("processes:body", kwargs={"slug": self.process.slug, "pk": self.pk})


class BodyMember(models.Model):
    class Role(models.TextChoices):
        ELECTED = "elected", _("Elected official")
        TECHNICAL_PILOT = "technical_pilot", _("Technical pilot")
        CIVIL_SOCIETY = "civil_society", _("Civil-society representative")
        STAFF = "staff", _("Staff")
        CITIZEN = "citizen", _("Citizen")
        CHAIR = "chair", _("Chair")
        MEMBER = "member", _("Member")

    body = models.ForeignKey(GovernanceBody, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="body_memberships",
        verbose_name=_("account"),
    )
    name = models.CharField(_("name"), max_length=150, help_text=_("As it should appear publicly."))
    role = models.CharField(_("role in the body"), max_length=20, choices=Role.choices)
    organisation = models.CharField(
        _("organisation or office"),
        max_length=200,
        blank=True,
        help_text=_("E.g. « Vice-president for mobility », « Association Les Jardins »."),
    )

    class Meta:
        ordering = ["body", "role", "name"]
        verbose_name = _("member")
        verbose_name_plural = _("members")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


class Meeting(models.Model):
    body = models.ForeignKey(GovernanceBody, on_delete=models.CASCADE, related_name="meetings")
    date = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_published = models.BooleanField(_("minutes published"), default=False)

    class Meta:
        ordering = ["-date"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.title}"


class News(models.Model):
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="news")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published on"), default=timezone.now)
    emailed_at = models.DateTimeField(_("e-mailed to followers on"), null=True, blank=True)

    class Meta:
        ordering = ["-published_at"]
        verbose_name = _("news item")
        verbose_name_plural = _("news")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("processes:news", kwargs={"slug": self.process.slug, "pk": self.pk})


class ProcessFollow(models.Model):
    """A person who follows a process gets its news by e-mail."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="process_follows"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["process", "user"], name="one_follow_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.process}"
