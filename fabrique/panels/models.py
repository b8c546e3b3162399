"""Citizen panels drawn by lot: the pool of volunteers, the quotas, the draws, the panel's life.

A panel belongs to a process (and to the phase that constitutes it). Staff choose the
categories the quotas bear on and the panel size; volunteers sign up (or are imported) with
one value per category; a draw, made from a seed published beforehand on a frozen and
pseudonymised copy of the pool, selects the members (``selection`` computes the fair
distribution and draws from it). Replacements are draws too. Members are invited, answer,
and take part in sessions whose attendance is recorded.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fabrique.processes.models import RESOURCE_FILE_EXTENSIONS, Phase, Process
from fabrique.territories.models import Basin, BasinGrouping, Commune


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Panel(models.Model):
    process = models.ForeignKey(
        Process, on_delete=models.CASCADE, related_name="panels", verbose_name=_("process")
    )
    phase = models.ForeignKey(
        Phase,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="panels",
        verbose_name=_("phase"),
        help_text=_("The phase during which the panel is constituted."),
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("short name in addresses"), max_length=100)
    description = models.TextField(
        _("presentation"),
        blank=True,
        help_text=_("What the panel will do, how often it meets, what members receive."),
    )
    size = models.PositiveSmallIntegerField(_("number of members"))
    tolerance = models.PositiveSmallIntegerField(
        _("tolerance (seats)"),
        default=1,
        help_text=_(
            "How many seats a quota may stray from the exact share of the population, "
            "either way. 0 asks for the rounded shares exactly."
        ),
    )
    signup_open = models.BooleanField(_("volunteer sign-up open"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["process", "pk"]
        verbose_name = _("citizen panel")
        verbose_name_plural = _("citizen panels")
        constraints = [
            models.UniqueConstraint(fields=["process", "slug"], name="unique_panel_slug"),
            models.CheckConstraint(condition=Q(size__gte=1), name="panel_size_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("panels:detail", args=[self.process.slug, self.slug])

    @property
    def current_draw(self) -> Draw | None:
        """The initial draw, once its seed is published."""
        return self.draws.filter(kind=Draw.Kind.INITIAL).order_by("-pk").first()


class Category(models.Model):
    """A characteristic the quotas bear on (gender, age band, commune…)."""

    class Kind(models.TextChoices):
        COMMUNE = "commune", _("Commune")
        BASIN = "basin", _("Basin")
        GENDER = "gender", _("Gender")
        AGE = "age", _("Age band")
        OCCUPATION = "occupation", _("Socio-professional category")
        EDUCATION = "education", _("Education")
        FREE = "free", _("Other")

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="categories")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    label = models.CharField(
        _("name"), max_length=100, help_text=_("As volunteers will read it, e.g. « Age band ».")
    )
    question = models.CharField(
        _("question"),
        max_length=200,
        blank=True,
        help_text=_("Asked on the sign-up form, e.g. « How old are you? »"),
    )
    why_asked = models.CharField(
        _("why it is asked"),
        max_length=300,
        help_text=_("Shown under the question: what the answer is used for."),
    )
    grouping = models.ForeignKey(
        BasinGrouping,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("grouping of communes"),
    )
    source = models.CharField(
        _("source of the shares"),
        max_length=300,
        blank=True,
        help_text=_("E.g. « INSEE, recensement 2021 ». Communes and basins use official data."),
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["panel", "position", "pk"]
        verbose_name = _("quota category")
        verbose_name_plural = _("quota categories")
        constraints = [
            models.UniqueConstraint(fields=["panel", "label"], name="unique_category_label"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def from_territory(self) -> bool:
        """Whether the shares come from the official populations of the territory."""
        return self.kind in (self.Kind.COMMUNE, self.Kind.BASIN)


class CategoryValue(models.Model):
    """One value of a category, with its population share and its quota."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="values")
    label = models.CharField(_("value"), max_length=100)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, null=True, blank=True)
    basin = models.ForeignKey(Basin, on_delete=models.PROTECT, null=True, blank=True)
    population_share = models.DecimalField(
        _("share of the population (%)"), max_digits=6, decimal_places=3, null=True, blank=True
    )
    min_count = models.PositiveSmallIntegerField(_("at least"), default=0)
    max_count = models.PositiveSmallIntegerField(_("at most"), default=0)
    adjusted = models.BooleanField(
        _("adjusted by hand"),
        default=False,
        help_text=_("Set when staff changed the computed minimum or maximum."),
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["category", "position", "pk"]
        verbose_name = _("value")
        verbose_name_plural = _("values")
        constraints = [
            models.UniqueConstraint(fields=["category", "label"], name="unique_value_label"),
            models.CheckConstraint(
                condition=Q(min_count__lte=models.F("max_count")), name="value_min_below_max"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class Volunteer(models.Model):
    """Someone in the pool: a volunteer who signed up, or a person imported by staff."""

    class Source(models.TextChoices):
        SIGNUP = "signup", _("Signed up")
        IMPORT = "import", _("Imported")

    class Status(models.TextChoices):
        POOL = "pool", _("In the pool")
        SELECTED = "selected", _("Drawn")
        ACCEPTED = "accepted", _("Member")
        DECLINED = "declined", _("Declined")
        LEFT = "left", _("Left the panel")
        WITHDRAWN = "withdrawn", _("Withdrew from the pool")

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="volunteers")
    number = models.PositiveIntegerField(
        _("number"), help_text=_("Gives the pseudonym published with the pool.")
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("telephone"), max_length=30, blank=True)
    commune = models.ForeignKey(
        Commune, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("commune")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="panel_volunteers",
    )
    values = models.ManyToManyField(CategoryValue, related_name="volunteers", blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.SIGNUP)
    consent_at = models.DateTimeField(_("consent given on"))
    confirmed_at = models.DateTimeField(_("e-mail confirmed on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.POOL
    )
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    invited_at = models.DateTimeField(_("invited on"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered on"), null=True, blank=True)
    status_note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["panel", "number"]
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        constraints = [
            models.UniqueConstraint(fields=["panel", "number"], name="unique_volunteer_number"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def pseudonym(self) -> str:
        return f"V{self.number:04d}"

    @property
    def in_draws(self) -> bool:
        """Whether the volunteer can be drawn: confirmed and still in the pool."""
        return self.confirmed_at is not None and self.status == self.Status.POOL

    @property
    def is_member(self) -> bool:
        return self.status in (self.Status.SELECTED, self.Status.ACCEPTED)


class Draw(models.Model):
    """A draw by lot, initial or to replace members, from a seed published beforehand.

    Publishing the seed freezes the pseudonymised pool and the quotas (``respondents_csv``,
    ``categories_csv``): anyone can recompute the draw from them and the seed.
    """

    class Kind(models.TextChoices):
        INITIAL = "initial", _("Draw of the panel")
        REPLACEMENT = "replacement", _("Replacement draw")

    class Status(models.TextChoices):
        SEED_PUBLISHED = "seed_published", _("Seed published, draw to come")
        RUNNING = "running", _("Drawing")
        DONE = "done", pgettext_lazy("state of a draw", "Done")
        FAILED = "failed", _("Failed")

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="draws")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.INITIAL)
    seats = models.PositiveSmallIntegerField(_("seats to fill"))
    seed = models.CharField(_("seed"), max_length=100)
    seed_published_at = models.DateTimeField(_("seed published on"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    respondents_csv = models.TextField(editable=False)
    categories_csv = models.TextField(editable=False)
    replaced = models.ManyToManyField(
        Volunteer, related_name="replaced_in", blank=True, verbose_name=_("members replaced")
    )
    relaxed = models.JSONField(
        default=list,
        blank=True,
        help_text=_("Quotas loosened because no panel could meet them (replacements)."),
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SEED_PUBLISHED)
    progress = models.PositiveSmallIntegerField(default=0)
    progress_note = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    min_probability = models.FloatField(null=True, blank=True)
    median_probability = models.FloatField(null=True, blank=True)
    gini = models.FloatField(null=True, blank=True)
    panels_in_support = models.PositiveIntegerField(null=True, blank=True)
    probabilities = models.JSONField(default=dict, blank=True)
    selected = models.JSONField(default=list, blank=True)
    problems = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["panel", "pk"]
        verbose_name = _("draw")
        verbose_name_plural = _("draws")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.seed}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class Session(models.Model):
    """A meeting of the panel, with its documents and attendance."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    description = models.TextField(_("programme"), blank=True)
    document = models.FileField(
        _("document"),
        upload_to="panels/sessions/",
        blank=True,
        validators=[FileExtensionValidator(RESOURCE_FILE_EXTENSIONS)],
    )
    attendees = models.ManyToManyField(Volunteer, related_name="sessions_attended", blank=True)

    class Meta:
        ordering = ["panel", "starts_at", "pk"]
        verbose_name = _("panel session")
        verbose_name_plural = _("panel sessions")

    def __str__(self) -> str:
        return self.title


class PoolImport(models.Model):
    """A spreadsheet being imported into the pool, between upload and column mapping."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="imports")
    file_name = models.CharField(max_length=200)
    rows = models.JSONField(help_text="The spreadsheet's rows as read, header first.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name
