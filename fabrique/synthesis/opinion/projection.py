"""The opinion space: principal component analysis of the votes, with Pol.is's handling of gaps.

Nobody votes on every statement, so the participant × statement matrix is mostly empty. Pol.is
(Small et al., 2021, and its ``polismath`` documentation) fills each gap with the statement's
mean vote, centres each column, and keeps the first two principal components. Filling with the
mean and then centring puts a zero in every gap, so the centred matrix is exactly as sparse as
the votes: it is held as a sparse matrix and its two leading right singular vectors are computed
without ever filling it.

A participant's position is the projection of their centred votes on the two axes, stretched by
``sqrt(n_statements / n_answered)``. Without the stretch, someone who answered 10 statements out
of 200 would sit near the centre whatever they think, because their 190 gaps count as average
votes; the stretch gives their answered part the weight of a full row.

Statements set aside by moderation follow Pol.is too: their column is set to zero for everyone,
so they take no part in the axes, and each participant counts them as answered in the stretch.
Only statements with at least one vote are columns of the matrix, as on Pol.is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from .votes import IntArray, Votes

FloatArray = NDArray[np.float64]

# Up to this many statements the axes come exactly from the Gram matrix; beyond, from block
# power iteration on the sparse matrix.
GRAM_LIMIT = 400
BLOCK = 10
MAX_POWER_ITERATIONS = 30
POWER_TOLERANCE = 1e-8
VALUE_TOLERANCE = 1e-7


@dataclass(frozen=True, eq=False)
class Projection:
    """Where each participant sits in the opinion space, and the axes of that space."""

    coordinates: FloatArray
    """``(n_participants, 2)``; NaN for a participant without any vote."""
    components: FloatArray
    """``(2, n_statements)``: the two principal axes, one loading per statement."""
    center: FloatArray
    """``(n_statements,)``: mean vote of each statement (0 for those without votes or set aside)."""
    explained_variance: tuple[float, float]
    """Share of the total variance (gaps filled with the mean) carried by each axis."""


def project(votes: Votes, excluded: NDArray[np.bool_], *, seed: int) -> Projection:
    """Principal axes of the votes and the sparsity-aware position of each participant."""
    n_p, n_s = votes.n_participants, votes.n_statements
    voted = np.bincount(votes.statements, minlength=n_s) > 0
    active = voted & ~excluded
    in_matrix = active[votes.statements]
    rows = votes.participants[in_matrix]
    cols = votes.statements[in_matrix]
    vals = votes.values[in_matrix].astype(np.float64)

    sums = np.bincount(cols, weights=vals, minlength=n_s)
    seen = np.bincount(cols, minlength=n_s)
    center = np.divide(sums, seen, out=np.zeros(n_s), where=seen > 0)
    centred = vals - center[cols]

    has_votes = np.bincount(votes.participants, minlength=n_p) > 0
    row_of = np.cumsum(has_votes) - 1  # participants with votes, renumbered from 0
    col_ids = np.flatnonzero(active)
    col_of = np.full(n_s, -1, dtype=np.int64)
    col_of[col_ids] = np.arange(col_ids.size)
    # The votes are sorted by participant, so the sparse rows can be laid out directly.
    n_rows = int(has_votes.sum())
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(row_of[rows], minlength=n_rows), out=indptr[1:])
    matrix = sp.csr_matrix((centred, col_of[cols], indptr), shape=(n_rows, col_ids.size))
    axes, singular = _leading_axes(matrix, seed=seed)
    total = float(np.dot(centred, centred))
    explained = tuple(float(s * s / total) if total > 0 else 0.0 for s in singular)

    components = np.zeros((2, n_s))
    components[:, col_ids] = axes
    # Votes on statements set aside count as answered (Pol.is zeroes their column for everyone).
    answered = np.bincount(rows, minlength=n_p) + int((voted & excluded).sum())
    stretch = np.sqrt(voted.sum() / np.maximum(answered[has_votes], 1))
    coordinates = np.full((n_p, 2), np.nan)
    coordinates[has_votes] = (matrix @ axes.T) * stretch[:, None]
    return Projection(
        coordinates=coordinates,
        components=components,
        center=center,
        explained_variance=(explained[0], explained[1]),
    )


def _leading_axes(matrix: sp.csr_matrix, *, seed: int) -> tuple[FloatArray, FloatArray]:
    """The two leading right singular vectors (rows) and their singular values.

    Few statements: the eigenvectors of the small Gram matrix ``MᵀM``, exactly. Many: block
    power iteration (Pol.is uses power iteration too) on ``BLOCK`` vectors from a seeded start,
    with a Rayleigh–Ritz step on the block, until the two leading vectors stop moving; the extra
    vectors of the block make it converge even when the second and third axes are close. When
    the second axis carries no more variance than the following ones (a single real divide),
    it is noise, not defined better than that: the iterations stop at
    ``MAX_POWER_ITERATIONS``.

    The sign of a singular vector is arbitrary; each axis is turned so that its largest loading
    is positive, which makes the map the same from one run to the next.
    """
    n_cols = matrix.shape[1]
    if n_cols <= GRAM_LIMIT:
        gram = (matrix.T @ matrix).toarray()
        values, vectors = np.linalg.eigh(gram)
        top = np.argsort(values)[::-1][:2]
        axes = np.zeros((2, n_cols))
        singular = np.zeros(2)
        axes[: top.size] = vectors[:, top].T
        singular[: top.size] = np.sqrt(np.maximum(values[top], 0.0))
    else:
        axes, singular = _block_power(matrix, seed=seed)
    for axis in axes:
        if axis[np.argmax(np.abs(axis))] < 0:
            axis *= -1
    return axes, singular


def _block_power(matrix: sp.csr_matrix, *, seed: int) -> tuple[FloatArray, FloatArray]:
    n_cols = matrix.shape[1]
    block = min(BLOCK, n_cols)
    basis, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((n_cols, block)))
    previous = np.zeros((n_cols, 2))
    previous_values = np.zeros(2)
    for _ in range(MAX_POWER_ITERATIONS):
        image = matrix @ basis
        small = image.T @ image  # MᵀM restricted to the block
        values, vectors = np.linalg.eigh(small)
        order = np.argsort(values)[::-1]
        leading = basis @ vectors[:, order[:2]]
        top = values[order[:2]]
        # Converged when the plane of the two leading vectors no longer turns, or when the
        # variance along them no longer grows: if the second and third axes carry the same
        # variance, the second is not defined better than that and need not settle.
        turn = np.linalg.norm(leading - previous @ (previous.T @ leading))
        growth = np.max(np.abs(top - previous_values) / np.maximum(top, 1e-300))
        previous, previous_values = leading, top
        if turn < POWER_TOLERANCE or growth < VALUE_TOLERANCE:
            break
        basis, _ = np.linalg.qr(matrix.T @ image)
    singular = np.sqrt(np.maximum(previous_values, 0.0))
    return previous.T.copy(), singular


def answered_counts(votes: Votes, excluded: NDArray[np.bool_]) -> IntArray:
    """Votes of each participant on the statements kept (those set aside are not counted)."""
    kept = ~excluded[votes.statements]
    return np.bincount(votes.participants[kept], minlength=votes.n_participants)
