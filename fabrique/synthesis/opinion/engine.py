"""``opinion_compute``: from the votes to the opinion map, in the order Pol.is works."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .clustering import distinct_count, opinion_groups
from .errors import OpinionInputError
from .projection import answered_counts, project
from .results import OpinionResult
from .statements import (
    MAX_REPRESENTATIVE,
    consensus_statements,
    divisive_statements,
    group_counts,
    representative_statements,
)
from .votes import VoteInput, votes_read

MIN_PARTICIPANTS = 4
MIN_STATEMENTS = 2


def opinion_compute(
    votes: VoteInput,
    *,
    n_participants: int | None = None,
    n_statements: int | None = None,
    min_votes: int = 7,
    max_groups: int = 5,
    seed: int = 0,
    excluded_statements: Iterable[int] = (),
    max_representative: int = MAX_REPRESENTATIVE,
) -> OpinionResult:
    """Compute the opinion map of a conversation.

    ``votes``: ``(participant, statement, value)`` with value 1 (agree), -1 (disagree) or 0
    (pass), indices from 0; the latest vote of a pair counts. ``excluded_statements``: the
    statements set aside by moderation (they are handled as Pol.is does, see
    :mod:`.projection`, and are never listed). A participant is kept when they voted on at least
    ``min(min_votes, statements with votes)`` of the statements not set aside. The same votes
    and seed always give the same map.

    Raises :class:`OpinionInputError` (French message) on malformed votes or when there are too
    few participants or statements to form groups.
    """
    if min_votes < 1:
        raise OpinionInputError("Le nombre minimum de votes par participant doit être au moins 1.")
    if max_groups < 2:
        raise OpinionInputError("Le nombre maximum de groupes doit être au moins 2.")
    read = votes_read(votes, n_participants=n_participants, n_statements=n_statements)
    n_p, n_s = read.n_participants, read.n_statements
    excluded = np.zeros(n_s, dtype=bool)
    for statement in excluded_statements:
        if not 0 <= int(statement) < n_s:
            raise OpinionInputError(
                f"L'affirmation écartée n° {statement} n'existe pas (il y en a {n_s})."
            )
        excluded[int(statement)] = True

    voted = np.bincount(read.statements, minlength=n_s) > 0
    allowed = voted & ~excluded
    n_allowed = int(allowed.sum())
    if n_allowed < MIN_STATEMENTS:
        raise OpinionInputError(
            f"Il faut des votes sur au moins {MIN_STATEMENTS} affirmations pour dresser une "
            f"carte des opinions ; il y en a sur {n_allowed}."
        )
    threshold = min(min_votes, n_allowed)
    kept = answered_counts(read, excluded) >= threshold
    n_kept = int(kept.sum())
    if n_kept < MIN_PARTICIPANTS:
        raise OpinionInputError(
            f"Trop peu de participants pour former des groupes : {n_kept} "
            f"{'a' if n_kept < 2 else 'ont'} voté sur au moins {threshold} affirmations, il en "
            f"faut au moins {MIN_PARTICIPANTS}."
        )

    rng = np.random.default_rng(seed)
    projection = project(read, excluded, seed=seed)
    points = projection.coordinates[kept]
    if distinct_count(points) < 2:
        raise OpinionInputError(
            "Tous les participants retenus occupent la même position (mêmes votes) : il n'y a "
            "pas de groupes à distinguer."
        )
    choice = opinion_groups(points, max_groups=max_groups, rng=rng)
    base = choice.base

    # Groups are numbered by decreasing size (then by their first member), whatever k-means
    # called them, so that group 0 is the largest in every run.
    member_groups = choice.labels[base.labels]
    sizes = np.bincount(member_groups, minlength=choice.k)
    first_member = np.array([np.flatnonzero(member_groups == g)[0] for g in range(choice.k)])
    order = np.lexsort((first_member, -sizes))
    rank = np.empty(choice.k, dtype=np.int64)
    rank[order] = np.arange(choice.k)

    groups = np.full(n_p, -1, dtype=np.int64)
    groups[kept] = rank[member_groups]
    base_of = np.full(n_p, -1, dtype=np.int64)
    base_of[kept] = base.labels
    coordinates = np.where(kept[:, None], projection.coordinates, np.nan)

    counts = group_counts(read, groups, choice.k)
    return OpinionResult(
        coordinates=coordinates,
        groups=groups,
        group_sizes=tuple(int(n) for n in sizes[order]),
        k=choice.k,
        silhouette=choice.silhouette,
        silhouettes=dict(choice.silhouettes),
        stability=choice.stability,
        representative=representative_statements(counts, allowed, limit=max_representative),
        consensus=consensus_statements(counts, allowed),
        divisive=divisive_statements(counts, allowed),
        explained_variance=projection.explained_variance,
        components=projection.components,
        kept=kept,
        min_votes_used=threshold,
        base_clusters=base_of,
        base_centers=base.centers,
        base_sizes=base.sizes,
        base_groups=rank[choice.labels],
    )
