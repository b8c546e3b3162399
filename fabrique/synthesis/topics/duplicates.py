"""Near-duplicate contributions, and "similar contributions already exist" while one is typed.

Both compare texts by the cosine of their TF-IDF vectors over word stems (stop words removed,
sublinear counts, idf of the texts compared): two texts that use the same meaningful words,
in any order and any inflection, score close to 1. Pairs of words are left out on purpose, so
that a reworded sentence ("créer davantage de pistes cyclables" / "il faudrait plus de pistes
cyclables") still scores high.

**Near-duplicates at scale** (:func:`duplicate_groups`). Comparing every pair of 100 000 texts
is 5·10⁹ pairs; instead:

1. texts with exactly the same stems and counts are grouped at once (copy-pastes);
2. the others get a MinHash signature of their set of stems (:data:`BANDS` bands of
   :data:`ROWS` hashes); two texts that agree on a whole band become a *candidate pair*. Two
   texts sharing half their stems agree on a band with probability
   ``1 − (1 − 0.5³)²⁰ ≈ 93 %``, two thirds ≈ 99.9 %, a fifth ≈ 15 %;
3. each candidate pair is kept when its exact cosine reaches the threshold, and groups are
   the connected pieces of the pairs kept (so A≈B and B≈C put A, B and C together).

Within a bucket (the texts that agree on a band), each text is compared with the bucket's
first text and with its neighbour, in an order shuffled per band, rather than with all the
others: the work stays linear in the number of texts even when a sentence was pasted ten
thousand times with small changes.
"""

from __future__ import annotations

import threading
from array import array
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from sklearn.preprocessing import normalize
from threadpoolctl import threadpool_limits

from .french import WORD_RE, word_key, word_keys_cache

BANDS = 20
ROWS = 3
#: A Mersenne prime for the MinHash functions ``(a·x + b) mod PRIME``.
PRIME = (1 << 31) - 1
#: Rows hashed at a time, and candidate pairs scored at a time (bounds the memory).
SIGNATURE_CHUNK = 20_000
PAIR_CHUNK = 1_000_000
#: Default thresholds, on the cosine of TF-IDF vectors of stems.
DUPLICATE_THRESHOLD = 0.8
SIMILAR_MIN_SCORE = 0.35
#: Candidate lists kept in memory by :func:`similar_texts` (one per process phase, typically).
INDEX_CACHE_SIZE = 8


def _stems(text: str) -> list[str]:
    cache = word_keys_cache()
    stems = []
    for word in WORD_RE.findall(text.lower()):
        key = cache.get(word)
        if key is None:
            key = word_key(word)
        if key:
            stems.append(key)
    return stems


@dataclass(frozen=True, eq=False)
class SimilarityIndex:
    """Texts as sublinear TF-IDF over their stems (rows of length 1; empty texts: zero rows).

    Build one with :meth:`build` (about 50 ms of processor time per 1 000 texts) and pass it
    to :func:`similar_texts` instead of the texts, e.g. kept per process phase and rebuilt when
    a contribution is published; it can be pickled.
    """

    columns: dict[str, int]
    idf: np.ndarray
    counts: sp.csr_matrix
    weights: sp.csr_matrix

    @classmethod
    def build(cls, texts: Sequence[str]) -> SimilarityIndex:
        columns: dict[str, int] = {}
        indices = array("i")
        pointers = array("q", [0])
        for text in texts:
            for stem in _stems(text):
                column = columns.get(stem)
                if column is None:
                    column = columns[stem] = len(columns)
                indices.append(column)
            pointers.append(len(indices))
        counts = sp.csr_matrix(
            (
                np.ones(len(indices), dtype=np.float32),
                np.frombuffer(indices, dtype=np.int32),
                np.frombuffer(pointers, dtype=np.int64),
            ),
            shape=(len(texts), len(columns)),
        )
        counts.sum_duplicates()
        counts.sort_indices()
        df = np.bincount(counts.indices, minlength=len(columns)).astype(np.float64)
        idf = (1.0 + np.log((1.0 + len(texts)) / (1.0 + df))).astype(np.float32)
        weights = counts.copy()
        np.log(weights.data, out=weights.data)
        weights.data += 1.0
        weights.data *= idf[weights.indices]
        if columns:
            weights = normalize(weights)
        return cls(columns=columns, idf=idf, counts=counts, weights=weights)

    def query(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """A text outside the set as (columns, weights); unknown stems only lengthen it."""
        counted: dict[str, int] = {}
        for stem in _stems(text):
            counted[stem] = counted.get(stem, 0) + 1
        unknown_idf = 1.0 + np.log(1.0 + self.counts.shape[0])
        known_columns, known_weights, norm = [], [], 0.0
        for stem, count in counted.items():
            column = self.columns.get(stem)
            idf = float(self.idf[column]) if column is not None else unknown_idf
            weight = (1.0 + np.log(count)) * idf
            norm += weight * weight
            if column is not None:
                known_columns.append(column)
                known_weights.append(weight)
        if norm == 0.0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        return (
            np.asarray(known_columns, dtype=np.int64),
            np.asarray(known_weights, dtype=np.float32) / np.float32(np.sqrt(norm)),
        )


def _exact_copies(counts: sp.csr_matrix, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each row, the first row with exactly the same stems and counts; and the rows that
    are first of their kind."""
    first: dict[bytes, int] = {}
    leader = np.empty(len(rows), dtype=np.int64)
    indptr, indices, data = counts.indptr, counts.indices, counts.data
    for position, row in enumerate(rows):
        start, stop = indptr[row], indptr[row + 1]
        key = indices[start:stop].tobytes() + data[start:stop].tobytes()
        leader[position] = first.setdefault(key, int(row))
    return leader, np.asarray(sorted(set(first.values())), dtype=np.int64)


def _signatures(counts: sp.csr_matrix, rows: np.ndarray, seed: int) -> np.ndarray:
    """MinHash of the set of stems of each row (rows must have at least one stem)."""
    rng = np.random.default_rng(seed)
    size = BANDS * ROWS
    a = rng.integers(1, PRIME, size=size, dtype=np.uint64)
    b = rng.integers(0, PRIME, size=size, dtype=np.uint64)
    stems = np.arange(counts.shape[1], dtype=np.uint64)
    # Every hash of every stem once (values below 2³¹ fit in 32 bits), then gathered per text.
    table = ((stems[:, None] * a[None, :] + b[None, :]) % np.uint64(PRIME)).astype(np.uint32)
    out = np.empty((len(rows), size), dtype=np.uint32)
    for start in range(0, len(rows), SIGNATURE_CHUNK):
        block = counts[rows[start : start + SIGNATURE_CHUNK]]
        out[start : start + block.shape[0]] = np.minimum.reduceat(
            table[block.indices], block.indptr[:-1], axis=0
        )
    return out


def _candidate_pairs(signatures: np.ndarray, rows: np.ndarray, seed: int) -> np.ndarray:
    """Pairs of rows (an (m, 2) array, smaller row first) that agree on at least one band.

    Within a bucket of rows that agree on a band, each row is paired with the bucket's first
    row and with the row before it, in an order shuffled per band: linear in the number of
    rows whatever the size of the buckets; the shuffle gives each band other first rows, and
    groups come out whole because they are the connected pieces of the pairs kept.
    """
    rng = np.random.default_rng(seed + 1)
    multipliers = np.array([1, 0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D], dtype=np.uint64)[:ROWS]
    n = np.int64(len(rows))
    codes: list[np.ndarray] = []
    positions = np.arange(len(rows))
    for band in range(BANDS):
        chunk = signatures[:, band * ROWS : (band + 1) * ROWS]
        keys = (chunk.astype(np.uint64) * multipliers).sum(axis=1)  # wraps: a band's hash
        order = np.lexsort((rng.permutation(len(rows)), keys))
        sorted_keys = keys[order]
        new_bucket = np.r_[True, sorted_keys[1:] != sorted_keys[:-1]]
        bucket_start = np.maximum.accumulate(np.where(new_bucket, positions, 0))
        follower = ~new_bucket
        first = order[bucket_start[follower]]
        previous = order[positions[follower] - 1]
        member = order[follower]
        for other in (first, previous):
            low, high = np.minimum(other, member), np.maximum(other, member)
            codes.append(low.astype(np.int64) * n + high)
    if not codes:
        return np.empty((0, 2), dtype=np.int64)
    unique = np.unique(np.concatenate(codes))
    local = np.column_stack((unique // n, unique % n))
    return rows[local]


def _cosines(weights: sp.csr_matrix, pairs: np.ndarray) -> np.ndarray:
    out = np.empty(len(pairs), dtype=np.float32)
    for start in range(0, len(pairs), PAIR_CHUNK):
        chunk = pairs[start : start + PAIR_CHUNK]
        products = weights[chunk[:, 0]].multiply(weights[chunk[:, 1]])
        out[start : start + len(chunk)] = np.asarray(products.sum(axis=1)).ravel()
    return out


def duplicate_groups(
    texts: Sequence[str], *, threshold: float = DUPLICATE_THRESHOLD, seed: int = 0
) -> list[list[int]]:
    """Groups of near-identical texts (indices, ascending), largest group first.

    Two texts are near-identical when the cosine of their stem TF-IDF vectors is at least
    ``threshold`` (0.8 by default: the same sentence with a word or two changed, reordered or
    inflected differently). Texts without a meaningful word are in no group. Deterministic for a
    given seed; a pair below about half shared stems can be missed (MinHash, see the module).
    """
    with threadpool_limits(limits=1):  # see engine.THREADS
        return _duplicate_groups(texts, threshold=threshold, seed=seed)


def _duplicate_groups(texts: Sequence[str], *, threshold: float, seed: int) -> list[list[int]]:
    vectors = SimilarityIndex.build(texts)
    rows = np.flatnonzero(np.diff(vectors.counts.indptr) > 0)
    if len(rows) < 2:
        return []
    leader, unique_rows = _exact_copies(vectors.counts, rows)
    edges = [np.column_stack((rows, leader))]
    if len(unique_rows) > 1:
        signatures = _signatures(vectors.counts, unique_rows, seed)
        pairs = _candidate_pairs(signatures, unique_rows, seed)
        if len(pairs):
            edges.append(pairs[_cosines(vectors.weights, pairs) >= threshold - 1e-6])
    edge = np.vstack(edges)
    graph = sp.coo_matrix(
        (np.ones(len(edge), dtype=np.int8), (edge[:, 0], edge[:, 1])),
        shape=(len(texts), len(texts)),
    )
    _, component = connected_components(graph, directed=False)
    groups: dict[int, list[int]] = {}
    for row in rows:
        groups.setdefault(int(component[row]), []).append(int(row))
    found = [members for members in groups.values() if len(members) > 1]
    found.sort(key=lambda members: (-len(members), members[0]))
    return found


_INDEXES: OrderedDict[tuple[str, ...], SimilarityIndex] = OrderedDict()
_INDEXES_LOCK = threading.Lock()  # web servers may answer several keystrokes at once


def _index(candidates: Sequence[str] | SimilarityIndex) -> SimilarityIndex:
    """The vectors of a candidate list, kept for the next keystrokes (small LRU cache)."""
    if isinstance(candidates, SimilarityIndex):
        return candidates
    key = tuple(candidates)
    with _INDEXES_LOCK:
        found = _INDEXES.get(key)
        if found is not None:
            _INDEXES.move_to_end(key)
            return found
    # Built outside the lock: two requests may build the same index, never wait on each other.
    found = SimilarityIndex.build(key)
    with _INDEXES_LOCK:
        _INDEXES[key] = found
        while len(_INDEXES) > INDEX_CACHE_SIZE:
            _INDEXES.popitem(last=False)
    return found


def similar_texts(
    query: str,
    candidates: Sequence[str] | SimilarityIndex,
    *,
    limit: int = 5,
    min_score: float = SIMILAR_MIN_SCORE,
) -> list[tuple[int, float]]:
    """The candidates most similar to a text being typed: ``(index, score)``, best first.

    Score: cosine of stem TF-IDF vectors (idf of the candidates), in [0, 1]; only scores of at
    least ``min_score`` are returned, ties in candidate order. The candidates' vectors are
    cached (the last :data:`INDEX_CACHE_SIZE` lists), so that the keystrokes after the first
    cost a sparse product: well under a millisecond for 2 000 candidates, against about 100 ms
    of processor time for the first call on a list of 2 000. ``candidates`` may be a
    :class:`SimilarityIndex` built beforehand, which skips even that first cost.
    """
    if limit <= 0:
        return []
    index = _index(candidates)
    if index.counts.shape[0] == 0:
        return []
    columns, weights = index.query(query)
    if len(columns) == 0:
        return []
    dense = np.zeros(index.weights.shape[1], dtype=np.float32)
    dense[columns] = weights
    scores = index.weights @ dense
    keep = np.flatnonzero(scores >= min_score - 1e-6)
    if len(keep) == 0:
        return []
    order = keep[np.lexsort((keep, -scores[keep]))][:limit]
    return [(int(i), round(float(scores[i]), 4)) for i in order]
