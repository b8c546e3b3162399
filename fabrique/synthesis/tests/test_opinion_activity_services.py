"""Opinion maps: the rules of statements, votes and computations, through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from fabrique.accounts.tests.factories import UserFactory
from fabrique.participation import services as participation
from fabrique.participation.tests.factories import open_process
from fabrique.synthesis.models import OpinionActivity, OpinionComputation, Statement, StatementVote
from fabrique.synthesis.selectors import opinion as selectors
from fabrique.synthesis.services import opinion as services

from .test_opinion_activity_factories import (
    PLANTED_STATEMENTS,
    opinion_activity,
    planted_votes,
    quick_users,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity() -> OpinionActivity:
    return opinion_activity()


def _statement(activity: OpinionActivity) -> Statement:
    return activity.statements.first()  # type: ignore[return-value]


# --- Votes ------------------------------------------------------------------------------


def test_a_participant_votes_once_and_changing_the_vote_replaces_it(activity) -> None:
    user = UserFactory()
    statement = _statement(activity)

    services.statement_vote(statement=statement, voter=user, value=1)
    services.statement_vote(statement=statement, voter=user, value=1)  # a double click
    services.statement_vote(statement=statement, voter=user, value=-1)

    votes = StatementVote.objects.filter(statement=statement, voter=user)
    assert votes.count() == 1
    assert votes.get().value == -1


def test_the_database_refuses_a_second_vote_of_the_same_person(activity) -> None:
    user = UserFactory()
    statement = _statement(activity)
    StatementVote.objects.create(statement=statement, voter=user, value=1)

    with pytest.raises(IntegrityError), transaction.atomic():
        StatementVote.objects.create(statement=statement, voter=user, value=0)


def test_a_closed_activity_refuses_votes_with_a_message(activity) -> None:
    services.opinion_activity_set_status(activity=activity, status=OpinionActivity.Status.CLOSED)

    with pytest.raises(ValidationError, match="close :"):
        services.statement_vote(statement=_statement(activity), voter=UserFactory(), value=1)

    assert not StatementVote.objects.exists()


def test_votes_are_refused_after_the_closing_date_and_in_draft(activity) -> None:
    activity.closes_at = timezone.now() - timedelta(minutes=1)
    activity.save()
    with pytest.raises(ValidationError, match="close :"):
        services.statement_vote(statement=_statement(activity), voter=UserFactory(), value=1)

    draft = opinion_activity(status=OpinionActivity.Status.DRAFT)
    with pytest.raises(ValidationError, match="pas encore ouverte"):
        services.statement_vote(statement=_statement(draft), voter=UserFactory(), value=1)


def test_an_unknown_answer_or_a_withdrawn_statement_is_refused(activity) -> None:
    statement = _statement(activity)
    with pytest.raises(ValidationError):
        services.statement_vote(statement=statement, voter=UserFactory(), value=2)
    services.statement_moderate(statement=statement, moderator=UserFactory(), accept=False)
    with pytest.raises(ValidationError, match="pas soumis au vote"):
        services.statement_vote(statement=statement, voter=UserFactory(), value=1)


def test_each_person_gets_the_statements_in_a_stable_order_of_their_own() -> None:
    activity = opinion_activity(statements=[f"Énoncé numéro {i}" for i in range(12)])
    alice, bob = UserFactory(), UserFactory()

    first = selectors.voter_progress(activity, alice).statement
    assert selectors.voter_progress(activity, alice).statement == first
    orders = set()
    for person in (alice, bob):
        order = []
        while (progress := selectors.voter_progress(activity, person)).statement:
            order.append(progress.statement.pk)
            services.statement_vote(statement=progress.statement, voter=person, value=0)
        orders.add(tuple(order))
        assert len(order) == 12
        assert progress.answered == progress.total == 12
    assert len(orders) == 2  # not the same order for both


# --- Statements -------------------------------------------------------------------------


def test_typed_lines_become_statements_blank_lines_skipped(activity) -> None:
    added = services.statements_add(
        activity=activity, text="  Une première   idée \n\nUne seconde idée\n", by=None
    )

    assert [s.text for s in added] == ["Une première idée", "Une seconde idée"]
    assert all(s.status == Statement.Status.ACCEPTED for s in added)


def test_faulty_lines_are_reported_by_number_and_nothing_is_written(activity) -> None:
    before = activity.statements.count()
    text = "\n".join(
        [
            "Une bonne idée",
            "x" * 281,
            "Les bus devraient passer le dimanche.",  # already there
            "Une bonne idée",  # twice
            "Une autre bonne idée",
        ]
    )

    with pytest.raises(ValidationError) as error:
        services.statements_add(activity=activity, text=text, by=None)

    messages = error.value.messages
    assert len(messages) == 3
    assert messages[0] == "Ligne 2 : 281 caractères, 280 au plus."
    assert messages[1] == "Ligne 3 : cet énoncé est déjà dans la liste."
    assert messages[2] == "Ligne 4 : le même qu’à la ligne 1."
    assert activity.statements.count() == before


def test_a_statement_of_280_characters_is_taken_and_281_refused(activity) -> None:
    services.statements_add(activity=activity, text="a" * 280, by=None)
    with pytest.raises(ValidationError):
        services.statements_add(activity=activity, text="b" * 281, by=None)
    with pytest.raises(ValidationError):
        services.statement_propose(activity=activity, author=UserFactory(), text="c" * 281)


def test_contributions_become_statements_linked_to_them() -> None:
    process = open_process()
    activity = opinion_activity(process, statements=[])
    first = participation.contribution_submit(
        process=process, author=UserFactory(), kind="idea", title="Un marché bio", body="Le jeudi"
    )
    second = participation.contribution_submit(
        process=process, author=UserFactory(), kind="idea", title="Des bancs", body="Partout"
    )

    added = services.statements_from_contributions(
        activity=activity,
        items=[
            services.FromContribution(contribution=first, text=first.title),
            services.FromContribution(contribution=second, text="Il faut des bancs à l'ombre."),
        ],
        by=None,
    )

    assert [(s.text, s.source_contribution) for s in added] == [
        ("Un marché bio", first),
        ("Il faut des bancs à l'ombre.", second),
    ]
    with pytest.raises(ValidationError, match="déjà un énoncé"):
        services.statements_from_contributions(
            activity=activity,
            items=[services.FromContribution(contribution=first, text="Autre texte")],
            by=None,
        )


def test_one_faulty_contribution_writes_no_statement() -> None:
    process = open_process()
    activity = opinion_activity(process, statements=[])
    good = participation.contribution_submit(
        process=process, author=UserFactory(), kind="idea", title="Bien", body="Texte"
    )
    other_process_contribution = participation.contribution_submit(
        process=open_process(), author=UserFactory(), kind="idea", title="Ailleurs", body="Texte"
    )

    with pytest.raises(ValidationError) as error:
        services.statements_from_contributions(
            activity=activity,
            items=[
                services.FromContribution(contribution=good, text="x" * 300),
                services.FromContribution(contribution=other_process_contribution, text="Oui"),
            ],
            by=None,
        )

    assert len(error.value.messages) == 2
    assert "« Bien »" in error.value.messages[0]
    assert not activity.statements.exists()


def test_a_participant_proposal_waits_for_moderation_and_its_author_agrees() -> None:
    activity = opinion_activity(allow_participant_statements=True)
    author = UserFactory()

    statement = services.statement_propose(
        activity=activity, author=author, text="  Des toilettes publiques au parc. "
    )

    assert statement.status == Statement.Status.PENDING
    assert statement.text == "Des toilettes publiques au parc."
    assert StatementVote.objects.get(statement=statement).voter == author
    assert statement.pk not in selectors.accepted_statements(activity).values_list("pk", flat=True)
    with pytest.raises(ValidationError, match="Dites pourquoi"):
        services.statement_moderate(statement=statement, moderator=UserFactory(), accept=False)
    services.statement_moderate(statement=statement, moderator=UserFactory(), accept=True)
    assert selectors.accepted_statements(activity).filter(pk=statement.pk).exists()


def test_proposals_are_refused_when_not_allowed(activity) -> None:
    with pytest.raises(ValidationError, match="ne reçoit pas d’énoncés"):
        services.statement_propose(activity=activity, author=UserFactory(), text="Une idée")


def test_a_statement_cannot_be_changed_once_others_voted(activity) -> None:
    statement = _statement(activity)
    services.statement_edit(statement=statement, text="Les bus devraient passer le soir.")
    services.statement_vote(statement=statement, voter=UserFactory(), value=1)

    with pytest.raises(ValidationError, match="Retirez-le"):
        services.statement_edit(statement=statement, text="Autre chose")


def test_opening_needs_two_statements_and_votes_forbid_going_back_to_draft() -> None:
    activity = opinion_activity(statements=["Une seule"], status=OpinionActivity.Status.DRAFT)
    with pytest.raises(ValidationError, match="au moins deux"):
        services.opinion_activity_set_status(activity=activity, status="open")
    services.statements_add(activity=activity, text="Une deuxième", by=None)
    services.opinion_activity_set_status(activity=activity, status="open")
    services.statement_vote(statement=_statement(activity), voter=UserFactory(), value=1)
    with pytest.raises(ValidationError, match="remise en brouillon"):
        services.opinion_activity_set_status(activity=activity, status="draft")


# --- Computations -----------------------------------------------------------------------


@pytest.fixture
def planted() -> tuple[OpinionActivity, dict]:
    activity = opinion_activity(statements=PLANTED_STATEMENTS)
    return activity, planted_votes(activity)


def _run(activity: OpinionActivity) -> OpinionComputation:
    computation = services.opinion_computation_launch(activity=activity, by=None)
    return services.opinion_computation_run(computation=computation)


def test_the_computation_finds_the_planted_groups_consensus_and_divisions(planted) -> None:
    activity, people = planted

    computation = _run(activity)

    assert computation.status == OpinionComputation.Status.DONE, computation.error
    result = computation.result
    assert result["k"] == 3
    assert sorted(g["size"] for g in result["groups"]) == [10, 10, 10]
    assert result["participants"] == {"voters": 30, "in_map": 30, "left_out": 0}
    assert len(result["points"]) == 30
    # The people of one planted group are in one found group.
    groups_of = {
        name: {
            result["points"][computation.viewer_points[services.viewer_key(computation.pk, u.pk)]][
                2
            ]
            for u in users
        }
        for name, users in people.items()
    }
    assert all(len(found) == 1 for found in groups_of.values())
    assert len({next(iter(found)) for found in groups_of.values()}) == 3
    consensus = {c["statement"] for c in result["consensus"]}
    assert {0, 1} <= consensus
    assert all(c["direction"] == "agree" for c in result["consensus"] if c["statement"] in {0, 1})
    assert not consensus & {2, 3, 4}
    assert result["divisive"]
    assert not set(result["divisive"]) & {0, 1}
    # Each group is characterised by the statement that sets it against the two others.
    for name, planted_statement in (("A", 2), ("B", 3), ("C", 4)):
        group = next(iter(groups_of[name]))
        representative = [r["statement"] for r in result["groups"][group]["representative"]]
        assert planted_statement in representative


def test_nothing_public_holds_a_user_id(planted) -> None:
    activity, people = planted
    computation = _run(activity)

    text = str(computation.result)
    ids = {u.pk for users in people.values() for u in users}
    assert "voter_id" not in text
    assert "user" not in text
    assert "@" not in text
    # Points are only coordinates and a group.
    assert all(len(p) == 3 and p[2] in (0, 1, 2) for p in computation.result["points"])
    # Each person's dot is found under a key that is not their id.
    assert not set(computation.viewer_points) & {str(pk) for pk in ids}
    assert all(len(key) == 24 for key in computation.viewer_points)


def test_each_person_finds_their_own_dot(planted) -> None:
    activity, people = planted
    computation = _run(activity)
    alice = people["A"][0]

    view = selectors.map_view(computation, alice)

    assert view.mine is not None
    assert view.my_group is not None
    assert view.my_group.size == 10
    assert sum(d.mine for d in view.dots) == 1
    assert selectors.map_view(computation, UserFactory()).mine is None
    assert selectors.map_view(computation, None).mine is None


def test_a_failure_is_recorded_with_its_reason_and_retry_works(activity) -> None:
    # Two statements, one voter: no map can be made.
    services.statement_vote(statement=_statement(activity), voter=UserFactory(), value=1)
    computation = services.opinion_computation_launch(activity=activity, by=None, min_votes=1)

    computation = services.opinion_computation_run(computation=computation)

    assert computation.status == OpinionComputation.Status.FAILED
    assert "Seule 1 personne a répondu" in computation.error
    statements = list(activity.statements.all())
    for i, voter in enumerate(quick_users(6)):
        for j, statement in enumerate(statements):
            services.statement_vote(statement=statement, voter=voter, value=1 if i % 2 else -1 * j)
    computation = services.opinion_computation_retry(computation=computation)
    assert computation.status == OpinionComputation.Status.QUEUED
    assert computation.error == ""
    computation = services.opinion_computation_run(computation=computation)
    assert computation.status == OpinionComputation.Status.DONE, computation.error


def test_an_unexpected_error_is_recorded_with_its_reason(planted, monkeypatch) -> None:
    activity, _people = planted

    def broken(*args, **kwargs):
        raise MemoryError("no room left")

    monkeypatch.setattr(services, "_engine_compute", broken)
    computation = _run(activity)

    assert computation.status == OpinionComputation.Status.FAILED
    assert "MemoryError: no room left" in computation.error


def test_one_computation_at_a_time(planted) -> None:
    activity, _people = planted
    first = services.opinion_computation_launch(activity=activity, by=None)

    with pytest.raises(ValidationError, match="déjà en cours"):
        services.opinion_computation_launch(activity=activity, by=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        OpinionComputation.objects.create(activity=activity, number=99)

    services.opinion_computation_run(computation=first)
    second = services.opinion_computation_launch(activity=activity, by=None)
    assert second.number == 2


def test_an_interrupted_computation_can_be_launched_again(planted) -> None:
    activity, _people = planted
    stuck = services.opinion_computation_launch(activity=activity, by=None)
    OpinionComputation.objects.filter(pk=stuck.pk).update(
        status="running", updated_at=timezone.now() - timedelta(hours=1)
    )

    again = services.opinion_computation_launch(activity=activity, by=None)

    stuck.refresh_from_db()
    assert stuck.status == OpinionComputation.Status.FAILED
    assert "interrompu" in stuck.error
    assert again.status == OpinionComputation.Status.QUEUED


def test_one_version_is_published_at_a_time(planted) -> None:
    activity, _people = planted
    first = _run(activity)
    second = _run(activity)

    services.opinion_computation_publish(computation=first)
    services.opinion_computation_publish(computation=second)

    assert selectors.published_computation(activity) == second
    first.refresh_from_db()
    assert first.published_at is None
    services.opinion_results_unpublish(activity=activity)
    assert selectors.published_computation(activity) is None


def test_a_failed_computation_cannot_be_published(activity) -> None:
    computation = services.opinion_computation_launch(activity=activity, by=None)
    computation = services.opinion_computation_run(computation=computation)
    assert computation.status == OpinionComputation.Status.FAILED

    with pytest.raises(ValidationError):
        services.opinion_computation_publish(computation=computation)


def test_withdrawn_statements_are_left_out_of_the_map(planted) -> None:
    activity, _people = planted
    withdrawn = activity.statements.get(text=PLANTED_STATEMENTS[-1])
    services.statement_moderate(statement=withdrawn, moderator=UserFactory(), accept=False)

    computation = _run(activity)

    texts = [s["text"] for s in computation.result["statements"]]
    assert PLANTED_STATEMENTS[-1] not in texts
    assert len(texts) == 8


def test_answers_and_proposals_are_in_the_persons_export_and_answers_go_with_the_account() -> None:
    from fabrique.accounts.services import user_delete, user_personal_data

    activity = opinion_activity(allow_participant_statements=True)
    person = UserFactory()
    statement = activity.statements.first()
    services.statement_vote(statement=statement, voter=person, value=-1)
    proposed = services.statement_propose(activity=activity, author=person, text="Un kiosque")
    services.statement_moderate(
        statement=proposed, moderator=UserFactory(), accept=False, reason="Déjà proposé"
    )

    data = user_personal_data(user=person)["opinion_maps"]
    assert [(a["statement"], a["answer"]) for a in data["answers"]] == [
        (statement.text, "disagree"),
        ("Un kiosque", "agree"),  # the author agrees with what they propose
    ]
    assert data["answers"][0]["opinion_map"] == activity.title
    assert [(p["statement"], p["status"], p["reason"]) for p in data["statements_proposed"]] == [
        ("Un kiosque", "rejected", "Déjà proposé")
    ]
    assert user_personal_data(user=UserFactory())["opinion_maps"] == {
        "answers": [],
        "statements_proposed": [],
    }

    user_delete(user=person)
    assert not StatementVote.objects.filter(statement=statement).exists()
    proposed.refresh_from_db()
    assert proposed.author is None
    assert proposed.text == "Un kiosque"


def test_only_listed_contributions_can_become_statements() -> None:
    from fabrique.participation.models import Contribution

    process = open_process()
    author = UserFactory()
    kept, merged = (
        participation.contribution_submit(
            process=process, author=author, kind="idea", title=title, body="Des abris à vélos."
        )
        for title in ("Des abris à vélos", "Abris vélos à la gare")
    )
    Contribution.objects.filter(pk=merged.pk).update(merged_into=kept)

    offered = list(selectors.contributions_for_statements(process))

    assert offered == [kept]  # the merged one speaks through the one it was merged into


def test_a_computation_marked_as_stalled_while_it_ran_keeps_that_state(planted, monkeypatch):
    """A worker that went quiet is marked as failed (and may be retried); if it wakes up and
    finishes, it must not write over that."""
    activity, _people = planted
    computation = services.opinion_computation_launch(activity=activity, by=None)
    engine = services._engine_compute

    def slow_then_stalled(*args, **kwargs):
        OpinionComputation.objects.filter(pk=computation.pk).update(
            status=OpinionComputation.Status.FAILED, error="Arrêté"
        )
        return engine(*args, **kwargs)

    monkeypatch.setattr(services, "_engine_compute", slow_then_stalled)
    services.opinion_computation_run(computation=computation)

    computation.refresh_from_db()
    assert (computation.status, computation.error, computation.result) == (
        OpinionComputation.Status.FAILED,
        "Arrêté",
        {},
    )
