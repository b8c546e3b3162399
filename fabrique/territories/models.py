from __future__ import annotations

from decimal import Decimal

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# Metropolitan France with Corsica; overseas territories set their own frame.
FRANCE_BOUNDS = (Decimal("41.3"), Decimal("-5.2"), Decimal("51.1"), Decimal("9.6"))

insee_code_validator = RegexValidator(
    r"^(\d{5}|2[AB]\d{3})$", _("An INSEE commune code has five characters, e.g. 71076 or 2A004.")
)
siren_validator = RegexValidator(r"^\d{9}$", _("A SIREN number has nine digits."))


class Commune(models.Model):
    """A French commune as published in the official geographic code.

    Communes are shared reference data: one row per INSEE code, whichever
    territories include it.
    """

    insee_code = models.CharField(
        _("INSEE code"), max_length=5, unique=True, validators=[insee_code_validator]
    )
    siren = models.CharField(_("SIREN"), max_length=9, blank=True)
    name = models.CharField(_("name"), max_length=200)
    population = models.PositiveIntegerField(_("population"), default=0)
    department_code = models.CharField(_("department"), max_length=3, blank=True)
    region_code = models.CharField(_("region"), max_length=3, blank=True)
    postal_codes = models.JSONField(_("postal codes"), default=list, blank=True)

    class Meta:
        ordering = ["name", "insee_code"]
        verbose_name = _("commune")
        verbose_name_plural = _("communes")

    def __str__(self) -> str:
        return f"{self.name} ({self.insee_code})"


class Territory(models.Model):
    """A local authority using the platform: an EPCI, or a single commune."""

    class Kind(models.TextChoices):
        EPCI = "epci", _("Intercommunal authority (EPCI)")
        COMMUNE = "commune", _("Commune")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name in addresses"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    official_code = models.CharField(
        _("official code"),
        max_length=9,
        unique=True,
        help_text=_("SIREN of the EPCI, or INSEE code of the commune."),
    )
    legal_form = models.CharField(
        _("legal form"), max_length=10, blank=True, help_text=_("CA, CC, CU, METRO…")
    )
    communes = models.ManyToManyField(
        Commune, related_name="territories", verbose_name=_("communes"), blank=True
    )
    domain = models.CharField(
        _("domain name"),
        max_length=200,
        blank=True,
        help_text=_("Host name under which this territory's site is served, if any."),
    )
    primary_color = models.CharField(
        _("primary colour"),
        max_length=7,
        default="#1d4e89",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("A colour such as #1d4e89."))],
    )
    logo = models.ImageField(_("logo"), upload_to="territories/logos/", blank=True)
    # The map's frame: points placed by people must fall inside it.
    map_south = models.DecimalField(
        _("south"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    map_west = models.DecimalField(_("west"), max_digits=8, decimal_places=5, null=True, blank=True)
    map_north = models.DecimalField(
        _("north"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    map_east = models.DecimalField(_("east"), max_digits=8, decimal_places=5, null=True, blank=True)
    imported_at = models.DateTimeField(_("last import"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("territory")
        verbose_name_plural = _("territories")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("territories:detail", kwargs={"slug": self.slug})

    @property
    def map_bounds(self) -> tuple[Decimal, Decimal, Decimal, Decimal]:
        """(south, west, north, east) of the territory's map; all of France when unset."""
        if None in (self.map_south, self.map_west, self.map_north, self.map_east):
            return FRANCE_BOUNDS
        return (self.map_south, self.map_west, self.map_north, self.map_east)  # type: ignore[return-value]

    @property
    def population(self) -> int:
        total = self.communes.aggregate(total=Sum("population"))["total"]
        return int(total or 0)


class BasinGrouping(models.Model):
    """A way of cutting a territory into groups of communes (life basins, sectors…)."""

    territory = models.ForeignKey(
        Territory, on_delete=models.CASCADE, related_name="groupings", verbose_name=_("territory")
    )
    name = models.CharField(_("name"), max_length=120, default=_("Life basins"))
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["territory", "name"]
        verbose_name = _("grouping of communes")
        verbose_name_plural = _("groupings of communes")
        constraints = [
            models.UniqueConstraint(fields=["territory", "name"], name="unique_grouping_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} — {self.territory}"


class Basin(models.Model):
    """A named group of a territory's communes within one grouping."""

    grouping = models.ForeignKey(
        BasinGrouping, on_delete=models.CASCADE, related_name="basins", verbose_name=_("grouping")
    )
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["grouping", "position", "name"]
        verbose_name = _("basin")
        verbose_name_plural = _("basins")
        constraints = [
            models.UniqueConstraint(fields=["grouping", "name"], name="unique_basin_name")
        ]

    def __str__(self) -> str:
        return self.name


class BasinMembership(models.Model):
    """A commune's place in one basin; a commune is in at most one basin per grouping."""

    grouping = models.ForeignKey(BasinGrouping, on_delete=models.CASCADE, related_name="+")
    basin = models.ForeignKey(Basin, on_delete=models.CASCADE, related_name="memberships")
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="+")
    note = models.CharField(
        _("note"),
        max_length=255,
        blank=True,
        help_text=_("Where the assignment comes from, e.g. when it is a best guess."),
    )

    class Meta:
        ordering = ["basin", "commune__name"]
        verbose_name = _("commune in a basin")
        verbose_name_plural = _("communes in basins")
        constraints = [
            models.UniqueConstraint(
                fields=["grouping", "commune"], name="one_basin_per_commune_per_grouping"
            )
        ]

    def __str__(self) -> str:
        return f"{self.commune} → {self.basin}"


class LegalPage(models.Model):
    """The legal texts a territory publishes: legal notice, personal data, accessibility."""

    class Kind(models.TextChoices):
        LEGAL_NOTICE = "mentions-legales", _("Legal notice")
        PERSONAL_DATA = "donnees-personnelles", _("Personal data")
        ACCESSIBILITY = "accessibilite", _("Accessibility")

    territory = models.ForeignKey(
        Territory, on_delete=models.CASCADE, related_name="legal_pages", verbose_name=_("territory")
    )
    kind = models.CharField(_("page"), max_length=30, choices=Kind.choices)
    body = models.TextField(_("text"), blank=True)
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)

    class Meta:
        ordering = ["territory", "kind"]
        verbose_name = _("legal page")
        verbose_name_plural = _("legal pages")
        constraints = [
            models.UniqueConstraint(fields=["territory", "kind"], name="one_legal_page_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.territory}"

    def get_absolute_url(self) -> str:
        return reverse("legal_page", kwargs={"kind": self.kind})
