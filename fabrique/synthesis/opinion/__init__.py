"""Opinion map of a conversation, as Pol.is draws it: pure Python and numpy, no Django.

Participants vote agree (1), disagree (-1) or pass (0) on short statements. The engine places
them on a 2-D map (principal components of the votes, with Pol.is's handling of the statements
someone did not see), forms opinion groups (k-means in two stages, the number of groups chosen
by silhouette), and finds the statements that describe the groups: representative of a group,
consensus across groups, divisive between them. It follows the published method of Pol.is
(Small, Bjorkegren, Erkkilä, Shaw, Megill, *Polis: Scaling deliberation by mapping high
dimensional opinion spaces*, Recerca 26(2), 2021, and the ``polismath`` documentation); the
method, what matches Pol.is and what differs are in ``docs/decisions/0006-opinion-groups.md``.

Public API::

    opinion_compute(votes, *, n_participants=None, n_statements=None, min_votes=7,
                    max_groups=5, seed=0, excluded_statements=(), max_representative=5)
        -> OpinionResult
        # votes: iterable of (participant, statement, value), an (n, 3) array, or a tuple of
        # three 1-D arrays; the latest vote of a pair counts.
    OpinionResult.coordinates (n_participants × 2, NaN if left out), .groups (-1 if left out),
        .group_sizes, .k, .silhouette, .silhouettes, .stability, .representative (per group,
        tuples of RepresentativeStatement), .consensus (ConsensusStatement), .divisive
        (DivisiveStatement), .explained_variance, .components, .kept, .min_votes_used,
        .base_clusters, .base_centers, .base_sizes, .base_groups
    OpinionInputError   # ValueError with a French message: malformed votes, or too few
                        # participants / statements to form groups
"""

from .engine import MIN_PARTICIPANTS, MIN_STATEMENTS, opinion_compute
from .errors import OpinionInputError
from .results import (
    ConsensusStatement,
    Direction,
    DivisiveStatement,
    OpinionResult,
    RepresentativeStatement,
)

__all__ = [
    "MIN_PARTICIPANTS",
    "MIN_STATEMENTS",
    "ConsensusStatement",
    "Direction",
    "DivisiveStatement",
    "OpinionInputError",
    "OpinionResult",
    "RepresentativeStatement",
    "opinion_compute",
]
