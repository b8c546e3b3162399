"""What can be wrong with an instance, as data the web layer can put into words.

Every problem is a small frozen dataclass. ``describe()`` gives a plain English sentence for
logs and the command line; the web layer translates by looking at the class and its fields,
never by parsing that sentence.

Two kinds of problem:

- the files or the data are malformed (:class:`InvalidInstanceError`): a quota that is not a
  whole number, a minimum above its maximum, a respondent with a value the categories do not
  know, a missing column...
- the data is well formed but no panel can meet the quotas with this pool
  (:class:`InfeasibleQuotasError`): :func:`fabrique.panels.selection.check_feasibility` says
  which quotas conflict and by how much they must be relaxed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Bound = Literal["min", "max"]


@dataclass(frozen=True)
class Problem:
    """Base class of every problem found in an instance."""

    def describe(self) -> str:  # pragma: no cover - every subclass overrides it
        return type(self).__name__


# --- Malformed data ------------------------------------------------------------------------


@dataclass(frozen=True)
class UnreadableFile(Problem):
    """A file could not be read at all (missing, not a CSV, not UTF-8)."""

    path: str
    reason: str

    def describe(self) -> str:
        return f"Cannot read {self.path}: {self.reason}."


@dataclass(frozen=True)
class UnknownCategoriesFormat(Problem):
    """The categories file has neither ``category,feature,min,max`` nor ``feature,value,…``."""

    path: str
    headers: tuple[str, ...]

    def describe(self) -> str:
        found = ", ".join(self.headers) or "nothing"
        return (
            f"{self.path}: expected the columns category,feature,min,max or "
            f"feature,value,min,max; found {found}."
        )


@dataclass(frozen=True)
class MissingColumn(Problem):
    """The respondents file has no column for a category (or for the id column asked for)."""

    path: str
    column: str

    def describe(self) -> str:
        return f"{self.path}: no column named {self.column!r}."


@dataclass(frozen=True)
class InvalidQuota(Problem):
    """A quota is not a whole number ≥ 0 (``line`` is the line in the file, the header is 1)."""

    category: str
    value: str
    bound: Bound
    text: str
    line: int | None = None

    def describe(self) -> str:
        where = f" (line {self.line})" if self.line is not None else ""
        return (
            f"The {self.bound} quota of {self.category}={self.value}{where} must be a whole "
            f"number ≥ 0, not {self.text!r}."
        )


@dataclass(frozen=True)
class MinAboveMax(Problem):
    category: str
    value: str
    minimum: int
    maximum: int

    def describe(self) -> str:
        return (
            f"The minimum of {self.category}={self.value} ({self.minimum}) is above its "
            f"maximum ({self.maximum})."
        )


@dataclass(frozen=True)
class DuplicateValue(Problem):
    """A value is listed twice for the same category."""

    category: str
    value: str

    def describe(self) -> str:
        return f"{self.category}={self.value} is listed twice in the categories."


@dataclass(frozen=True)
class EmptyCategory(Problem):
    category: str

    def describe(self) -> str:
        return f"The category {self.category} has no value."


@dataclass(frozen=True)
class UnknownValue(Problem):
    """A respondent has a value that the categories do not list (``line``: header is 1)."""

    person_id: str
    category: str
    value: str
    line: int | None = None

    def describe(self) -> str:
        where = f" (line {self.line})" if self.line is not None else ""
        return (
            f"Respondent {self.person_id}{where} has {self.category}={self.value!r}, "
            f"which is not among the values of {self.category}."
        )


@dataclass(frozen=True)
class MissingValues(Problem):
    """A respondent does not have exactly one value per category."""

    person_id: str
    expected: int
    found: int

    def describe(self) -> str:
        return f"Respondent {self.person_id} has {self.found} values; {self.expected} expected."


@dataclass(frozen=True)
class DuplicateId(Problem):
    person_id: str
    lines: tuple[int, ...] = ()

    def describe(self) -> str:
        where = f" (lines {', '.join(map(str, self.lines))})" if self.lines else ""
        return f"The id {self.person_id!r} appears more than once{where}."


@dataclass(frozen=True)
class EmptyId(Problem):
    line: int

    def describe(self) -> str:
        return f"Line {self.line} has an empty id."


@dataclass(frozen=True)
class InvalidPanelSize(Problem):
    panel_size: int

    def describe(self) -> str:
        return f"The panel size must be at least 1, not {self.panel_size}."


@dataclass(frozen=True)
class InvalidSeed(Problem):
    def describe(self) -> str:
        return "The seed must be a non-empty string, published before the draw."


@dataclass(frozen=True)
class UnknownPerson(Problem):
    """A replacement names a panel member or an excluded person who is not in the pool."""

    person_id: str

    def describe(self) -> str:
        return f"{self.person_id!r} is not in the pool."


@dataclass(frozen=True)
class PanelAlreadyFull(Problem):
    members: int
    panel_size: int

    def describe(self) -> str:
        return f"The panel already has {self.members} members for {self.panel_size} seats."


# --- Quotas that no panel can meet ------------------------------------------------------------


@dataclass(frozen=True)
class PoolTooSmall(Problem):
    """Fewer volunteers than seats."""

    pool_size: int
    panel_size: int

    def describe(self) -> str:
        return f"The pool has {self.pool_size} volunteers for a panel of {self.panel_size}."


@dataclass(frozen=True)
class TooFewVolunteers(Problem):
    """At most ``available`` volunteers have this value; the minimum asks for more."""

    category: str
    value: str
    available: int
    minimum: int

    def describe(self) -> str:
        return (
            f"At most {self.available} volunteers have {self.category}={self.value}; "
            f"the quotas ask for at least {self.minimum}."
        )


@dataclass(frozen=True)
class MinimumsAbovePanelSize(Problem):
    """The minimums of one category add up to more than the panel size."""

    category: str
    total_minimum: int
    panel_size: int

    def describe(self) -> str:
        return (
            f"The minimums of {self.category} add up to {self.total_minimum}, more than the "
            f"panel size {self.panel_size}."
        )


@dataclass(frozen=True)
class MaximumsBelowPanelSize(Problem):
    """The maximums of one category add up to less than the panel size."""

    category: str
    total_maximum: int
    panel_size: int

    def describe(self) -> str:
        return (
            f"The maximums of {self.category} add up to {self.total_maximum}, less than the "
            f"panel size {self.panel_size}."
        )


@dataclass(frozen=True)
class CategoryCannotFillPanel(Problem):
    """Within its maximums and its volunteers, a category can fill fewer seats than the panel has.

    ``fillable`` is the sum over the values of min(maximum, volunteers with that value).
    """

    category: str
    fillable: int
    panel_size: int

    def describe(self) -> str:
        return (
            f"Within the maximums of {self.category} and the volunteers available, at most "
            f"{self.fillable} seats can be filled out of {self.panel_size}."
        )


@dataclass(frozen=True)
class QuotaRelaxation(Problem):
    """One quota to relax: the smallest total relaxation that makes a panel possible.

    ``bound`` says which side: a minimum to lower to ``relaxed_to`` or a maximum to raise.
    """

    category: str
    value: str
    bound: Bound
    quota: int
    relaxed_to: int

    @property
    def amount(self) -> int:
        return abs(self.quota - self.relaxed_to)

    def describe(self) -> str:
        verb = "lowered" if self.bound == "min" else "raised"
        return (
            f"The {self.bound} of {self.category}={self.value} must be {verb} from "
            f"{self.quota} to {self.relaxed_to}."
        )


@dataclass(frozen=True)
class QuotaViolation(Problem):
    """A quota that a panel (after replacements that could not meet every quota) misses."""

    category: str
    value: str
    bound: Bound
    quota: int
    actual: int

    def describe(self) -> str:
        side = "minimum" if self.bound == "min" else "maximum"
        return f"{self.category}={self.value}: {self.actual} on the panel, {side} {self.quota}."


# --- Exceptions -------------------------------------------------------------------------------


class SelectionError(Exception):
    """Base of the errors of the selection engine; ``problems`` says what is wrong."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("; ".join(problem.describe() for problem in self.problems))


class InvalidInstanceError(SelectionError):
    """The files or the data are malformed."""


class InfeasibleQuotasError(SelectionError):
    """No panel of this size can meet every quota with this pool."""


class SolverError(SelectionError):
    """The solver failed in a way the data does not explain (should not happen)."""


@dataclass(frozen=True)
class SolverFailure(Problem):
    stage: str
    status: str

    def describe(self) -> str:
        return f"The solver stopped with status {self.status} while {self.stage}."
