"""Benchmark of one live session with a simulated crowd, server and crowd on this machine.

Starts everything itself and stops it all at the end: a PostgreSQL database
``fabrique_bench_live`` (re-created and migrated), Redis at 127.0.0.1:6379 as the channel
layer, the application under uvicorn on 127.0.0.1 (a free port), and the crowd: asyncio
clients speaking the live protocol over websockets, in a few processes.

Every client joins with a nickname; then, within the window (40 s by default), every client
answers the poll once and 500 clients post or support questions. 2 % of the clients drop
their connection around their answer (half before its acknowledgement arrives, half after),
come back and send the same answer again, with the same id: it must be recognised, not
counted twice. At the end the tallies stored in the database are compared with what the
clients sent, option by option and question by question.

Latency: for every submission and every client, the time from the submission being sent to
that client receiving results whose version includes it (all pairs, no sampling).

    make bench-live                      2 300 clients
    make bench-live CLIENTS=4000
    .venv/bin/python bench/live.py --clients 300 --window 15     a quick look

Prints readable lines, then one JSON line with clients, connected, sent, stored, p50_ms,
p95_ms, p99_ms, duplicates_refused, errors and more.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import multiprocessing as mp
import os
import random
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = os.environ.get(
    "BENCH_LIVE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fabrique_bench_live"
)
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
OPTIONS = ["À pied", "À vélo", "En bus", "En voiture"]
SERVER_ENV = {
    "DATABASE_URL": BENCH_DB,
    "REDIS_URL": REDIS,
    "DEBUG": "0",
    "SECRET_KEY": "bench-live-not-a-secret-" + "x" * 40,
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "0",
    "DATABASE_CONN_MAX_AGE": "600",
    "LOG_LEVEL": "WARNING",
    "TASKS_BACKEND": "immediate",
    "DJANGO_SETTINGS_MODULE": "config.settings",
}
STATE_PREFIX = '{"type":"state","version":'


def log(line: str) -> None:
    print(line, flush=True)


# --- Server side: database, data, uvicorn -------------------------------------------------


def prepare_database() -> dict[str, Any]:
    """Re-create the database, migrate it, and open a session with one poll on screen."""
    import psycopg

    name = BENCH_DB.rsplit("/", 1)[1]
    admin = BENCH_DB.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ.update(SERVER_ENV)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from fabrique.workshops.models import LivePoll, LiveSession
    from fabrique.workshops.services import live as services
    from fabrique.workshops.tests.factories import WorkshopFactory

    workshop = WorkshopFactory(title="Grand débat des mobilités", capacity=None)
    session = services.session_create(workshop=workshop, questions_premoderated=False)
    services.session_open(session=session)
    poll = services.poll_create(
        session=session,
        kind=LivePoll.Kind.SINGLE,
        prompt="Comment venez-vous au travail ?",
        options=OPTIONS,
    )
    services.poll_open(poll=poll)
    services.session_show(session=session, screen=LiveSession.Screen.POLL, poll_id=poll.pk)
    from django.db import connections

    connections.close_all()
    return {
        "code": session.code,
        "session": session.pk,
        "poll": poll.pk,
        "options": list(poll.options.order_by("position").values_list("pk", flat=True)),
    }


def stored_figures(info: dict[str, Any]) -> dict[str, Any]:
    from django.db import connections

    from fabrique.workshops.models import (
        LiveChoice,
        LiveParticipant,
        LiveQuestion,
        LiveResponse,
        LiveSession,
        LiveUpvote,
    )

    figures = {
        "participants": LiveParticipant.objects.filter(session_id=info["session"]).count(),
        "responses": LiveResponse.objects.filter(poll_id=info["poll"]).count(),
        "by_option": {
            str(o): LiveChoice.objects.filter(option_id=o).count() for o in info["options"]
        },
        "questions": LiveQuestion.objects.filter(session_id=info["session"]).count(),
        "upvotes": LiveUpvote.objects.filter(question__session_id=info["session"]).count(),
        "upvotes_by_question": {
            str(q): n
            for q, n in LiveQuestion.objects.filter(session_id=info["session"]).values_list(
                "pk", "upvote_count"
            )
        },
        "version": LiveSession.objects.get(pk=info["session"]).version,
    }
    connections.close_all()
    return figures


def process_cpu(root: int) -> float:
    """Processor seconds used so far by a process and its children (the server's workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry.name), int(fields[1])
        if pid == root or ppid == root:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def raise_priority(server_pid: int, niceness: int) -> int:
    """Give the server, its workers and its database connections a higher priority than the
    rest of the machine (root only): on a machine shared with other work, the figures then
    approach those of an idle one. Returns how many processes were reniced."""
    import psycopg

    pids = {server_pid}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            if ppid == server_pid:
                pids.add(int(entry.name))
    with psycopg.connect(BENCH_DB, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        ).fetchall()
    pids.update(row[0] for row in rows)
    done = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, pid, niceness)
            done += 1
    return done


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int, workers: int, ws: str) -> subprocess.Popen[bytes]:
    command = [
        str(ROOT / ".venv" / "bin" / "uvicorn"),
        "config.asgi:application",
        "--host=127.0.0.1",
        f"--port={port}",
        f"--workers={workers}",
        "--loop=uvloop",
        "--http=httptools",
        f"--ws={ws}",
        "--ws-per-message-deflate=false",
        "--ws-max-size=65536",
        "--lifespan=off",
        "--no-access-log",
        "--log-level=warning",
        "--backlog=4096",
    ]
    return subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, **SERVER_ENV}, start_new_session=True
    )


def wait_for_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.2)
    raise RuntimeError(f"the server did not listen on {port} within {timeout} s")


def stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)


# --- The crowd ----------------------------------------------------------------------------


class RawWebSocket(asyncio.Protocol):
    """The client end of a websocket, reduced to what the crowd needs (text frames, ping,
    close), on a plain asyncio protocol: the crowd shares the machine with the server, and
    a full client library spends several times more processor per message."""

    def __init__(self, host: str, path: str, origin: str, on_text: Any, on_lost: Any) -> None:
        self.request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}\r\n"
            f"Sec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n\r\n"
        ).encode()
        self.on_text = on_text
        self.on_lost = on_lost
        self.buffer = bytearray()
        self.open = False
        self.ready: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self.transport: Any = None

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        if not self.open:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(buffer[:end])
            del buffer[: end + 4]
            if not head.startswith(b"HTTP/1.1 101"):
                self.ready.set_exception(ConnectionError(head.split(b"\r\n", 1)[0].decode()))
                self.transport.abort()
                return
            self.open = True
            self.ready.set_result(True)
        while len(buffer) >= 2:
            length = buffer[1] & 0x7F
            start = 2
            if length == 126:
                if len(buffer) < 4:
                    return
                length = int.from_bytes(buffer[2:4], "big")
                start = 4
            elif length == 127:
                if len(buffer) < 10:
                    return
                length = int.from_bytes(buffer[2:10], "big")
                start = 10
            if len(buffer) < start + length:
                return
            opcode = buffer[0] & 0x0F
            payload = bytes(buffer[start : start + length])
            del buffer[: start + length]
            if opcode == 1:
                self.on_text(payload.decode())
            elif opcode == 9:
                self.write(0xA, payload)
            elif opcode == 8:
                self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.open = False
        if not self.ready.done():
            self.ready.set_exception(ConnectionError("connection lost"))
        self.on_lost()

    def write(self, opcode: int, payload: bytes) -> None:
        mask = os.urandom(4)
        n = len(payload)
        if n < 126:
            header = bytes([0x80 | opcode, 0x80 | n])
        elif n < 65536:
            header = bytes([0x80 | opcode, 0x80 | 126]) + n.to_bytes(2, "big")
        else:
            header = bytes([0x80 | opcode, 0x80 | 127]) + n.to_bytes(8, "big")
        key = int.from_bytes((mask * (n // 4 + 1))[:n], "big")
        masked = (int.from_bytes(payload, "big") ^ key).to_bytes(n, "big") if n else b""
        self.transport.write(header + mask + masked)

    def send(self, text: str) -> None:
        if not self.open:
            raise ConnectionError("not connected")
        self.write(0x1, text.encode())

    def abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()


class Client:
    """One participant: a websocket, what it sent and when, which versions it saw when."""

    def __init__(self, index: int, plan: dict[str, Any], url: str, origin: str) -> None:
        self.index = index
        self.plan = plan
        self.host, _, self.path = url.removeprefix("ws://").partition("/")
        self.path = "/" + self.path
        self.origin = origin
        self.ws: RawWebSocket | None = None
        self.token = ""
        self.seen: list[tuple[int, float]] = []  # (version, monotonic time received)
        self.sent: list[dict[str, Any]] = []  # one per distinct submission
        self.acks: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.duplicates = 0
        self.errors: list[str] = []
        self.questions: set[int] = set()
        self.own_questions: set[int] = set()
        self.welcomed = asyncio.Event()
        self.lost = asyncio.Event()
        self.track = plan.get("upvote") is not None
        self.connected = False
        self.reconnects = 0

    async def connect(self) -> None:
        loop = asyncio.get_running_loop()
        host, port = self.host.split(":")
        self.welcomed.clear()
        self.lost.clear()
        ws = RawWebSocket(self.host, self.path, self.origin, self.on_text, self.on_lost)
        await loop.create_connection(lambda: ws, host, int(port))
        await asyncio.wait_for(ws.ready, 120)
        self.ws = ws
        if self.token:
            ws.send(json.dumps({"type": "hello", "token": self.token}))
        else:
            ws.send(json.dumps({"type": "join", "nickname": f"Personne {self.index}"}))
        await asyncio.wait_for(self.welcomed.wait(), 120)
        self.connected = True

    def on_lost(self) -> None:
        self.connected = False
        self.lost.set()

    def on_text(self, text: str) -> None:
        now = time.monotonic()
        if text.startswith(STATE_PREFIX):
            end = text.index(",", len(STATE_PREFIX))
            self.seen.append((int(text[len(STATE_PREFIX) : end]), now))
            if self.track:
                for q in json.loads(text).get("questions", []):
                    self.questions.add(q["id"])
            return
        message = json.loads(text)
        kind = message.get("type")
        if kind == "ack":
            future = self.acks.get(message.get("id"))
            if future is not None and not future.done():
                future.set_result(message)
        elif kind == "welcome":
            self.token = message["token"]
            self.welcomed.set()
        elif kind == "error":
            self.errors.append(message.get("message", "error"))

    async def submit(self, message: dict[str, Any], *, drop: str = "") -> dict[str, Any] | None:
        """Send a submission and wait for its acknowledgement. ``drop``: "before" the ack
        (the connection is cut right after sending) or "after" it; either way the client
        reconnects and sends the same submission again, as the page does."""
        cid = message["id"]
        loop = asyncio.get_running_loop()
        self.acks[cid] = loop.create_future()
        record = {"kind": message["type"], "t": time.monotonic(), "id": cid}
        assert self.ws is not None
        self.ws.send(json.dumps(message))
        if drop == "before":
            self.ws.abort()
            await self.reconnect()
            return await self.resend(message, record)
        ack = await asyncio.wait_for(self.acks[cid], 60)
        self.record(record, ack)
        if drop == "after":
            assert self.ws is not None
            self.ws.abort()
            await self.reconnect()
            await self.resend(message, None)
        return ack

    async def resend(
        self, message: dict[str, Any], record: dict[str, Any] | None
    ) -> dict[str, Any]:
        cid = message["id"]
        self.acks[cid] = asyncio.get_running_loop().create_future()
        assert self.ws is not None
        self.ws.send(json.dumps(message))
        ack = await asyncio.wait_for(self.acks[cid], 60)
        if ack.get("duplicate"):
            self.duplicates += 1
        if record is not None:
            self.record(record, ack)
        return ack

    def record(self, record: dict[str, Any], ack: dict[str, Any]) -> None:
        if not ack.get("ok"):
            self.errors.append(ack.get("error", "refused"))
            return
        record["version"] = ack["version"]
        record["ack"] = ack
        record["acked"] = time.monotonic()
        self.sent.append(record)
        if record["kind"] == "ask" and "question" in ack:
            self.own_questions.add(ack["question"]["id"])

    async def reconnect(self) -> None:
        self.reconnects += 1
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.lost.wait(), 5)
        await self.connect()

    async def act(self, t0: float) -> None:
        plan = self.plan
        jobs = [("answer", plan["answer_at"])]
        if plan.get("ask") is not None:
            jobs.append(("ask", plan["ask"]))
        if plan.get("upvote") is not None:
            jobs.append(("upvote", plan["upvote"]))
        for job, at in sorted(jobs, key=lambda j: j[1]):
            delay = t0 + at - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            try:
                if job == "answer":
                    await self.submit(
                        {
                            "type": "answer",
                            "id": str(uuid.uuid4()),
                            "poll": plan["poll"],
                            "options": [plan["option"]],
                        },
                        drop=plan.get("drop", ""),
                    )
                elif job == "ask":
                    await self.submit(
                        {
                            "type": "ask",
                            "id": str(uuid.uuid4()),
                            "text": f"Question n°{self.index} : et les horaires du soir ?",
                        }
                    )
                else:
                    for _ in range(100):
                        choices = sorted(self.questions - self.own_questions)
                        if choices:
                            break
                        await asyncio.sleep(0.5)
                    else:
                        self.errors.append("no question to support")
                        continue
                    question = random.Random(self.index).choice(choices)
                    await self.submit(
                        {"type": "upvote", "id": str(uuid.uuid4()), "question": question}
                    )
            except Exception as error:
                self.errors.append(f"{job}: {type(error).__name__} {error}")


async def crowd_main(
    indices: list[int],
    plans: dict[int, dict[str, Any]],
    url: str,
    origin: str,
    connect_rate: float,
    barriers: Any,
    final_version: Any,
    out_path: str,
) -> None:
    loop = asyncio.get_running_loop()
    clients = [Client(i, plans[i], url, origin) for i in indices]
    gate = asyncio.Semaphore(64)
    start = time.monotonic()
    connect_errors: list[str] = []

    async def join(k: int, client: Client) -> None:
        await asyncio.sleep(k / connect_rate)
        async with gate:
            try:
                await client.connect()
            except Exception as error:
                connect_errors.append(f"{type(error).__name__} {error}")

    await asyncio.gather(*(join(k, c) for k, c in enumerate(clients)))
    connect_seconds = time.monotonic() - start
    await loop.run_in_executor(None, barriers[0].wait)
    cpu_start = time.process_time()
    t0 = time.monotonic() + 1.0
    await asyncio.gather(*(c.act(t0) for c in clients if c.connected))
    held = sum(1 for c in clients if c.connected)
    # Everyone has sent and been acknowledged: wait for the results to reach every page.
    cpu_sending = time.process_time() - cpu_start
    await loop.run_in_executor(None, barriers[1].wait)
    await loop.run_in_executor(None, barriers[2].wait)
    target = final_version.value
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if all(c.seen and max(v for v, _ in c.seen[-3:]) >= target for c in clients if c.connected):
            break
        await asyncio.sleep(0.2)
    for c in clients:
        if c.ws is not None:
            c.ws.abort()
    data = {
        "connect_seconds": connect_seconds,
        "connect_errors": connect_errors,
        "held": held,
        "cpu_sending": cpu_sending,
        "clients": [
            {
                "index": c.index,
                "connected": c.connected,
                "seen": c.seen,
                "sent": [
                    {k: v for k, v in s.items() if k != "ack"}
                    | {
                        "question": (s["ack"].get("question") or {}).get("id")
                        if s["kind"] == "ask"
                        else s["ack"].get("question"),
                        "option": c.plan["option"] if s["kind"] == "answer" else None,
                    }
                    for s in c.sent
                ],
                "duplicates": c.duplicates,
                "errors": c.errors,
                "reconnects": c.reconnects,
            }
            for c in clients
        ],
    }
    Path(out_path).write_text(json.dumps(data))


def crowd_process(*args: Any) -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (HARD_FILES, HARD_FILES))
    if NICENESS[0]:
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, 0, NICENESS[0])
    import uvloop

    uvloop.run(crowd_main(*args))


HARD_FILES = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
NICENESS = [0]  # set by --nice before the crowd processes are forked


def make_plans(args: argparse.Namespace, info: dict[str, Any]) -> dict[int, dict[str, Any]]:
    rng = random.Random(2300)
    n = args.clients
    plans: dict[int, dict[str, Any]] = {}
    window = args.window
    for i in range(n):
        plans[i] = {
            "poll": info["poll"],
            "option": info["options"][rng.choices(range(4), weights=[2, 3, 4, 1])[0]],
            "answer_at": rng.uniform(0, window),
        }
    people = rng.sample(range(n), min(args.questions, n))
    askers = people[: len(people) * 2 // 5]
    for i in askers:
        plans[i]["ask"] = rng.uniform(0, window * 0.6)
    for i in people[len(askers) :]:
        plans[i]["upvote"] = rng.uniform(window * 0.3, window)
    droppers = rng.sample(range(n), round(n * args.resend))
    for k, i in enumerate(droppers):
        plans[i]["drop"] = "before" if k % 2 == 0 else "after"
    return plans


# --- Figures ------------------------------------------------------------------------------


def latency(results: list[dict[str, Any]]) -> dict[str, Any]:
    import numpy as np

    sends = [(s["t"], s["version"]) for c in results for s in c["sent"]]
    if not sends:
        return {"pairs": 0}
    t_send = np.array([t for t, _ in sends])
    v_send = np.array([v for _, v in sends])
    chunks = []
    unconverged = 0
    for c in results:
        if not c["seen"]:
            unconverged += len(sends)
            continue
        versions = np.maximum.accumulate(np.array([v for v, _ in c["seen"]]))
        times = np.array([t for _, t in c["seen"]])
        idx = np.searchsorted(versions, v_send, side="left")
        ok = idx < len(versions)
        unconverged += int((~ok).sum())
        chunks.append((times[idx[ok]] - t_send[ok]) * 1000)
    lat = np.concatenate(chunks) if chunks else np.array([0.0])
    return {
        "pairs": int(lat.size),
        "unconverged": unconverged,
        "p50_ms": round(float(np.percentile(lat, 50)), 1),
        "p95_ms": round(float(np.percentile(lat, 95)), 1),
        "p99_ms": round(float(np.percentile(lat, 99)), 1),
        "max_ms": round(float(lat.max()), 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=2300)
    parser.add_argument("--questions", type=int, default=500, help="clients who post or upvote")
    parser.add_argument("--window", type=float, default=40, help="seconds the crowd sends over")
    parser.add_argument("--resend", type=float, default=0.02, help="share of clients who resend")
    parser.add_argument("--workers", type=int, default=3, help="uvicorn worker processes")
    parser.add_argument("--loaders", type=int, default=2, help="crowd processes")
    parser.add_argument("--connect-rate", type=float, default=250, help="new clients per second")
    parser.add_argument("--ws", default="websockets-sansio", help="uvicorn's websocket protocol")
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="run server, its database connections and crowd at this niceness (e.g. -10, root "
        "only), to measure on a machine busy with other work",
    )
    args = parser.parse_args()
    resource.setrlimit(resource.RLIMIT_NOFILE, (HARD_FILES, HARD_FILES))
    if args.clients * 2 + 200 > HARD_FILES:
        log(f"Open files are limited to {HARD_FILES}: at most ~{HARD_FILES // 2 - 100} clients.")

    log(f"Preparing the database ({BENCH_DB.rsplit('/', 1)[1]}) and the session…")
    info = prepare_database()
    port = free_port()
    server = None
    loaders: list[mp.Process] = []
    tmp = tempfile.mkdtemp(prefix="bench-live-")
    try:
        server = start_server(port, args.workers, args.ws)
        wait_for_port(port)
        time.sleep(1.5)  # every worker listening
        if args.nice:
            raise_priority(server.pid, args.nice)
        log(
            f"Server: uvicorn, {args.workers} workers, 127.0.0.1:{port}; "
            f"session {info['code']}, one poll with {len(OPTIONS)} choices on screen."
        )
        plans = make_plans(args, info)
        NICENESS[0] = args.nice
        url = f"ws://127.0.0.1:{port}/direct/{info['code']}/ws/"
        origin = f"http://127.0.0.1:{port}"
        ctx = mp.get_context("fork")
        barriers = [ctx.Barrier(args.loaders + 1) for _ in range(3)]
        final_version = ctx.Value("q", 0)
        outs = []
        for k in range(args.loaders):
            indices = list(range(k, args.clients, args.loaders))
            out = os.path.join(tmp, f"crowd-{k}.json")
            outs.append(out)
            process = ctx.Process(
                target=crowd_process,
                args=(
                    indices,
                    plans,
                    url,
                    origin,
                    args.connect_rate / args.loaders,
                    barriers,
                    final_version,
                    out,
                ),
                daemon=True,
            )
            process.start()
            loaders.append(process)
        log(f"Crowd: {args.clients} clients in {args.loaders} processes, connecting…")
        started = time.monotonic()
        barriers[0].wait(timeout=args.clients / args.connect_rate + 300)
        if args.nice:
            log(
                f"Priority raised (niceness {args.nice}) for {raise_priority(server.pid, args.nice)} server and database processes."
            )
        server_cpu_start = process_cpu(server.pid)
        send_start = time.monotonic()
        load_start = os.getloadavg()[0]
        log(
            f"All clients tried to join in {time.monotonic() - started:.1f} s; sending for {args.window:.0f} s…"
        )
        barriers[1].wait(timeout=args.window + 600)
        send_seconds = time.monotonic() - send_start
        server_cpu = process_cpu(server.pid) - server_cpu_start
        load_end = os.getloadavg()[0]
        final_version.value = stored_figures(info)["version"]
        barriers[2].wait(timeout=60)
        for process in loaders:
            process.join(timeout=120)
        stored = stored_figures(info)
    finally:
        for process in loaders:
            if process.is_alive():
                process.kill()
        stop(server)

    crowd = [json.loads(Path(out).read_text()) for out in outs if Path(out).exists()]
    results = [c for part in crowd for c in part["clients"]]
    connect_errors = [e for part in crowd for e in part["connect_errors"]]
    held = sum(part["held"] for part in crowd)
    sends = [s for c in results for s in c["sent"]]
    answers = [s for s in sends if s["kind"] == "answer"]
    asked = [s for s in sends if s["kind"] == "ask"]
    upvotes = [s for s in sends if s["kind"] == "upvote"]
    expected_by_option = {str(o): 0 for o in info["options"]}
    for s in answers:
        expected_by_option[str(s["option"])] += 1
    expected_upvotes: dict[str, int] = {}
    for s in upvotes:
        expected_upvotes[str(s["question"])] = expected_upvotes.get(str(s["question"]), 0) + 1
    upvotes_match = all(
        stored["upvotes_by_question"].get(q, 0) == n for q, n in expected_upvotes.items()
    ) and sum(stored["upvotes_by_question"].values()) == len(upvotes)
    tallies_match = (
        expected_by_option == stored["by_option"]
        and stored["responses"] == len(answers)
        and stored["questions"] == len(asked)
        and upvotes_match
    )
    lat = latency(results)
    acks = sorted((s["acked"] - s["t"]) * 1000 for c in results for s in c["sent"] if "acked" in s)
    ack_p50 = round(acks[len(acks) // 2], 1) if acks else None
    ack_p95 = round(acks[int(len(acks) * 0.95)], 1) if acks else None
    errors = [e for c in results for e in c["errors"]] + connect_errors
    duplicates = sum(c["duplicates"] for c in results)
    stored_total = stored["responses"] + stored["questions"] + stored["upvotes"]

    log(f"Connections held: {held} of {args.clients} (joined: {stored['participants']})")
    log(
        f"Submissions acknowledged: {len(sends)} ({len(answers)} answers, {len(asked)} questions, "
        f"{len(upvotes)} upvotes); stored: {stored_total}"
    )
    log(f"Answers by choice, sent: {expected_by_option}; stored: {stored['by_option']}")
    log(f"Resends recognised and not counted again: {duplicates}")
    log(f"Stored tallies equal what the clients sent: {'yes' if tallies_match else 'NO'}")
    log(
        f"Results reaching every client ({lat.get('pairs', 0)} submission × client pairs): "
        f"p50 {lat.get('p50_ms')} ms, p95 {lat.get('p95_ms')} ms, p99 {lat.get('p99_ms')} ms, "
        f"max {lat.get('max_ms')} ms; never reached: {lat.get('unconverged')}"
    )
    crowd_cpu = sum(part["cpu_sending"] for part in crowd)
    log(
        f"Processor while sending ({send_seconds:.0f} s): server {server_cpu:.1f} s, "
        f"crowd {crowd_cpu:.1f} s, of {2 * send_seconds:.0f} s on 2 cores; "
        f"machine load average {load_start:.1f} → {load_end:.1f}"
    )
    log(f"Acknowledgements (send to ack, each client's own): p50 {ack_p50} ms, p95 {ack_p95} ms")
    if errors:
        log(f"Errors ({len(errors)}), first ones: {errors[:5]}")
    print(
        json.dumps(
            {
                "clients": args.clients,
                "connected": held,
                "sent": len(sends),
                "stored": stored_total,
                "p50_ms": lat.get("p50_ms"),
                "p95_ms": lat.get("p95_ms"),
                "p99_ms": lat.get("p99_ms"),
                "max_ms": lat.get("max_ms"),
                "ack_p50_ms": ack_p50,
                "ack_p95_ms": ack_p95,
                "pairs": lat.get("pairs"),
                "unconverged": lat.get("unconverged"),
                "duplicates_refused": duplicates,
                "tallies_match": tallies_match,
                "errors": len(errors),
                "window_s": args.window,
                "workers": args.workers,
                "server_cpu_s": round(server_cpu, 1),
                "crowd_cpu_s": round(crowd_cpu, 1),
                "send_s": round(send_seconds, 1),
                "load": round(load_end, 1),
                "niceness": args.nice,
                "connect_s": round(max((p["connect_seconds"] for p in crowd), default=0), 1),
            }
        ),
        flush=True,
    )
    ok = held == args.clients and stored_total == len(sends) and tallies_match
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
