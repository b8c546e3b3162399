"""Volunteers grouped into types, and panels as vectors of counts per type.

Volunteers with the same value on every category are interchangeable: the quotas cannot tell
them apart. A *type* is such a group; a panel is then a vector ``x`` of counts per type with
``0 ≤ x[t] ≤ size of t``, ``Σ x[t] = k`` and, for every value ``v`` of every category,
``min(v) ≤ Σ_{t has v} x[t] ≤ max(v)``.

The order of the types is canonical (sorted by their values, categories taken in name order)
and the members of a type are sorted by id, so two runs on the same instance, whatever the
order of the rows in the files, see the same types in the same order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import highspy
import numpy as np

from .errors import SolverError, SolverFailure
from .instance import Instance, Quota

INFINITY = highspy.kHighsInf


@dataclass(frozen=True)
class PersonType:
    """Volunteers sharing one value per category (``values`` in the instance's category order)."""

    values: tuple[str, ...]
    members: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass(frozen=True)
class QuotaRow:
    """One value of one category: the types that have it and its quota."""

    category: str
    value: str
    types: tuple[int, ...]
    quota: Quota


@dataclass(frozen=True)
class TypeModel:
    """The instance seen through its types: what the optimisation works on."""

    instance: Instance
    types: tuple[PersonType, ...]
    rows: tuple[QuotaRow, ...]

    @property
    def sizes(self) -> np.ndarray:
        return np.array([t.size for t in self.types], dtype=np.float64)

    def counts_of(self, people: Sequence[str]) -> tuple[int, ...]:
        """The count vector of a set of people."""
        type_of = {person: index for index, t in enumerate(self.types) for person in t.members}
        counts = [0] * len(self.types)
        for person in people:
            counts[type_of[person]] += 1
        return tuple(counts)

    def meets_quotas(self, counts: Sequence[int], panel_size: int) -> bool:
        """Whether a count vector is a panel: right size, within every type, every quota met."""
        if len(counts) != len(self.types) or sum(counts) != panel_size:
            return False
        if any(c < 0 or c > t.size for c, t in zip(counts, self.types, strict=True)):
            return False
        return all(
            row.quota.min <= sum(counts[t] for t in row.types) <= row.quota.max for row in self.rows
        )


def type_model(instance: Instance) -> TypeModel:
    """Group the pool into types and list the quota rows, both in canonical order."""
    names = instance.category_names
    order = sorted(range(len(names)), key=lambda i: names[i])
    groups: dict[tuple[str, ...], list[str]] = {}
    for person in instance.people:
        groups.setdefault(instance.values[person], []).append(person)
    keys = sorted(groups, key=lambda values: tuple(values[i] for i in order))
    types = tuple(PersonType(values=key, members=tuple(sorted(groups[key]))) for key in keys)
    rows = []
    for i in order:
        category = names[i]
        for value, quota in sorted(instance.categories[category].items()):
            members = tuple(index for index, t in enumerate(types) if t.values[i] == value)
            rows.append(QuotaRow(category, value, members, quota))
    return TypeModel(instance=instance, types=types, rows=tuple(rows))


def new_highs() -> highspy.Highs:
    """A silent HiGHS instance with fixed options, so that runs are reproducible."""
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("random_seed", 0)
    return highs


def add_panel_constraints(
    highs: highspy.Highs, model: TypeModel, panel_size: int, first_column: int = 0
) -> None:
    """Rows of the panel polytope over the columns ``first_column … first_column + T − 1``.

    Row 0 is the panel size; then one row per quota row of ``model``, in its order.
    """
    lower = [float(panel_size)]
    upper = [float(panel_size)]
    starts = [0]
    indices: list[int] = list(range(first_column, first_column + len(model.types)))
    for row in model.rows:
        starts.append(len(indices))
        indices.extend(first_column + t for t in row.types)
        lower.append(float(row.quota.min))
        upper.append(float(row.quota.max))
    highs.addRows(
        len(lower),
        np.array(lower),
        np.array(upper),
        len(indices),
        np.array(starts, dtype=np.int32),
        np.array(indices, dtype=np.int32),
        np.ones(len(indices)),
    )


def add_count_columns(highs: highspy.Highs, model: TypeModel) -> None:
    """One integer column per type, between 0 and the size of the type."""
    count = len(model.types)
    highs.addVars(count, np.zeros(count), model.sizes)
    highs.changeColsIntegrality(
        count,
        np.arange(count, dtype=np.int32),
        np.full(count, highspy.HighsVarType.kInteger.value, dtype=np.uint8),
    )


def run(highs: highspy.Highs, stage: str) -> highspy.HighsModelStatus:
    """Run HiGHS; a status other than optimal or infeasible is a solver failure."""
    highs.run()
    status = highs.getModelStatus()
    if status not in (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kInfeasible):
        raise SolverError([SolverFailure(stage, highs.modelStatusToString(status))])
    return status
