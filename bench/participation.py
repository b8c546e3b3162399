"""Benchmark of the contribution list and search at the scale issue 4 asks for.

100 000 contributions and 500 000 supports in PostgreSQL (database ``fabrique_bench``,
generated once, then reused), the application under gunicorn, 50 concurrent clients on the
list filtered by theme and on the French search. Prints its figures, last as one JSON line.

    make bench-participation        (BENCH_REQUESTS=… to change the number of requests)
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fabrique_bench")
CONTRIBUTIONS = 100_000
PORT = int(os.environ.get("BENCH_PORT", "8765"))
CLIENTS = 50
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "2000"))
WORDS = ["vélo", "bus", "jardin", "école", "énergie", "marché", "arbre", "piste", "logement", "eau"]

os.environ["DATABASE_URL"] = BENCH_DB
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
sys.path.insert(0, str(ROOT))


def ensure_database() -> None:
    import psycopg

    admin = BENCH_DB.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB.rsplit("/", 1)[1]]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{BENCH_DB.rsplit("/", 1)[1]}"')


def generate() -> dict[str, int]:
    """Create the data set once; later runs reuse it."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    from fabrique.participation.models import Contribution, Support
    from fabrique.processes.models import Process

    if Contribution.objects.count() >= CONTRIBUTIONS:
        process = Process.objects.get(slug="bench")
        return {"process": process.pk, "generated": 0}
    started = time.perf_counter()
    with transaction.atomic():  # all or nothing: a failed run leaves nothing to trip on
        _generate_data()
    print(f"generated in {time.perf_counter() - started:.0f} s: {Contribution.objects.count()} "
          f"contributions, {Support.objects.count()} supports")  # fmt: skip
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return {"process": Process.objects.get(slug="bench").pk, "generated": 1}


def _generate_data() -> None:
    from django.core.management import call_command
    from django.db import connection

    call_command("import_territory", "244500468", verbosity=0)
    from datetime import date

    from fabrique.accounts.models import User
    from fabrique.processes import services
    from fabrique.processes.models import ParticipationMode, Phase
    from fabrique.territories.models import Territory

    territory = Territory.objects.get(official_code="244500468")
    process = services.process_save(
        territory=territory, title="Bench", summary="Bench",
        start_date=date(2026, 1, 1), end_date=date(2030, 12, 31),
    )  # fmt: skip
    process.slug = "bench"
    process.save()
    phase = services.phase_save(
        process=process, kind=Phase.Kind.REFLECTION, title="Idées",
        start_date=date(2026, 1, 1), end_date=date(2030, 12, 31),
        modes=[ParticipationMode.CONTRIBUTIONS],
    )  # fmt: skip
    services.process_set_status(process=process, status="published")
    for i in range(11):
        services.theme_save(process=process, title=f"Thématique {i + 1}")
    User.objects.bulk_create(
        [User(email=f"bench{i}@exemple.fr", display_name=f"Habitant {i}") for i in range(2000)],
        batch_size=1000,
    )
    words = "ARRAY[" + ",".join(f"'{w}'" for w in WORDS) + "]"
    with connection.cursor() as cur:
        cur.execute("SELECT min(id) FROM accounts_user WHERE email LIKE 'bench%%'")
        first_user = cur.fetchone()[0]
        cur.execute(
            "SELECT array_agg(c.id ORDER BY c.id) FROM territories_commune c JOIN territories_territory_communes tc ON tc.commune_id = c.id WHERE tc.territory_id = %s",
            [territory.pk],
        )
        communes = cur.fetchone()[0]
        cur.execute(
            f"""
            INSERT INTO participation_contribution
              (process_id, phase_id, kind, title, body, author_id, commune_id, visibility,
               moderation_reason, status, status_reason, answer, collected_place, collected_for,
               removed_by_author, support_count, comment_count, created_at, image, image_alt,
               attachment, latitude, longitude)
            SELECT %s, %s, (ARRAY['idea','question','testimony'])[1 + g %% 3],
                   'Proposition ' || g || ' : ' || ({words})[1 + g %% 10] || ' et ' || ({words})[1 + (g / 10) %% 10],
                   'Nous proposons plus de ' || ({words})[1 + (g / 7) %% 10] || 's dans notre commune, '
                     || 'pour mieux vivre ensemble et réussir la transition. Texte numéro ' || g,
                   %s + g %% 2000, (%s::bigint[])[1 + g %% 22], 'published', '', 'received', '', '', '', '',
                   false, 0, 0, now() - (g || ' minutes')::interval, '', '', '',
                   47.90 + (g %% 100) * 0.001, 1.90 + (g %% 97) * 0.001
            FROM generate_series(1, {CONTRIBUTIONS}) g
            """,
            [process.pk, phase.pk, first_user, communes],
        )
        cur.execute(
            "SELECT array_agg(id ORDER BY id) FROM processes_theme WHERE process_id = %s",
            [process.pk],
        )
        themes = cur.fetchone()[0]
        cur.execute(
            """INSERT INTO participation_contribution_themes (contribution_id, theme_id)
               SELECT c.id, (%s::bigint[])[1 + c.id %% 11] FROM participation_contribution c
               WHERE c.process_id = %s""",
            [themes, process.pk],
        )
        # 500 000 supports: each of 2 000 people supports about 250 contributions.
        cur.execute(
            """INSERT INTO participation_support (contribution_id, user_id, created_at)
               SELECT c.id, %s + u, now()
               FROM participation_contribution c, generate_series(0, 1999) u
               WHERE c.process_id = %s AND (c.id * 7919 + u * 104729) %% 400 = 0""",
            [first_user, process.pk],
        )
        cur.execute(
            """UPDATE participation_contribution c SET support_count = s.n
               FROM (SELECT contribution_id, count(*) n FROM participation_support GROUP BY 1) s
               WHERE s.contribution_id = c.id"""
        )


def queries_per_list_page() -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    url = "/demarches/bench/contributions/"
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url + "?page=3").status_code == 200
    return len(ctx.captured_queries)


def serve() -> subprocess.Popen[bytes]:
    env = dict(os.environ, DEBUG="0", SECRET_KEY="bench-" + "x" * 50, ALLOWED_HOSTS="127.0.0.1",
               SECURE_SSL_REDIRECT="0", DATABASE_CONN_MAX_AGE="600",
               STATIC_ROOT="/tmp/fabrique-bench-static",
               # Production shares one cache between workers (README); so does the bench.
               REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/7"))  # fmt: skip
    subprocess.run(
        [str(ROOT / ".venv/bin/python"), "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    process = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{PORT}",
         # Plain (sync) workers, one request each, as in the README's production set-up:
         # with keep-alive threads, connections stick to a worker unevenly and the slowest
         # tenth waits behind the others.
         "--workers", os.environ.get("BENCH_WORKERS", "8"),
         "--threads", os.environ.get("BENCH_THREADS", "1"), "--log-level", "warning",
         # The workers' heartbeat files in memory rather than on a disk the database keeps
         # busy, as in the README's production set-up.
         *(["--worker-tmp-dir", "/dev/shm"] if Path("/dev/shm").is_dir() else []),
         # BENCH_ACCESS_LOG=file: each request's server-side time (µs), to tell a slow
         # application from a connection that waited before reaching it.
         *(["--access-logfile", os.environ["BENCH_ACCESS_LOG"], "--access-logformat",
            '%(D)s %(s)s "%(r)s"'] if os.environ.get("BENCH_ACCESS_LOG") else [])],
        cwd=ROOT, env=env,
    )  # fmt: skip
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            conn.request("GET", "/")
            conn.getresponse().read()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def closed_connections_waiting() -> int:
    """Loopback connections to the bench port still in TIME_WAIT (Linux), 0 elsewhere."""
    port = f"{PORT:04X}"
    try:
        lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
    except OSError:
        return 0
    return sum(
        1
        for line in lines
        if line.split()[3] == "06" and port in (line.split()[1][-4:], line.split()[2][-4:])
    )


def wait_for_closed_connections(limit: int = 1000, patience: float = 75.0) -> int:
    """A run opens a connection per request (sync workers close each one): some 15 000.
    The kernel keeps them 60 s in TIME_WAIT; a run started meanwhile measured about 5 % of
    requests waiting a second or more in the load generator's connect(), while the server
    answered them in 25 ms. So a run starts once the previous one's have cleared."""
    deadline = time.monotonic() + patience
    while (waiting := closed_connections_waiting()) > limit and time.monotonic() < deadline:
        time.sleep(2)
    return waiting


def load(paths: list[str]) -> list[float]:
    """50 clients share the requests; returns each request's duration in ms."""
    durations: list[float] = []
    lock = threading.Lock()
    todo = list(paths)

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        while True:
            with lock:
                if not todo:
                    break
                path = todo.pop()
            started = time.perf_counter()
            conn.request("GET", path, headers={"X-Forwarded-Proto": "https"})
            response = conn.getresponse()
            response.read()
            elapsed = (time.perf_counter() - started) * 1000
            if response.status != 200:
                raise RuntimeError(f"{path}: {response.status}")
            with lock:
                durations.append(elapsed)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return durations


WRK_SCRIPT = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1], {["X-Forwarded-Proto"] = "https"})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"p50": %%.1f, "p95": %%.1f, "p99": %%.1f, "max": %%.1f, "requests": %%d, "errors": %%d, "rps": %%.1f}\\n',
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000, summary.requests,
    e.status + e.connect + e.read + e.write + e.timeout, summary.requests / (summary.duration / 1e6)))
end
"""


def wrk(paths: list[str], seconds: int) -> dict[str, float]:
    """50 connections from wrk, a load generator in C that leaves the CPU to the server."""
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % ", ".join(json.dumps(p) for p in paths))
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CLIENTS}", f"-d{seconds}s", "--timeout", "10s", "-s", script.name,
         f"http://127.0.0.1:{PORT}"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    os.unlink(script.name)
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    if result["errors"]:
        raise RuntimeError(f"{result['errors']} failed requests: {out}")
    return result


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    ensure_database()
    generate()
    from fabrique.processes.models import Theme

    themes = list(Theme.objects.filter(process__slug="bench").values_list("pk", flat=True))
    queries = queries_per_list_page()
    time_wait_at_start = wait_for_closed_connections()
    server = serve()
    try:
        base = "/demarches/bench/contributions/"
        list_paths = [
            f"{base}?thematique={themes[i % len(themes)]}&page={1 + i % 5}" for i in range(REQUESTS)
        ]
        search_paths = [
            f"{base}?q={quote(WORDS[i % len(WORDS)])}&page={1 + i % 3}" for i in range(REQUESTS)
        ]
        # Warm up: every distinct address once, as a site that has been up for a minute.
        load(sorted(set(list_paths)) + sorted(set(search_paths)))
        if shutil.which("wrk"):
            seconds = int(os.environ.get("BENCH_SECONDS", "15"))
            # Every worker thread opens its database connection and loads its templates
            # before measuring, as on a server that has been up for a while.
            wrk(sorted(set(list_paths)) + sorted(set(search_paths)), 5)
            on_list, on_search = (
                wrk(sorted(set(list_paths)), seconds),
                wrk(sorted(set(search_paths)), seconds),
            )
            generator = "wrk"
            print(f"list: {on_list}\nsearch: {on_search}")
        else:  # Python threads: they take CPU from the server, so figures are pessimistic
            started = time.perf_counter()
            list_ms, search_ms = load(list_paths), load(search_paths)
            rps = (len(list_ms) + len(search_ms)) / (time.perf_counter() - started)
            on_list = {
                "p50": statistics.median(list_ms),
                "p95": p95(list_ms),
                "requests": len(list_ms),
                "rps": rps,
            }
            on_search = {
                "p50": statistics.median(search_ms),
                "p95": p95(search_ms),
                "requests": len(search_ms),
                "rps": rps,
            }
            generator = "python-threads"
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    figures = {
        "contributions": CONTRIBUTIONS,
        "supports": 0,
        "clients": CLIENTS,
        "load_generator": generator,
        "requests": int(on_list["requests"] + on_search["requests"]),
        "p50_ms_list": round(on_list["p50"], 1),
        "p95_ms_list": round(on_list["p95"], 1),
        "p50_ms_search": round(on_search["p50"], 1),
        "p95_ms_search": round(on_search["p95"], 1),
        "requests_per_s_list": round(on_list["rps"], 1),
        "requests_per_s_search": round(on_search["rps"], 1),
        "queries_per_list_page": queries,
        "time_wait_at_start": time_wait_at_start,
    }
    from fabrique.participation.models import Support

    figures["supports"] = Support.objects.count()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
