"""Importing people into a panel's pool from a spreadsheet (.csv or .xlsx), in two steps.

1. :func:`pool_import_read` reads the file and keeps its rows (a ``PoolImport``).
2. Staff say which column holds what — guessed from the column names to start with — and
   confirm that the people agreed to be in the pool; :func:`pool_import_apply` then checks
   every line and adds everyone, or, if a single line is faulty, nobody: every faulty line
   is reported with its number as the spreadsheet shows it and the name of its column.

The rules on a person are those of the sign-up (``services.volunteer_errors``); this module
only turns cells into what those rules read, and finds duplicates by e-mail or telephone,
inside the file and against the pool.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fabrique.accounts.models import User
from fabrique.core.db import fold
from fabrique.core.tabular import ACCEPT, MAX_BYTES, MAX_ROWS, check_size, read_table
from fabrique.territories.models import Commune
from fabrique.territories.selectors import find_commune

from . import services
from .models import Category, CategoryValue, Panel, PoolImport, Volunteer

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Files read but never imported hold people's names and addresses: they are deleted after
# this long (whenever another file is read).
UNFINISHED_IMPORT_DAYS = 7
PREVIEW_ROWS = 5

# Column names each field is guessed from, compared without accents, case or punctuation.
FIELD_NAMES = {
    "first_name": ("prenom", "prenoms", "prenom usuel", "first name", "firstname", "given name"),
    "last_name": (
        "nom", "nom de famille", "nom d usage", "nom de naissance", "last name", "lastname",
        "surname", "family name",
    ),
    "email": (
        "courriel", "email", "mail", "mel", "adresse mail", "adresse email",
        "adresse electronique", "adresse courriel",
    ),
    "phone": (
        "telephone", "tel", "portable", "mobile", "numero de telephone", "phone",
        "telephone portable",
    ),
    "commune": (
        "commune", "ville", "localite", "commune de residence", "code insee", "insee",
        "city", "town",
    ),
}  # fmt: skip
KIND_NAMES: dict[str, tuple[str, ...]] = {
    Category.Kind.GENDER: ("genre", "sexe", "gender", "sex"),
    Category.Kind.AGE: ("age", "tranche d age", "classe d age", "age band"),
    Category.Kind.OCCUPATION: (
        "csp", "pcs", "profession", "categorie socio professionnelle",
        "categorie socioprofessionnelle", "activite",
    ),
    Category.Kind.EDUCATION: ("diplome", "niveau d etudes", "niveau de diplome", "education"),
}  # fmt: skip


def name_key(text: str) -> str:
    """Text folded for comparison: no accents, lower case, words separated by one space:
    « Tranche d'âge » → « tranche d age », « E-mail » → « e mail »."""
    return " ".join(word for word in re.split(r"[\W_]+", fold(text) or "") if word)


# --- What the file's columns can feed ---------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A field of the pool that a column of the file can feed."""

    key: str  # a form field's name: « first_name », « category-12 »…
    label: StrOrPromise
    required: bool
    help: StrOrPromise = ""
    category: Category | None = None
    names: tuple[str, ...] = ()  # column names it is guessed from


def import_targets(panel: Panel) -> list[Target]:
    """The fields of the pool, in order: contact details, then the commune when a quota
    category follows from it (commune, basin), then each other category."""
    categories = list(panel.categories.prefetch_related("values"))
    territorial = [c for c in categories if c.from_territory]
    either = _("Each person needs an e-mail address or a telephone number.")
    phone_help = _("With or without spaces: 06 12 34 56 78, +33 6 12 34 56 78. %(either)s") % {
        "either": either
    }
    if territorial:
        commune_help = _("Its name or its INSEE code. It gives: %(categories)s.") % {
            "categories": ", ".join(c.label for c in territorial)
        }
    else:
        commune_help = _("Its name or its INSEE code, if you have it.")
    targets = [
        Target("first_name", _("First name"), True, names=FIELD_NAMES["first_name"]),
        Target("last_name", _("Last name"), True, names=FIELD_NAMES["last_name"]),
        Target("email", _("E-mail address"), False, either, names=FIELD_NAMES["email"]),
        Target("phone", _("Telephone"), False, phone_help, names=FIELD_NAMES["phone"]),
        Target(
            "commune",
            _("Commune"),
            bool(territorial),
            commune_help,
            names=FIELD_NAMES["commune"],
        ),
    ]
    for category in categories:
        if category.from_territory:
            continue
        targets.append(
            Target(
                f"category-{category.pk}",
                category.label,
                True,
                _("Written as one of: %(values)s.")
                % {"values": ", ".join(f"« {v.label} »" for v in category.values.all())},
                category=category,
                names=(category.label, category.question, *KIND_NAMES.get(category.kind, ())),
            )
        )
    return targets


@dataclass(frozen=True)
class Column:
    index: int
    letter: str  # as the spreadsheet names it: A, B… AA
    header: str  # as written on the file's first line, maybe empty

    @property
    def name(self) -> str:
        return self.header or _("column %(letter)s") % {"letter": self.letter}

    @property
    def choice_label(self) -> str:
        return f"{self.letter} · {self.header}" if self.header else self.name


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def file_columns(header: Sequence[str]) -> list[Column]:
    return [Column(i, column_letter(i), " ".join(h.split())) for i, h in enumerate(header)]


def mapping_guess(targets: Sequence[Target], header: Sequence[str]) -> dict[str, int | None]:
    """Which column holds each field, guessed from the column names: first those named
    exactly (« Prénom », « Courriel », a category's name), then those whose name contains
    one (« Adresse e-mail perso », « Téléphone portable »). A column feeds one field."""
    keys = [name_key(h) for h in header]
    guess: dict[str, int | None] = {t.key: None for t in targets}
    taken: set[int] = set()

    def exactly(key: str, name: str) -> bool:
        return key.replace(" ", "") == name.replace(" ", "")

    def within(key: str, name: str) -> bool:
        words, wanted = key.split(), name.split()
        return any(
            words[i : i + len(wanted)] == wanted for i in range(len(words) - len(wanted) + 1)
        )

    for matches in (exactly, within):
        for target in targets:
            if guess[target.key] is not None:
                continue
            names = [name_key(n) for n in target.names if n]
            for index, key in enumerate(keys):
                if index not in taken and key and any(matches(key, n) for n in names if n):
                    guess[target.key] = index
                    taken.add(index)
                    break
    return guess


# --- Step 1: read the file --------------------------------------------------------------


def _check_open(panel: Panel) -> None:
    if panel.draws.exists():
        raise ValidationError(
            _(
                "The pool is frozen: the seed of this panel's draw has been published with it. "
                "Nobody can be added any more."
            ),
            code="frozen",
        )
    if not panel.categories.exists():
        raise ValidationError(
            _(
                "Choose the quota categories first: every person imported needs an answer "
                "for each of them."
            ),
            code="no_categories",
        )


def pool_import_read(*, panel: Panel, uploaded_file: UploadedFile, by: User | None) -> PoolImport:
    """Read a .csv or .xlsx file and keep its rows for the column mapping. Nothing is added
    to the pool yet."""
    _check_open(panel)
    file_name = PurePath(uploaded_file.name or "").name
    try:
        check_size(uploaded_file.size or 0)  # before reading it all into memory
        rows = read_table(uploaded_file.read(), file_name)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error
    if not any(any(cell.strip() for cell in row) for row in rows[1:]):
        raise ValidationError(
            {
                "file": _(
                    "The file has only one line. Its first line names the columns; the people "
                    "come under it, one per line."
                )
            }
        )
    PoolImport.objects.filter(
        imported_at=None, created_at__lt=timezone.now() - timedelta(days=UNFINISHED_IMPORT_DAYS)
    ).delete()
    return PoolImport.objects.create(
        panel=panel, file_name=file_name[:200], rows=rows, created_by=by
    )


# --- Step 2: check every line and add everyone, or nobody -------------------------------


def _check_mapping(
    targets: Sequence[Target],
    columns: Sequence[Column],
    mapping: Mapping[str, int | None],
    confirmed_consent: bool,
) -> dict[str, int]:
    """The columns chosen, by field, once they make sense; else a ValidationError by field."""
    errors: dict[str, list[str]] = {}
    chosen: dict[str, int] = {}
    used_by: dict[int, Target] = {}
    for target in targets:
        index = mapping.get(target.key)
        if index is None:
            if target.required:
                errors[target.key] = [_("Choose the column that holds it.")]
            continue
        if not 0 <= index < len(columns):
            errors[target.key] = [_("Choose one of the file's columns.")]
            continue
        if index in used_by:
            errors[target.key] = [
                _("This column is already chosen for « %(field)s ».")
                % {"field": used_by[index].label}
            ]
            continue
        used_by[index] = target
        chosen[target.key] = index
    if "email" not in chosen and "phone" not in chosen and "email" not in errors:
        errors["email"] = [
            _(
                "Choose the column of e-mail addresses, or that of telephone numbers: the "
                "people drawn must be reachable."
            )
        ]
    if not confirmed_consent:
        errors["consent"] = [
            _(
                "Only people who agreed to be in the pool can be imported: tick this box once "
                "you have made sure of it."
            )
        ]
    if errors:
        raise ValidationError(errors)
    return chosen


def _phone(text: str) -> str:
    """A telephone number as typed, with the leading zero a spreadsheet drops from numbers
    such as 06 12 34 56 78 stored as a number (« 612345678 »)."""
    if text.isdigit() and len(text) == 9 and text[0] != "0":
        return "0" + text
    return text


@dataclass
class _Pool:
    """Who is already in the pool, by e-mail address and by telephone number (as
    ``services.find_duplicate`` compares them, once for all the lines rather than per line)."""

    by_email: dict[str, Volunteer] = field(default_factory=dict)
    by_phone: dict[str, Volunteer] = field(default_factory=dict)

    @classmethod
    def of(cls, panel: Panel) -> _Pool:
        pool = cls()
        for volunteer in panel.volunteers.only(
            "number", "first_name", "last_name", "email", "phone"
        ):
            if volunteer.email.strip():
                pool.by_email.setdefault(volunteer.email.strip().lower(), volunteer)
            phone = services.normalise_phone(volunteer.phone)
            if phone:
                pool.by_phone.setdefault(phone, volunteer)
        return pool


def _people(
    panel: Panel,
    targets: Sequence[Target],
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    chosen: Mapping[str, int],
) -> list[services.VolunteerData]:
    """A person per filled line; a ValidationError listing every fault of every line."""
    territory = panel.process.territory
    communes = list(territory.communes.all())
    territorial = any(c.from_territory for c in panel.categories.all())
    found_communes: dict[str, Commune | ValidationError] = {}
    basin_problems: dict[int, list[str]] = {}
    values: dict[str, dict[str, CategoryValue]] = {
        t.key: {name_key(v.label): v for v in t.category.values.all()}
        for t in targets
        if t.category is not None
    }
    values_text = {
        key: ", ".join(f"« {v.label} »" for v in by_key.values()) for key, by_key in values.items()
    }
    labels = {t.key: t.label for t in targets}
    pool = _Pool.of(panel)
    rules = services.PoolRules(panel)
    seen_emails: dict[str, int] = {}
    seen_phones: dict[str, int] = {}
    commune_messages = {
        "unknown": gettext_lazy("« %(value)s » is not a commune of %(territory)s."),
        "ambiguous": gettext_lazy(
            "Several communes are called « %(value)s »: write its INSEE code instead."
        ),
    }
    people: list[services.VolunteerData] = []
    errors: list[str] = []

    for line, row in enumerate(rows, start=2):  # line 1 names the columns
        if not any(cell.strip() for cell in row):
            continue

        def cell(key: str, row: Sequence[str] = row) -> str:
            index = chosen.get(key)
            return row[index].strip() if index is not None and index < len(row) else ""

        problems: dict[str, list[str]] = {}
        data = services.VolunteerData(
            first_name=cell("first_name"),
            last_name=cell("last_name"),
            email=cell("email"),
            phone=_phone(cell("phone")),
        )
        commune_text = cell("commune")
        if commune_text:
            key = commune_text.casefold()
            if key not in found_communes:
                try:
                    found_communes[key] = find_commune(
                        communes,
                        commune_text,
                        territory_name=territory.name,
                        messages=commune_messages,
                    )
                except ValidationError as error:
                    found_communes[key] = error
            found = found_communes[key]
            if isinstance(found, ValidationError):
                problems["commune"] = found.messages
            else:
                data.commune = found
        for target in targets:
            text = cell(target.key)
            if target.category is None or not text:
                continue
            value = values[target.key].get(name_key(text))
            if value is None:
                problems[target.key] = [
                    _("« %(value)s » is not one of the values: %(values)s.")
                    % {"value": text, "values": values_text[target.key]}
                ]
            else:
                data.answers[target.category.pk] = value
        for key, messages in rules.errors(data).items():
            problems.setdefault(key, messages)  # a cell already reported says more
        if territorial and not problems and data.commune is not None:
            # A commune in no basin of a grouping: known once per commune, whoever lives there.
            if data.commune.pk not in basin_problems:
                try:
                    rules.values(data)
                    basin_problems[data.commune.pk] = []
                except ValidationError as error:
                    basin_problems[data.commune.pk] = error.messages
            if basin_problems[data.commune.pk]:
                problems["commune"] = basin_problems[data.commune.pk]
        email = data.email.strip().lower()
        phone = services.normalise_phone(data.phone)
        for key, seen, in_pool, contact in (
            ("email", seen_emails, pool.by_email, email),
            ("phone", seen_phones, pool.by_phone, phone),
        ):
            if not contact:
                continue
            shown = cell(key)
            if contact in seen:
                problems.setdefault(key, []).append(
                    _("« %(value)s » is also on line %(line)s.")
                    % {"value": shown, "line": seen[contact]}
                )
            elif contact in in_pool:
                other = in_pool[contact]
                problems.setdefault(key, []).append(
                    _("« %(value)s » is already in the pool: %(name)s (%(pseudonym)s).")
                    % {"value": shown, "name": other, "pseudonym": other.pseudonym}
                )
            seen.setdefault(contact, line)

        shown_in = {key: chosen.get(key) for key in problems}
        if "email" in problems and shown_in["email"] is None and "phone" in chosen:
            shown_in["email"] = chosen["phone"]  # « an e-mail or a telephone »: only one read
        # Left to right, as the line reads in the spreadsheet; fields not in the file last.
        for key in sorted(problems, key=lambda k: (shown_in[k] is None, shown_in[k] or 0)):
            index, messages = shown_in[key], problems[key]
            for message in messages:
                if index is not None:
                    text = _("Line %(line)s, column « %(column)s »: %(message)s") % {
                        "line": line,
                        "column": columns[index].name,
                        "message": message,
                    }
                else:
                    text = _("Line %(line)s, %(field)s: %(message)s") % {
                        "line": line,
                        "field": str(labels.get(key, key)).lower(),
                        "message": message,
                    }
                errors.append(text)
        people.append(data)

    if errors:
        raise ValidationError(errors)
    if not people:
        raise ValidationError(_("The file holds nobody to import."))
    return people


def pool_import_apply(
    *, pool_import: PoolImport, mapping: Mapping[str, int | None], confirmed_consent: bool
) -> list[Volunteer]:
    """Add the people of a file read by :func:`pool_import_read` to the pool, the columns
    being as ``mapping`` says (field → column index, None for a field not in the file).

    Staff confirm that the people agreed to be in the pool. Every line is checked; if any is
    faulty, a ValidationError lists every fault and nobody is added. Imported people need no
    e-mail confirmation. A file is imported once; its rows are then forgotten.
    """
    with transaction.atomic():
        panel = Panel.objects.select_for_update().select_related("process__territory")
        locked_panel = panel.get(pk=pool_import.panel_id)
        pool_import = PoolImport.objects.select_for_update().get(pk=pool_import.pk)
        if pool_import.imported_at is not None:
            raise ValidationError(
                _("This file was already imported, on %(date)s.")
                % {"date": formats.date_format(timezone.localtime(pool_import.imported_at))},
                code="imported",
            )
        _check_open(locked_panel)
        targets = import_targets(locked_panel)
        header, rows = pool_import.rows[0], pool_import.rows[1:]
        columns = file_columns(header)
        chosen = _check_mapping(targets, columns, mapping, confirmed_consent)
        people = _people(locked_panel, targets, columns, rows, chosen)
        created = services.volunteers_create(
            panel=locked_panel, people=people, source=Volunteer.Source.IMPORT, confirmed=True
        )
        pool_import.imported_at = timezone.now()
        pool_import.rows = [header]  # the people are in the pool now; the file need not stay
        pool_import.save(update_fields=["imported_at", "rows"])
    return created


# --- Forms ------------------------------------------------------------------------------


def expected_columns(targets: Sequence[Target]) -> str:
    """The columns a file should have, in a sentence."""
    names = [str(t.label) for t in targets if t.required]
    names.insert(
        2, _("%(email)s or %(phone)s") % {"email": _("E-mail address"), "phone": _("Telephone")}
    )
    return ", ".join(names)


class PoolImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet (.csv or .xlsx)"),
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
    )

    def __init__(self, *args: Any, targets: Sequence[Target], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        help_text = _(
            "The first line names the columns: %(columns)s. Then one person per line. "
            "At most %(size)s MB and %(rows)s lines; only the first sheet of a workbook is "
            "read. A file in the old Excel format (.xls) must first be saved as .xlsx "
            "(« Save as », « Excel workbook »)."
        ) % {
            "columns": expected_columns(targets),
            "size": MAX_BYTES // 2**20,
            "rows": formats.number_format(MAX_ROWS, force_grouping=True),
        }
        # Help texts are shown as HTML; category names come from staff.
        self.fields["file"].help_text = escape(help_text)


class PoolImportMappingForm(forms.Form):
    """One choice of column per field, then the consent of the people imported."""

    consent = forms.BooleanField(
        label=gettext_lazy(
            "The people in this file agreed to be in the pool of this panel: to be drawn by "
            "lot, contacted if they are, and to have their answers published under a number. "
            "They know they can withdraw at any time."
        ),
        required=False,  # the service refuses without it, with its own words
    )

    def __init__(
        self, *args: Any, targets: Sequence[Target], columns: Sequence[Column], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.targets = list(targets)
        choices = [("", _("— not in the file —"))] + [
            (str(c.index), c.choice_label) for c in columns
        ]
        consent = self.fields.pop("consent")
        for target in self.targets:
            help_text = target.help
            if target.required:
                help_text = f"{_('Required.')} {help_text}".strip()
            self.fields[target.key] = forms.TypedChoiceField(
                label=target.label,
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,  # the service says what is missing, with its own words
                help_text=escape(help_text),
            )
        self.fields["consent"] = consent

    @property
    def column_fields(self) -> list[forms.BoundField]:
        return [self[t.key] for t in self.targets]

    def mapping(self) -> dict[str, int | None]:
        return {t.key: self.cleaned_data.get(t.key) for t in self.targets}
