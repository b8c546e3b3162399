"""The draw: a panel picked from the leximin lottery with a seed published beforehand.

Anyone holding the published pool, the quotas, the panel size and the seed can redo the draw
and must get the same panel. Every random choice comes from SHA-256, nothing from a random
number generator:

1. ``fingerprint`` is the SHA-256 of the canonical instance
   (:attr:`fabrique.panels.selection.instance.Instance.fingerprint`).
2. ``ticket = int(SHA-256("fabrique-panel-draw-v1␟panel␟<seed>␟<fingerprint>␟<k>")) mod 10⁹``
   (``␟`` is the unit separator, U+001F; the hash read as a big-endian integer).
3. The panels of the lottery are sorted (count vectors in lexicographic order) and their
   weights are whole numbers adding up to 10⁹; the panel drawn is the first whose running
   total of weights exceeds ``ticket``.
4. Within each type, the members are ordered by
   ``SHA-256("fabrique-panel-draw-v1␟person␟<seed>␟<fingerprint>␟<k>␟<id>")`` (hex digest, as
   text) and the first ``count`` are selected: a uniform choice that a spreadsheet can check.

A replacement draw uses the word ``replacement`` instead of ``panel`` and the fingerprint of
the sub-instance it draws from (the volunteers still available, the quotas left to fill).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from .errors import (
    InfeasibleQuotasError,
    InvalidInstanceError,
    InvalidSeed,
    PanelAlreadyFull,
    PoolTooSmall,
    Problem,
    QuotaRelaxation,
    QuotaViolation,
    SolverError,
    SolverFailure,
    UnknownPerson,
)
from .feasibility import check_feasibility, minimal_relaxation, relaxed_categories
from .instance import Instance, Quota
from .leximin import WEIGHT_UNITS, Distribution, ProgressCallback, leximin

DOMAIN = "fabrique-panel-draw-v1"
SEPARATOR = "\x1f"


def digest(*parts: str) -> str:
    """SHA-256 (hex) of the domain and the parts, joined by the unit separator."""
    text = SEPARATOR.join((DOMAIN, *parts))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def ticket(purpose: str, seed: str, fingerprint: str, panel_size: int) -> int:
    """The number in [0, WEIGHT_UNITS) that picks the panel."""
    return int(digest(purpose, seed, fingerprint, str(panel_size)), 16) % WEIGHT_UNITS


@dataclass(frozen=True, eq=False)
class Draw:
    """A drawn panel and everything needed to check it."""

    seed: str
    purpose: str
    fingerprint: str
    panel_size: int
    distribution: Distribution
    ticket: int
    panel_index: int
    selected: tuple[str, ...]
    """The ids drawn, sorted."""

    @property
    def counts(self) -> tuple[int, ...]:
        return self.distribution.panels[self.panel_index]

    @property
    def probabilities(self) -> dict[str, float]:
        return self.distribution.probabilities


def _check_seed(seed: str) -> None:
    if not isinstance(seed, str) or seed == "":
        raise InvalidInstanceError([InvalidSeed()])


def draw_from(
    distribution: Distribution, seed: str, *, purpose: str = "panel"
) -> tuple[int, int, tuple[str, ...]]:
    """Ticket, index of the panel and ids drawn: steps 2 to 4 of the module's docstring."""
    _check_seed(seed)
    fingerprint = distribution.instance.fingerprint
    size = str(distribution.panel_size)
    number = ticket(purpose, seed, fingerprint, distribution.panel_size)
    running = 0
    index = len(distribution.weights) - 1
    for i, weight in enumerate(distribution.weights):
        running += weight
        if running > number:
            index = i
            break
    selected: list[str] = []
    for person_type, count in zip(distribution.types, distribution.panels[index], strict=True):
        if count:
            order = sorted(
                person_type.members,
                key=lambda person: (digest("person", seed, fingerprint, size, person), person),
            )
            selected.extend(order[:count])
    return number, index, tuple(sorted(selected))


def draw_panel(
    instance: Instance,
    panel_size: int,
    seed: str,
    distribution: Distribution | None = None,
    progress: ProgressCallback | None = None,
    *,
    purpose: str = "panel",
) -> Draw:
    """Compute the leximin lottery (unless given) and draw one panel from it with ``seed``.

    The same instance, size and seed always give the same panel, whatever the machine.
    """
    _check_seed(seed)
    if distribution is None:
        distribution = leximin(instance, panel_size, progress)
    elif (
        distribution.instance.fingerprint != instance.fingerprint
        or distribution.panel_size != panel_size
    ):
        raise SolverError([SolverFailure("drawing", "the lottery is for another instance")])
    number, index, selected = draw_from(distribution, seed, purpose=purpose)
    return Draw(
        seed=seed,
        purpose=purpose,
        fingerprint=instance.fingerprint,
        panel_size=panel_size,
        distribution=distribution,
        ticket=number,
        panel_index=index,
        selected=selected,
    )


@dataclass(frozen=True, eq=False)
class Replacement:
    """New members drawn for the seats left free, and what the full panel then misses."""

    seats: int
    members: tuple[str, ...]
    excluded: tuple[str, ...]
    sub_instance: Instance
    """The volunteers still available and the quotas left to fill (before any relaxation)."""
    relaxations: tuple[QuotaRelaxation, ...]
    """Empty when the quotas left can be met; else the smallest relaxation that was applied."""
    violations: tuple[QuotaViolation, ...]
    """Quotas that the full panel (members and replacements) misses; empty when all are met."""
    draw: Draw

    @property
    def selected(self) -> tuple[str, ...]:
        return self.draw.selected

    @property
    def probabilities(self) -> dict[str, float]:
        """Probability of each available volunteer to be drawn as a replacement."""
        return self.draw.probabilities


def remaining_quotas(instance: Instance, members: Iterable[str]) -> dict[str, dict[str, Quota]]:
    """The original quotas minus what the members already fill (never below 0)."""
    filled: dict[tuple[str, str], int] = {}
    for person in members:
        for category, value in zip(instance.category_names, instance.values[person], strict=True):
            filled[(category, value)] = filled.get((category, value), 0) + 1
    return {
        category: {
            value: Quota(
                max(0, quota.min - filled.get((category, value), 0)),
                max(0, quota.max - filled.get((category, value), 0)),
            )
            for value, quota in values.items()
        }
        for category, values in instance.categories.items()
    }


def quota_violations(instance: Instance, panel: Iterable[str]) -> list[QuotaViolation]:
    """The quotas that a set of people misses."""
    counts: dict[tuple[str, str], int] = {}
    for person in panel:
        for category, value in zip(instance.category_names, instance.values[person], strict=True):
            counts[(category, value)] = counts.get((category, value), 0) + 1
    violations: list[QuotaViolation] = []
    for category, values in instance.categories.items():
        for value, quota in values.items():
            actual = counts.get((category, value), 0)
            if actual < quota.min:
                violations.append(QuotaViolation(category, value, "min", quota.min, actual))
            elif actual > quota.max:
                violations.append(QuotaViolation(category, value, "max", quota.max, actual))
    return violations


def draw_replacements(
    instance: Instance,
    panel_size: int,
    seed: str,
    members: Iterable[str],
    excluded: Iterable[str],
    progress: ProgressCallback | None = None,
) -> Replacement:
    """Draw people for the seats that ``members`` leave free, as fairly as the first draw.

    ``members`` are the panel members who stay; ``excluded`` are the people who may not be
    drawn (who declined, left, or were drawn before; listing members there too is harmless).
    The quotas left to fill are the original
    ones minus what the members fill; the pool is everyone else. The leximin lottery over that
    sub-instance is computed and one set of replacements drawn with ``seed``. When no set meets
    the quotas left, the smallest total relaxation is applied (and reported), so that the full
    panel misses the quotas by as little as possible.
    """
    _check_seed(seed)
    members = tuple(dict.fromkeys(members))
    excluded = tuple(dict.fromkeys(excluded))
    known = set(instance.people)
    problems: list[Problem] = [
        UnknownPerson(person) for person in (*members, *excluded) if person not in known
    ]
    staying = set(members)
    seats = panel_size - len(members)
    if seats <= 0:
        problems.append(PanelAlreadyFull(len(members), panel_size))
    if problems:
        raise InvalidInstanceError(problems)
    unavailable = staying | set(excluded)
    pool = [person for person in instance.people if person not in unavailable]
    if len(pool) < seats:
        raise InfeasibleQuotasError([PoolTooSmall(len(pool), seats)])
    sub_instance = instance.restricted(pool, remaining_quotas(instance, members))
    relaxations: list[QuotaRelaxation] = []
    target = sub_instance
    if check_feasibility(sub_instance, seats):
        relaxations = minimal_relaxation(sub_instance, seats)
        target = sub_instance.restricted(pool, relaxed_categories(sub_instance, relaxations))
    draw = draw_panel(target, seats, seed, progress=progress, purpose="replacement")
    violations = quota_violations(instance, (*members, *draw.selected))
    return Replacement(
        seats=seats,
        members=members,
        excluded=excluded,
        sub_instance=sub_instance,
        relaxations=tuple(relaxations),
        violations=tuple(violations),
        draw=draw,
    )
