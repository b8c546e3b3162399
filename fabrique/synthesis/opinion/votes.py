"""The votes as the engine reads them: checked, the latest vote of each pair kept, sorted.

Votes come as ``(participant, statement, value)`` with ``value`` in ``{-1, 0, 1}`` (disagree,
pass, agree), indices counted from 0. A participant may change their mind: the input is read in
order and the last vote given for a pair replaces the earlier ones, as on Pol.is. Everything
after this module works on one vote per pair, sorted by participant then statement, which lets
the vote matrix be built without a hash table and the counts be taken with ``bincount``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .errors import OpinionInputError

IntArray = NDArray[np.int64]
VoteInput = Iterable[tuple[int, int, int]] | NDArray[Any] | tuple[NDArray[Any], ...]


@dataclass(frozen=True, eq=False)
class Votes:
    """One vote per (participant, statement) pair, sorted by participant then statement."""

    participants: IntArray
    statements: IntArray
    values: NDArray[np.int8]
    n_participants: int
    n_statements: int

    @property
    def counts(self) -> IntArray:
        """Number of votes (agree, disagree or pass) of each participant."""
        return np.bincount(self.participants, minlength=self.n_participants)


def votes_read(votes: VoteInput, *, n_participants: int | None, n_statements: int | None) -> Votes:
    """Check the votes and keep the latest one for each pair.

    ``votes`` is an iterable of triples, an array of shape ``(n, 3)``, or a tuple of three
    one-dimensional arrays (participants, statements, values), which is the fast path for large
    conversations. Without ``n_participants`` / ``n_statements`` the largest index plus one is
    used.
    """
    participants, statements, values = _columns(votes)
    if participants.size == 0:
        raise OpinionInputError("Aucun vote : impossible de dresser une carte des opinions.")
    if participants.min() < 0 or statements.min() < 0:
        raise OpinionInputError(
            "Un vote désigne un participant ou une affirmation par un numéro négatif."
        )
    n_p = _size(n_participants, participants, "participants")
    n_s = _size(n_statements, statements, "affirmations")
    bad = (values < -1) | (values > 1)
    if bad.any():
        raise OpinionInputError(
            f"Un vote vaut {values[bad][0]} : seuls 1 (d'accord), -1 (pas d'accord) et "
            "0 (passe) sont admis."
        )
    key = participants * n_s + statements
    order = np.argsort(key, kind="stable")
    key = key[order]
    # In a stable sort the last element of each run of equal keys is the latest vote given.
    last = np.ones(key.size, dtype=bool)
    last[:-1] = key[1:] != key[:-1]
    keep = order[last]
    return Votes(
        participants=participants[keep],
        statements=statements[keep],
        values=values[keep].astype(np.int8),
        n_participants=n_p,
        n_statements=n_s,
    )


def _columns(votes: VoteInput) -> tuple[IntArray, IntArray, IntArray]:
    if (
        isinstance(votes, tuple)
        and len(votes) == 3
        and all(isinstance(column, np.ndarray) and column.ndim == 1 for column in votes)
    ):
        columns = [np.asarray(column) for column in votes]
        if not (columns[0].size == columns[1].size == columns[2].size):
            raise OpinionInputError(
                "Les trois colonnes de votes (participants, affirmations, valeurs) n'ont pas "
                "la même longueur."
            )
    else:
        array = np.asarray(votes if isinstance(votes, np.ndarray) else list(votes))
        if array.size == 0:
            empty = np.empty(0, np.int64)
            return empty, empty, empty
        if array.ndim != 2 or array.shape[1] != 3:
            raise OpinionInputError(
                "Chaque vote doit être un triplet (participant, affirmation, valeur)."
            )
        columns = [array[:, 0], array[:, 1], array[:, 2]]
    out = []
    for column in columns:
        if column.dtype.kind == "f":
            if not np.all(np.isfinite(column)) or np.any(column != np.round(column)):
                raise OpinionInputError(
                    "Les votes doivent être des nombres entiers (numéros et valeurs)."
                )
        elif column.dtype.kind not in "iub":
            raise OpinionInputError(
                "Les votes doivent être des nombres entiers (numéros et valeurs)."
            )
        out.append(column.astype(np.int64))
    return out[0], out[1], out[2]


def _size(declared: int | None, indices: IntArray, many: str) -> int:
    largest = int(indices.max())
    if declared is None:
        return largest + 1
    if largest >= declared:
        raise OpinionInputError(
            f"Un vote porte le numéro {largest} parmi les {many}, alors qu'il n'y en a que "
            f"{declared} (numérotés de 0 à {declared - 1})."
        )
    return int(declared)
