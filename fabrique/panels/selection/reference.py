"""Adapter to the reference library ``sortition-algorithms`` (GPL-3.0), optional.

The library is the Sortition Foundation's packaging of the code of Flanigan et al. It is a
development dependency only (``requirements/dev.in``): the benchmark uses its *maximin* on open
solvers as an independent check of our smallest probability. Its *leximin* needs Gurobi (a
commercial solver); :func:`reference_leximin` runs it where an organiser has ``gurobipy``
installed and licensed, and raises :class:`ReferenceUnavailable` elsewhere. Nothing in the
platform depends on this module.
"""

from __future__ import annotations

import importlib.util
import time
from dataclasses import dataclass
from typing import Any

from .instance import Instance


class ReferenceUnavailable(RuntimeError):
    """The reference library (or Gurobi, for its leximin) is not installed."""


@dataclass(frozen=True)
class ReferenceResult:
    algorithm: str
    probabilities: dict[str, float]
    committees: tuple[frozenset[str], ...]
    weights: tuple[float, ...]
    seconds: float

    @property
    def minimum(self) -> float:
        return min(self.probabilities.values())


def reference_available() -> bool:
    return importlib.util.find_spec("sortition_algorithms") is not None


def gurobi_available() -> bool:
    return importlib.util.find_spec("gurobipy") is not None


def _library_inputs(instance: Instance, panel_size: int) -> tuple[Any, Any]:
    """The instance as the library's FeatureCollection and People (ids and one column each)."""
    if not reference_available():
        raise ReferenceUnavailable("sortition-algorithms is not installed")
    from sortition_algorithms.features import read_in_features
    from sortition_algorithms.people import read_in_people
    from sortition_algorithms.settings import Settings

    features_head = ["feature", "value", "min", "max"]
    features_body = [
        {"feature": category, "value": value, "min": str(quota.min), "max": str(quota.max)}
        for category, values in instance.categories.items()
        for value, quota in values.items()
    ]
    features, _feature_column, _value_column = read_in_features(
        features_head, features_body, panel_size
    )
    id_column = "fabrique_reference_id"
    people_head = [id_column, *instance.category_names]
    people_body = [
        {
            id_column: person,
            **dict(zip(instance.category_names, instance.values[person], strict=True)),
        }
        for person in instance.people
    ]
    settings = Settings(id_column=id_column, columns_to_keep=[])
    people, _report = read_in_people(people_head, people_body, features, settings)
    return features, people


def _result(
    algorithm: str,
    instance: Instance,
    committees: list[frozenset[str]],
    weights: list[float],
    started: float,
) -> ReferenceResult:
    probabilities = dict.fromkeys(instance.people, 0.0)
    for committee, weight in zip(committees, weights, strict=True):
        for person in committee:
            probabilities[person] += weight
    return ReferenceResult(
        algorithm=algorithm,
        probabilities=probabilities,
        committees=tuple(committees),
        weights=tuple(weights),
        seconds=time.perf_counter() - started,
    )


def reference_maximin(instance: Instance, panel_size: int) -> ReferenceResult:
    """The library's maximin on HiGHS (its default open solver backend)."""
    started = time.perf_counter()
    features, people = _library_inputs(instance, panel_size)
    from sortition_algorithms.committee_generation import find_distribution_maximin

    committees, weights, _report = find_distribution_maximin(
        features, people, panel_size, [], "highspy"
    )
    return _result("maximin", instance, list(committees), list(weights), started)


def reference_leximin(instance: Instance, panel_size: int) -> ReferenceResult:
    """The library's leximin; needs Gurobi (``gurobipy``), else :class:`ReferenceUnavailable`."""
    if not gurobi_available():
        raise ReferenceUnavailable("the reference leximin needs gurobipy (Gurobi)")
    started = time.perf_counter()
    features, people = _library_inputs(instance, panel_size)
    from sortition_algorithms.committee_generation import find_distribution_leximin

    committees, weights, _report = find_distribution_leximin(features, people, panel_size, [])
    return _result("leximin", instance, list(committees), list(weights), started)
