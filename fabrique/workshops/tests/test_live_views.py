"""Live sessions through the test client: joining, the page without JavaScript, the
projector and the console, for each role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from fabrique.accounts.models import Role, User
from fabrique.accounts.tests.factories import RoleFactory, UserFactory
from fabrique.workshops.models import (
    LiveParticipant,
    LivePoll,
    LiveQuestion,
    LiveResponse,
    LiveSession,
    Workshop,
)
from fabrique.workshops.services import live as services
from fabrique.workshops.tests.factories import WorkshopFactory, live_poll, open_live_session
from fabrique.workshops.views.live import COOKIE

pytestmark = pytest.mark.django_db


def _staff(territory: Any, role: str) -> User:
    user = UserFactory()
    RoleFactory(user=user, territory=territory, role=role)
    return user


@dataclass
class Cast:
    workshop: Workshop
    session: LiveSession
    poll: LivePoll
    question: LiveQuestion
    people: dict[str, User | None]


@pytest.fixture
def cast() -> Cast:
    workshop = WorkshopFactory()
    territory = workshop.process.territory
    facilitator = UserFactory()
    workshop.facilitators.add(facilitator)
    other = UserFactory()
    WorkshopFactory(process=workshop.process).facilitators.add(other)
    session = open_live_session(workshop)
    poll = live_poll(session)
    asker = services.participant_join(session=session, nickname="Zoé")
    question = services.question_post(participant=asker, text="Et le bus du soir ?").obj
    return Cast(
        workshop=workshop,
        session=session,
        poll=poll,
        question=question,
        people={
            "anonymous": None,
            "participant": UserFactory(),
            "other_workshop_facilitator": other,
            "workshop_facilitator": facilitator,
            "territory_facilitator": _staff(territory, Role.FACILITATOR),
            "territory_admin": _staff(territory, Role.TERRITORY_ADMIN),
        },
    )


def _bo(name: str, workshop: Workshop, *args: Any) -> str:
    process = workshop.process
    return reverse(
        f"workshops:{name}", args=[process.territory.slug, process.slug, workshop.pk, *args]
    )


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _joined(session: LiveSession, nickname: str = "Léo") -> tuple[Client, LiveParticipant]:
    client = Client()
    response = client.post(reverse("workshops:live", args=[session.code]), {"nickname": nickname})
    assert response.status_code == 302
    participant = LiveParticipant.objects.get(session=session, nickname=nickname)
    assert client.cookies[COOKIE].value == participant.token
    return client, participant


RUNNERS = {"workshop_facilitator", "territory_facilitator", "territory_admin"}
EVERYONE = ["anonymous", "participant", "other_workshop_facilitator", *sorted(RUNNERS)]


# --- Joining ------------------------------------------------------------------------------


def test_join_by_code_then_nickname_without_an_account(cast: Cast) -> None:
    client = Client()
    page = client.get(reverse("workshops:live_join"))
    assert page.status_code == 200
    found = client.get(reverse("workshops:live_join"), {"code": cast.session.code.lower()})
    assert found["Location"] == reverse("workshops:live", args=[cast.session.code])
    form = client.get(found["Location"])
    assert "Votre pseudonyme" in form.content.decode()
    client.post(found["Location"], {"nickname": "Léo"})
    page = client.get(found["Location"])
    assert page.status_code == 200
    assert cast.poll.prompt in page.content.decode()
    assert 'id="live-config"' in page.content.decode()


@pytest.mark.parametrize("code", ["ZZZZZZ", "AB"])
def test_a_wrong_code_keeps_the_form_with_a_message(cast: Cast, code: str) -> None:
    response = Client().get(reverse("workshops:live_join"), {"code": code})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]


def test_an_ended_session_says_so(cast: Cast) -> None:
    services.session_close(session=cast.session)
    response = Client().get(reverse("workshops:live", args=[cast.session.code]))
    assert response.status_code == 200
    assert "terminée" in response.context["code_error"]


def test_an_unknown_code_is_not_found() -> None:
    response = Client().get(reverse("workshops:live", args=["ZZZZZZ"]))
    assert response.status_code == 404


def test_an_empty_nickname_is_refused(cast: Cast) -> None:
    response = Client().post(reverse("workshops:live", args=[cast.session.code]), {"nickname": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["nickname"]
    assert LiveParticipant.objects.count() == 1


def test_someone_logged_in_is_recognised_without_a_cookie(cast: Cast) -> None:
    user = cast.people["participant"]
    client = _client(user)
    client.post(reverse("workshops:live", args=[cast.session.code]), {"nickname": "Léa"})
    other_browser = _client(user)
    page = other_browser.get(reverse("workshops:live", args=[cast.session.code]))
    assert page.context["participant"].user == user
    assert LiveParticipant.objects.filter(user=user).count() == 1


# --- The page without JavaScript -----------------------------------------------------------


def test_answer_once_then_the_page_shows_the_results(cast: Cast) -> None:
    client, participant = _joined(cast.session)
    option = cast.poll.options.first()
    url = reverse("workshops:live_answer", args=[cast.session.code, cast.poll.pk])
    response = client.post(
        url, {"options": [option.pk], "client_id": "6b0c5c7e-5c1e-4b3e-9b51-6c1d2a0f0a11"}
    )
    assert response.status_code == 302
    again = client.post(
        url, {"options": [option.pk], "client_id": "6b0c5c7e-5c1e-4b3e-9b51-6c1d2a0f0a11"}
    )
    assert again.status_code == 302  # the same form sent twice: taken once
    other = client.post(url, {"options": [option.pk]})
    assert other.status_code == 400
    assert "déjà répondu" in other.content.decode()
    assert LiveResponse.objects.filter(participant=participant).count() == 1
    page = client.get(reverse("workshops:live", args=[cast.session.code]))
    assert page.context["polls"][0]["answer"] is not None


def test_answering_without_having_joined_sends_back_to_joining(cast: Cast) -> None:
    url = reverse("workshops:live_answer", args=[cast.session.code, cast.poll.pk])
    response = Client().post(url, {"options": [cast.poll.options.first().pk]})
    assert response["Location"] == reverse("workshops:live", args=[cast.session.code])
    assert not LiveResponse.objects.exists()


def test_a_question_too_long_keeps_what_was_typed(cast: Cast) -> None:
    client, _ = _joined(cast.session)
    text = "Pourquoi " + "x" * 300
    response = client.post(reverse("workshops:live_ask", args=[cast.session.code]), {"text": text})
    assert response.status_code == 400
    assert response.context["ask_form"].errors["text"]
    assert text in response.content.decode()
    assert LiveQuestion.objects.count() == 1


def test_a_question_is_sent_for_moderation_then_supported(cast: Cast) -> None:
    client, _ = _joined(cast.session)
    client.post(reverse("workshops:live_ask", args=[cast.session.code]), {"text": "Et le vélo ?"})
    question = LiveQuestion.objects.get(text="Et le vélo ?")
    assert question.status == LiveQuestion.Status.PENDING
    services.question_moderate(question=cast.question, status=LiveQuestion.Status.APPROVED)
    url = reverse("workshops:live_upvote", args=[cast.session.code, cast.question.pk])
    client.post(url)
    client.post(url)
    cast.question.refresh_from_db()
    assert cast.question.upvote_count == 1


def test_participant_forms_are_posts_only(cast: Cast) -> None:
    client, _ = _joined(cast.session)
    url = reverse("workshops:live_ask", args=[cast.session.code])
    assert client.get(url).status_code == 405


# --- The projector -------------------------------------------------------------------------


@pytest.mark.parametrize("who", EVERYONE)
def test_who_may_open_the_screen(cast: Cast, who: str) -> None:
    response = _client(cast.people[who]).get(
        reverse("workshops:live_screen", args=[cast.session.code])
    )
    if who == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    elif who in RUNNERS:
        assert response.status_code == 200
        assert cast.session.code in response.content.decode()
        assert "<svg" in response.content.decode()
    else:
        assert response.status_code == 403


# --- The console ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", EVERYONE)
def test_who_may_open_the_console(cast: Cast, who: str) -> None:
    response = _client(cast.people[who]).get(_bo("bo_live", cast.workshop))
    if who == "anonymous":
        assert response.status_code == 302
    elif who in RUNNERS:
        assert response.status_code == 200
        assert "Et le bus du soir ?" in response.content.decode()
    else:
        assert response.status_code == 403


POSTS = [
    ("bo_live", lambda c: [], {"action": "close"}),
    ("bo_live", lambda c: [], {"action": "show", "screen": "questions"}),
    ("bo_live_poll", lambda c: [c.poll.pk], {"action": "close"}),
    ("bo_live_poll_new", lambda c: [], {"kind": "scale", "prompt": "Note ?"}),
    ("bo_live_question", lambda c: [c.question.pk], {"status": "approved"}),
]


@pytest.mark.parametrize("who", ["participant", "other_workshop_facilitator"])
@pytest.mark.parametrize(
    ("name", "args", "data"), POSTS, ids=[f"{p[0]}-{i}" for i, p in enumerate(POSTS)]
)
def test_facilitator_actions_are_refused_to_others(
    cast: Cast, who: str, name: str, args: Any, data: dict
) -> None:
    response = _client(cast.people[who]).post(_bo(name, cast.workshop, *args(cast)), data)
    assert response.status_code == 403
    cast.session.refresh_from_db()
    cast.poll.refresh_from_db()
    cast.question.refresh_from_db()
    assert cast.session.status == LiveSession.Status.OPEN
    assert cast.session.screen == LiveSession.Screen.JOIN
    assert cast.poll.status == LivePoll.Status.OPEN
    assert cast.question.status == LiveQuestion.Status.PENDING
    assert LivePoll.objects.count() == 1


def test_the_facilitator_runs_the_session_from_the_console(cast: Cast) -> None:
    client = _client(cast.people["workshop_facilitator"])
    new = client.post(
        _bo("bo_live_poll_new", cast.workshop),
        {
            "kind": "wordcloud",
            "prompt": "Un mot pour demain ?",
            "max_words": "2",
            "scale_min": "1",
            "scale_max": "5",
        },
    )
    assert new.status_code == 302
    cloud = LivePoll.objects.get(kind="wordcloud")
    assert cloud.max_words == 2
    client.post(_bo("bo_live_poll", cast.workshop, cloud.pk), {"action": "open"})
    client.post(
        _bo("bo_live", cast.workshop), {"action": "show", "screen": "poll", "poll": str(cloud.pk)}
    )
    client.post(_bo("bo_live_question", cast.workshop, cast.question.pk), {"status": "answered"})
    cast.session.refresh_from_db()
    cloud.refresh_from_db()
    cast.question.refresh_from_db()
    assert cloud.status == LivePoll.Status.OPEN
    assert (cast.session.screen, cast.session.screen_poll) == ("poll", cloud)
    assert cast.question.status == LiveQuestion.Status.ANSWERED
    export = client.get(_bo("bo_live_export", cast.workshop, cast.session.pk))
    assert export["Content-Type"].startswith("text/csv")
    assert "Et le bus du soir ?" in export.content.decode("utf-8-sig")
    client.post(_bo("bo_live", cast.workshop), {"action": "close"})
    cast.session.refresh_from_db()
    assert cast.session.status == LiveSession.Status.CLOSED
    client.post(_bo("bo_live", cast.workshop), {"action": "create"})
    assert cast.workshop.live_sessions.count() == 2


def test_a_refused_poll_keeps_what_was_typed(cast: Cast) -> None:
    client = _client(cast.people["territory_admin"])
    response = client.post(
        _bo("bo_live_poll_new", cast.workshop),
        {
            "kind": "single",
            "prompt": "Votre quartier ?",
            "options": "Nord",
            "scale_min": "1",
            "scale_max": "5",
            "max_words": "3",
        },
    )
    assert response.status_code == 400
    assert response.context["poll_form"].errors["options"]
    assert "Votre quartier ?" in response.content.decode()
    assert LivePoll.objects.count() == 1


def test_a_poll_of_another_workshop_is_not_found(cast: Cast) -> None:
    elsewhere = live_poll(open_live_session())
    client = _client(cast.people["workshop_facilitator"])
    response = client.post(_bo("bo_live_poll", cast.workshop, elsewhere.pk), {"action": "close"})
    assert response.status_code == 404


def test_the_console_without_a_session_offers_to_create_one() -> None:
    workshop = WorkshopFactory()
    admin = _staff(workshop.process.territory, Role.TERRITORY_ADMIN)
    client = _client(admin)
    assert client.get(_bo("bo_live", workshop)).context["session"] is None
    client.post(_bo("bo_live", workshop), {"action": "create"})
    session = workshop.live_sessions.get()
    assert session.status == LiveSession.Status.DRAFT
    client.post(_bo("bo_live", workshop), {"action": "open"})
    session.refresh_from_db()
    assert session.status == LiveSession.Status.OPEN


def test_the_public_workshop_page_invites_to_join_an_open_session(cast: Cast) -> None:
    page = Client().get(cast.workshop.get_absolute_url())
    assert reverse("workshops:live", args=[cast.session.code]) in page.content.decode()
    services.session_close(session=cast.session)
    page = Client().get(cast.workshop.get_absolute_url())
    assert reverse("workshops:live", args=[cast.session.code]) not in page.content.decode()
