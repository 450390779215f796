"""Benchmark: complete answer sheets submitted to the real server (回答送信の性能).

    DATABASE_URL=postgres://machiwb@127.0.0.1:5432/machiwb_bench \\
        python -m bench.submit --seconds 30 --clients 64 [--port 8765] [--redis-port 6391]

Starts gunicorn (deploy/gunicorn.conf.py) with production settings on 127.0.0.1 against
PostgreSQL, publishes an open survey, and lets ``--clients`` simultaneous residents' browsers
submit complete 51-item answer sheets (each with a fresh submission token) for ``--seconds``
through the answering form's endpoint, with its CSRF cookie and token. In the same run it
measures the raw PostgreSQL insert rate of the same rows (one committed INSERT per row, as each
submission commits its own transaction) as the machine's baseline. The last line is::

    submissions_per_s=R p50_ms=A p99_ms=B raw_insert_per_s=C ratio=R/C errors=E

The line before it gives the CPU time one submission costs in each process (app server,
PostgreSQL, Redis, this load generator) and the machine's load average, so a figure from a
busy machine can be told apart from a slow server.

The load generator is one asyncio loop with one keep-alive connection per client, and the
signed answer sheets are made before the clock starts, so that it takes as little as possible
of the CPU it shares with the server. Each request sends ``X-Forwarded-For`` with an address
from the benchmarking range 198.18.0.0/15 (the server runs with ``MACHIWB_BEHIND_PROXY=1``):
every client speaks for ``ADDRESSES_PER_CLIENT`` residents in turn, so the per-address rate
limit counts every submission but, as with real residents who each answer once, is not hit.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import ipaddress
import os
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Marks the baseline's rows, which are deleted again at the end.
RAW_AREA = "bench-raw-insert"
FIRST_ADDRESS = ipaddress.IPv4Address("198.18.0.0")
#: Residents each client speaks for; at 1,000 submissions/s over 64 clients every address
#: sends about 30 a minute, well below the answering form's per-address limit.
ADDRESSES_PER_CLIENT = 32
#: Answer sheets signed before the clock starts, per second of the run (more are made as needed).
SHEETS_PER_SECOND = 1500


def _env(port: int) -> dict[str, str]:
    env = dict(os.environ)
    if not env.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("set DATABASE_URL to a PostgreSQL database (it is migrated and written to)")
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=env.get("BENCH_SECRET_KEY", secrets.token_urlsafe(50)),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        MACHIWB_BEHIND_PROXY="1",
        MACHIWB_BIND=f"127.0.0.1:{port}",
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_STATIC_ROOT=env.get(
            "DJANGO_STATIC_ROOT", str(Path(tempfile.gettempdir()) / "bench-static")
        ),
    )
    return env


def _prepare(env: dict[str, str]) -> tuple[str, str]:
    """Migrate, load regions, publish an open survey; return its id and its version's id."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from machiwb.regions.models import Municipality
    from machiwb.surveys.models import Survey, SurveyType
    from machiwb.surveys.services import survey_publish

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    if not Municipality.objects.filter(code="302023").exists():
        call_command("load_regions", stdout=open(os.devnull, "w"))  # noqa: SIM115
    survey = Survey.objects.create(
        survey_type=SurveyType.INDIVIDUAL,
        municipality=Municipality.objects.get(code="302023"),
        fiscal_year=2025,
        catalog_version="fy2023",
        title=f"性能測定 {uuid.uuid4()}",
    )
    version = survey_publish(survey=survey, actor=None)
    return str(survey.public_id), str(version.public_id)


def _answers(rng: random.Random) -> dict[str, object]:
    from machiwb.surveys.standard_columns import CATEGORY_ITEM_COLUMNS

    answers: dict[str, object] = {c: rng.randint(1, 5) for c in CATEGORY_ITEM_COLUMNS}
    answers.update(q1=rng.randint(0, 10), q2=rng.randint(0, 10), q3=rng.randint(1, 5))
    answers.update(q4=rng.randint(0, 10), q5=rng.randint(0, 10))
    answers.update(age_band=str(rng.randint(2, 8)), gender=str(rng.randint(1, 4)))
    return answers


class Sheets:
    """Signed, URL-encoded answer sheets, each with its own submission token."""

    def __init__(self, version_id: str, count: int) -> None:
        self.version_id = version_id
        self.rng = random.Random(1)  # noqa: S311 - load data
        self.ready = [self._make() for _ in range(count)]
        self.ready.reverse()

    def _make(self) -> str:
        from machiwb.surveys.views_answer import Sheet

        sheet = Sheet(
            version=self.version_id, token=secrets.token_urlsafe(24), answers=_answers(self.rng)
        )
        return urllib.parse.quote_plus(sheet.dump())

    def next(self) -> str:
        return self.ready.pop() if self.ready else self._make()


def _csrf(port: int, survey_id: str) -> tuple[str, str]:
    """The CSRF cookie and form token a browser gets with the survey's front page."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", f"/s/{survey_id}/", headers={"Host": "127.0.0.1"})
    page = connection.getresponse()
    body = page.read().decode()
    connection.close()
    cookie = re.search(r"csrftoken=([^;]+)", page.getheader("Set-Cookie") or "")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if cookie is None or token is None:
        sys.exit(f"start page {page.status} without a CSRF token")
    return cookie.group(1), token.group(1)


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Status and whether the server closes the connection; the body is read and dropped."""
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    status = int(head[0].split(" ", 2)[1])
    headers = {}
    for line in head[1:]:
        name, _colon, value = line.partition(":")
        headers[name.strip().lower()] = value.strip().lower()
    if "content-length" not in headers:
        raise ValueError("response without Content-Length")
    await reader.readexactly(int(headers["content-length"]))
    return status, headers.get("connection") == "close"


class Client:
    """One resident's browser after the front page: POSTs complete sheets back to back."""

    def __init__(self, number: int, port: int, survey_id: str, sheets: Sheets) -> None:
        self.number, self.port, self.sheets = number, port, sheets
        self.path = f"/s/{survey_id}/answer/"
        self.referer = f"http://127.0.0.1:{port}/s/{survey_id}/"
        self.cookie, self.token = _csrf(port, survey_id)
        self.latencies: list[float] = []
        self.errors = 0
        self.problems: Counter[str] = Counter()

    def _request(self, sent: int) -> bytes:
        index = self.number * ADDRESSES_PER_CLIENT + sent % ADDRESSES_PER_CLIENT
        body = f"csrfmiddlewaretoken={self.token}&sheet={self.sheets.next()}&nav=submit"
        return (
            f"POST {self.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"X-Forwarded-For: {FIRST_ADDRESS + index}\r\n"
            f"Cookie: csrftoken={self.cookie}\r\nReferer: {self.referer}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n{body}"
        ).encode()

    async def run(self, deadline: float) -> None:
        reader: asyncio.StreamReader | None = None
        writer: asyncio.StreamWriter | None = None
        sent = 0
        while time.monotonic() < deadline:
            request = self._request(sent)
            sent += 1
            started = time.perf_counter()
            try:
                if reader is None or writer is None:
                    reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.write(request)
                status, closing = await _read_response(reader)
            except (OSError, ValueError, asyncio.IncompleteReadError) as error:
                self.errors += 1
                self.problems[type(error).__name__] += 1
                if writer is not None:
                    writer.close()
                reader = writer = None
                continue
            self.latencies.append(time.perf_counter() - started)
            if status != 303:
                self.errors += 1
                self.problems[f"HTTP {status}"] += 1
            if closing and writer is not None:
                writer.close()
                reader = writer = None
        if writer is not None:
            writer.close()


async def _run_clients(clients: list[Client], seconds: float) -> float:
    deadline = time.monotonic() + seconds
    started = time.monotonic()
    await asyncio.gather(*(client.run(deadline) for client in clients))
    return time.monotonic() - started


def _raw_insert_rate(seconds: float, version_id: str) -> float:
    """One committed INSERT of a full response row per transaction, straight through psycopg."""
    import psycopg
    from django.db import connection

    from machiwb.surveys.models import Response
    from machiwb.surveys.standard_columns import STANDARD_COLUMNS

    table = Response._meta.db_table
    columns = ["id", "survey_version_id", "municipality_id", "area", "answered_on"]
    columns += ["age_band", "gender", "custom_answers", *STANDARD_COLUMNS]
    from machiwb.surveys.models import SurveyVersion

    version = SurveyVersion.objects.select_related("survey").get(public_id=version_id)
    version_pk, municipality_id = version.pk, version.survey.municipality_id
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    rng = random.Random(1)  # noqa: S311 - load data
    settings = connection.settings_dict
    count = 0
    with psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        dbname=settings["NAME"],
        autocommit=True,
    ) as raw:
        deadline = time.monotonic() + seconds
        started = time.monotonic()
        while time.monotonic() < deadline:
            answers = _answers(rng)
            values = [uuid.uuid4(), version_pk, municipality_id, RAW_AREA, "2025-10-01"]
            values += [int(answers["age_band"]), int(answers["gender"]), "{}"]  # type: ignore[call-overload]
            values += [answers[c] for c in STANDARD_COLUMNS]
            raw.execute(sql, values)
            count += 1
        elapsed = time.monotonic() - started
        raw.execute(f"DELETE FROM {table} WHERE area = %s", [RAW_AREA])
    return count / elapsed


def _wait_until_ready(port: int, path: str, workers: int) -> None:
    """Wait for the server and warm every worker up (first requests import the whole app)."""
    ready = 0
    for _ in range(300):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", path, headers={"Host": "127.0.0.1"})
            if connection.getresponse().status == 200:
                ready += 1
                if ready >= workers * 4:
                    return
                continue
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit("the server did not start; see its log")


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of the processes (Linux /proc), 0 for those gone."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / tick


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout  # noqa: S603, S607
    return [int(child) for child in out.split()]


def _postgres_backends() -> list[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument(
        "--workers", type=int, help="gunicorn worker processes (default: deploy/gunicorn.conf.py)"
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--redis-port", type=int, default=6391)
    args = parser.parse_args()
    env = _env(args.port)
    if args.workers:
        env["WEB_CONCURRENCY"] = str(args.workers)
    redis = None
    if shutil.which("redis-server") and not env.get("DJANGO_SHARED_CACHE_URL"):
        # the shared cache of a production install (rate-limit counters) is Redis
        redis = subprocess.Popen(  # noqa: S603 - fixed command line
            ["redis-server", "--port", str(args.redis_port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        env["DJANGO_SHARED_CACHE_URL"] = f"redis://127.0.0.1:{args.redis_port}/0"
        time.sleep(0.5)
    survey_id, version_id = _prepare(env)
    sheets = Sheets(version_id, int(args.seconds * SHEETS_PER_SECOND))
    log = tempfile.NamedTemporaryFile(prefix="bench-submit-", suffix=".log", delete=False)  # noqa: SIM115
    server = subprocess.Popen(  # noqa: S603 - fixed command line
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    try:
        _wait_until_ready(args.port, f"/s/{survey_id}/", int(env.get("WEB_CONCURRENCY", "5")))
        workers = _children(server.pid)
        clients = [Client(n, args.port, survey_id, sheets) for n in range(args.clients)]
        processes = {
            "server": workers,
            "postgresql": _postgres_backends(),
            "redis": [redis.pid] if redis else [],
        }
        cpu_before = {name: _cpu_seconds(pids) for name, pids in processes.items()}
        own_before, load_before = time.process_time(), os.getloadavg()[0]
        elapsed = asyncio.run(_run_clients(clients, args.seconds))
        cpu = {name: _cpu_seconds(pids) - cpu_before[name] for name, pids in processes.items()}
        cpu["load generator"] = time.process_time() - own_before
        load_after = os.getloadavg()[0]
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        if redis is not None:
            redis.terminate()
            redis.wait(timeout=10)
    latencies = sorted(x for c in clients for x in c.latencies)
    errors = sum(c.errors for c in clients)
    problems = sum((c.problems for c in clients), Counter())
    if problems:
        print("errors by kind:", dict(problems))
    done = len(latencies)
    rate = done / elapsed
    p50 = statistics.median(latencies) * 1000 if latencies else float("nan")
    p99 = latencies[int(0.99 * (done - 1))] * 1000 if latencies else float("nan")
    from machiwb.surveys.models import Response

    stored = Response.objects.filter(survey_version__public_id=version_id).count()
    print(
        f"server: gunicorn, {len(workers)} workers (deploy/gunicorn.conf.py); "
        f"clients: {args.clients} keep-alive connections; stored responses: {stored}; "
        f"machine cores: {os.cpu_count()}"
    )
    per_submission = {name: 1000 * seconds / max(done, 1) for name, seconds in cpu.items()}
    print(
        "CPU ms per submission: "
        + ", ".join(f"{name} {ms:.2f}" for name, ms in per_submission.items())
        + f", total {sum(per_submission.values()):.2f}; "
        f"load average {load_before:.1f} before, {load_after:.1f} after"
    )
    raw = _raw_insert_rate(min(10.0, args.seconds), version_id)
    print(
        f"submissions_per_s={rate:.0f} p50_ms={p50:.1f} p99_ms={p99:.1f} "
        f"raw_insert_per_s={raw:.0f} ratio={rate / raw:.3f} errors={errors}"
    )


if __name__ == "__main__":
    main()
