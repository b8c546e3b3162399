"""What the engine returns: plain frozen dataclasses and numpy arrays, no Django.

Shares are raw proportions of the votes cast (agree + disagree + pass); probabilities are the
smoothed ones the statistics use, ``(count + 1) / (votes + 2)``, which stay away from 0 and 1
when few people voted. "In" is the group, "out" everyone kept in the map outside the group.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

Direction = Literal["agree", "disagree"]


@dataclass(frozen=True)
class RepresentativeStatement:
    """A statement on which a group votes unlike the rest of the map (Pol.is "repness")."""

    statement: int
    direction: Direction
    """Whether the group stands out by agreeing or by disagreeing."""
    votes_in: int
    agree_in: float
    disagree_in: float
    votes_out: int
    agree_out: float
    disagree_out: float
    probability: float
    """Smoothed probability that a member of the group votes ``direction``."""
    ratio: float
    """``probability`` divided by the same smoothed probability outside the group."""
    z_in: float
    """One-proportion z-test of ``probability`` against one half."""
    z_difference: float
    """Two-proportion z-test of in against out."""
    significant: bool
    """Both tests pass at 90 % (one-sided, z > 1.2816). When no statement passes for a group,
    its single best statement is given with ``significant=False``."""


@dataclass(frozen=True)
class ConsensusStatement:
    """A statement that a majority of every group agrees with (or rejects)."""

    statement: int
    direction: Direction
    score: float
    """Group-aware consensus: product over the groups of the smoothed probability of
    ``direction`` in the group."""
    probability_by_group: tuple[float, ...]
    votes_by_group: tuple[int, ...]


@dataclass(frozen=True)
class DivisiveStatement:
    """A statement the groups disagree about: most of one group agrees, most of another not."""

    statement: int
    variance: float
    """Variance across groups (each group counted once) of the smoothed agree probability."""
    agree_by_group: tuple[float, ...]
    """Smoothed agree probability in each group."""
    votes_by_group: tuple[int, ...]


@dataclass(frozen=True, eq=False)
class OpinionResult:
    """An opinion map: positions, groups, and the statements that describe them.

    Arrays are indexed by participant (or statement) number, as in the votes given.
    """

    coordinates: NDArray[np.float64]
    """``(n_participants, 2)``: position on the map; NaN for a participant left out."""
    groups: NDArray[np.int64]
    """``(n_participants,)``: group of each participant, ``-1`` for one left out (too few
    votes, or no vote)."""
    group_sizes: tuple[int, ...]
    k: int
    silhouette: float
    """Silhouette of the groups kept, on the base clusters (from -1 to 1; above about 0.25 the
    groups are distinct, near 0 they are arbitrary cuts of one crowd)."""
    silhouettes: Mapping[int, float]
    """Silhouette for each number of groups tried (mean over the runs)."""
    stability: float
    """How much the groups depend on the random starts: mean adjusted Rand index between the
    groups kept and those of the other runs (1: always the same groups)."""
    representative: tuple[tuple[RepresentativeStatement, ...], ...]
    """For each group, its representative statements (at most five)."""
    consensus: tuple[ConsensusStatement, ...]
    """Agreed by a majority of every group (best first), then rejected by a majority of
    every group (best first)."""
    divisive: tuple[DivisiveStatement, ...]
    """Most divisive first."""
    explained_variance: tuple[float, float]
    """Share of the variance of the votes carried by each axis of the map."""
    components: NDArray[np.float64]
    """``(2, n_statements)``: loading of each statement on each axis."""
    kept: NDArray[np.bool_]
    """``(n_participants,)``: participants placed in the map and in the groups."""
    min_votes_used: int
    """Votes a participant needed to be kept: ``min(min_votes, statements with votes)``."""
    base_clusters: NDArray[np.int64]
    """``(n_participants,)``: base cluster of each participant kept, ``-1`` otherwise."""
    base_centers: NDArray[np.float64]
    base_sizes: NDArray[np.int64]
    base_groups: NDArray[np.int64]
    """Group of each base cluster."""
