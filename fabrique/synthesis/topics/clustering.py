"""Grouping TF-IDF vectors into topics: LSA, many small groups, then merges.

1. **LSA.** A truncated SVD (randomised, seeded) of the TF-IDF matrix keeps
   :data:`DIMENSIONS` directions; each text becomes a point on the unit sphere. Words that are
   used together ("vélo", "piste", "cyclable") fall along the same directions, so two texts
   can be close without sharing a word.
2. **Micro-groups.** K-means cuts the points into ``m = max(√n, 2k)`` small groups (at most
   :data:`MAX_MICRO_GROUPS`), many more than the topics wanted.
3. **Merges.** The micro-groups are merged two by two, the most similar first (average
   linkage on the cosine distance between their centres), until ``k`` groups remain.

Why not k-means straight into ``k`` groups: k-means prefers groups of equal size, while the
topics of a consultation are not (a third of the answers about one theme, a few dozen about
another). Measured on human-labelled Grand Débat answers, step 3 raises the adjusted Rand index
from 0.40 to 0.68 (7 themes) and from 0.28 to 0.51 (27 sub-themes): see
``docs/decisions/0005-synthesis-topics.md``.

**Number of topics, when not given.** Merging stops where the next merge would join groups
much farther apart than the merges before it: among ``k`` from :func:`k_range`, the ``k`` whose
merge distance jumps most (the largest gap between successive heights of the merge tree).

**Scale.** Steps 1 and 2 are fitted on at most :data:`FIT_SAMPLE` texts drawn with the seed;
every text is then projected and given the topic of its nearest micro-group. Two million
texts cost one matrix product more than twenty thousand.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.cluster.hierarchy import cut_tree, linkage
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import normalize

from .vectorize import sample_rows

#: LSA directions kept (100 beat 50, 75 and 150 on the Grand Débat sample).
DIMENSIONS = 100
#: LSA and the micro-groups are fitted on at most this many texts.
FIT_SAMPLE = 20_000
#: Micro-groups: about √(MICRO_FACTOR × n), k-means restarted MICRO_RESTARTS times.
MICRO_FACTOR = 1.0
MICRO_RESTARTS = 1
#: Upper bound on the number of micro-groups (√20 000 ≈ 141 at the sample's size).
MAX_MICRO_GROUPS = 400
#: Bounds of the automatic number of topics.
MIN_TOPICS = 4
MAX_TOPICS = 30
#: Rows projected per matrix product when assigning every text.
ASSIGN_CHUNK = 50_000

Progress = Callable[[float], None]


@dataclass(frozen=True, eq=False)
class Partition:
    """Topics of the rows given to :func:`partition` (every row gets a topic ≥ 0)."""

    labels: np.ndarray
    k: int
    automatic: bool
    k_range: tuple[int, int] | None
    dimensions: int
    micro_groups: int
    fit_rows: int
    explained_variance: float


def k_range(n: int) -> tuple[int, int]:
    """The automatic number of topics is searched in this range, for ``n`` texts.

    At most √(n/2) topics (about 22 for 1 000 texts, 30 from 1 800 on) so that a topic has
    a few dozen texts on average, at least 4 (2 for fewer than 100 texts, 3 below 200).
    """
    high = int(min(MAX_TOPICS, max(2, round(math.sqrt(n / 2)))))
    low = 2 if n < 100 else 3 if n < 200 else MIN_TOPICS
    return min(low, high), high


def _project(weights: sp.csr_matrix, components: np.ndarray) -> np.ndarray:
    """Rows of ``weights`` in LSA space, scaled to length 1, in chunks (float32)."""
    transposed = np.ascontiguousarray(components.T, dtype=np.float32)
    out = np.empty((weights.shape[0], transposed.shape[1]), dtype=np.float32)
    for start in range(0, weights.shape[0], ASSIGN_CHUNK):
        stop = min(start + ASSIGN_CHUNK, weights.shape[0])
        out[start:stop] = weights[start:stop] @ transposed
    return normalize(out, copy=False)


def _nearest(points: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Index of the most similar centre (cosine) for every point, in chunks."""
    labels = np.empty(points.shape[0], dtype=np.int64)
    for start in range(0, points.shape[0], ASSIGN_CHUNK):
        stop = min(start + ASSIGN_CHUNK, points.shape[0])
        labels[start:stop] = np.argmax(points[start:stop] @ centres.T, axis=1)
    return labels


def _distinct_rows(points: np.ndarray) -> int:
    """How many different points there are (copies of one text are one point)."""
    return int(np.unique(np.round(points, 5), axis=0).shape[0])


def partition(
    weights: sp.csr_matrix,
    *,
    n_topics: int | None,
    seed: int,
    progress: Progress | None = None,
) -> Partition:
    """Topics of the rows of a TF-IDF matrix whose rows all have at least one term."""
    n = weights.shape[0]

    def report(fraction: float) -> None:
        if progress is not None:
            progress(fraction)

    fit = sample_rows(n, FIT_SAMPLE, seed)
    sample = weights[fit]
    if min(sample.shape) > DIMENSIONS + 1:
        svd = TruncatedSVD(DIMENSIONS, algorithm="randomized", n_iter=5, random_state=seed)
        svd.fit(sample)
        dimensions = DIMENSIONS
        explained = float(svd.explained_variance_ratio_.sum())
        report(0.3)
        points = _project(weights, svd.components_)
    else:
        # No more texts (or terms) than directions: an SVD would only rotate the TF-IDF
        # space, or squash a handful of texts onto fewer directions than there are texts.
        dimensions = sample.shape[1]
        explained = 1.0
        points = normalize(weights.astype(np.float32).toarray())
    fit_points = points[fit]
    distinct = _distinct_rows(fit_points)

    automatic = n_topics is None
    bounds = k_range(n) if automatic else None
    wanted = bounds[1] if bounds is not None else int(n_topics or 1)
    k = max(1, min(wanted, distinct, MAX_MICRO_GROUPS))
    if distinct <= 1 or k == 1:
        report(1.0)
        return Partition(
            labels=np.zeros(n, dtype=np.int64),
            k=1,
            automatic=automatic,
            k_range=bounds,
            dimensions=dimensions,
            micro_groups=1,
            fit_rows=len(fit),
            explained_variance=explained,
        )
    micro = min(distinct, MAX_MICRO_GROUPS, max(2 * k, round(math.sqrt(MICRO_FACTOR * len(fit)))))
    with warnings.catch_warnings():
        # Near-identical texts can leave fewer distinct micro-groups than asked: harmless.
        warnings.simplefilter("ignore", ConvergenceWarning)
        kmeans = KMeans(micro, n_init=MICRO_RESTARTS, random_state=seed).fit(fit_points)
    centres = normalize(kmeans.cluster_centers_.astype(np.float32))
    report(0.7)
    tree = linkage(centres.astype(np.float64), method="average", metric="cosine")
    if bounds is not None:
        k = _largest_gap(tree[:, 2], micro, low=min(bounds[0], k), high=k)
    groups = cut_tree(tree, n_clusters=k).ravel() if k < micro else np.arange(micro)
    labels = groups[_nearest(points, centres)]
    report(1.0)
    return Partition(
        labels=labels.astype(np.int64),
        k=len(np.unique(labels)),
        automatic=automatic,
        k_range=bounds,
        dimensions=dimensions,
        micro_groups=micro,
        fit_rows=len(fit),
        explained_variance=explained,
    )


def _largest_gap(heights: np.ndarray, leaves: int, *, low: int, high: int) -> int:
    """The ``k`` in [low, high] before the largest jump of merge distance.

    ``heights`` are the distances of the ``leaves − 1`` merges, in order; the merge that turns
    ``k`` groups into ``k − 1`` is ``heights[leaves − k]``, the one before it
    ``heights[leaves − k − 1]``. Ties go to the smallest ``k``.
    """
    high = min(high, leaves - 1)
    low = max(1, min(low, high))
    best_k, best_gap = high, -math.inf
    for k in range(low, high + 1):
        gap = float(heights[leaves - k] - heights[leaves - k - 1])
        if gap > best_gap + 1e-12:
            best_k, best_gap = k, gap
    return best_k
