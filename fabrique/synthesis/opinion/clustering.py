"""Opinion groups in two stages, as Pol.is forms them, then finished on the participants.

1. **Base clusters.** The participants kept are split into (at most) 100 small clusters by
   k-means on their 2-D positions. They summarise the crowd: the map can draw them instead of
   thousands of dots, and the second stage works on 100 weighted points whatever the size of
   the conversation. Above ``BASE_SAMPLE`` participants they are fitted on a seeded sample, then
   refined by a few passes over everyone (Pol.is samples too, for its large conversations).
2. **Groups.** The base clusters' centres, each weighted by its number of members, are grouped
   by k-means for every k from 2 to ``max_groups`` (and at most ``2 + base clusters / 12``, as
   Pol.is does, so that a small conversation is not cut into many groups). The k kept is the
   one with the best silhouette, measured on the base clusters' centres as Pol.is does.
3. **Participants.** For the k kept, the grouping is finished on the participants themselves:
   k-means from the groups found, and from fresh starts on the participants, keeping the one
   with the lowest within-group variance of the participants (not of the base centres). A
   base cluster that the final boundary cuts is split in two, so that every participant still
   belongs to the group of their base cluster.

Pol.is recomputes the groups after each batch of votes, starting from the previous groups, so
its k-means ends in whichever local optimum the history of the conversation led to. A single
computation has no history. For each k it takes the best of ``GROUP_RESTARTS`` seeded
k-means++ starts (lowest weighted within-group variance), the usual k-means answer, which does
not depend on the order people arrived in; and the two stages are run ``RUNS`` times so that
neither k nor the groups hinge on one set of random starts (:func:`opinion_groups`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from .projection import FloatArray
from .votes import IntArray

BASE_CLUSTERS = 100
BASE_SAMPLE = 20_000
BASE_RESTARTS = 1
GROUP_RESTARTS = 20
PARTICIPANT_RESTARTS = 20
RUNS = 5
MAX_ITERATIONS = 300
FULL_DATA_PASSES = 5
BASE_TOLERANCE = 1e-2
DIRECT_LIMIT = 100_000  # points × centres below which all distances are cheaper than a k-d tree


@dataclass(frozen=True, eq=False)
class KMeansFit:
    labels: IntArray
    centers: FloatArray
    inertia: float


@dataclass(frozen=True, eq=False)
class BaseClusters:
    labels: IntArray
    """Base cluster of each point, numbered from 0 with no gap."""
    centers: FloatArray
    sizes: IntArray


@dataclass(frozen=True, eq=False)
class GroupFits:
    """One run: base clusters, and their grouping for each k tried."""

    base: BaseClusters
    fits: dict[int, KMeansFit]
    silhouettes: dict[int, float]


@dataclass(frozen=True, eq=False)
class Grouping:
    """The groups kept."""

    base: BaseClusters
    k: int
    labels: IntArray
    """Group of each base cluster."""
    silhouette: float
    """Silhouette of the groups returned, on their base clusters' centres."""
    silhouettes: dict[int, float]
    """Mean silhouette over the runs, for each k tried."""
    stability: float
    """Mean adjusted Rand index between the grouping kept and the other runs' (same k)."""


def kmeans(
    points: FloatArray,
    k: int,
    *,
    rng: np.random.Generator,
    weights: FloatArray | None = None,
    restarts: int = 1,
    max_iterations: int = MAX_ITERATIONS,
    tolerance: float = 0.0,
) -> KMeansFit:
    """Weighted k-means (Lloyd's iterations from k-means++ starts); the best of ``restarts``.

    ``k`` must not exceed the number of distinct points. A cluster left empty during the
    iterations is moved to the point farthest from its centre, so that k clusters come out.
    """
    w = np.ones(len(points)) if weights is None else np.asarray(weights, dtype=np.float64)
    best: KMeansFit | None = None
    for _ in range(restarts):
        centers = _kmeans_plus_plus(points, k, w, rng)
        fit = lloyd(points, centers, w, max_iterations=max_iterations, tolerance=tolerance)
        if best is None or fit.inertia < best.inertia - 1e-12 * max(1.0, best.inertia):
            best = fit
    assert best is not None
    return best


def lloyd(
    points: FloatArray,
    centers: FloatArray,
    weights: FloatArray,
    *,
    max_iterations: int,
    tolerance: float = 0.0,
) -> KMeansFit:
    """Lloyd's iterations from the given centres, until no point changes cluster or no centre
    moves by more than ``tolerance``; each point ends in the cluster of its nearest centre.

    The nearest centre is found with a k-d tree of the centres, about ten times quicker than
    all the distances for 100 000 points and 100 centres."""
    k = len(centers)
    centers = centers.copy()
    labels = np.full(len(points), -1, dtype=np.int64)
    for _ in range(max_iterations):
        own, new_labels = _nearest(points, centers)
        if np.array_equal(new_labels, labels):
            break
        labels = new_labels
        mass = np.bincount(labels, weights=weights, minlength=k)
        for empty in np.flatnonzero(mass == 0):
            farthest = int(np.argmax(own))
            labels[farthest] = empty
            own[farthest] = -1.0
        mass = np.bincount(labels, weights=weights, minlength=k)
        previous = centers.copy()
        for d in range(points.shape[1]):
            sums = np.bincount(labels, weights=weights * points[:, d], minlength=k)
            np.divide(sums, mass, out=centers[:, d], where=mass > 0)
        if tolerance > 0 and np.max(np.sum((centers - previous) ** 2, axis=1)) <= tolerance**2:
            break
    own, labels = _nearest(points, centers)
    return KMeansFit(labels=labels, centers=centers, inertia=float(np.dot(weights, own * own)))


def _nearest(points: FloatArray, centers: FloatArray) -> tuple[FloatArray, IntArray]:
    """Distance to the nearest centre and its index, for each point."""
    if len(points) * len(centers) <= DIRECT_LIMIT:
        squared = _squared_distances(points, centers)
        index = squared.argmin(axis=1)
        return np.sqrt(squared[np.arange(len(points)), index]), index
    distance, index = cKDTree(centers).query(points)
    return np.asarray(distance, dtype=np.float64), np.asarray(index, dtype=np.int64)


def base_clusters(points: FloatArray, *, distinct: int, rng: np.random.Generator) -> BaseClusters:
    """Up to ``BASE_CLUSTERS`` small clusters of the participants' positions (``distinct``
    of them different)."""
    k = min(BASE_CLUSTERS, distinct)
    # Base clusters only summarise the crowd: stop once no centre moves by more than a
    # hundredth of the spread of the map (Pol.is stops at a fixed 0.01).
    tolerance = BASE_TOLERANCE * float(np.sqrt(points.var(axis=0).sum()))
    if len(points) <= BASE_SAMPLE:
        fit = kmeans(points, k, rng=rng, restarts=BASE_RESTARTS, tolerance=tolerance)
    else:
        sample = np.sort(rng.choice(len(points), BASE_SAMPLE, replace=False))
        k = min(k, distinct_count(points[sample]))
        start = kmeans(points[sample], k, rng=rng, restarts=BASE_RESTARTS, tolerance=tolerance)
        fit = lloyd(
            points,
            start.centers,
            np.ones(len(points)),
            max_iterations=FULL_DATA_PASSES,
            tolerance=tolerance,
        )
    sizes = np.bincount(fit.labels, minlength=len(fit.centers))
    used = sizes > 0
    renumber = np.cumsum(used) - 1
    return BaseClusters(labels=renumber[fit.labels], centers=fit.centers[used], sizes=sizes[used])


def group_clusters(base: BaseClusters, *, max_groups: int, rng: np.random.Generator) -> GroupFits:
    """Group the base clusters for each k allowed; the silhouette of each grouping."""
    n_base = len(base.centers)
    highest = min(max_groups, 2 + n_base // 12, n_base)
    distances = np.sqrt(_squared_distances(base.centers, base.centers))
    fits: dict[int, KMeansFit] = {}
    silhouettes: dict[int, float] = {}
    for k in range(2, highest + 1):
        fit = kmeans(
            base.centers, k, rng=rng, weights=base.sizes.astype(np.float64),
            restarts=GROUP_RESTARTS,
        )  # fmt: skip
        if np.unique(fit.labels).size < k:
            continue  # fewer distinct groups than asked: the same as a smaller k
        fits[k] = fit
        silhouettes[k] = silhouette(distances, fit.labels)
    return GroupFits(base=base, fits=fits, silhouettes=silhouettes)


def opinion_groups(
    points: FloatArray, *, max_groups: int, rng: np.random.Generator, runs: int = RUNS
) -> Grouping:
    """Base clusters and groups, computed ``runs`` times from different seeded starts.

    One run depends on its random starts: with two values of k of nearly equal silhouette, or
    two groupings of nearly equal quality, a different seed may tip the balance. So k is the one
    with the best silhouette on average over the runs, and the grouping kept is the run (for
    that k) that agrees best with the others (highest mean adjusted Rand index): the typical
    answer rather than a lucky or unlucky one. Its mean agreement with the other runs is
    reported as ``stability``.
    """
    distinct = distinct_count(points)
    runs_done = [
        group_clusters(
            base_clusters(points, distinct=distinct, rng=rng), max_groups=max_groups, rng=rng
        )
        for _ in range(runs)
    ]
    tried = sorted({k for run in runs_done for k in run.silhouettes})
    if not tried:  # a bug: two distinct points always make two groups
        raise ValueError("no grouping found")
    mean = {
        k: float(np.mean([run.silhouettes[k] for run in runs_done if k in run.silhouettes]))
        for k in tried
    }
    chosen = max(tried, key=lambda k: (mean[k], -k))
    candidates = [run for run in runs_done if chosen in run.fits]
    partitions = [run.fits[chosen].labels[run.base.labels] for run in candidates]
    agreement = np.zeros((len(partitions), len(partitions)))
    for i in range(len(partitions)):
        for j in range(i + 1, len(partitions)):
            agreement[i, j] = agreement[j, i] = adjusted_rand_index(partitions[i], partitions[j])
    others = max(len(partitions) - 1, 1)
    typical = int(np.argmax(agreement.sum(axis=1)))
    run = candidates[typical]
    groups = participant_groups(points, partitions[typical], chosen, rng=rng)
    base, labels = split_base_clusters(points, run.base, groups)
    return Grouping(
        base=base,
        k=chosen,
        labels=labels,
        # Of the groups returned (after step 3), measured as for the choice of k.
        silhouette=silhouette(np.sqrt(_squared_distances(base.centers, base.centers)), labels),
        silhouettes=mean,
        stability=float(agreement[typical].sum() / others) if len(partitions) > 1 else 1.0,
    )


def participant_groups(
    points: FloatArray, start: IntArray, k: int, *, rng: np.random.Generator
) -> IntArray:
    """The grouping of the participants into ``k`` groups with the lowest within-group variance
    of the participants found from ``start`` (groups of base clusters) and from
    ``PARTICIPANT_RESTARTS`` k-means++ starts.

    The base clusters make the second stage cheap, but the groups are about people: on a flat
    landscape, the best grouping of 100 base centres is not always the best grouping of the
    people (on the Pol.is conversations of the benchmark this moves up to a few percent of the
    participants). Above ``BASE_SAMPLE`` participants the fresh starts run on a seeded sample,
    then every participant joins the nearest centre and a few passes refine them.
    """
    weights = np.ones(len(points))
    centers = np.array([points[start == g].mean(axis=0) for g in range(k)])
    fits = [lloyd(points, centers, weights, max_iterations=MAX_ITERATIONS)]
    if distinct_count(points) > k:
        if len(points) <= BASE_SAMPLE:
            fits.append(kmeans(points, k, rng=rng, restarts=PARTICIPANT_RESTARTS))
        else:
            sample = np.sort(rng.choice(len(points), BASE_SAMPLE, replace=False))
            if distinct_count(points[sample]) > k:
                on_sample = kmeans(points[sample], k, rng=rng, restarts=PARTICIPANT_RESTARTS)
                fits.append(
                    lloyd(points, on_sample.centers, weights, max_iterations=FULL_DATA_PASSES)
                )
    # A grouping that lost a group is no answer for this k; the start always has k groups.
    whole = [fit for fit in fits if np.unique(fit.labels).size == k]
    if not whole:
        return start
    best = whole[0]
    for fit in whole[1:]:  # the start's refinement wins ties
        if fit.inertia < best.inertia * (1 - 1e-9):
            best = fit
    return best.labels


def split_base_clusters(
    points: FloatArray, base: BaseClusters, groups: IntArray
) -> tuple[BaseClusters, IntArray]:
    """Base clusters cut where the groups' boundary crosses them: one base cluster per
    (base cluster, group) pair with members, numbered in that order; and the group of each."""
    n_groups = int(groups.max()) + 1
    pair = base.labels * n_groups + groups
    used, labels = np.unique(pair, return_inverse=True)
    sizes = np.bincount(labels)
    centers = np.column_stack(
        [np.bincount(labels, weights=points[:, d]) / sizes for d in range(points.shape[1])]
    )
    return BaseClusters(labels=labels, centers=centers, sizes=sizes), used % n_groups


def adjusted_rand_index(a: IntArray, b: IntArray) -> float:
    """Adjusted Rand index of two partitions (Hubert & Arabie 1985): 1 when identical, about 0
    for unrelated ones."""
    _, a = np.unique(a, return_inverse=True)
    _, b = np.unique(b, return_inverse=True)
    table = np.bincount(a * (b.max() + 1) + b, minlength=(a.max() + 1) * (b.max() + 1))

    def pairs(counts: IntArray) -> float:
        return float(np.sum(counts * (counts - 1)) / 2)

    table_pairs = pairs(table)
    rows = pairs(np.bincount(a))
    cols = pairs(np.bincount(b))
    total = len(a) * (len(a) - 1) / 2
    expected = rows * cols / total if total else 0.0
    maximum = (rows + cols) / 2
    if maximum == expected:
        return 1.0
    return (table_pairs - expected) / (maximum - expected)


def silhouette(distances: FloatArray, labels: IntArray) -> float:
    """Mean silhouette of the points (Rousseeuw 1987); a point alone in its cluster scores 0.

    As in Pol.is, every base cluster counts once, whatever its size: the silhouette judges the
    shape of the map, not the headcount.
    """
    n = len(labels)
    groups = np.unique(labels)
    if groups.size < 2:
        return 0.0
    member = labels[None, :] == groups[:, None]  # (groups, points)
    sums = distances @ member.T.astype(np.float64)  # (points, groups)
    counts = member.sum(axis=1).astype(np.float64)
    own = np.searchsorted(groups, labels)
    own_count = counts[own] - 1
    a = np.divide(sums[np.arange(n), own], own_count, out=np.zeros(n), where=own_count > 0)
    means = sums / counts[None, :]
    means[np.arange(n), own] = np.inf
    b = means.min(axis=1)
    scale = np.maximum(a, b)
    s = np.divide(b - a, scale, out=np.zeros(n), where=scale > 0)
    s[own_count == 0] = 0.0
    return float(s.mean())


def distinct_count(points: FloatArray) -> int:
    return int(np.unique(points, axis=0).shape[0])


def _kmeans_plus_plus(
    points: FloatArray, k: int, weights: FloatArray, rng: np.random.Generator
) -> FloatArray:
    """k-means++ seeding (Arthur & Vassilvitskii 2007), each point counted with its weight."""
    chosen = [int(rng.choice(len(points), p=weights / weights.sum()))]
    nearest = _squared_distances(points, points[chosen])[:, 0]
    for _ in range(1, k):
        mass = weights * nearest
        total = mass.sum()
        if total <= 0:  # every point sits on a centre already: take any unused distinct one
            unused = np.flatnonzero(nearest > 0)
            index = int(unused[0]) if unused.size else int(rng.integers(len(points)))
        else:
            index = int(rng.choice(len(points), p=mass / total))
        chosen.append(index)
        nearest = np.minimum(nearest, _squared_distances(points, points[[index]])[:, 0])
    return points[chosen].astype(np.float64)


def _squared_distances(points: FloatArray, centers: FloatArray) -> FloatArray:
    """Squared distances, coordinate by coordinate: for 2-D points this is cheaper than a
    matrix product and exact, and it needs no BLAS threads."""
    distances = np.zeros((len(points), len(centers)))
    for d in range(points.shape[1]):
        difference = points[:, d, None] - centers[None, :, d]
        distances += difference * difference
    return distances
