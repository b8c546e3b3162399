"""Live sessions: the rules, through the services and selectors every caller uses."""

from __future__ import annotations

import csv
import io
import uuid

import pytest
from django.core.exceptions import ValidationError

from fabrique.accounts.tests.factories import UserFactory
from fabrique.workshops.models import (
    LiveChoice,
    LiveParticipant,
    LivePoll,
    LiveQuestion,
    LiveResponse,
    LiveSession,
    LiveUpvote,
)
from fabrique.workshops.models.live import CODE_ALPHABET, CODE_LENGTH
from fabrique.workshops.selectors.live import (
    live_export_csv,
    live_questions_for_synthesis,
    live_results,
    live_state,
    participant_state,
    session_for_code,
)
from fabrique.workshops.services import live as services
from fabrique.workshops.tests.factories import WorkshopFactory, live_poll, open_live_session

pytestmark = pytest.mark.django_db


def join(session: LiveSession, nickname: str = "Zoé") -> LiveParticipant:
    return services.participant_join(session=session, nickname=nickname)


def option_ids(poll: LivePoll) -> list[int]:
    return list(poll.options.order_by("position").values_list("pk", flat=True))


def messages(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(error.value.messages)


# --- Sessions and codes -------------------------------------------------------------------


def test_a_new_session_has_a_six_character_code_without_ambiguous_characters() -> None:
    session = services.session_create(workshop=WorkshopFactory())
    assert session.status == LiveSession.Status.DRAFT
    assert len(session.code) == CODE_LENGTH
    assert set(session.code) <= set(CODE_ALPHABET)
    assert not set("01OIL") & set(CODE_ALPHABET)


def test_the_code_is_found_whatever_the_case_and_spaces() -> None:
    session = open_live_session()
    typed = f" {session.code[:3].lower()} {session.code[3:].lower()} "
    assert session_for_code(code=typed) == session


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("ABC", "Un code compte 6 caractères"),
        ("ZZZZZZ", "Aucune session en direct n’a ce code"),
    ],
)
def test_a_wrong_code_is_refused_with_a_clear_message(code: str, expected: str) -> None:
    open_live_session()
    with pytest.raises(ValidationError) as error:
        session_for_code(code=code)
    assert expected in messages(error)


def test_an_expired_code_says_the_session_has_ended() -> None:
    session = open_live_session()
    services.session_close(session=session)
    with pytest.raises(ValidationError, match="est terminée"):
        session_for_code(code=session.code)


def test_a_session_in_preparation_cannot_be_joined_yet() -> None:
    session = services.session_create(workshop=WorkshopFactory())
    with pytest.raises(ValidationError, match="pas encore commencé"):
        session_for_code(code=session.code)
    assert session_for_code(code=session.code, allow_draft=True) == session
    with pytest.raises(ValidationError, match="pas encore commencé"):
        join(session)


def test_a_closed_code_can_be_given_to_a_new_session_and_reopening_takes_a_new_one() -> None:
    old = open_live_session()
    services.session_close(session=old)
    new = services.session_create(workshop=WorkshopFactory())
    LiveSession.objects.filter(pk=new.pk).update(code=old.code)
    services.session_open(session=new)
    services.session_open(session=old)
    old.refresh_from_db()
    assert old.status == LiveSession.Status.OPEN
    assert old.code != new.code
    assert session_for_code(code=old.code) == old


def test_closing_the_session_closes_its_open_polls_and_refuses_answers() -> None:
    session = open_live_session()
    poll = live_poll(session)
    zoe = join(session)
    services.session_close(session=session)
    poll.refresh_from_db()
    assert poll.status == LivePoll.Status.CLOSED
    with pytest.raises(ValidationError, match="est terminée"):
        services.response_submit(participant=zoe, poll_id=poll.pk, option_ids=option_ids(poll)[:1])
    assert not LiveResponse.objects.exists()


# --- Participants -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("nickname", "expected"), [("  ", "Choisissez un pseudonyme"), ("x" * 41, "40")]
)
def test_a_nickname_is_required_and_short(nickname: str, expected: str) -> None:
    session = open_live_session()
    with pytest.raises(ValidationError) as error:
        join(session, nickname)
    assert expected in messages(error)
    assert not LiveParticipant.objects.exists()


def test_someone_logged_in_who_joins_again_is_the_same_participant() -> None:
    session = open_live_session()
    user = UserFactory()
    first = services.participant_join(session=session, nickname="Zoé", user=user)
    again = services.participant_join(session=session, nickname="Zoé B.", user=user)
    assert again.pk == first.pk
    assert again.nickname == "Zoé B."
    assert services.participant_for_token(session=session, token=first.token) == first
    assert services.participant_for_token(session=session, token="nope") is None


# --- Polls --------------------------------------------------------------------------------


def test_an_answer_is_counted_once_and_a_second_answer_is_refused() -> None:
    session = open_live_session()
    poll = live_poll(session)
    zoe = join(session)
    a, b, _ = option_ids(poll)
    first = services.response_submit(participant=zoe, poll_id=poll.pk, option_ids=[a])
    assert not first.duplicate
    with pytest.raises(ValidationError, match="déjà répondu"):
        services.response_submit(participant=zoe, poll_id=poll.pk, option_ids=[b])
    assert LiveResponse.objects.count() == 1
    assert list(LiveChoice.objects.values_list("option_id", flat=True)) == [a]


def test_a_resend_with_the_same_id_is_acknowledged_not_counted_again() -> None:
    session = open_live_session()
    poll = live_poll(session)
    zoe = join(session)
    cid = uuid.uuid4()
    first = services.response_submit(
        participant=zoe, poll_id=poll.pk, option_ids=option_ids(poll)[:1], client_id=cid
    )
    again = services.response_submit(
        participant=zoe, poll_id=poll.pk, option_ids=option_ids(poll)[:1], client_id=str(cid)
    )
    assert again.duplicate
    assert again.obj.pk == first.obj.pk
    assert again.version > first.version
    assert LiveResponse.objects.count() == 1


def test_another_participant_cannot_reuse_someone_elses_submission_id() -> None:
    session = open_live_session()
    poll = live_poll(session)
    cid = uuid.uuid4()
    services.response_submit(
        participant=join(session), poll_id=poll.pk, option_ids=option_ids(poll)[:1], client_id=cid
    )
    with pytest.raises(ValidationError, match="mal formé"):
        services.response_submit(
            participant=join(session, "Léo"),
            poll_id=poll.pk,
            option_ids=option_ids(poll)[:1],
            client_id=cid,
        )


def test_a_closed_or_unopened_poll_refuses_answers() -> None:
    session = open_live_session()
    draft = live_poll(session, open_=False)
    closed = live_poll(session)
    services.poll_close(poll=closed)
    zoe = join(session)
    with pytest.raises(ValidationError, match="n’est pas ouvert"):
        services.response_submit(participant=zoe, poll_id=draft.pk, option_ids=option_ids(draft))
    with pytest.raises(ValidationError, match="fermé"):
        services.response_submit(participant=zoe, poll_id=closed.pk, option_ids=option_ids(closed))
    assert not LiveResponse.objects.exists()


def test_choices_must_belong_to_the_poll_and_respect_its_kind() -> None:
    session = open_live_session()
    single = live_poll(session)
    multiple = live_poll(session, kind="multiple", max_choices=2)
    zoe = join(session)
    with pytest.raises(ValidationError, match="ne fait pas partie du sondage"):
        services.response_submit(
            participant=zoe, poll_id=single.pk, option_ids=option_ids(multiple)[:1]
        )
    with pytest.raises(ValidationError, match="une seule réponse"):
        services.response_submit(participant=zoe, poll_id=single.pk, option_ids=option_ids(single))
    with pytest.raises(ValidationError, match="2 choix au plus"):
        services.response_submit(
            participant=zoe, poll_id=multiple.pk, option_ids=option_ids(multiple)
        )
    with pytest.raises(ValidationError, match="Choisissez une réponse"):
        services.response_submit(participant=zoe, poll_id=single.pk, option_ids=[])
    services.response_submit(
        participant=zoe, poll_id=multiple.pk, option_ids=option_ids(multiple)[:2]
    )
    assert LiveChoice.objects.count() == 2


def test_a_scale_takes_a_value_in_its_range_and_gives_the_average() -> None:
    session = open_live_session()
    poll = live_poll(session, kind="scale", scale_min=1, scale_max=5)
    with pytest.raises(ValidationError, match="entre 1 et 5"):
        services.response_submit(participant=join(session), poll_id=poll.pk, value=9)
    for nickname, value in [("A", 2), ("B", 4), ("C", 4)]:
        services.response_submit(participant=join(session, nickname), poll_id=poll.pk, value=value)
    [result] = live_state(session_id=session.pk)["polls"]
    assert result["scale"]["counts"] == [0, 1, 0, 2, 0]
    assert result["scale"]["mean"] == pytest.approx(3.33, abs=0.01)
    assert result["respondents"] == 3


def test_a_word_cloud_counts_words_in_lower_case_once_per_person() -> None:
    session = open_live_session()
    poll = live_poll(session, kind="wordcloud", max_words=3)
    services.response_submit(
        participant=join(session, "A"), poll_id=poll.pk, words=["Vélo", "vélo", "Bus !"]
    )
    services.response_submit(participant=join(session, "B"), poll_id=poll.pk, words=["vélo"])
    with pytest.raises(ValidationError, match="3 mots au plus"):
        services.response_submit(
            participant=join(session, "C"), poll_id=poll.pk, words=list("abcd")
        )
    with pytest.raises(ValidationError, match="au moins un mot"):
        services.response_submit(participant=join(session, "D"), poll_id=poll.pk, words=["  "])
    [result] = live_state(session_id=session.pk)["polls"]
    assert result["words"] == [["vélo", 2], ["bus", 1]]


def test_a_poll_needs_two_distinct_choices_and_a_prompt() -> None:
    session = open_live_session()
    with pytest.raises(ValidationError) as error:
        services.poll_create(session=session, kind="single", prompt="", options=["Oui", "oui"])
    assert set(error.value.error_dict) == {"prompt", "options"}


def test_only_a_poll_never_opened_can_be_deleted() -> None:
    session = open_live_session()
    draft = live_poll(session, open_=False)
    opened = live_poll(session)
    services.poll_delete(poll=draft)
    with pytest.raises(ValidationError, match="ne peut pas être supprimé"):
        services.poll_delete(poll=opened)
    assert list(session.polls.all()) == [opened]


# --- Questions ----------------------------------------------------------------------------


def test_a_question_over_the_length_limit_is_refused_with_its_length() -> None:
    session = open_live_session()
    zoe = join(session)
    with pytest.raises(ValidationError) as error:
        services.question_post(participant=zoe, text="x" * 281)
    assert "280" in messages(error)
    assert "281" in messages(error)
    services.question_post(participant=zoe, text="x" * 280)
    assert LiveQuestion.objects.count() == 1


def test_questions_wait_for_moderation_before_they_are_shown() -> None:
    session = open_live_session()
    question = services.question_post(participant=join(session), text="Et le bus du soir ?").obj
    assert question.status == LiveQuestion.Status.PENDING
    assert live_state(session_id=session.pk)["questions"] == []
    assert [q["text"] for q in live_state(session_id=session.pk, pending=True)["pending"]] == [
        "Et le bus du soir ?"
    ]
    services.question_moderate(question=question, status=LiveQuestion.Status.APPROVED)
    assert [q["text"] for q in live_state(session_id=session.pk)["questions"]] == [
        "Et le bus du soir ?"
    ]
    services.question_moderate(question=question, status=LiveQuestion.Status.ANSWERED)
    question.refresh_from_db()
    assert question.answered_at is not None
    services.question_moderate(question=question, status=LiveQuestion.Status.HIDDEN)
    assert live_state(session_id=session.pk)["questions"] == []
    with pytest.raises(ValidationError, match="pas une décision de modération"):
        services.question_moderate(question=question, status="pending")


def test_without_premoderation_questions_show_at_once_and_can_be_turned_off() -> None:
    session = open_live_session(questions_premoderated=False)
    question = services.question_post(participant=join(session), text="Et le vélo ?").obj
    assert question.status == LiveQuestion.Status.APPROVED
    services.session_settings(
        session=session, questions_enabled=False, questions_premoderated=False
    )
    with pytest.raises(ValidationError, match="pas ouvertes dans cette session"):
        services.question_post(participant=join(session, "Léo"), text="Encore ?")


def test_a_question_is_supported_once_per_person_and_not_by_its_author() -> None:
    session = open_live_session(questions_premoderated=False)
    author = join(session)
    question = services.question_post(participant=author, text="Et le vélo ?").obj
    leo = join(session, "Léo")
    cid = uuid.uuid4()
    services.question_upvote(participant=leo, question_id=question.pk, client_id=cid)
    resend = services.question_upvote(participant=leo, question_id=question.pk, client_id=cid)
    assert resend.duplicate
    with pytest.raises(ValidationError, match="soutenez déjà"):
        services.question_upvote(participant=leo, question_id=question.pk)
    with pytest.raises(ValidationError, match="votre propre question"):
        services.question_upvote(participant=author, question_id=question.pk)
    question.refresh_from_db()
    assert question.upvote_count == 1
    assert LiveUpvote.objects.count() == 1


def test_a_question_awaiting_moderation_cannot_be_supported() -> None:
    session = open_live_session()
    question = services.question_post(participant=join(session), text="Et le vélo ?").obj
    with pytest.raises(ValidationError, match="ne peut pas être soutenue"):
        services.question_upvote(participant=join(session, "Léo"), question_id=question.pk)


# --- Versions, results, synthesis ---------------------------------------------------------


def test_the_state_at_an_acknowledged_version_includes_the_submission() -> None:
    session = open_live_session()
    poll = live_poll(session)
    a = option_ids(poll)[0]
    submission = services.response_submit(
        participant=join(session), poll_id=poll.pk, option_ids=[a]
    )
    state = live_state(session_id=session.pk)
    assert state["version"] >= submission.version
    assert state["polls"][0]["options"][0]["count"] == 1


def test_a_participant_finds_what_they_sent_when_they_come_back() -> None:
    session = open_live_session(questions_premoderated=False)
    poll = live_poll(session)
    zoe = join(session)
    services.response_submit(participant=zoe, poll_id=poll.pk, option_ids=option_ids(poll)[1:2])
    mine = services.question_post(participant=zoe, text="Et le bus ?").obj
    other = services.question_post(participant=join(session, "Léo"), text="Et le vélo ?").obj
    services.question_upvote(participant=zoe, question_id=other.pk)
    state = participant_state(participant=zoe)
    assert state["answers"][str(poll.pk)]["options"] == option_ids(poll)[1:2]
    assert [q["id"] for q in state["questions"]] == [mine.pk]
    assert state["upvoted"] == [other.pk]


def test_results_stay_with_the_workshop_for_the_synthesis_and_the_export() -> None:
    session = open_live_session(questions_premoderated=False)
    poll = live_poll(session)
    services.response_submit(
        participant=join(session), poll_id=poll.pk, option_ids=option_ids(poll)[:1]
    )
    shown = services.question_post(participant=join(session, "A"), text="Et le bus ?").obj
    hidden = services.question_post(participant=join(session, "B"), text="Hors sujet").obj
    services.question_moderate(question=hidden, status=LiveQuestion.Status.HIDDEN)
    services.question_moderate(question=shown, status=LiveQuestion.Status.ANSWERED)
    services.session_close(session=session)
    assert live_questions_for_synthesis(workshop=session.workshop) == ["Et le bus ?"]
    results = live_results(session=session)
    assert results["participants"] == 3
    assert results["question_counts"]["hidden"] == 1
    csv_text = live_export_csv(session=session).decode("utf-8-sig").replace("\r", "")
    assert "Comment venez-vous à l’atelier ?;Choix unique;À pied;1;Fermé\n" in csv_text
    assert "Et le bus ?" in csv_text
    assert "Hors sujet;0;Masquée" in csv_text


def test_the_export_never_hands_a_participants_question_to_a_spreadsheet_as_a_formula() -> None:
    session = open_live_session(questions_premoderated=False)
    services.question_post(participant=join(session, "A"), text='=HYPERLINK("http://x","?")')

    rows = list(
        csv.reader(io.StringIO(live_export_csv(session=session).decode("utf-8-sig")), delimiter=";")
    )

    assert rows[1][2] == '\'=HYPERLINK("http://x","?")'
