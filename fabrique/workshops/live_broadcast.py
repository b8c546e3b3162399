"""One broadcaster per session and server process: coalesce changes, send one text to all.

A message per submission to every page would be millions a minute with a large audience.
Instead, each change only wakes the broadcaster of its session in every server process (one
message on the channel layer per change, which Redis delivers once per process). At most
every ``TICK`` seconds the broadcaster reads the session's version; when it moved, it reads
the state once (a few aggregate queries), serialises it once, and writes that same text to
each page connected to this process. Pages connected since the last tick get the whole
state; the others a smaller one whose question list holds only what changed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

from asgiref.sync import async_to_sync
from channels.db import DatabaseSyncToAsync
from channels.layers import get_channel_layer

from .selectors.live import live_state

logger = logging.getLogger(__name__)
T = TypeVar("T")

TICK = 0.25
# Writing to every page must leave the process time for the submissions: the next tick
# waits at least this many times the last one's writing took.
FANOUT_FACTOR = 3
# Without a wake-up (a channel layer message can be lost), still look every so often.
IDLE_CHECK = 2.0


class Member(Protocol):
    """A page connected to this process (the websocket consumer)."""

    def send_text(self, text: str) -> Awaitable[None]:
        """Write one text frame to the page."""


# Database work of live sessions runs in a few threads of its own, each with its
# connection: submissions mostly wait for the disk, and one thread (the default for
# synchronous code under ASGI) would queue a crowd's submissions one behind the other.
DB_THREADS = 8
_executor: ThreadPoolExecutor | None = None


def db(func: Callable[..., T]) -> Callable[..., Awaitable[T]]:
    """``func`` run in the live database threads, awaitable."""
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=DB_THREADS, thread_name_prefix="live-db")
    return DatabaseSyncToAsync(func, thread_sensitive=False, executor=_executor)


def group_name(session_id: int) -> str:
    return f"live.{session_id}"


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _question_key(question: dict[str, Any]) -> tuple[str, int]:
    return (question["status"], question["upvotes"])


class Hub:
    """The pages of one session connected to this process, and the ticker that updates them."""

    def __init__(self, session_id: int) -> None:
        self.session_id = session_id
        self.members: dict[Member, bool] = {}  # page -> needs the whole state
        self.facilitators: set[Member] = set()
        self.wake = asyncio.Event()
        self.version = -1
        self.questions: dict[int, tuple[str, int]] = {}
        self.pending_text = ""
        self.closed_cache: dict[int, Any] = {}
        self.fanout = 0.0  # seconds the last tick spent writing to the pages
        self.task: asyncio.Task[None] | None = None
        self.listener: asyncio.Task[None] | None = None

    # --- members ----------------------------------------------------------------------

    def add(self, member: Member, *, facilitator: bool = False) -> None:
        self.members[member] = True
        if facilitator:
            self.facilitators.add(member)
        self.wake.set()
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self.run())
        if self.listener is None or self.listener.done():
            self.listener = asyncio.create_task(self.listen())

    def discard(self, member: Member) -> None:
        self.members.pop(member, None)
        self.facilitators.discard(member)
        if not self.members:
            self.wake.set()  # the ticker sees nobody left and stops

    # --- the ticker -------------------------------------------------------------------

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        last = 0.0
        try:
            while self.members:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), IDLE_CHECK)
                # Whatever arrives from here on wakes the next round.
                self.wake.clear()
                if not self.members:
                    break
                delay = last + max(TICK, FANOUT_FACTOR * self.fanout) - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                try:
                    sent = await self.tick()
                except Exception:
                    logger.exception("Live session %s: state not sent", self.session_id)
                    sent = True
                if sent:
                    last = loop.time()
        finally:
            _forget(self)

    async def tick(self) -> bool:
        newcomers = any(self.members.values())
        state = await db(_state_if_changed)(
            self.session_id,
            since=None if newcomers else self.version,
            closed_cache=self.closed_cache,
            pending=bool(self.facilitators),
        )
        if state is None:
            return False
        pending = state.pop("pending", None)
        questions = {q["id"]: _question_key(q) for q in state["questions"]}
        whole_text = _dumps({**state, "full": True})
        changed = [q for q in state["questions"] if self.questions.get(q["id"]) != _question_key(q)]
        removed = [qid for qid in self.questions if qid not in questions]
        delta_text = _dumps({**state, "full": False, "questions": changed, "removed": removed})
        pending_text = ""
        if pending is not None:
            pending_text = _dumps(
                {"type": "pending", "version": state["version"], "pending": pending}
            )
        pending_changed = pending_text != self.pending_text
        self.version = state["version"]
        self.questions = questions
        self.pending_text = pending_text
        started = time.monotonic()
        for member in list(self.members):
            whole = self.members.get(member)
            if whole is None:
                continue  # left while we were sending
            self.members[member] = False
            try:
                await member.send_text(whole_text if whole else delta_text)
                if member in self.facilitators and pending_text and (pending_changed or whole):
                    await member.send_text(pending_text)
            except Exception:  # the page went away mid-send: it is discarded on disconnect
                self.members.pop(member, None)
                self.facilitators.discard(member)
        self.fanout = time.monotonic() - started
        return True

    # --- wake-ups from other processes ------------------------------------------------

    async def listen(self) -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        channel = await layer.new_channel("live-hub.")
        group = group_name(self.session_id)
        await layer.group_add(group, channel)
        try:
            while self.members:
                await layer.receive(channel)
                self.wake.set()
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("Live session %s: wake-ups lost", self.session_id)
        finally:
            try:
                await layer.group_discard(group, channel)
            except Exception:
                logger.debug("Live session %s: group not left", self.session_id)


def _state_if_changed(
    session_id: int, *, since: int | None, closed_cache: dict[int, Any], pending: bool
) -> dict[str, Any] | None:
    """The session's state, or None when its version is still ``since`` (one query)."""
    from .models import LiveSession

    if since is not None:
        version = LiveSession.objects.filter(pk=session_id).values_list("version", flat=True)
        if version.first() == since:
            return None
    return live_state(session_id=session_id, closed_cache=closed_cache, pending=pending)


# --- Registry (per process and event loop) -----------------------------------------------

_hubs: dict[tuple[int, int], Hub] = {}


def _key(session_id: int) -> tuple[int, int]:
    return (id(asyncio.get_running_loop()), session_id)


def _forget(hub: Hub) -> None:
    if hub.members:  # a page joined as the ticker stopped: it was restarted
        return
    for key, value in list(_hubs.items()):
        if value is hub:
            del _hubs[key]
    if hub.listener is not None and not hub.listener.done():
        hub.listener.cancel()


def hub_for(session_id: int) -> Hub:
    key = _key(session_id)
    hub = _hubs.get(key)
    if hub is None or (hub.task is not None and hub.task.done()):
        hub = _hubs[key] = Hub(session_id)
    return hub


def local_hub(session_id: int) -> Hub | None:
    return _hubs.get(_key(session_id))


# --- Telling every process that a session changed -------------------------------------


async def changed(session_id: int) -> None:
    """Wake the session's broadcaster here at once, and in the other processes."""
    hub = local_hub(session_id)
    if hub is not None:
        hub.wake.set()
    layer = get_channel_layer()
    if layer is not None:
        try:
            await layer.group_send(group_name(session_id), {"type": "live.changed"})
        except Exception:  # the broadcasters still look by themselves every IDLE_CHECK
            logger.warning("Live session %s: wake-up not sent", session_id, exc_info=True)


def changed_sync(session_id: int) -> None:
    """``changed`` for synchronous code (the HTTP views)."""
    async_to_sync(changed)(session_id)
