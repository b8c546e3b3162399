"""LEXIMIN selection probabilities over the panels of types, on HiGHS.

The fairness notion is the one of Flanigan, Gölz, Gupta, Hennig and Procaccia (*Fair algorithms
for selecting citizens' assemblies*, Nature 596, 2021): among all lotteries over the panels that
meet the quotas, maximise the smallest selection probability, then the second smallest, and so
on. It is computed on types of volunteers rather than on people (see :mod:`.model`): by
symmetry the leximin lottery gives interchangeable people the same probability, so it is enough
to find a lottery over count vectors ``x`` and to give each person of type ``t`` the probability
``E[x_t] / n_t``. (Leximin over types and over people coincide: a type can be fixed at a stage
exactly when each of its members can.)

Two steps.

1. **Leximin of the expected counts over the LP relaxation.** The expected count vector
   ``e = E[x]`` of any lottery lies in ``conv(X)``, the convex hull of the panels ``X``, which
   lies in the polytope ``Q = {0 ≤ e ≤ n, Σ e = k, min ≤ Σ_{t has v} e_t ≤ max}``. The leximin
   of ``e_t / n_t`` over ``Q`` is a sequence of small LPs (one variable per type, a few dozen
   rows): stage ``s`` maximises ``z`` with ``e_t / n_t ≥ z`` for the types not fixed yet and
   ``e_t / n_t ≥ f_t`` for those fixed before; a type whose dual is positive is tight in every
   optimal solution (complementary slackness) and is fixed at ``z* − FIX_SLACK``. This gives a
   target ``e*``. Since ``conv(X) ⊆ Q``, no lottery does lexicographically better than ``e*``.

2. **Decomposition of e* into panels, by column generation.** Find ``λ ≥ 0``, ``Σ λ_P = 1``
   with ``Σ_P λ_P x_P = e*``: maximise ``z`` such that ``Σ_P λ_P x_P[t] ≥ z · e*_t`` (``z = 1``
   forces equality, since every panel has ``k`` seats). The LP holds only some panels (the
   *columns*); with its duals ``y_t`` and ``ŷ``, a panel improves it iff
   ``Σ_t y_t x[t] / e*_t > ŷ``: the pricing problem, an integer programme over the count
   vectors. Every panel of a decomposition must meet with equality each constraint of ``Q``
   that ``e*`` meets with equality, so the pricing is restricted to that face of ``Q``. When
   ``z`` reaches 1 (within ``DECOMPOSITION_TOLERANCE``), ``e*`` is achieved by a lottery, hence
   it is the leximin. On every instance tried so far it is.

   If it is not (``e*`` outside ``conv(X)``: ``Q`` has fractional corners), the exact method of
   the paper takes over, warm-started with the panels found: column generation for each stage
   of the leximin directly over the panels (:func:`_staged_leximin`).

The pricing problem first solves its LP relaxation (a warm-started simplex): if the LP bound is
no better than needed, no panel is; otherwise the LP's vertex, which has few fractional
counts, is rounded in every way that keeps the panel size (all candidates checked at once with
numpy); HiGHS's MIP is called only when no rounding works, and only at the pricing points
nearest the LP's duals. The duals given to the pricing are smoothed (Wentges): several points
between the LP's duals and the best duals seen so far.

The last LP's λ is the lottery. Its weights are rounded to integers out of ``WEIGHT_UNITS``
(largest remainders, ties in canonical order), and the probabilities reported are recomputed
from those integers and the panels, so they are exactly those of the lottery the draw uses.
"""

from __future__ import annotations

import itertools
import math
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import highspy
import numpy as np

from .errors import (
    InfeasibleQuotasError,
    InvalidInstanceError,
    InvalidPanelSize,
    SolverError,
    SolverFailure,
)
from .instance import Instance
from .model import (
    INFINITY,
    PersonType,
    TypeModel,
    add_count_columns,
    add_panel_constraints,
    new_highs,
    run,
    type_model,
)

ProgressCallback = Callable[[float, str], None]

#: The weights of the panels are whole numbers out of this many units.
WEIGHT_UNITS = 10**9
#: Feasibility and optimality tolerance of the LPs (HiGHS's default is 1e-7).
LP_TOLERANCE = 1e-9
#: A panel enters the LP when its dual value beats ŷ by more than this.
PRICING_TOLERANCE = 1e-8
#: A type whose dual is above this is tight in every optimal solution: it is fixed.
FIX_TOLERANCE = 1e-8
#: Fixed probabilities are set this much below the stage's optimum, so that the later stages
#: stay feasible despite floating-point noise.
FIX_SLACK = 1e-9
#: A constraint of Q within this many seats of its bound at e* is taken as tight.
FACE_TOLERANCE = 1e-6
#: The decomposition succeeds when every type gets at least (1 − this) of its target.
DECOMPOSITION_TOLERANCE = 1e-6
#: Pricing points per round, as weights of the best duals seen so far (0: the LP's duals).
SMOOTHING = (0.95, 0.8, 0.5, 0.0)
#: Pricing points closer to the centre than this only round the LP's vertex (no MIP).
EXACT_SMOOTHING = 0.5
#: At most this many panels from one pricing problem enter the LP.
COLUMNS_PER_PRICING = 2
#: Rounding the pricing LP's vertex tries at most this many candidates before the MIP.
ROUNDING_CANDIDATES = 50_000
#: Simplex iterations after which a warm-started solve of the LP is restarted from scratch.
MASTER_ITERATION_LIMIT = 20_000


@dataclass(frozen=True)
class LeximinStats:
    """How the computation went (for logs and the benchmark)."""

    seconds: float
    method: str
    """``"decomposition"`` (steps 1 and 2) or ``"staged"`` (the paper's method, as a fallback)."""
    stages: int
    pricing_calls: int
    mip_calls: int
    columns: int
    decomposition_ratio: float
    """The decomposition's z: the share of the target that every type is sure to get."""


@dataclass(frozen=True, eq=False)
class Distribution:
    """A lottery over panels and the selection probability it gives each volunteer.

    ``panels[i]`` is a vector of counts per type (``types``, in canonical order), drawn with
    probability ``weights[i] / WEIGHT_UNITS``. ``panels`` are sorted; ``weights`` are positive
    integers adding up to ``WEIGHT_UNITS``.
    """

    instance: Instance
    panel_size: int
    types: tuple[PersonType, ...]
    panels: tuple[tuple[int, ...], ...]
    weights: tuple[int, ...]
    stats: LeximinStats
    type_probabilities: tuple[float, ...] = field(init=False)

    def __post_init__(self) -> None:
        # E[x_t] / n_t computed exactly from the integer weights, then turned into floats.
        totals = [0] * len(self.types)
        for panel, weight in zip(self.panels, self.weights, strict=True):
            for t, count in enumerate(panel):
                if count:
                    totals[t] += weight * count
        probabilities = tuple(
            float(Fraction(total, WEIGHT_UNITS * person_type.size))
            for total, person_type in zip(totals, self.types, strict=True)
        )
        object.__setattr__(self, "type_probabilities", probabilities)

    @property
    def probabilities(self) -> dict[str, float]:
        """Selection probability of every volunteer, in the order of the pool."""
        of_person = {
            person: probability
            for person_type, probability in zip(self.types, self.type_probabilities, strict=True)
            for person in person_type.members
        }
        return {person: of_person[person] for person in self.instance.people}

    @property
    def minimum(self) -> float:
        return min(self.type_probabilities)

    @property
    def median(self) -> float:
        return float(statistics.median(self.probabilities.values()))

    @property
    def gini(self) -> float:
        return gini(list(self.probabilities.values()))

    def panel_probability(self, index: int) -> float:
        return self.weights[index] / WEIGHT_UNITS


def gini(values: Sequence[float]) -> float:
    """Gini coefficient: mean absolute difference over all pairs, divided by twice the mean."""
    if not values:
        return 0.0
    ordered = sorted(values)
    count = len(ordered)
    total = sum(ordered)
    if total <= 0:
        return 0.0
    # Σ_i Σ_j |a_i − a_j| = 2 Σ_i (2i − n + 1) a_i for a sorted, 0-based.
    weighted = sum((2 * i - count + 1) * value for i, value in enumerate(ordered))
    return max(0.0, weighted / (count * total))


# --- The pricing problem ----------------------------------------------------------------------


class _Pricer:
    """The panel with the largest weighted sum of counts, on the whole polytope or on a face.

    Row 0 of both models is the panel size, rows 1… are the quota rows of the type model.
    """

    def __init__(self, model: TypeModel, panel_size: int) -> None:
        self.model = model
        self.panel_size = panel_size
        self.count = len(model.types)
        self.columns = np.arange(self.count, dtype=np.int32)
        self.calls = 0
        self.mip_calls = 0
        self.membership = np.zeros((len(model.rows), self.count))
        for r, row in enumerate(model.rows):
            self.membership[r, list(row.types)] = 1.0
        self.row_lower = np.array([row.quota.min for row in model.rows], dtype=np.float64)
        self.row_upper = np.array([row.quota.max for row in model.rows], dtype=np.float64)
        self.col_lower = np.zeros(self.count)
        self.col_upper = model.sizes.copy()

        relaxation = new_highs()
        relaxation.setOptionValue("solver", "simplex")
        relaxation.setOptionValue("presolve", "off")
        relaxation.setOptionValue("simplex_strategy", 4)
        relaxation.setOptionValue("primal_feasibility_tolerance", LP_TOLERANCE)
        relaxation.setOptionValue("dual_feasibility_tolerance", LP_TOLERANCE)
        relaxation.addVars(self.count, np.zeros(self.count), model.sizes)
        add_panel_constraints(relaxation, model, panel_size)
        relaxation.changeObjectiveSense(highspy.ObjSense.kMaximize)
        self.relaxation = relaxation

        mip = new_highs()
        mip.setOptionValue("mip_rel_gap", 0.0)
        mip.setOptionValue("mip_abs_gap", PRICING_TOLERANCE / 4)
        mip.setOptionValue("mip_improving_solution_save", True)
        # Measured on these small models: these make each call about twice as fast.
        mip.setOptionValue("presolve", "off")
        mip.setOptionValue("mip_detect_symmetry", False)
        mip.setOptionValue("mip_heuristic_run_feasibility_jump", False)
        add_count_columns(mip, model)
        add_panel_constraints(mip, model, panel_size)
        mip.changeObjectiveSense(highspy.ObjSense.kMaximize)
        self.mip = mip

    def restrict(
        self,
        col_lower: np.ndarray,
        col_upper: np.ndarray,
        row_lower: np.ndarray,
        row_upper: np.ndarray,
    ) -> None:
        """Only panels within these bounds (counts per type, counts per quota row)."""
        self.col_lower, self.col_upper = col_lower.copy(), col_upper.copy()
        self.row_lower, self.row_upper = row_lower.copy(), row_upper.copy()
        for highs in (self.relaxation, self.mip):
            highs.changeColsBounds(self.count, self.columns, col_lower, col_upper)
            for r, (lower, upper) in enumerate(zip(row_lower, row_upper, strict=True)):
                highs.changeRowBounds(r + 1, float(lower), float(upper))

    def unrestrict(self) -> None:
        self.restrict(
            np.zeros(self.count),
            self.model.sizes,
            np.array([row.quota.min for row in self.model.rows], dtype=np.float64),
            np.array([row.quota.max for row in self.model.rows], dtype=np.float64),
        )

    def _within(self, counts: np.ndarray) -> bool:
        if counts.sum() != self.panel_size:
            return False
        if np.any(counts < self.col_lower - 0.5) or np.any(counts > self.col_upper + 0.5):
            return False
        rows = self.membership @ counts
        return bool(np.all(rows >= self.row_lower - 0.5) and np.all(rows <= self.row_upper + 0.5))

    def price(
        self, weights: np.ndarray, threshold: float, *, exact: bool = True
    ) -> tuple[float, list[tuple[float, tuple[int, ...]]]]:
        """An upper bound on the best value; panels worth more than ``threshold``, best first.

        With ``exact=False`` the MIP is skipped: the panels found by rounding, possibly none.
        """
        self.calls += 1
        self.relaxation.changeColsCost(self.count, self.columns, weights)
        if run(self.relaxation, "looking for a panel") != highspy.HighsModelStatus.kOptimal:
            raise SolverError([SolverFailure("looking for a panel", "no panel on this face")])
        bound = self.relaxation.getInfo().objective_function_value
        if bound <= threshold:
            return bound, []
        values = np.array(self.relaxation.getSolution().col_value)
        rounded = self._round(values, weights, threshold)
        if rounded or not exact:
            return bound, rounded
        return self._price_mip(weights, threshold)

    def _round(
        self, values: np.ndarray, weights: np.ndarray, threshold: float
    ) -> list[tuple[float, tuple[int, ...]]]:
        """The best panels next to the LP's vertex, worth more than ``threshold``.

        The vertex has few fractional counts (at most one per row). Keeping its integral counts
        and rounding each fractional one down or up, with exactly as many up as the panel size
        needs, gives C(F, m) candidates, all checked at once. Empty when the vertex is too
        fractional or no candidate is feasible and good enough: the MIP then decides.
        """
        floors = np.floor(values + 1e-7)
        fractional = np.flatnonzero(values - floors > 1e-7)
        base = floors.astype(np.int64)
        ups_needed = self.panel_size - int(base.sum())
        if not 0 <= ups_needed <= len(fractional):
            return []
        if math.comb(len(fractional), ups_needed) > ROUNDING_CANDIDATES:
            return []
        if ups_needed:
            combinations = np.array(
                list(itertools.combinations(range(len(fractional)), ups_needed)), dtype=np.int64
            )
        else:
            combinations = np.zeros((1, 0), dtype=np.int64)
        ups = np.zeros((len(combinations), len(fractional)))
        ups[np.arange(len(combinations))[:, None], combinations] = 1.0
        row_counts = self.membership @ base + ups @ self.membership[:, fractional].T
        feasible = np.all(
            (row_counts >= self.row_lower - 0.5) & (row_counts <= self.row_upper + 0.5), axis=1
        )
        scores = float(np.dot(weights, base)) + ups @ weights[fractional]
        scores[~feasible] = -np.inf
        found = []
        for index in np.argsort(-scores, kind="stable")[:COLUMNS_PER_PRICING]:
            if scores[index] <= threshold:
                break
            counts = base.copy()
            counts[fractional] += ups[index].astype(np.int64)
            if self._within(counts):
                panel = tuple(int(c) for c in counts)
                found.append((float(np.dot(weights, counts)), panel))
        return found

    def _price_mip(
        self, weights: np.ndarray, threshold: float
    ) -> tuple[float, list[tuple[float, tuple[int, ...]]]]:
        self.mip_calls += 1
        self.mip.changeColsCost(self.count, self.columns, weights)
        if run(self.mip, "looking for a panel") != highspy.HighsModelStatus.kOptimal:
            raise SolverError([SolverFailure("looking for a panel", "no panel on this face")])
        candidates = [np.array(self.mip.getSolution().col_value)]
        candidates.extend(np.array(saved.col_value) for saved in self.mip.getSavedMipSolutions())
        found: dict[tuple[int, ...], float] = {}
        for values in candidates:
            counts = np.rint(values[: self.count]).astype(np.int64)
            panel = tuple(int(c) for c in counts)
            if panel not in found and self._within(counts):
                found[panel] = float(np.dot(weights, counts))
        if not found:
            raise SolverError([SolverFailure("looking for a panel", "no integral solution")])
        best = max(found.values())
        panels = sorted(
            ((value, panel) for panel, value in found.items() if value > threshold),
            reverse=True,
        )
        return best + PRICING_TOLERANCE / 4, panels


# --- The restricted LP over panels ------------------------------------------------------------


@dataclass
class _MasterSolution:
    z: float
    duals: np.ndarray  # y_t ≥ 0, one per type
    cap: float  # ŷ
    weights: np.ndarray  # λ_P, one per column


class _Master:
    """``max z`` such that ``Σ_P λ_P x_P[t] / d_t ≥ z`` (or ``≥ f_t`` once fixed), ``Σ λ = 1``.

    ``d`` is ``n`` (stages of the leximin) or ``e*`` (decomposition). Column 0 is z; then one
    column per panel. Rows 0 … T−1 are the types, row T is Σ λ = 1. HiGHS minimises −z; with
    that sign its row duals are y_t ≥ 0 and −ŷ.
    """

    def __init__(self, denominators: np.ndarray) -> None:
        self.denominators = denominators
        self.count = len(denominators)
        self.panels: list[tuple[int, ...]] = []
        self.known: set[tuple[int, ...]] = set()
        self.restarts = 0
        highs = new_highs()
        highs.setOptionValue("solver", "simplex")
        highs.setOptionValue("presolve", "off")
        # Adding columns keeps the basis primal feasible: the primal simplex goes on from it.
        highs.setOptionValue("simplex_strategy", 4)
        highs.setOptionValue("primal_feasibility_tolerance", LP_TOLERANCE)
        highs.setOptionValue("dual_feasibility_tolerance", LP_TOLERANCE)
        highs.addVar(0.0, INFINITY)  # z ≤ 1 follows from Σ λ = 1
        highs.changeColCost(0, -1.0)
        count = self.count
        highs.addRows(
            count + 1,
            np.array([0.0] * count + [1.0]),
            np.array([INFINITY] * count + [1.0]),
            count,
            np.array([*range(count), count], dtype=np.int32),
            np.zeros(count, dtype=np.int32),
            np.full(count, -1.0),
        )
        self.highs = highs

    def add(self, counts: tuple[int, ...]) -> bool:
        if counts in self.known:
            return False
        self.known.add(counts)
        self.panels.append(counts)
        rows = [t for t, c in enumerate(counts) if c]
        values = [counts[t] / self.denominators[t] for t in rows]
        self.highs.addCol(
            0.0,
            0.0,
            INFINITY,
            len(rows) + 1,
            np.array([*rows, self.count], dtype=np.int32),
            np.array([*values, 1.0]),
        )
        return True

    def fix(self, t: int, value: float) -> None:
        """Row t becomes ``Σ_P λ_P x_P[t] / d_t ≥ value`` (z leaves it)."""
        self.highs.changeCoeff(t, 0, 0.0)
        self.highs.changeRowBounds(t, value, INFINITY)

    def solve(self) -> _MasterSolution:
        self.highs.setOptionValue("simplex_iteration_limit", MASTER_ITERATION_LIMIT)
        self.highs.run()
        status = self.highs.getModelStatus()
        if status == highspy.HighsModelStatus.kIterationLimit:
            # The primal simplex can stall on this very degenerate LP from some warm bases:
            # start again from scratch with the dual simplex (deterministic: the limit counts
            # iterations, not seconds).
            self.restarts += 1
            self.highs.clearSolver()
            self.highs.setOptionValue("simplex_strategy", 1)
            self.highs.setOptionValue("simplex_iteration_limit", 2**31 - 1)
            self.highs.run()
            self.highs.setOptionValue("simplex_strategy", 4)
            status = self.highs.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise SolverError(
                [SolverFailure("solving the selection LP", self.highs.modelStatusToString(status))]
            )
        solution = self.highs.getSolution()
        row_duals = np.array(solution.row_dual)
        columns = np.array(solution.col_value)
        return _MasterSolution(
            z=float(columns[0]),
            duals=np.clip(row_duals[: self.count], 0.0, None),
            cap=float(-row_duals[self.count]),
            weights=np.clip(columns[1:], 0.0, None),
        )


def _initial_panels(pricer: _Pricer, denominators: np.ndarray) -> Iterator[tuple[int, ...]]:
    """Diverse panels that between them contain every type that can be on a panel.

    Each round asks for the panel with the largest share of the types not yet covered (weight
    1/d_t on those, 0 on the others); a round that covers none proves that the types left
    cannot be on any panel of the pricer's polytope.
    """
    uncovered = pricer.col_upper > 0
    while uncovered.any():
        weights = np.where(uncovered, 1.0 / denominators, 0.0)
        _bound, found = pricer.price(weights, 0.0)
        if not found:
            return
        newly = False
        for _value, counts in found:
            present = np.array(counts) > 0
            if (present & uncovered).any():
                newly = True
                uncovered &= ~present
                yield counts
        if not newly:
            return


def _column_generation(
    master: _Master,
    pricer: _Pricer,
    fixed_values: np.ndarray,
    progress: Callable[[_MasterSolution], None] | None = None,
) -> tuple[_MasterSolution, float]:
    """Add panels until none improves the LP; its solution and an upper bound on its optimum.

    Each round asks the pricing problem at the points of ``SMOOTHING``: between the LP's duals
    and the *centre*, the duals that gave the best upper bound so far (Wentges smoothing). This
    damps the jumps of the simplex's extreme duals and finds several useful panels per LP solve.
    The round at the LP's own duals (weight 0) decides: when it finds nothing, the LP is optimal
    over all panels (up to ``PRICING_TOLERANCE``), so its duals are optimal duals.
    """
    denominators = master.denominators
    centre: np.ndarray | None = None
    centre_bound = np.inf
    solution = master.solve()
    while True:
        if progress is not None:
            progress(solution)
        duals = solution.duals
        needed = solution.cap + PRICING_TOLERANCE
        added = 0
        exact_bound = np.inf
        for alpha in SMOOTHING if centre is not None else (0.0,):
            point = duals
            if alpha > 0.0 and centre is not None:
                point = alpha * centre + (1 - alpha) * duals
            # Weak duality: at any y ≥ 0 with Σ_unfixed y = 1, the optimum is at most
            # max_P Σ_t y_t x_P[t] / d_t − Σ_fixed f_t y_t.
            best, found = pricer.price(
                point / denominators,
                needed if alpha == 0.0 else -np.inf,
                exact=alpha <= EXACT_SMOOTHING,
            )
            point_bound = best - float(np.dot(fixed_values, point))
            if alpha == 0.0:
                exact_bound = point_bound
            if point_bound < centre_bound:
                centre, centre_bound = point, point_bound
            for _value, counts in found[:COLUMNS_PER_PRICING]:
                if float(np.dot(duals / denominators, counts)) > needed:
                    added += master.add(counts)
        if not added:
            return solution, min(centre_bound, max(solution.z, exact_bound))
        solution = master.solve()


# --- Step 1: leximin over the LP relaxation -----------------------------------------------------


def _relaxed_leximin(model: TypeModel, panel_size: int) -> tuple[np.ndarray, int]:
    """Expected counts e* of the leximin of e_t / n_t over Q, and the number of stages."""
    count = len(model.types)
    sizes = model.sizes
    highs = new_highs()
    highs.setOptionValue("solver", "simplex")
    highs.setOptionValue("presolve", "off")
    highs.setOptionValue("primal_feasibility_tolerance", LP_TOLERANCE)
    highs.setOptionValue("dual_feasibility_tolerance", LP_TOLERANCE)
    highs.addVars(count, np.zeros(count), sizes)  # e_t
    add_panel_constraints(highs, model, panel_size)
    first = highs.getNumRow()
    highs.addVar(0.0, INFINITY)  # z, column `count`
    highs.changeColCost(count, -1.0)
    # e_t / n_t − z ≥ 0, one row per type.
    highs.addRows(
        count,
        np.zeros(count),
        np.full(count, INFINITY),
        2 * count,
        np.arange(0, 2 * count, 2, dtype=np.int32),
        np.array([[t, count] for t in range(count)], dtype=np.int32).ravel(),
        np.array([[1.0 / sizes[t], -1.0] for t in range(count)]).ravel(),
    )
    fixed = np.zeros(count, dtype=bool)
    stages = 0
    solution = highspy.HighsSolution()
    while not fixed.all():
        stages += 1
        if run(highs, "computing the leximin") != highspy.HighsModelStatus.kOptimal:
            raise SolverError([SolverFailure("computing the leximin", "infeasible")])
        solution = highs.getSolution()
        z = solution.col_value[count]
        duals = np.array(solution.row_dual[first : first + count])
        # Complementary slackness: a positive dual means tight in every optimal solution.
        tight = (~fixed) & (duals > FIX_TOLERANCE)
        if not tight.any():  # cannot happen: the duals of the unfixed types add up to 1
            tight[int(np.argmax(np.where(fixed, -1.0, duals)))] = True
        for t in np.flatnonzero(tight):
            highs.changeCoeff(first + int(t), count, 0.0)
            highs.changeRowBounds(first + int(t), max(0.0, z - FIX_SLACK), INFINITY)
        fixed |= tight
    # The last stage's solution meets every fixed probability: it is the leximin point.
    expected = np.clip(np.array(solution.col_value[:count]), 0.0, sizes)
    return expected, stages


# --- Step 2: decomposition into panels ----------------------------------------------------------


def _decompose(
    model: TypeModel, pricer: _Pricer, target: np.ndarray, report: Callable[[float, str], None]
) -> tuple[_Master, _MasterSolution]:
    """Column generation for ``Σ_P λ_P x_P ≥ z · target``, restricted to target's face of Q."""
    sizes = model.sizes
    empty = target <= FACE_TOLERANCE
    full = target >= sizes - FACE_TOLERANCE
    rows = pricer.membership @ target
    quota_min = np.array([row.quota.min for row in model.rows], dtype=np.float64)
    quota_max = np.array([row.quota.max for row in model.rows], dtype=np.float64)
    at_max = np.abs(rows - quota_max) <= FACE_TOLERANCE
    at_min = np.abs(rows - quota_min) <= FACE_TOLERANCE
    pricer.restrict(
        np.where(full, sizes, 0.0),
        np.where(empty, 0.0, sizes),
        np.where(at_max, quota_max, quota_min),
        np.where(at_min, quota_min, quota_max),
    )
    denominators = np.where(empty, 1.0, target)
    master = _Master(denominators)
    for t in np.flatnonzero(empty):
        master.fix(int(t), 0.0)
    for counts in _initial_panels(pricer, denominators):
        master.add(counts)

    def progress(solution: _MasterSolution) -> None:
        report(0.05 + 0.9 * solution.z, f"{len(master.panels)} panels, {solution.z:.2%} reached")

    solution, _bound = _column_generation(master, pricer, np.zeros(len(target)), progress)
    return master, solution


# --- Fallback: the paper's staged column generation ----------------------------------------------


def _staged_leximin(
    model: TypeModel,
    pricer: _Pricer,
    columns: Sequence[tuple[int, ...]],
    report: Callable[[float, str], None],
) -> tuple[_Master, _MasterSolution, int]:
    """Leximin by column generation over panels, stage by stage (exact, slower)."""
    pricer.unrestrict()
    sizes = model.sizes
    count = len(model.types)
    master = _Master(sizes)
    for counts in columns:
        master.add(counts)
    for counts in _initial_panels(pricer, sizes):
        master.add(counts)
    fixed = np.zeros(count, dtype=bool)
    fixed_values = np.zeros(count)
    stages = 0
    solution = master.solve()
    while not fixed.all():
        stages += 1
        solution, _bound = _column_generation(master, pricer, fixed_values)
        tight = (~fixed) & (solution.duals > FIX_TOLERANCE)
        if not tight.any():  # cannot happen: the duals of the unfixed types add up to 1
            tight[int(np.argmax(np.where(fixed, -1.0, solution.duals)))] = True
        value = max(0.0, solution.z - FIX_SLACK)
        for t in np.flatnonzero(tight):
            master.fix(int(t), value)
            fixed_values[t] = value
        fixed |= tight
        report(
            float(sizes[fixed].sum() / sizes.sum()),
            f"stage {stages}: {int(fixed.sum())}/{count} types settled",
        )
    return master, solution, stages


# --- Entry point ----------------------------------------------------------------------------------


def _round_weights(weights: Sequence[float]) -> list[int]:
    """Integers out of WEIGHT_UNITS, by largest remainders (ties: first in order wins)."""
    total = float(sum(weights))
    scaled = [weight / total * WEIGHT_UNITS for weight in weights]
    units = [math.floor(value) for value in scaled]
    missing = WEIGHT_UNITS - sum(units)
    by_remainder = sorted(range(len(scaled)), key=lambda i: (-(scaled[i] - units[i]), i))
    for i in by_remainder[:missing]:
        units[i] += 1
    return units


def leximin(
    instance: Instance,
    panel_size: int,
    progress: ProgressCallback | None = None,
    *,
    method: str = "auto",
) -> Distribution:
    """The leximin lottery over the panels of ``panel_size`` that meet every quota.

    Raises :class:`InfeasibleQuotasError` (with the conflicting quotas) when there is no such
    panel, :class:`InvalidInstanceError` for a panel size below 1. ``progress`` is called now
    and then with a share of the work done (0 to 1) and a short message. ``method="staged"``
    skips the decomposition and runs the paper's stage-by-stage column generation (slower;
    the same result, used to check the fast path).
    """
    from .feasibility import check_feasibility

    started = time.perf_counter()
    if method not in ("auto", "staged"):
        raise ValueError(f"unknown method {method!r}")
    if panel_size < 1:
        raise InvalidInstanceError([InvalidPanelSize(panel_size)])
    conflicts = check_feasibility(instance, panel_size)
    if conflicts:
        raise InfeasibleQuotasError(conflicts)

    def report(fraction: float, message: str) -> None:
        if progress is not None:
            progress(min(1.0, max(0.0, fraction)), message)

    model = type_model(instance)
    pricer = _Pricer(model, panel_size)
    report(0.0, f"{len(model.types)} types of volunteers")
    target, stages = _relaxed_leximin(model, panel_size)
    ratio = 0.0
    columns: list[tuple[int, ...]] = []
    if method == "auto":
        report(0.05, "target probabilities found; building the lottery")
        master, solution = _decompose(model, pricer, target, report)
        ratio = solution.z
        columns = master.panels
    if ratio < 1.0 - DECOMPOSITION_TOLERANCE:
        master, solution, stages = _staged_leximin(model, pricer, columns, report)
        used = "staged"
    else:
        used = "decomposition"

    support = sorted(
        (master.panels[i], float(weight))
        for i, weight in enumerate(solution.weights)
        if weight > 1e-12
    )
    units = _round_weights([weight for _panel, weight in support])
    kept = [(panel, unit) for (panel, _weight), unit in zip(support, units, strict=True) if unit]
    distribution = Distribution(
        instance=instance,
        panel_size=panel_size,
        types=model.types,
        panels=tuple(panel for panel, _unit in kept),
        weights=tuple(unit for _panel, unit in kept),
        stats=LeximinStats(
            seconds=time.perf_counter() - started,
            method=used,
            stages=stages,
            pricing_calls=pricer.calls,
            mip_calls=pricer.mip_calls,
            columns=len(master.panels),
            decomposition_ratio=ratio,
        ),
    )
    for panel in distribution.panels:
        if not model.meets_quotas(panel, panel_size):
            raise SolverError([SolverFailure("checking the panels", "a panel misses a quota")])
    if used == "decomposition":
        shortfall = float(np.max(target / model.sizes - distribution.type_probabilities))
        if shortfall > 1e-6:
            raise SolverError(
                [SolverFailure("checking the probabilities", f"shortfall {shortfall:.2e}")]
            )
    report(1.0, "done")
    return distribution
