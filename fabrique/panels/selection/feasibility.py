"""Can any panel meet the quotas with this pool? If not, which quotas conflict, by how much.

:func:`check_feasibility` returns an empty list when a panel exists. Otherwise it returns,
first, the simple explanations that hold (pool smaller than the panel, a value with fewer
volunteers than its minimum, minimums of a category adding up to more than the panel size,
maximums to less, a category that cannot fill the panel within its maximums), then the
smallest relaxation of the quotas that makes a panel possible, found by an *elastic* MIP: a
slack variable on every minimum and every maximum, the total slack minimised, the panel size
and the number of volunteers of each type kept as hard limits.
"""

from __future__ import annotations

import highspy
import numpy as np

from .errors import (
    CategoryCannotFillPanel,
    InvalidPanelSize,
    MaximumsBelowPanelSize,
    MinimumsAbovePanelSize,
    PoolTooSmall,
    Problem,
    QuotaRelaxation,
    TooFewVolunteers,
)
from .instance import Instance, Quota
from .model import INFINITY, TypeModel, add_count_columns, new_highs, run, type_model


def simple_conflicts(instance: Instance, panel_size: int) -> list[Problem]:
    """Conflicts that counting alone shows, in the order of the categories and values."""
    if panel_size < 1:
        return [InvalidPanelSize(panel_size)]
    problems: list[Problem] = []
    if len(instance.people) < panel_size:
        problems.append(PoolTooSmall(len(instance.people), panel_size))
    for index, (category, values) in enumerate(instance.categories.items()):
        available = dict.fromkeys(values, 0)
        for person in instance.people:
            available[instance.values[person][index]] += 1
        for value, quota in values.items():
            if available[value] < quota.min:
                problems.append(TooFewVolunteers(category, value, available[value], quota.min))
        total_minimum = sum(quota.min for quota in values.values())
        total_maximum = sum(quota.max for quota in values.values())
        fillable = sum(min(quota.max, available[value]) for value, quota in values.items())
        if total_minimum > panel_size:
            problems.append(MinimumsAbovePanelSize(category, total_minimum, panel_size))
        if total_maximum < panel_size:
            problems.append(MaximumsBelowPanelSize(category, total_maximum, panel_size))
        elif fillable < panel_size and len(instance.people) >= panel_size:
            problems.append(CategoryCannotFillPanel(category, fillable, panel_size))
    return problems


def minimal_relaxation(
    instance: Instance, panel_size: int, model: TypeModel | None = None
) -> list[QuotaRelaxation]:
    """The quotas to relax, and by how much, for the smallest total relaxation.

    Empty when a panel meets every quota. Needs a pool of at least ``panel_size`` people.
    """
    model = model or type_model(instance)
    count = len(model.types)
    rows = len(model.rows)
    highs = new_highs()
    add_count_columns(highs, model)
    # Two slacks per quota row: s⁻ lowers its minimum, s⁺ raises its maximum; cost 1 each.
    highs.addVars(2 * rows, np.zeros(2 * rows), np.full(2 * rows, INFINITY))
    highs.changeColsCost(
        2 * rows, np.arange(count, count + 2 * rows, dtype=np.int32), np.ones(2 * rows)
    )
    highs.addRow(
        float(panel_size),
        float(panel_size),
        count,
        np.arange(count, dtype=np.int32),
        np.ones(count),
    )
    for r, row in enumerate(model.rows):
        members = list(row.types)
        # Σ x + s⁻ ≥ min
        highs.addRow(
            float(row.quota.min),
            INFINITY,
            len(members) + 1,
            np.array([*members, count + 2 * r], dtype=np.int32),
            np.ones(len(members) + 1),
        )
        # Σ x − s⁺ ≤ max
        highs.addRow(
            -INFINITY,
            float(row.quota.max),
            len(members) + 1,
            np.array([*members, count + 2 * r + 1], dtype=np.int32),
            np.array([1.0] * len(members) + [-1.0]),
        )
    status = run(highs, "looking for the smallest relaxation of the quotas")
    if status != highspy.HighsModelStatus.kOptimal:
        return []
    values = highs.getSolution().col_value
    relaxations: list[QuotaRelaxation] = []
    for r, row in enumerate(model.rows):
        lower_by = round(values[count + 2 * r])
        raise_by = round(values[count + 2 * r + 1])
        if lower_by > 0:
            relaxations.append(
                QuotaRelaxation(
                    row.category, row.value, "min", row.quota.min, row.quota.min - lower_by
                )
            )
        if raise_by > 0:
            relaxations.append(
                QuotaRelaxation(
                    row.category, row.value, "max", row.quota.max, row.quota.max + raise_by
                )
            )
    return relaxations


def relaxed_categories(
    instance: Instance, relaxations: list[QuotaRelaxation]
) -> dict[str, dict[str, Quota]]:
    """The instance's quotas with the relaxations applied."""
    categories = {
        category: dict(values.items()) for category, values in instance.categories.items()
    }
    for relaxation in relaxations:
        quota = categories[relaxation.category][relaxation.value]
        if relaxation.bound == "min":
            quota = Quota(relaxation.relaxed_to, quota.max)
        else:
            quota = Quota(quota.min, relaxation.relaxed_to)
        categories[relaxation.category][relaxation.value] = quota
    return categories


def check_feasibility(instance: Instance, panel_size: int) -> list[Problem]:
    """Empty if some panel of ``panel_size`` meets every quota; else what conflicts.

    The list holds the simple explanations (:class:`TooFewVolunteers`,
    :class:`MinimumsAbovePanelSize`…) then the :class:`QuotaRelaxation` items of the smallest
    total relaxation. When the pool is smaller than the panel only the simple ones are given.
    """
    problems = simple_conflicts(instance, panel_size)
    if any(isinstance(problem, (PoolTooSmall, InvalidPanelSize)) for problem in problems):
        return problems
    return problems + minimal_relaxation(instance, panel_size)
