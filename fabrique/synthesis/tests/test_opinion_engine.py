"""The opinion engine on small conversations the tests make themselves: no database, no files.

Two camps of 20 people vote on 20 statements: everyone agrees with statement 0 (the consensus),
camp A agrees and camp B disagrees with statements 1 to 10 (they split the camps), statements 11
to 19 get random votes. Three late-comers vote on two statements only.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from fabrique.synthesis.opinion import OpinionInputError, OpinionResult, opinion_compute

CAMP_SIZE = 20
STATEMENTS = 20
CONSENSUS = 0
SPLITTING = range(1, 11)
LATE_COMERS = (40, 41, 42)


def conversation(seed: int = 1) -> tuple[list[tuple[int, int, int]], np.ndarray]:
    """Votes (participant, statement, value) and the camp of each participant (-1: late)."""
    rng = np.random.default_rng(seed)
    camps = np.array([0] * CAMP_SIZE + [1] * CAMP_SIZE + [-1] * len(LATE_COMERS))
    votes: list[tuple[int, int, int]] = []
    for person in range(2 * CAMP_SIZE):
        side = 1 if camps[person] == 0 else -1
        for statement in range(STATEMENTS):
            if statement != CONSENSUS and rng.random() < 0.15:
                continue  # not everyone sees every statement
            if statement == CONSENSUS:
                value = 1
            elif statement in SPLITTING:
                value = side if rng.random() < 0.9 else int(rng.choice([0, -side]))
            else:
                value = int(rng.choice([-1, 0, 1]))
            votes.append((person, statement, value))
    for person in LATE_COMERS:
        votes += [(person, CONSENSUS, 1), (person, 1, 1)]
    return votes, camps


@pytest.fixture(scope="module")
def result() -> OpinionResult:
    """The map of the conversation with the default settings, computed once for the module."""
    return opinion_compute(conversation()[0])


def test_two_planted_camps_are_recovered(result: OpinionResult) -> None:
    _, camps = conversation()
    grouped = camps >= 0
    assert result.k == 2
    assert adjusted_rand_score(camps[grouped], result.groups[grouped]) >= 0.9
    assert sorted(result.group_sizes) == [CAMP_SIZE, CAMP_SIZE]
    assert result.silhouette > 0.25


def test_a_statement_everyone_agrees_with_is_consensus(result: OpinionResult) -> None:
    first = result.consensus[0]
    assert (first.statement, first.direction) == (CONSENSUS, "agree")
    assert all(p > 0.9 for p in first.probability_by_group)
    assert CONSENSUS not in {d.statement for d in result.divisive}


def test_a_statement_that_splits_the_camps_is_divisive_and_representative(
    result: OpinionResult,
) -> None:
    divisive = {d.statement for d in result.divisive}
    assert set(SPLITTING) <= divisive
    assert result.divisive[0].statement in SPLITTING
    group_of_camp_a = result.groups[0]
    for group, statements in enumerate(result.representative):
        assert statements, "every group has representative statements"
        expected = "agree" if group == group_of_camp_a else "disagree"
        splitting = [s for s in statements if s.statement in SPLITTING]
        assert splitting
        assert all(s.direction == expected and s.significant for s in splitting)
        top = splitting[0]
        share_in = top.agree_in if expected == "agree" else top.disagree_in
        share_out = top.agree_out if expected == "agree" else top.disagree_out
        assert share_in > 0.7 > share_out


def test_participants_with_too_few_votes_are_left_out(result: OpinionResult) -> None:
    assert result.min_votes_used == 7
    late = list(LATE_COMERS)
    assert (result.groups[late] == -1).all()
    assert not result.kept[late].any()
    assert np.isnan(result.coordinates[late]).all()
    assert (result.groups[: 2 * CAMP_SIZE] >= 0).all()
    assert not np.isnan(result.coordinates[: 2 * CAMP_SIZE]).any()


def test_the_vote_threshold_is_lowered_when_there_are_few_statements() -> None:
    votes = [(p, s, 1 if (p < 10) == (s % 2 == 0) else -1) for p in range(20) for s in range(4)]
    result = opinion_compute(votes, min_votes=7)
    assert result.min_votes_used == 4
    assert result.kept.all()


def test_the_same_seed_gives_the_same_map() -> None:
    votes, _ = conversation()
    first = opinion_compute(votes, seed=7)
    again = opinion_compute(votes, seed=7)
    np.testing.assert_array_equal(first.groups, again.groups)
    np.testing.assert_array_equal(first.coordinates, again.coordinates)
    assert first.representative == again.representative
    assert first.consensus == again.consensus
    assert first.divisive == again.divisive
    assert first.silhouettes == again.silhouettes


def test_the_latest_vote_of_a_pair_wins() -> None:
    votes, _ = conversation()
    # Everyone first disagrees with the consensus statement, then changes their mind.
    changed = [(p, CONSENSUS, -1) for p in range(2 * CAMP_SIZE)] + votes
    result = opinion_compute(changed)
    first = result.consensus[0]
    assert (first.statement, first.direction) == (CONSENSUS, "agree")
    assert sum(first.votes_by_group) == 2 * CAMP_SIZE  # one vote per person, the latest
    # And the other way round: the earlier agreement is replaced by the later disagreement.
    reverted = votes + [(p, CONSENSUS, -1) for p in range(2 * CAMP_SIZE)]
    result = opinion_compute(reverted)
    consensus = {(c.statement, c.direction) for c in result.consensus}
    assert (CONSENSUS, "disagree") in consensus
    assert (CONSENSUS, "agree") not in consensus


def test_votes_can_be_given_as_triples_as_an_array_or_as_columns(result: OpinionResult) -> None:
    votes, _ = conversation()
    array = np.array(votes)
    as_list = result
    as_array = opinion_compute(array)
    as_columns = opinion_compute((array[:, 0], array[:, 1], array[:, 2]))
    np.testing.assert_array_equal(as_list.groups, as_array.groups)
    np.testing.assert_array_equal(as_list.groups, as_columns.groups)
    np.testing.assert_array_equal(as_list.coordinates, as_columns.coordinates)


def test_statements_set_aside_are_never_listed() -> None:
    votes, _ = conversation()
    result = opinion_compute(votes, excluded_statements=[CONSENSUS, 1])
    listed = {c.statement for c in result.consensus} | {d.statement for d in result.divisive}
    listed |= {r.statement for group in result.representative for r in group}
    assert not listed & {CONSENSUS, 1}
    assert (result.components[:, [CONSENSUS, 1]] == 0).all()


def test_participants_and_statements_without_votes_are_allowed() -> None:
    votes, _ = conversation()
    result = opinion_compute(votes, n_participants=50, n_statements=25)
    assert result.groups.shape == (50,)
    assert (result.groups[43:] == -1).all()
    assert result.components.shape == (2, 25)


@pytest.mark.parametrize(
    ("votes", "options", "words"),
    [
        ([], {}, "Aucun vote"),
        ([(p, 0, 1) for p in range(30)], {}, "au moins 2 affirmations"),
        ([(p, s, 1) for p in range(3) for s in range(10)], {}, "Trop peu de participants"),
        ([(p, s, (-1) ** p) for p in range(10) for s in range(3)], {"min_votes": 7}, None),
        ([(0, 0, 2)], {}, "seuls 1"),
        ([(0, 5, 1)], {"n_statements": 3}, "numéro 5"),
        ([(-1, 0, 1)], {}, "négatif"),
        ([(p, s, 1) for p in range(10) for s in range(10)], {"max_groups": 1}, "groupes"),
        ([(p, s, 1) for p in range(10) for s in range(10)], {}, "même position"),
    ],
)
def test_input_that_cannot_make_a_map_is_refused_in_french(
    votes: list[tuple[int, int, int]], options: dict[str, int], words: str | None
) -> None:
    if words is None:  # enough to form groups: 10 people who answered all 3 statements
        assert opinion_compute(votes, **options).k == 2
        return
    with pytest.raises(OpinionInputError, match=words):
        opinion_compute(votes, **options)


def test_each_participant_is_in_the_group_of_their_base_cluster(result: OpinionResult) -> None:
    kept = result.kept
    assert (result.base_groups[result.base_clusters[kept]] == result.groups[kept]).all()
    sizes = np.bincount(result.base_clusters[kept], minlength=len(result.base_sizes))
    assert sizes.tolist() == list(result.base_sizes)
    for cluster, center in enumerate(result.base_centers):
        members = result.coordinates[result.base_clusters == cluster]
        assert np.allclose(members.mean(axis=0), center)


def test_groups_are_finished_on_the_participants_not_on_the_base_clusters() -> None:
    """Two blobs, and a start that cuts through both: the grouping that comes out is the
    blobs, and base clusters straddling the boundary are split."""
    from fabrique.synthesis.opinion.clustering import (
        BaseClusters,
        participant_groups,
        split_base_clusters,
    )

    rng = np.random.default_rng(3)
    points = np.vstack([rng.normal(-3, 0.5, (60, 2)), rng.normal(3, 0.5, (40, 2))])
    blobs = np.array([0] * 60 + [1] * 40)
    start = (points[:, 1] > 0).astype(np.int64)  # a horizontal cut: wrong
    groups = participant_groups(points, start, 2, rng=rng)
    assert adjusted_rand_score(blobs, groups) == 1.0

    base = BaseClusters(
        labels=np.arange(100) % 4, centers=np.zeros((4, 2)), sizes=np.full(4, 25)
    )  # every base cluster spans both blobs
    split, base_groups = split_base_clusters(points, base, groups)
    assert len(split.sizes) == 8
    assert split.sizes.sum() == 100
    assert (base_groups[split.labels] == groups).all()
