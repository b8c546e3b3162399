"""The statements that describe the groups: representative, consensus and divisive.

All three work on the vote counts of each group on each statement (agree, disagree, and all
votes including passes), over the participants kept in the map. Probabilities are smoothed with
one pseudo-vote on each side, ``(count + 1) / (votes + 2)``, so that a statement seen by two
people does not come out as 100 % agreed.

**Representative** (Pol.is "repness", Small et al. 2021): a statement represents a group when the
group agrees (or disagrees) with it more than the rest of the map does. For each group and
direction: ``probability`` the smoothed share in the group, ``ratio`` that probability over the
smoothed share outside, ``z_in`` a one-proportion z-test against one half and ``z_difference``
a two-proportion z-test of in against out (both with the pseudo-counts). A statement is kept
when both tests pass at 90 % (one-sided), ranked by ``ratio × z_difference × probability ×
z_in``, at most five, agreements before disagreements; when none passes, the group's best
statement by ``z_difference`` is given, flagged as not significant.

**Consensus** (Pol.is "group-aware consensus"): the product over the groups of the smoothed
probability of agreeing. Taking the product means a small group's rejection weighs as much as a
large group's approval, so a statement liked by the majority group only does not count as
consensus. We list the statements that a majority of every group agrees with (a smoothed
probability above one half is exactly a strict majority of the votes), ranked by that product;
then, the same way, those that a majority of every group rejects.

**Divisive**: the statements on which most of one group agrees while most of another does not,
ranked by the variance across groups (each group once) of the smoothed agree probability.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .projection import FloatArray
from .results import ConsensusStatement, Direction, DivisiveStatement, RepresentativeStatement
from .votes import IntArray, Votes

Z_90 = 1.2816  # one-sided 90 % threshold of the standard normal, as in Pol.is
MAX_REPRESENTATIVE = 5


@dataclass(frozen=True, eq=False)
class GroupCounts:
    """Votes of each group on each statement, shape ``(k, n_statements)``."""

    agree: IntArray
    disagree: IntArray
    seen: IntArray
    """All votes, passes included."""


def group_counts(votes: Votes, groups: IntArray, k: int) -> GroupCounts:
    """Count the votes of the participants in groups (``groups[p] >= 0``)."""
    group_of_vote = groups[votes.participants]
    grouped = group_of_vote >= 0
    cell = group_of_vote[grouped] * votes.n_statements + votes.statements[grouped]
    values = votes.values[grouped]
    size = k * votes.n_statements

    def count(mask: NDArray[np.bool_]) -> IntArray:
        return np.bincount(cell[mask], minlength=size).reshape(k, votes.n_statements)

    return GroupCounts(
        agree=count(values == 1),
        disagree=count(values == -1),
        seen=count(np.ones(values.size, dtype=bool)),
    )


def smoothed(successes: IntArray, trials: IntArray) -> FloatArray:
    return (successes + 1.0) / (trials + 2.0)


def proportion_z(successes: IntArray, trials: IntArray) -> FloatArray:
    """z-statistic of a proportion against one half, with one pseudo-count (as Pol.is)."""
    n = trials + 1.0
    return 2.0 * np.sqrt(n) * ((successes + 1.0) / n - 0.5)


def two_proportion_z(
    successes_in: IntArray, successes_out: IntArray, trials_in: IntArray, trials_out: IntArray
) -> FloatArray:
    """Pooled two-proportion z-statistic (in minus out), with one pseudo-count on each count."""
    s1, s2 = successes_in + 1.0, successes_out + 1.0
    n1, n2 = trials_in + 1.0, trials_out + 1.0
    pooled = (s1 + s2) / (n1 + n2)
    spread = np.sqrt(np.maximum(pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2), 0.0))
    return np.divide(s1 / n1 - s2 / n2, spread, out=np.zeros_like(pooled), where=spread > 0)


def representative_statements(
    counts: GroupCounts, allowed: NDArray[np.bool_], *, limit: int = MAX_REPRESENTATIVE
) -> tuple[tuple[RepresentativeStatement, ...], ...]:
    """For each group, the statements on which it stands out (see the module's docstring)."""
    na, nd, ns = counts.agree, counts.disagree, counts.seen
    na_out, nd_out, ns_out = na.sum(0) - na, nd.sum(0) - nd, ns.sum(0) - ns
    sides: tuple[tuple[Direction, IntArray, IntArray], ...] = (
        ("agree", na, na_out),
        ("disagree", nd, nd_out),
    )
    stats: dict[Direction, dict[str, FloatArray]] = {}
    passes: dict[Direction, NDArray[np.bool_]] = {}
    for direction, n_in, n_out in sides:
        probability = smoothed(n_in, ns)
        z_in = proportion_z(n_in, ns)
        z_difference = two_proportion_z(n_in, n_out, ns, ns_out)
        stats[direction] = {
            "probability": probability,
            "ratio": probability / smoothed(n_out, ns_out),
            "z_in": z_in,
            "z_difference": z_difference,
        }
        passes[direction] = (z_in > Z_90) & (z_difference > Z_90)
    # The direction that passes both tests; if both or neither do, the one that differs more.
    larger = stats["agree"]["z_difference"] > stats["disagree"]["z_difference"]
    agree_wins = np.where(passes["agree"] == passes["disagree"], larger, passes["agree"])

    def pick(name: str) -> FloatArray:
        return np.where(agree_wins, stats["agree"][name], stats["disagree"][name])

    probability, ratio = pick("probability"), pick("ratio")
    z_in, z_difference = pick("z_in"), pick("z_difference")
    significant = (passes["agree"] | passes["disagree"]) & allowed[None, :] & (ns > 0)
    metric = ratio * z_difference * probability * z_in

    def share(part: IntArray, whole: IntArray) -> FloatArray:
        return np.divide(part, whole, out=np.zeros(part.shape), where=whole > 0)

    agree_in, disagree_in = share(na, ns), share(nd, ns)
    agree_out, disagree_out = share(na_out, ns_out), share(nd_out, ns_out)

    def make(g: int, s: int) -> RepresentativeStatement:
        return RepresentativeStatement(
            statement=s,
            direction="agree" if agree_wins[g, s] else "disagree",
            votes_in=int(ns[g, s]),
            agree_in=float(agree_in[g, s]),
            disagree_in=float(disagree_in[g, s]),
            votes_out=int(ns_out[g, s]),
            agree_out=float(agree_out[g, s]),
            disagree_out=float(disagree_out[g, s]),
            probability=float(probability[g, s]),
            ratio=float(ratio[g, s]),
            z_in=float(z_in[g, s]),
            z_difference=float(z_difference[g, s]),
            significant=bool(significant[g, s]),
        )

    out = []
    for g in range(na.shape[0]):
        candidates = np.flatnonzero(significant[g])
        if candidates.size:
            ranked = candidates[np.lexsort((candidates, -metric[g, candidates]))][:limit]
            chosen = [s for s in ranked if agree_wins[g, s]] + [
                s for s in ranked if not agree_wins[g, s]
            ]
        else:
            seen = np.flatnonzero(allowed & (ns[g] > 0))
            chosen = [int(seen[np.lexsort((seen, -z_difference[g, seen]))][0])] if seen.size else []
        out.append(tuple(make(g, int(s)) for s in chosen))
    return tuple(out)


def consensus_statements(
    counts: GroupCounts, allowed: NDArray[np.bool_]
) -> tuple[ConsensusStatement, ...]:
    """Agreed by a majority of every group, then rejected by a majority of every group."""
    out: list[ConsensusStatement] = []
    ns = counts.seen
    sides: tuple[tuple[Direction, IntArray], ...] = (
        ("agree", counts.agree),
        ("disagree", counts.disagree),
    )
    for direction, n in sides:
        probability = smoothed(n, ns)
        score = probability.prod(axis=0)
        majority = (2 * n > ns).all(axis=0) & allowed
        candidates = np.flatnonzero(majority)
        for s in candidates[np.lexsort((candidates, -score[candidates]))]:
            out.append(
                ConsensusStatement(
                    statement=int(s),
                    direction=direction,
                    score=float(score[s]),
                    probability_by_group=tuple(float(p) for p in probability[:, s]),
                    votes_by_group=tuple(int(v) for v in ns[:, s]),
                )
            )
    return tuple(out)


def divisive_statements(
    counts: GroupCounts, allowed: NDArray[np.bool_]
) -> tuple[DivisiveStatement, ...]:
    """Most of one group agrees, most of another does not; most divisive first."""
    na, ns = counts.agree, counts.seen
    probability = smoothed(na, ns)
    variance = probability.var(axis=0)
    split = (2 * na > ns).any(axis=0) & (2 * na < ns).any(axis=0) & allowed
    candidates = np.flatnonzero(split)
    return tuple(
        DivisiveStatement(
            statement=int(s),
            variance=float(variance[s]),
            agree_by_group=tuple(float(p) for p in probability[:, s]),
            votes_by_group=tuple(int(v) for v in ns[:, s]),
        )
        for s in candidates[np.lexsort((candidates, -variance[candidates]))]
    )
