"""The web computation gives the same map as the engine on a real Pol.is conversation.

The conversation is read where it is kept (``POLIS_DATA``, by default the shared data folder);
nothing of it is copied into the project. Without it, the test is skipped.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np
import pytest

from fabrique.synthesis.models import OpinionComputation, Statement, StatementVote
from fabrique.synthesis.opinion import opinion_compute
from fabrique.synthesis.services import opinion as services

from .test_opinion_activity_factories import opinion_activity, quick_users

# The public conversations sit beside the project (``POLIS_DATA`` names another folder).
ROOT = Path(__file__).resolve().parents[3]
POLIS = Path(
    os.environ.get("POLIS_DATA", ROOT / ".." / "shared" / "data" / "polis")
) / os.environ.get("POLIS_CONVERSATION", "15-per-hour-seattle")

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not POLIS.is_dir(), reason="The Pol.is open data is not on this machine."),
]


def _read() -> tuple[list[tuple[int, str]], list[tuple[int, int, int]]]:
    """Comments kept by moderation (id, text), and the latest vote of each pair, in the order
    they were given (voter, comment, value)."""
    with (POLIS / "comments.csv").open(encoding="utf-8") as f:
        comments = sorted(
            (int(row["comment-id"]), row["comment-body"])
            for row in csv.DictReader(f)
            if row["moderated"] != "-1"
        )
    kept = {cid for cid, _text in comments}
    with (POLIS / "votes.csv").open(encoding="utf-8") as f:
        rows = sorted(
            (int(row["timestamp"]), int(row["voter-id"]), int(row["comment-id"]), int(row["vote"]))
            for row in csv.DictReader(f)
        )
    latest: dict[tuple[int, int], int] = {}
    for _t, voter, comment, value in rows:
        if comment in kept:
            latest[voter, comment] = value
    return comments, [(v, c, value) for (v, c), value in latest.items()]


def test_the_web_computation_reproduces_the_engine_on_a_polis_conversation() -> None:
    comments, votes = _read()
    activity = opinion_activity(statements=[])
    statements = Statement.objects.bulk_create(
        Statement(activity=activity, text=text[:280] or "…", position=i)
        for i, (_cid, text) in enumerate(comments)
    )
    statement_of = {cid: s for (cid, _text), s in zip(comments, statements, strict=True)}
    voters = sorted({v for v, _c, _value in votes})
    users = dict(zip(voters, quick_users(len(voters)), strict=True))  # ids in the voters' order
    StatementVote.objects.bulk_create(
        StatementVote(statement=statement_of[c], voter=users[v], value=value)
        for v, c, value in votes
    )

    computation = services.opinion_computation_launch(activity=activity, by=None)
    computation = services.opinion_computation_run(computation=computation)

    assert computation.status == OpinionComputation.Status.DONE, computation.error
    # The engine alone, on the file's votes numbered the same way.
    voter_index = {v: i for i, v in enumerate(voters)}
    comment_index = {cid: i for i, (cid, _text) in enumerate(comments)}
    expected = opinion_compute(
        [(voter_index[v], comment_index[c], value) for v, c, value in votes],
        n_participants=len(voters),
        n_statements=len(comments),
    )
    result = computation.result
    assert result["k"] == expected.k
    assert [g["size"] for g in result["groups"]] == list(expected.group_sizes)
    assert result["participants"]["in_map"] == int(expected.kept.sum())
    assert result["silhouette"] == pytest.approx(expected.silhouette, abs=1e-4)
    assert [c["statement"] for c in result["consensus"]] == [
        c.statement for c in expected.consensus
    ]
    assert result["divisive"] == [d.statement for d in expected.divisive]
    for g, group in enumerate(result["groups"]):
        assert [r["statement"] for r in group["representative"]] == [
            r.statement for r in expected.representative[g]
        ]
    # Everyone is in the same group, at the same place.
    for voter, user in users.items():
        index = computation.viewer_points.get(services.viewer_key(computation.pk, user.pk))
        participant = voter_index[voter]
        if index is None:
            assert expected.groups[participant] == -1
            continue
        x, y, group = result["points"][index]
        assert group == expected.groups[participant]
        assert np.allclose([x, y], expected.coordinates[participant], atol=1e-3)
