"""Business rules of citizen panels: quotas, the pool, seeds and draws, replacements.

Views, commands, the demo and the task worker all call these. The fair distribution itself
is computed by ``selection`` (pure, no database).
"""

from __future__ import annotations

import csv
import io
import math
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fabrique.accounts.models import User
from fabrique.processes.models import ParticipationMode, Process
from fabrique.territories.models import BasinGrouping, BasinMembership, Commune

from . import explain
from .models import Category, CategoryValue, Draw, Panel, Volunteer
from .selection.draw import draw_panel, remaining_quotas
from .selection.errors import QuotaRelaxation, SelectionError
from .selection.feasibility import check_feasibility, minimal_relaxation, relaxed_categories
from .selection.instance import Instance, Quota, load_instance
from .selection.pairs import pair_conflicts
from .selection.results import results_csv

# Quotas: each value gets at least ⌊share × size⌋ − tolerance seats and at most
# ⌈share × size⌉ + tolerance, within 0 … size (see ``quota_bounds``).
SEED_MAX_LENGTH = 100


# --- Panels and quotas ------------------------------------------------------------------


def panel_save(
    *,
    process: Process,
    title: str,
    size: int,
    tolerance: int = 1,
    description: str = "",
    phase: Any = None,
    signup_open: bool = False,
    panel: Panel | None = None,
) -> Panel:
    if size < 1:
        raise ValidationError({"size": _("A panel has at least one member.")})
    if phase is not None and phase.process_id != process.pk:
        raise ValidationError({"phase": _("Choose a phase of this process.")})
    if panel is not None and panel.draws.exists() and size != panel.size:
        raise ValidationError(
            {"size": _("The size cannot change once a draw's seed is published.")}
        )
    creating = panel is None
    panel = panel or Panel(process=process)
    panel.title, panel.size, panel.tolerance = title.strip(), size, tolerance
    panel.description, panel.phase, panel.signup_open = description, phase, signup_open
    if creating:
        base = slugify(title)[:90] or "panel"
        slug, n = base, 2
        while Panel.objects.filter(process=process, slug=slug).exists():
            slug, n = f"{base}-{n}", n + 1
        panel.slug = slug
    panel.save()
    if not creating:
        quotas_compute(panel)
    return panel


def quota_bounds(share_percent: Decimal | None, size: int, tolerance: int) -> tuple[int, int]:
    """(at least, at most) seats for a value that is ``share_percent`` % of the population.

    The exact share of seats, ``share × size``, is rounded down for the minimum and up for
    the maximum, then widened by the tolerance, within 0 … size. Without a known share the
    value is free: 0 … size.
    """
    if share_percent is None:
        return 0, size
    exact = Decimal(share_percent) * size / 100
    low = max(0, math.floor(exact) - tolerance)
    high = min(size, math.ceil(exact) + tolerance)
    return low, high


def quotas_compute(panel: Panel) -> None:
    """Recompute the minimum and maximum of every value not adjusted by hand."""
    _check_unlocked(panel)
    for value in CategoryValue.objects.filter(category__panel=panel, adjusted=False):
        value.min_count, value.max_count = quota_bounds(
            value.population_share, panel.size, panel.tolerance
        )
        value.save(update_fields=["min_count", "max_count"])


def _check_unlocked(panel: Panel) -> None:
    if panel.draws.exists():
        raise ValidationError(
            _("The quotas are locked: the seed of a draw has been published with them.")
        )


@dataclass(frozen=True)
class ValueShare:
    label: str
    share: Decimal | None


def parse_value_lines(text: str) -> list[ValueShare]:
    """Values typed one per line, « label ; share % » (the share is optional):

    Femme ; 52,1
    Homme ; 47,9
    """
    values: list[ValueShare] = []
    errors: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        label, _sep, share_text = line.partition(";")
        label = label.strip()
        share_text = share_text.strip().rstrip("%").strip().replace(",", ".")
        share: Decimal | None = None
        if share_text:
            try:
                share = Decimal(share_text)
            except ArithmeticError:
                share = None
            if share is None or not (0 <= share <= 100):
                errors.append(
                    _("Line %(n)d: « %(share)s » is not a share between 0 and 100.")
                    % {"n": number, "share": share_text}
                )
                continue
        if not label:
            errors.append(_("Line %(n)d: the value has no name.") % {"n": number})
            continue
        values.append(ValueShare(label[:100], share))
    labels = [v.label.casefold() for v in values]
    for label in {x for x in labels if labels.count(x) > 1}:
        errors.append(_("« %(value)s » is given twice.") % {"value": label})
    if (not values and not errors) or len(values) == 1:
        errors.append(_("Give at least two values, one per line."))
    total = sum((v.share for v in values if v.share is not None), Decimal(0))
    if total > Decimal("100.5"):
        errors.append(_("The shares add up to %(total)s %%, more than 100 %%.") % {"total": total})
    if errors:
        raise ValidationError({"values": errors})
    return values


@transaction.atomic
def category_add(
    *,
    panel: Panel,
    kind: str,
    label: str,
    why_asked: str,
    question: str = "",
    source: str = "",
    grouping: BasinGrouping | None = None,
    values: Sequence[ValueShare] = (),
) -> Category:
    """Add a quota category. Communes and basins take their values and shares from the
    territory's official populations; other kinds take the values staff typed."""
    panel = Panel.objects.select_for_update().get(pk=panel.pk)
    _check_unlocked(panel)
    if panel.volunteers.exists():
        raise ValidationError(
            _(
                "Volunteers are already in the pool and were not asked this question: add the "
                "categories before opening the sign-up or importing people."
            )
        )
    if panel.categories.filter(label__iexact=label.strip()).exists():
        raise ValidationError({"label": _("The panel already has a category of that name.")})
    territory = panel.process.territory
    shares: list[tuple[str, Decimal | None, dict[str, Any]]]
    if kind == Category.Kind.COMMUNE:
        communes = list(territory.communes.order_by("name"))
        total = sum(c.population for c in communes) or 1
        shares = [(c.name, Decimal(100 * c.population) / total, {"commune": c}) for c in communes]
        source = source or _("Official populations of the communes")
    elif kind == Category.Kind.BASIN:
        if grouping is None or grouping.territory_id != territory.pk:
            raise ValidationError({"grouping": _("Choose a grouping of this territory.")})
        basins = list(
            grouping.basins.annotate(people=Sum("memberships__commune__population")).order_by(
                "position", "name"
            )
        )
        if not basins:
            raise ValidationError({"grouping": _("This grouping has no basin yet.")})
        total = sum(b.people or 0 for b in basins) or 1
        shares = [(b.name, Decimal(100 * (b.people or 0)) / total, {"basin": b}) for b in basins]
        source = source or _("Official populations of the communes")
    else:
        if len(values) < 2:
            raise ValidationError({"values": _("Give at least two values, one per line.")})
        shares = [(v.label, v.share, {}) for v in values]
    category = Category.objects.create(
        panel=panel,
        kind=kind,
        label=label.strip(),
        question=question.strip(),
        why_asked=why_asked.strip(),
        source=source.strip(),
        grouping=grouping if kind == Category.Kind.BASIN else None,
        position=panel.categories.count(),
    )
    for position, (value_label, share, link) in enumerate(shares):
        share = None if share is None else round(share, 3)
        low, high = quota_bounds(share, panel.size, panel.tolerance)
        CategoryValue.objects.create(
            category=category,
            label=value_label,
            population_share=share,
            min_count=low,
            max_count=high,
            position=position,
            **link,
        )
    return category


def category_delete(*, category: Category) -> None:
    _check_unlocked(category.panel)
    category.delete()


def value_quota_set(*, value: CategoryValue, min_count: int, max_count: int) -> CategoryValue:
    """Staff adjust a computed quota by hand."""
    panel = value.category.panel
    _check_unlocked(panel)
    if min_count < 0 or max_count < 0:
        raise ValidationError(_("Quotas are zero or more."))
    if min_count > max_count:
        raise ValidationError(
            _("« %(value)s »: the minimum (%(min)d) is above the maximum (%(max)d).")
            % {"value": value.label, "min": min_count, "max": max_count}
        )
    if min_count > panel.size:
        raise ValidationError(
            _("« %(value)s »: the minimum is above the panel size (%(size)d).")
            % {"value": value.label, "size": panel.size}
        )
    value.min_count, value.max_count, value.adjusted = min_count, max_count, True
    value.save(update_fields=["min_count", "max_count", "adjusted"])
    return value


def quotas_reset(*, panel: Panel) -> None:
    """Forget the adjustments: back to the computed quotas."""
    _check_unlocked(panel)
    CategoryValue.objects.filter(category__panel=panel).update(adjusted=False)
    quotas_compute(panel)


# --- The pool ---------------------------------------------------------------------------


def normalise_phone(phone: str) -> str:
    """Digits only, French numbers in their national form: « +33 6 12… » → « 0612… »."""
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("33") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits


def find_duplicate(panel: Panel, *, email: str, phone: str) -> Volunteer | None:
    """A volunteer of the panel with the same e-mail address or telephone number."""
    match = Q(pk__in=[])
    if email.strip():
        match |= Q(email__iexact=email.strip())
    number = normalise_phone(phone)
    if number:
        candidates = panel.volunteers.exclude(phone="").values_list("pk", "phone")
        same = [pk for pk, other in candidates if normalise_phone(other) == number]
        match |= Q(pk__in=same)
    return panel.volunteers.filter(match).first()


@dataclass
class VolunteerData:
    """What is known of a person joining the pool, checked by ``volunteer_values``."""

    first_name: str
    last_name: str
    email: str = ""
    phone: str = ""
    commune: Commune | None = None
    answers: dict[int, CategoryValue] = field(default_factory=dict)  # category pk → value
    user: User | None = None


class PoolRules:
    """What a panel asks of the people joining its pool, read once from the database: its
    categories and values, the territory's communes, and which value each commune gives for
    the commune and basin categories. Checking thousands of rows of an import costs no more
    queries than checking one."""

    def __init__(self, panel: Panel) -> None:
        self.categories = list(panel.categories.prefetch_related("values"))
        self.territorial = any(c.from_territory for c in self.categories)
        self.commune_ids = set(
            panel.process.territory.communes.values_list("pk", flat=True)
        ) if self.territorial else set()  # fmt: skip
        # category pk → commune pk → value
        self.by_commune: dict[int, dict[int, CategoryValue]] = {}
        for category in self.categories:
            if category.kind == Category.Kind.COMMUNE:
                self.by_commune[category.pk] = {
                    v.commune_id: v for v in category.values.all() if v.commune_id
                }
            elif category.kind == Category.Kind.BASIN:
                by_basin = {v.basin_id: v for v in category.values.all() if v.basin_id}
                self.by_commune[category.pk] = {
                    commune: by_basin[basin]
                    for commune, basin in BasinMembership.objects.filter(
                        grouping=category.grouping
                    ).values_list("commune_id", "basin_id")
                    if basin in by_basin
                }

    def errors(self, data: VolunteerData) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}

        def add(name: str, message: str) -> None:
            errors.setdefault(name, []).append(message)

        if not data.first_name.strip():
            add("first_name", _("Give a first name."))
        if not data.last_name.strip():
            add("last_name", _("Give a last name."))
        if data.email.strip():
            try:
                validate_email(data.email.strip())
            except ValidationError:
                add("email", _("« %(email)s » is not an e-mail address.") % {"email": data.email})
        if not data.email.strip() and not normalise_phone(data.phone):
            add("email", _("Give an e-mail address or a telephone number, to be reached."))
        if data.phone.strip() and not 9 <= len(normalise_phone(data.phone)) <= 15:
            add("phone", _("« %(phone)s » is not a telephone number.") % {"phone": data.phone})
        if self.territorial:
            if data.commune is None:
                add("commune", _("Give the commune of residence."))
            elif data.commune.pk not in self.commune_ids:
                add(
                    "commune", _("%(commune)s is not in the territory.") % {"commune": data.commune}
                )
        for category in self.categories:
            if category.from_territory:
                continue
            value = data.answers.get(category.pk)
            if value is None:
                add(f"category-{category.pk}", _("Answer this question."))
            elif value.category_id != category.pk:
                add(f"category-{category.pk}", _("Choose one of the answers offered."))
        return errors

    def values(self, data: VolunteerData) -> list[CategoryValue]:
        """One value per category: communes and basins follow from the commune."""
        values: list[CategoryValue] = []
        for category in self.categories:
            if category.from_territory:
                commune = data.commune.pk if data.commune else None
                value = self.by_commune[category.pk].get(commune) if commune else None
            else:
                value = data.answers.get(category.pk)
            if value is None:
                raise ValidationError(
                    {"commune": _("%(commune)s is in no basin of « %(category)s ».")
                     % {"commune": data.commune, "category": category.label}}
                )  # fmt: skip
            values.append(value)
        return values


def volunteer_errors(
    panel: Panel, data: VolunteerData, rules: PoolRules | None = None
) -> dict[str, list[str]]:
    """Everything wrong with ``data`` for this panel, by field (``category-<pk>`` for an
    answer), without writing anything. Pass ``rules`` when checking many."""
    return (rules or PoolRules(panel)).errors(data)


def volunteer_values(
    panel: Panel, data: VolunteerData, rules: PoolRules | None = None
) -> list[CategoryValue]:
    """One value per category: communes and basins follow from the commune."""
    return (rules or PoolRules(panel)).values(data)


@transaction.atomic
def volunteers_create(
    *, panel: Panel, people: Iterable[VolunteerData], source: str, confirmed: bool
) -> list[Volunteer]:
    """Add people to the pool, numbered in order (their pseudonyms). Every one is checked
    first; on any error nothing is written."""
    panel = Panel.objects.select_for_update().get(pk=panel.pk)
    rules = PoolRules(panel)
    people = list(people)
    values = []
    for data in people:
        errors = rules.errors(data)
        if errors:
            raise ValidationError(errors)
        values.append(rules.values(data))
    number = (panel.volunteers.aggregate(n=Max("number"))["n"] or 0) + 1
    now = timezone.now()
    created = Volunteer.objects.bulk_create(
        [
            Volunteer(
                panel=panel,
                number=number + i,
                first_name=data.first_name.strip()[:100],
                last_name=data.last_name.strip()[:100],
                email=data.email.strip().lower(),
                phone=data.phone.strip(),
                commune=data.commune,
                user=data.user,
                source=source,
                consent_at=now,
                confirmed_at=now if confirmed else None,
            )
            for i, data in enumerate(people)
        ],
        batch_size=500,
    )
    if any(v.pk is None for v in created):  # databases that return no ids
        by_number = dict(panel.volunteers.filter(number__gte=number).values_list("number", "pk"))
        for volunteer in created:
            volunteer.pk = by_number[volunteer.number]
    Through = Volunteer.values.through
    Through.objects.bulk_create(
        [
            Through(volunteer_id=volunteer.pk, categoryvalue_id=value.pk)
            for volunteer, chosen in zip(created, values, strict=True)
            for value in chosen
        ],
        batch_size=1000,
    )
    return created


def signup_is_open(panel: Panel) -> bool:
    """Sign-up takes volunteers when staff opened it, while no draw is published, and
    while the panel's phase (if any) opens the panel mode."""
    if not panel.signup_open or panel.draws.exists() or not panel.categories.exists():
        return False
    if panel.phase is not None:
        return panel.phase.opens(ParticipationMode.PANEL)
    return panel.process.status == Process.Status.PUBLISHED


def volunteer_signup(*, panel: Panel, data: VolunteerData) -> Volunteer:
    """A volunteer signs up on the public form; they confirm their address by e-mail."""
    if not signup_is_open(panel):
        raise ValidationError(_("Sign-up for this panel is closed."))
    if find_duplicate(panel, email=data.email, phone=data.phone) is not None:
        raise ValidationError(
            {"email": _("Someone already signed up with this address or number.")}
        )
    (volunteer,) = volunteers_create(
        panel=panel, people=[data], source=Volunteer.Source.SIGNUP, confirmed=False
    )
    return volunteer


def volunteer_confirm(*, volunteer: Volunteer) -> Volunteer:
    if volunteer.confirmed_at is None:
        volunteer.confirmed_at = timezone.now()
        volunteer.save(update_fields=["confirmed_at"])
    return volunteer


def volunteer_withdraw(*, volunteer: Volunteer) -> Volunteer:
    """A volunteer leaves the pool: their name and contact details are erased at once; the
    pseudonym and answers stay in the published copies of the pool drawn from."""
    if volunteer.is_member:
        volunteer.status = Volunteer.Status.LEFT
    elif volunteer.status == Volunteer.Status.POOL:
        volunteer.status = Volunteer.Status.WITHDRAWN
    volunteer.first_name = volunteer.last_name = "—"
    volunteer.email = volunteer.phone = ""
    volunteer.user = None
    volunteer.save()
    return volunteer


def _drawable(panel: Panel) -> QuerySet[Volunteer]:
    return panel.volunteers.filter(status=Volunteer.Status.POOL, confirmed_at__isnull=False)


def drawable(panel: Panel) -> list[Volunteer]:
    """The volunteers a draw may pick: confirmed and in the pool, by number."""
    return list(_drawable(panel).prefetch_related("values").order_by("number"))


def drawable_count(panel: Panel) -> int:
    return _drawable(panel).count()


@dataclass(frozen=True)
class ValueMakeup:
    value: CategoryValue
    volunteers: int
    pool_percent: float
    members: int


def pool_makeup(panel: Panel) -> list[tuple[Category, list[ValueMakeup]]]:
    """For each category, each value: volunteers who can be drawn, their share of the pool
    beside the population's, and members drawn so far."""
    categories = list(panel.categories.prefetch_related("values"))
    in_pool = Q(volunteers__status=Volunteer.Status.POOL, volunteers__confirmed_at__isnull=False)
    drawn = Q(volunteers__status__in=[Volunteer.Status.SELECTED, Volunteer.Status.ACCEPTED])
    figures = {
        pk: (n, m)
        for pk, n, m in CategoryValue.objects.filter(category__panel=panel)
        .annotate(n=Count("volunteers", filter=in_pool), m=Count("volunteers", filter=drawn))
        .values_list("pk", "n", "m")
    }
    pool = max(1, drawable_count(panel))

    def makeup(value: CategoryValue) -> ValueMakeup:
        n, m = figures.get(value.pk, (0, 0))
        return ValueMakeup(value, n, 100 * n / pool, m)

    return [(c, [makeup(v) for v in c.values.all()]) for c in categories]


# --- Files anyone can recompute a draw from ----------------------------------------------


@dataclass(frozen=True)
class PoolFiles:
    respondents_csv: str
    categories_csv: str


def pool_files(panel: Panel, volunteers: Sequence[Volunteer]) -> PoolFiles:
    """The pseudonymised pool (``id`` + one column per category) and the quotas
    (``feature,value,min,max``), in the format ``draw_panel`` reads."""
    categories = list(panel.categories.prefetch_related("values"))
    people = io.StringIO()
    writer = csv.writer(people, lineterminator="\n")
    writer.writerow(["id", *[c.label for c in categories]])
    for volunteer in volunteers:
        chosen = {v.category_id: v.label for v in volunteer.values.all()}
        writer.writerow([volunteer.pseudonym, *[chosen.get(c.pk, "") for c in categories]])
    quotas = {
        c.label: {v.label: Quota(v.min_count, v.max_count) for v in c.values.all()}
        for c in categories
    }
    return PoolFiles(people.getvalue(), _features_csv(quotas))


def instance_files(instance: Instance) -> PoolFiles:
    """The files of an instance (a part of the pool, other quotas), as ``pool_files``."""
    people = io.StringIO()
    writer = csv.writer(people, lineterminator="\n")
    writer.writerow(["id", *instance.category_names])
    for person in instance.people:
        writer.writerow([person, *instance.values[person]])
    return PoolFiles(people.getvalue(), _features_csv(instance.categories))


def _features_csv(quotas: Mapping[str, Mapping[str, Quota]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["feature", "value", "min", "max"])
    for category, values in quotas.items():
        for value, quota in values.items():
            writer.writerow([category, value, quota.min, quota.max])
    return out.getvalue()


def instance_from_files(files: PoolFiles) -> Instance:
    """Read the files exactly as the command line does."""
    with tempfile.TemporaryDirectory() as folder:
        people, features = Path(folder, "people.csv"), Path(folder, "features.csv")
        people.write_text(files.respondents_csv, encoding="utf-8")
        features.write_text(files.categories_csv, encoding="utf-8")
        return load_instance(people, features)


def feasibility(panel: Panel) -> list[str]:
    """Why no panel can meet the quotas with this pool, in words; empty when one can."""
    volunteers = drawable(panel)
    if not panel.categories.exists():
        return [_("Choose at least one quota category first.")]
    try:
        instance = instance_from_files(pool_files(panel, volunteers))
        problems = check_feasibility(instance, panel.size)
    except SelectionError as error:
        return [explain.problem(p) for p in error.problems]
    if problems:
        # Why, in the terms of two categories, before how to relax the quotas.
        simple = [p for p in problems if not isinstance(p, QuotaRelaxation)]
        relax = [p for p in problems if isinstance(p, QuotaRelaxation)]
        problems = [*simple, *pair_conflicts(instance), *relax]
    return [explain.problem(p) for p in problems]


# --- Seeds and draws ---------------------------------------------------------------------


def _check_seed(seed: str) -> str:
    seed = seed.strip()
    if not seed:
        raise ValidationError({"seed": _("Type the seed: numbers drawn in public, say.")})
    if len(seed) > SEED_MAX_LENGTH:
        raise ValidationError(
            {"seed": _("The seed is %(n)d characters at most.") % {"n": SEED_MAX_LENGTH}}
        )
    return seed


@transaction.atomic
def seed_publish(*, panel: Panel, seed: str, by: User | None) -> Draw:
    """Publish the seed of the panel's draw: the pool and the quotas are frozen with it
    (pseudonymised) and nothing of them can change afterwards."""
    panel = Panel.objects.select_for_update().get(pk=panel.pk)
    seed = _check_seed(seed)
    if panel.draws.filter(kind=Draw.Kind.INITIAL).exists():
        raise ValidationError(
            _("The seed of this panel's draw is published: it can no longer change.")
        )
    problems = feasibility(panel)
    if problems:
        raise ValidationError(problems)
    files = pool_files(panel, drawable(panel))
    return Draw.objects.create(
        panel=panel,
        kind=Draw.Kind.INITIAL,
        seats=panel.size,
        seed=seed,
        seed_published_at=timezone.now(),
        published_by=by,
        respondents_csv=files.respondents_csv,
        categories_csv=files.categories_csv,
    )


def members(panel: Panel) -> list[Volunteer]:
    return list(
        panel.volunteers.filter(
            status__in=[Volunteer.Status.SELECTED, Volunteer.Status.ACCEPTED]
        ).prefetch_related("values")
    )


@transaction.atomic
def replacement_seed_publish(*, panel: Panel, seed: str, by: User | None) -> Draw:
    """Publish the seed of a draw that fills the seats left by members who declined or left.
    Its quotas are what the remaining members leave to fill; where no choice of volunteers
    can meet them, they are loosened as little as possible (said on the draw)."""
    panel = Panel.objects.select_for_update().get(pk=panel.pk)
    seed = _check_seed(seed)
    if panel.draws.exclude(status__in=[Draw.Status.DONE, Draw.Status.FAILED]).exists():
        raise ValidationError(_("Another draw is not finished yet."))
    if not panel.draws.filter(kind=Draw.Kind.INITIAL, status=Draw.Status.DONE).exists():
        raise ValidationError(_("Replacements come after the panel's draw."))
    staying = members(panel)
    seats = panel.size - len(staying)
    if seats <= 0:
        raise ValidationError(_("The panel is complete: nobody to replace."))
    pool = drawable(panel)
    if len(pool) < seats:
        raise ValidationError(
            ngettext(
                "Only %(n)d volunteer can still be drawn, for %(seats)d seats.",
                "Only %(n)d volunteers can still be drawn, for %(seats)d seats.",
                len(pool),
            )
            % {"n": len(pool), "seats": seats}
        )
    # The engine's own rules: the quotas the staying members leave to fill, loosened as
    # little as possible when no choice among the pool meets them.
    everyone = instance_from_files(pool_files(panel, [*staying, *pool]))
    available = [v.pseudonym for v in pool]
    sub = everyone.restricted(available, remaining_quotas(everyone, [m.pseudonym for m in staying]))
    relaxations = minimal_relaxation(sub, seats) if check_feasibility(sub, seats) else []
    if relaxations:
        sub = sub.restricted(available, relaxed_categories(sub, relaxations))
    files = instance_files(sub)
    relaxed = [explain.problem(change) for change in relaxations]
    draw = Draw.objects.create(
        panel=panel,
        kind=Draw.Kind.REPLACEMENT,
        seats=seats,
        seed=seed,
        seed_published_at=timezone.now(),
        published_by=by,
        respondents_csv=files.respondents_csv,
        categories_csv=files.categories_csv,
        relaxed=relaxed,
    )
    draw.replaced.set(
        panel.volunteers.filter(
            status__in=[Volunteer.Status.DECLINED, Volunteer.Status.LEFT], replaced_in=None
        )
    )
    return draw


def draw_run(*, draw: Draw, progress: Callable[[float, str], None] | None = None) -> Draw:
    """Compute the fair distribution over the frozen pool and draw from it with the
    published seed; the selected volunteers become members-to-be (``selected``)."""
    claimed = Draw.objects.filter(pk=draw.pk, status=Draw.Status.SEED_PUBLISHED).update(
        status=Draw.Status.RUNNING, started_at=timezone.now(), progress=0
    )
    if not claimed:
        draw.refresh_from_db()
        return draw  # already run, or running elsewhere

    last_saved = [0.0]

    def report(fraction: float, note: str) -> None:
        now = time.monotonic()
        if now - last_saved[0] >= 0.5 or fraction >= 1:
            last_saved[0] = now
            Draw.objects.filter(pk=draw.pk).update(
                progress=min(99, int(fraction * 100)), progress_note=note[:200]
            )
        if progress is not None:
            progress(fraction, note)

    started = time.perf_counter()
    try:
        instance = instance_from_files(PoolFiles(draw.respondents_csv, draw.categories_csv))
        result = draw_panel(instance, draw.seats, draw.seed, progress=report)
    except SelectionError as error:
        Draw.objects.filter(pk=draw.pk).update(
            status=Draw.Status.FAILED,
            finished_at=timezone.now(),
            problems=[explain.problem(p) for p in error.problems],
        )
        draw.refresh_from_db()
        return draw
    distribution = result.distribution
    with transaction.atomic():
        draw = Draw.objects.select_for_update().get(pk=draw.pk)
        draw.status = Draw.Status.DONE
        draw.progress = 100
        draw.finished_at = timezone.now()
        draw.seconds = round(time.perf_counter() - started, 3)
        draw.probabilities = dict(distribution.probabilities)  # in the order of the pool
        draw.min_probability = distribution.minimum
        draw.median_probability = distribution.median
        draw.gini = distribution.gini
        draw.panels_in_support = len(distribution.panels)
        draw.selected = list(result.selected)
        draw.save()
        numbers = [int(pseudonym[1:]) for pseudonym in result.selected]
        draw.panel.volunteers.filter(number__in=numbers, status=Volunteer.Status.POOL).update(
            status=Volunteer.Status.SELECTED
        )
    return draw


def member_release(*, volunteer: Volunteer, status: str, note: str = "") -> Volunteer:
    """A member declines or leaves: their seat is to be filled by a replacement draw."""
    if status not in (Volunteer.Status.DECLINED, Volunteer.Status.LEFT):
        raise ValidationError(_("Only a refusal or a departure can be recorded here."))
    if not volunteer.is_member:
        raise ValidationError(_("Only a member of the panel can decline or leave it."))
    volunteer.status, volunteer.status_note = status, note[:300]
    volunteer.answered_at = volunteer.answered_at or timezone.now()
    volunteer.save(update_fields=["status", "status_note", "answered_at"])
    return volunteer


def volunteer_confirmation_send(*, volunteer: Volunteer) -> None:
    """E-mail the link that confirms a sign-up (and lets the volunteer withdraw)."""
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.urls import reverse

    from fabrique.core.urls import absolute_url

    if not volunteer.email:
        return
    panel = volunteer.panel
    body = render_to_string(
        "panels/email/confirm.txt",
        {
            "volunteer": volunteer,
            "panel": panel,
            "confirm_url": absolute_url(reverse("panels:confirm", args=[volunteer.token])),
            "panel_url": absolute_url(panel.get_absolute_url()),
        },
    )
    subject = _("[%(process)s] Confirm your sign-up for the citizen panel") % {
        "process": panel.process.title
    }
    send_mail(subject, body, None, [volunteer.email])


def draw_result_csv(draw: Draw) -> str:
    """Each volunteer of the frozen pool with their chance of being drawn and whether they
    were: byte for byte what ``manage.py draw_panel`` writes for the same files and seed."""
    rows = csv.reader(io.StringIO(draw.respondents_csv))
    next(rows)  # the header
    people = [row[0] for row in rows if row]  # in the order of the pool file
    return results_csv(people, draw.probabilities, draw.selected)
