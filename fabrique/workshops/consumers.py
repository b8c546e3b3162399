"""The websocket of a live session: participants' phones, the projector, the console.

Protocol (JSON text frames). The page first says who it is:
  {"type": "hello", "token": "..."}           a participant coming back
  {"type": "join", "nickname": "..."}         a new participant (linked to their account
                                             if they are logged in)
  {"type": "hello", "role": "screen"}         the projector, or "console": the facilitators'
                                             console (session log-in and the right to run
                                             the workshop required)
then sends submissions, each with an id it generated (kept until acknowledged, resent after
a reconnection):
  {"type": "answer", "id": "<uuid>", "poll": 5, "options": [12], "value": 3, "words": [...]}
  {"type": "ask", "id": "<uuid>", "text": "..."}
  {"type": "upvote", "id": "<uuid>", "question": 7}
  {"type": "action", "id": "<uuid>", "action": "poll_open", ...}   facilitators only
and receives
  {"type": "welcome", ...}       who it is, and (a participant) what they already sent
  {"type": "ack", "id": ..., "ok": true, "version": V, "duplicate": false}
  {"type": "ack", "id": ..., "ok": false, "error": "..."}   refused, with the reason
  {"type": "state", "version": V, "full": ..., ...}          the shared state (see
                                                             live_broadcast)
  {"type": "pending", ...}       the moderation queue (console only)
  {"type": "error", "message": "...", "fatal": bool}
A result whose version is at least an acknowledgement's version includes that submission.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable
from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from . import live_broadcast
from .live_broadcast import db
from .models import LiveParticipant, LivePoll, LiveQuestion, LiveSession
from .permissions import can_run_workshop
from .selectors.live import participant_state, session_for_code
from .services import live as services

logger = logging.getLogger(__name__)

MAX_FRAME = 8_000
NO_LAYER = "live-no-per-page-channel"


def _message(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


def _ack(client_id: Any, submission: services.Submission, **extra: Any) -> dict[str, Any]:
    return {
        "type": "ack",
        "id": client_id,
        "ok": True,
        "version": submission.version,
        "duplicate": submission.duplicate,
        **extra,
    }


class LiveConsumer(AsyncWebsocketConsumer):
    # No channel per page: the session's broadcaster writes to pages directly (see
    # live_broadcast), and a channel per page would be one more Redis subscription each.
    channel_layer_alias = NO_LAYER

    session: LiveSession | None = None
    participant: LiveParticipant | None = None
    role: str = ""

    async def connect(self) -> None:
        translation.activate("fr")
        await self.accept()
        code = self.scope["url_route"]["kwargs"]["code"]
        try:
            self.session = await _session(code)
        except ValidationError as error:
            await self.send_json({"type": "error", "message": _message(error), "fatal": True})
            await self.close(code=4404)

    async def disconnect(self, code: int) -> None:
        if self.session is not None:
            hub = live_broadcast.local_hub(self.session.pk)
            if hub is not None:
                hub.discard(self)

    def send_text(self, text: str) -> Awaitable[None]:
        """One text frame, straight to the server (the broadcaster's fast path)."""
        return self.base_send({"type": "websocket.send", "text": text})

    async def send_json(self, content: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(content, ensure_ascii=False, separators=(",", ":")))

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        translation.activate("fr")
        if self.session is None:
            return
        if text_data is None or len(text_data) > MAX_FRAME:
            await self.send_json({"type": "error", "message": _("This message is too long.")})
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            content = None
        if not isinstance(content, dict):
            await self.send_json({"type": "error", "message": _("This message is malformed.")})
            return
        kind = str(content.get("type"))
        handler = {
            "hello": self.on_hello,
            "join": self.on_join,
            "answer": self.on_answer,
            "ask": self.on_ask,
            "upvote": self.on_upvote,
            "action": self.on_action,
        }.get(kind)
        if handler is None:
            await self.send_json({"type": "error", "message": _("This message is malformed.")})
            return
        if kind not in ("hello", "join") and not self.role:
            await self.refuse(content, _("Join the session first."))
            return
        try:
            await handler(content)
        except ValidationError as error:
            await self.refuse(content, _message(error))

    async def refuse(self, content: dict[str, Any], message: str) -> None:
        await self.send_json(
            {"type": "ack", "id": content.get("id"), "ok": False, "error": message}
        )

    async def enter(self, role: str, welcome: dict[str, Any]) -> None:
        """Become a member of the session's broadcast (once per connection)."""
        assert self.session is not None
        first = not self.role
        self.role = role
        await self.send_json({"type": "welcome", "role": role, **welcome})
        if first:
            live_broadcast.hub_for(self.session.pk).add(self, facilitator=role == "console")

    # --- who is there -----------------------------------------------------------------

    async def on_hello(self, content: dict[str, Any]) -> None:
        assert self.session is not None
        role = content.get("role")
        if role in ("screen", "console"):
            user = self.scope.get("user")
            allowed = bool(user) and await db(can_run_workshop)(user, self.session.workshop)
            if not allowed:
                await self.send_json(
                    {
                        "type": "error",
                        "message": _("Only the workshop's facilitators can open this screen."),
                        "fatal": True,
                    }
                )
                await self.close(code=4403)
                return
            await self.enter(role, {})
            return
        token = str(content.get("token") or "")
        participant = await db(services.participant_for_token)(session=self.session, token=token)
        if participant is None:
            await self.send_json(
                {
                    "type": "error",
                    "message": _("We do not know you in this session: join it again."),
                    "rejoin": True,
                }
            )
            return
        self.participant = participant
        await self.enter("participant", await self._welcome(participant))

    async def on_join(self, content: dict[str, Any]) -> None:
        assert self.session is not None
        if self.participant is not None:
            await self.enter("participant", await self._welcome(self.participant))
            return
        user = self.scope.get("user")
        participant = await db(services.participant_join)(
            session=self.session,
            nickname=str(content.get("nickname") or ""),
            user=user if user is not None and user.is_authenticated else None,
        )
        self.participant = participant
        fresh = participant.user_id is None  # an account may have joined before
        await self.enter("participant", await self._welcome(participant, new=fresh))

    async def _welcome(self, participant: LiveParticipant, *, new: bool = False) -> dict[str, Any]:
        if new:  # nothing sent yet: no need to look
            mine = {"nickname": participant.nickname, "answers": {}, "questions": [], "upvoted": []}
        else:
            mine = await db(participant_state)(participant=participant)
        return {"token": participant.token, **mine}

    # --- participants' submissions ----------------------------------------------------

    def _participant(self) -> LiveParticipant:
        if self.participant is None:
            raise ValidationError(_("Only participants can do this."))
        return self.participant

    async def on_answer(self, content: dict[str, Any]) -> None:
        participant = self._participant()
        options = content.get("options") or []
        words = content.get("words") or []
        if not isinstance(options, list) or not isinstance(words, list):
            raise ValidationError(_("This submission is malformed."))
        try:
            poll_id = int(content.get("poll") or 0)
        except (TypeError, ValueError):
            raise ValidationError(_("This submission is malformed.")) from None
        submission = await db(services.response_submit)(
            participant=participant,
            poll_id=poll_id,
            client_id=content.get("id"),
            option_ids=options,
            value=content.get("value"),
            words=[str(w) for w in words][:20],
        )
        await self.send_json(_ack(content.get("id"), submission, poll=poll_id))
        await self.changed(submission)

    async def on_ask(self, content: dict[str, Any]) -> None:
        participant = self._participant()
        submission = await db(services.question_post)(
            participant=participant,
            text=str(content.get("text") or ""),
            client_id=content.get("id"),
        )
        question = submission.obj
        assert isinstance(question, LiveQuestion)
        await self.send_json(
            _ack(
                content.get("id"),
                submission,
                question={"id": question.pk, "text": question.text, "status": question.status},
            )
        )
        await self.changed(submission)

    async def on_upvote(self, content: dict[str, Any]) -> None:
        participant = self._participant()
        try:
            question_id = int(content.get("question") or 0)
        except (TypeError, ValueError):
            raise ValidationError(_("This submission is malformed.")) from None
        submission = await db(services.question_upvote)(
            participant=participant, question_id=question_id, client_id=content.get("id")
        )
        await self.send_json(_ack(content.get("id"), submission, question=question_id))
        await self.changed(submission)

    async def changed(self, submission: services.Submission) -> None:
        # A resend raises the version too (see services.live._stored): results follow.
        assert self.session is not None
        await live_broadcast.changed(self.session.pk)

    # --- facilitators' actions --------------------------------------------------------

    async def on_action(self, content: dict[str, Any]) -> None:
        if self.role != "console":
            raise ValidationError(_("Only the workshop's facilitators can do this."))
        assert self.session is not None
        version = await db(run_action)(
            session=self.session, action=str(content.get("action") or ""), data=content
        )
        await self.send_json(
            {"type": "ack", "id": content.get("id"), "ok": True, "version": version}
        )
        await live_broadcast.changed(self.session.pk)


# A crowd connects within seconds to one session: its lookup by code is kept a moment.
SESSION_CACHE_SECONDS = 2.0
_sessions: dict[str, tuple[float, LiveSession]] = {}


async def _session(code: str) -> LiveSession:
    now = time.monotonic()
    cached = _sessions.get(code)
    if cached is not None and cached[0] > now:
        return cached[1]
    session = await db(session_for_code)(code=code, allow_draft=True)
    if session.status == LiveSession.Status.OPEN:
        if len(_sessions) > 1000:
            _sessions.clear()
        _sessions[code] = (now + SESSION_CACHE_SECONDS, session)
    return session


def _poll(session: LiveSession, data: dict[str, Any]) -> LivePoll:
    poll = LivePoll.objects.filter(session=session, pk=_int(data.get("poll"))).first()
    if poll is None:
        raise ValidationError(_("This poll is not part of the session."))
    return poll


def _question(session: LiveSession, data: dict[str, Any]) -> LiveQuestion:
    question = LiveQuestion.objects.filter(session=session, pk=_int(data.get("question"))).first()
    if question is None:
        raise ValidationError(_("This question is not part of the session."))
    return question


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def run_action(*, session: LiveSession, action: str, data: dict[str, Any]) -> int:
    """A facilitator's action, by name, with the fields of the console's form: the same
    names as the HTTP views take. Returns the session's version after it."""
    session.refresh_from_db()
    if action == "poll_open":
        return services.poll_open(poll=_poll(session, data))
    if action == "poll_close":
        return services.poll_close(poll=_poll(session, data))
    if action == "question_moderate":
        return services.question_moderate(
            question=_question(session, data), status=str(data.get("status") or "")
        )
    if action == "show":
        return services.session_show(
            session=session,
            screen=str(data.get("screen") or ""),
            poll_id=_int(data.get("poll")) or None,
        )
    raise ValidationError(_("This action does not exist."))
