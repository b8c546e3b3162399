"""The live session's websocket, through the whole ASGI application (origin check, session
log-in, routing): joining, submitting, results that include what was sent, refusals."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from config.asgi import application
from fabrique.accounts.tests.factories import UserFactory
from fabrique.workshops.models import LivePoll, LiveQuestion, LiveResponse, LiveSession
from fabrique.workshops.services import live as services
from fabrique.workshops.tests.factories import WorkshopFactory, live_poll, open_live_session

# The consumer reads and writes from its own threads: the data must be committed.
pytestmark = pytest.mark.django_db(transaction=True)

TIMEOUT = 10


def run(scenario: Callable[[], Any]) -> Any:
    return async_to_sync(scenario)()


def communicator(
    code: str, cookie: str = "", origin: str = "http://127.0.0.1"
) -> WebsocketCommunicator:
    headers = [(b"origin", origin.encode())]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    return WebsocketCommunicator(application, f"/direct/{code}/ws/", headers=headers)


async def receive(
    comm: WebsocketCommunicator, kind: str, where: Callable[[dict], bool] = lambda m: True
) -> dict:
    """The next message of this kind (and matching ``where``), skipping others."""
    while True:
        message = await comm.receive_json_from(timeout=TIMEOUT)
        if message["type"] == kind and where(message):
            return message


def session_cookie(user: Any) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


@pytest.fixture
def session() -> LiveSession:
    session = open_live_session(questions_premoderated=False)
    live_poll(session)
    return session


def test_join_answer_and_see_results_that_include_the_answer(session: LiveSession) -> None:
    poll = session.polls.get()
    option = poll.options.order_by("position").first()

    async def scenario() -> None:
        comm = communicator(session.code)
        connected, _ = await comm.connect()
        assert connected
        await comm.send_json_to({"type": "join", "nickname": "Zoé"})
        welcome = await receive(comm, "welcome")
        assert welcome["token"]
        assert welcome["answers"] == {}
        first = await receive(comm, "state")
        assert first["full"] is True
        cid = str(uuid.uuid4())
        await comm.send_json_to(
            {"type": "answer", "id": cid, "poll": poll.pk, "options": [option.pk]}
        )
        ack = await receive(comm, "ack")
        assert ack["ok"] is True
        assert ack["id"] == cid
        assert ack["duplicate"] is False
        state = await receive(comm, "state", lambda m: m["version"] >= ack["version"])
        [result] = state["polls"]
        assert result["respondents"] == 1
        assert {o["id"]: o["count"] for o in result["options"]}[option.pk] == 1
        await comm.disconnect()

    run(scenario)
    assert LiveResponse.objects.count() == 1


def test_a_resend_after_reconnecting_is_acknowledged_and_counted_once(session: LiveSession) -> None:
    poll = session.polls.get()
    option = poll.options.first()
    cid = str(uuid.uuid4())
    answer = {"type": "answer", "id": cid, "poll": poll.pk, "options": [option.pk]}

    async def scenario() -> None:
        comm = communicator(session.code)
        await comm.connect()
        await comm.send_json_to({"type": "join", "nickname": "Zoé"})
        token = (await receive(comm, "welcome"))["token"]
        await comm.send_json_to(answer)
        await comm.disconnect()  # the connection drops before the acknowledgement is read
        again = communicator(session.code)
        await again.connect()
        await again.send_json_to({"type": "hello", "token": token})
        welcome = await receive(again, "welcome")
        assert str(poll.pk) in welcome["answers"]
        await again.send_json_to(answer)
        ack = await receive(again, "ack")
        assert ack["ok"] is True
        assert ack["duplicate"] is True
        await again.send_json_to({**answer, "id": str(uuid.uuid4())})
        refused = await receive(again, "ack")
        assert refused["ok"] is False
        assert "déjà répondu" in refused["error"]
        await again.disconnect()

    run(scenario)
    assert LiveResponse.objects.count() == 1


def test_bad_input_is_refused_with_a_message(session: LiveSession) -> None:
    async def scenario() -> None:
        comm = communicator(session.code)
        await comm.connect()
        await comm.send_json_to({"type": "ask", "id": str(uuid.uuid4()), "text": "Avant"})
        early = await receive(comm, "ack")
        assert early["ok"] is False  # not joined yet
        await comm.send_json_to({"type": "join", "nickname": "Zoé"})
        await receive(comm, "welcome")
        await comm.send_json_to({"type": "ask", "id": str(uuid.uuid4()), "text": "x" * 281})
        too_long = await receive(comm, "ack")
        assert too_long["ok"] is False
        assert "280" in too_long["error"]
        await comm.send_to(text_data="not json")
        assert (await receive(comm, "error"))["message"]
        await comm.send_json_to({"type": "answer", "id": "not-a-uuid", "poll": "x"})
        assert (await receive(comm, "ack"))["ok"] is False
        await comm.disconnect()

    run(scenario)
    assert not LiveQuestion.objects.exists()


def test_a_participant_cannot_act_as_a_facilitator(session: LiveSession) -> None:
    poll = session.polls.get()

    async def scenario() -> None:
        comm = communicator(session.code)
        await comm.connect()
        await comm.send_json_to({"type": "join", "nickname": "Zoé"})
        await receive(comm, "welcome")
        await comm.send_json_to(
            {"type": "action", "id": "a1", "action": "poll_close", "poll": poll.pk}
        )
        ack = await receive(comm, "ack")
        assert ack["ok"] is False
        assert "animat" in ack["error"]
        await comm.disconnect()
        console = communicator(session.code)
        await console.connect()
        await console.send_json_to({"type": "hello", "role": "console"})
        refused = await receive(console, "error")
        assert refused["fatal"] is True
        await console.disconnect()

    run(scenario)
    poll.refresh_from_db()
    assert poll.status == LivePoll.Status.OPEN


def test_a_facilitator_of_another_workshop_cannot_open_the_console(session: LiveSession) -> None:
    other = UserFactory()
    WorkshopFactory(process=session.workshop.process).facilitators.add(other)
    cookie = session_cookie(other)

    async def scenario() -> None:
        console = communicator(session.code, cookie=cookie)
        await console.connect()
        await console.send_json_to({"type": "hello", "role": "console"})
        assert (await receive(console, "error"))["fatal"] is True
        await console.disconnect()

    run(scenario)


def test_the_facilitator_moderates_and_closes_a_poll_from_the_console() -> None:
    session = open_live_session()
    poll = live_poll(session)
    facilitator = UserFactory()
    session.workshop.facilitators.add(facilitator)
    cookie = session_cookie(facilitator)

    async def scenario() -> None:
        phone = communicator(session.code)
        await phone.connect()
        await phone.send_json_to({"type": "join", "nickname": "Zoé"})
        await receive(phone, "welcome")
        console = communicator(session.code, cookie=cookie)
        await console.connect()
        await console.send_json_to({"type": "hello", "role": "console"})
        assert (await receive(console, "welcome"))["role"] == "console"
        await phone.send_json_to({"type": "ask", "id": str(uuid.uuid4()), "text": "Et le bus ?"})
        asked = await receive(phone, "ack")
        assert asked["question"]["status"] == "pending"
        pending = await receive(console, "pending", lambda m: bool(m["pending"]))
        question_id = pending["pending"][0]["id"]
        await console.send_json_to(
            {
                "type": "action",
                "id": "m1",
                "action": "question_moderate",
                "question": question_id,
                "status": "approved",
            }
        )
        moderated = await receive(console, "ack")
        assert moderated["ok"] is True
        shown = await receive(phone, "state", lambda m: m["version"] >= moderated["version"])
        assert [q["text"] for q in shown["questions"]] == ["Et le bus ?"]
        await console.send_json_to(
            {"type": "action", "id": "c1", "action": "poll_close", "poll": poll.pk}
        )
        closed = await receive(console, "ack")
        state = await receive(phone, "state", lambda m: m["version"] >= closed["version"])
        assert state["polls"][0]["status"] == "closed"
        await console.send_json_to({"type": "action", "id": "x", "action": "drop_database"})
        assert (await receive(console, "ack"))["ok"] is False
        await phone.disconnect()
        await console.disconnect()

    run(scenario)
    assert LiveQuestion.objects.get().status == LiveQuestion.Status.APPROVED


@pytest.mark.parametrize(
    ("code", "expected"),
    [("ZZZZZZ", "Aucune session en direct n’a ce code"), ("closed", "est terminée")],
)
def test_a_wrong_or_expired_code_is_refused(session: LiveSession, code: str, expected: str) -> None:
    if code == "closed":
        services.session_close(session=session)
        code = session.code

    async def scenario() -> None:
        comm = communicator(code)
        await comm.connect()
        error = await receive(comm, "error")
        assert error["fatal"] is True
        assert expected in error["message"]
        output = await comm.receive_output(timeout=TIMEOUT)
        assert output["type"] == "websocket.close"

    run(scenario)


def test_a_page_from_another_site_is_refused(session: LiveSession) -> None:
    async def scenario() -> None:
        comm = communicator(session.code, origin="https://evil.example")
        connected, _ = await comm.connect()
        assert not connected

    run(scenario)


def test_an_unknown_token_asks_to_join_again(session: LiveSession) -> None:
    async def scenario() -> None:
        comm = communicator(session.code)
        await comm.connect()
        await comm.send_json_to({"type": "hello", "token": "forged"})
        assert (await receive(comm, "error"))["rejoin"] is True
        await comm.disconnect()

    run(scenario)
