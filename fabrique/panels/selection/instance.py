"""The pool and its quotas: data model, CSV readers for both formats, canonical fingerprint.

Two file formats are read; the format is told by the headers:

- **replication format** (Flanigan et al.): ``categories.csv`` with ``category,feature,min,max``
  and ``respondents.csv`` with one column per category and no id column: the ids are the row
  indexes ``"0"``, ``"1"``, …
- **sortition-algorithms format**: ``features.csv`` with ``feature,value,min,max`` (or
  ``category,value,min,max``) and ``people.csv`` with an ``id`` column (another name can be
  given) and one column per feature; other columns (names, e-mails…) are ignored.

Files are UTF-8 (a byte-order mark is accepted), comma- or semicolon-separated. Values are
compared after stripping surrounding spaces, and are case-sensitive. Quotas are whole numbers
≥ 0 (``3.0`` is read as 3; ``3.5`` is an error).
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import NamedTuple

from .errors import (
    Bound,
    DuplicateId,
    DuplicateValue,
    EmptyCategory,
    EmptyId,
    InvalidInstanceError,
    InvalidQuota,
    MinAboveMax,
    MissingColumn,
    MissingValues,
    Problem,
    UnknownCategoriesFormat,
    UnknownValue,
    UnreadableFile,
)


class Quota(NamedTuple):
    """How many panel members must have a value: at least ``min``, at most ``max``."""

    min: int
    max: int


@dataclass(frozen=True, eq=False)
class Instance:
    """A pool of volunteers and the quotas of a panel.

    ``categories`` maps each category to its values, each value to its quota, in the order of
    the file. ``people`` lists the ids in the order of the file. ``values`` maps each id to its
    value for every category, in the order of ``categories``.

    The constructor checks the data and raises :class:`InvalidInstanceError` with every problem
    found. The panel size is not part of the instance: it is given to each computation.
    """

    categories: Mapping[str, Mapping[str, Quota]]
    people: tuple[str, ...]
    values: Mapping[str, tuple[str, ...]]

    def __post_init__(self) -> None:
        categories = {
            str(category): {str(value): Quota(*quota) for value, quota in values.items()}
            for category, values in self.categories.items()
        }
        people = tuple(self.people)
        values = {person: tuple(self.values.get(person, ())) for person in people}
        problems = check_data(categories, people, values)
        if problems:
            raise InvalidInstanceError(problems)
        object.__setattr__(self, "categories", categories)
        object.__setattr__(self, "people", people)
        object.__setattr__(self, "values", values)

    @classmethod
    def build(
        cls,
        categories: Mapping[str, Mapping[str, tuple[int, int]]],
        people: Mapping[str, Mapping[str, str]],
    ) -> Instance:
        """Convenience constructor: ``people`` maps each id to ``{category: value}``."""
        names = list(categories)
        return cls(
            categories={c: {v: Quota(*q) for v, q in vs.items()} for c, vs in categories.items()},
            people=tuple(people),
            values={
                person: tuple(row.get(name, "") for name in names) for person, row in people.items()
            },
        )

    @property
    def category_names(self) -> tuple[str, ...]:
        return tuple(self.categories)

    def value_of(self, person: str, category: str) -> str:
        return self.values[person][self.category_names.index(category)]

    def volunteers_with(self, category: str, value: str) -> int:
        """How many people of the pool have ``value`` for ``category``."""
        index = self.category_names.index(category)
        return sum(1 for person in self.people if self.values[person][index] == value)

    def restricted(
        self, people: Iterable[str], categories: Mapping[str, Mapping[str, Quota]] | None = None
    ) -> Instance:
        """The same categories (or new quotas for them) over a part of the pool."""
        kept = set(people)
        return Instance(
            categories=self.categories if categories is None else categories,
            people=tuple(person for person in self.people if person in kept),
            values={person: self.values[person] for person in self.people if person in kept},
        )

    @cached_property
    def fingerprint(self) -> str:
        """SHA-256 of a canonical serialisation: the same pool and quotas give the same hash.

        Canonical means independent of the order of the rows and of the columns in the files:
        categories and values are sorted by name, people by id. The hash changes if any id,
        value or quota changes.
        """
        order = sorted(range(len(self.category_names)), key=lambda i: self.category_names[i])
        document = {
            "categories": [
                [
                    self.category_names[i],
                    [
                        [value, quota.min, quota.max]
                        for value, quota in sorted(self.categories[self.category_names[i]].items())
                    ],
                ]
                for i in order
            ],
            "people": [
                [person, [self.values[person][i] for i in order]] for person in sorted(self.people)
            ],
        }
        text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_data(
    categories: Mapping[str, Mapping[str, Quota]],
    people: Sequence[str],
    values: Mapping[str, Sequence[str]],
    lines: Mapping[str, int] | None = None,
) -> list[Problem]:
    """Every problem of the data: bad quotas, duplicate or empty ids, unknown values."""
    problems: list[Problem] = []
    for category, category_values in categories.items():
        if not category_values:
            problems.append(EmptyCategory(category))
        for value, quota in category_values.items():
            for bound, number in (("min", quota.min), ("max", quota.max)):
                if not isinstance(number, int) or isinstance(number, bool) or number < 0:
                    problems.append(InvalidQuota(category, value, _bound(bound), str(number)))
            if isinstance(quota.min, int) and isinstance(quota.max, int) and quota.min > quota.max:
                problems.append(MinAboveMax(category, value, quota.min, quota.max))
    seen: dict[str, int] = {}
    names = list(categories)
    for position, person in enumerate(people):
        line = lines.get(person) if lines is not None else None
        if person == "":
            problems.append(EmptyId(line if line is not None else position + 2))
            continue
        if person in seen:
            problems.append(DuplicateId(person))
            continue
        seen[person] = position
        row = values.get(person, ())
        if len(row) != len(names):
            problems.append(MissingValues(person, len(names), len(row)))
            continue
        for category, value in zip(names, row, strict=True):
            if value not in categories[category]:
                problems.append(UnknownValue(person, category, value, line))
    return problems


def _bound(name: str) -> Bound:
    return "min" if name == "min" else "max"


# --- CSV readers ------------------------------------------------------------------------------


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV file (comma or semicolon), blank rows left out."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInstanceError([UnreadableFile(str(path), str(error))]) from error
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    rows = list(csv.reader(text.splitlines(), delimiter=delimiter))
    if not rows:
        raise InvalidInstanceError([UnreadableFile(str(path), "the file is empty")])
    header = [cell.strip() for cell in rows[0]]
    return header, rows[1:]


def _parse_quota(text: str) -> int | None:
    """A whole number ≥ 0 written as ``3`` or ``3.0``; None otherwise."""
    text = text.strip()
    try:
        return int(text) if int(text) >= 0 else None
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        return None
    if number.is_integer() and number >= 0:
        return int(number)
    return None


def read_categories(path: str | Path) -> dict[str, dict[str, Quota]]:
    """Read ``category,feature,min,max`` or ``feature,value,min,max`` (format told by headers)."""
    path = Path(path)
    header, rows = _read_csv(path)
    lowered = [name.lower() for name in header]
    if "value" in lowered and ("feature" in lowered or "category" in lowered):
        category_column = lowered.index("feature" if "feature" in lowered else "category")
        value_column = lowered.index("value")
    elif "category" in lowered and "feature" in lowered:
        category_column = lowered.index("category")
        value_column = lowered.index("feature")
    else:
        category_column = value_column = -1
    if category_column < 0 or "min" not in lowered or "max" not in lowered:
        raise InvalidInstanceError([UnknownCategoriesFormat(str(path), tuple(header))])
    min_column, max_column = lowered.index("min"), lowered.index("max")

    categories: dict[str, dict[str, Quota]] = {}
    problems: list[Problem] = []
    width = max(category_column, value_column, min_column, max_column) + 1
    for line, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        row = row + [""] * (width - len(row))
        category, value = row[category_column].strip(), row[value_column].strip()
        bounds: dict[Bound, int] = {}
        for bound, column in (("min", min_column), ("max", max_column)):
            number = _parse_quota(row[column])
            if number is None:
                problems.append(InvalidQuota(category, value, _bound(bound), row[column], line))
            else:
                bounds[_bound(bound)] = number
        values = categories.setdefault(category, {})
        if value in values:
            problems.append(DuplicateValue(category, value))
            continue
        if len(bounds) == 2:
            values[value] = Quota(bounds["min"], bounds["max"])
    if problems:
        raise InvalidInstanceError(problems)
    return categories


def read_respondents(
    path: str | Path, categories: Mapping[str, Mapping[str, Quota]], id_column: str | None = None
) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]], dict[str, int]]:
    """Ids, values and line numbers of the respondents.

    The ids come from ``id_column`` if given, else from a column named ``id`` if there is one,
    else they are the row indexes ``"0"``, ``"1"``, … (replication format). Columns that are
    not categories are ignored.
    """
    path = Path(path)
    header, rows = _read_csv(path)
    lowered = [name.lower() for name in header]
    problems: list[Problem] = []
    if id_column is not None:
        if id_column.lower() not in lowered:
            raise InvalidInstanceError([MissingColumn(str(path), id_column)])
        id_index: int | None = lowered.index(id_column.lower())
    else:
        id_index = lowered.index("id") if "id" in lowered and "id" not in categories else None
    columns: list[int] = []
    for category in categories:
        if category in header:
            columns.append(header.index(category))
        elif category.lower() in lowered:
            columns.append(lowered.index(category.lower()))
        else:
            problems.append(MissingColumn(str(path), category))
    if problems:
        raise InvalidInstanceError(problems)

    people: list[str] = []
    values: dict[str, tuple[str, ...]] = {}
    lines: dict[str, int] = {}
    duplicate_lines: dict[str, list[int]] = {}
    width = max([*columns, id_index or 0]) + 1
    index = 0
    for line, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        row = row + [""] * (width - len(row))
        person = row[id_index].strip() if id_index is not None else str(index)
        index += 1
        if person in lines:
            duplicate_lines.setdefault(person, [lines[person]]).append(line)
            continue
        people.append(person)
        lines[person] = line
        values[person] = tuple(row[column].strip() for column in columns)
    problems.extend(DuplicateId(person, tuple(found)) for person, found in duplicate_lines.items())
    problems.extend(check_data(categories, people, values, lines))
    if problems:
        raise InvalidInstanceError(problems)
    return tuple(people), values, lines


def load_instance(
    respondents_path: str | Path, categories_path: str | Path, id_column: str | None = None
) -> Instance:
    """Read an instance from its two CSV files, in either format.

    Raises :class:`InvalidInstanceError` listing every problem found (bad quota, unknown value
    with its line and id, missing column…).
    """
    categories = read_categories(categories_path)
    problems = check_data(categories, [], {})
    if problems:
        raise InvalidInstanceError(problems)
    people, values, _lines = read_respondents(respondents_path, categories, id_column)
    return Instance(categories=categories, people=people, values=values)
