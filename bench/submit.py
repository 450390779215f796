"""Benchmark: complete answer sheets submitted to the real server (回答送信の性能).

    DATABASE_URL=postgres://machiwb@127.0.0.1:5432/machiwb_bench \\
        python -m bench.submit --seconds 30 --clients 64

Starts gunicorn with production settings on 127.0.0.1 against PostgreSQL, publishes an open
survey, and lets ``--clients`` load-generator threads submit complete 51-item answer sheets
(each with a fresh submission token) for ``--seconds``. In the same run it measures the raw
PostgreSQL insert rate of the same rows (one committed INSERT per row, as each submission
commits its own transaction) as the machine's baseline. The last line is::

    submissions_per_s=R p50_ms=A p99_ms=B raw_insert_per_s=C ratio=R/C errors=E

Every client sends ``X-Forwarded-For`` with its own documentation-range address and the server
runs with ``MACHIWB_BEHIND_PROXY=1``, so the per-address rate limits see 64 residents, not one.
"""

from __future__ import annotations

import argparse
import http.client
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
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = 8765
REDIS_PORT = 6391
#: Marks the baseline's rows, which are deleted again at the end.
RAW_AREA = "bench-raw-insert"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    if not env.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("set DATABASE_URL to a PostgreSQL database (it is migrated and written to)")
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=env.get("BENCH_SECRET_KEY", secrets.token_urlsafe(50)),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        MACHIWB_BEHIND_PROXY="1",
        MACHIWB_BIND=f"127.0.0.1:{PORT}",
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


class Client(threading.Thread):
    def __init__(self, number: int, survey_id: str, version_id: str, deadline: float) -> None:
        super().__init__(daemon=True)
        self.address = (
            f"198.51.100.{number % 250 + 1}" if number < 250 else f"203.0.113.{number % 250 + 1}"
        )
        self.survey_id, self.version_id, self.deadline = survey_id, version_id, deadline
        self.latencies: list[float] = []
        self.errors = 0
        self.problems: Counter[str] = Counter()
        self.rng = random.Random(number)  # noqa: S311 - load data

    def run(self) -> None:
        from machiwb.surveys.views_answer import Sheet

        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        headers = {"X-Forwarded-For": self.address, "Host": "127.0.0.1"}
        connection.request("GET", f"/s/{self.survey_id}/", headers=headers)
        page = connection.getresponse()
        body = page.read().decode()
        cookie = re.search(r"csrftoken=([^;]+)", page.getheader("Set-Cookie") or "")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if cookie is None or token is None:
            print(f"client {self.address}: start page {page.status} without a CSRF token")
            self.errors += 1
            return
        post_headers = {
            **headers,
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookie.group(1)}",
            "Referer": f"http://127.0.0.1:{PORT}/s/{self.survey_id}/",
        }
        while time.monotonic() < self.deadline:
            sheet = Sheet(
                version=self.version_id, token=secrets.token_urlsafe(24), answers=_answers(self.rng)
            ).dump()
            form = urllib.parse.urlencode(
                {"csrfmiddlewaretoken": token.group(1), "sheet": sheet, "nav": "submit"}
            )
            started = time.perf_counter()
            try:
                connection.request(
                    "POST", f"/s/{self.survey_id}/answer/", body=form, headers=post_headers
                )
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException) as error:
                self.errors += 1
                self.problems[type(error).__name__] += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
                continue
            self.latencies.append(time.perf_counter() - started)
            if response.status != 303:
                self.errors += 1
                self.problems[f"HTTP {response.status}"] += 1


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


def _wait_until_ready(path: str, workers: int) -> None:
    """Wait for the server and warm every worker up (first requests import the whole app)."""
    ready = 0
    for _ in range(300):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    args = parser.parse_args()
    env = _env()
    redis = None
    if shutil.which("redis-server") and not env.get("DJANGO_SHARED_CACHE_URL"):
        # the shared cache of a production install (rate-limit counters) is Redis
        redis = subprocess.Popen(  # noqa: S603 - fixed command line
            ["redis-server", "--port", str(REDIS_PORT), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        env["DJANGO_SHARED_CACHE_URL"] = f"redis://127.0.0.1:{REDIS_PORT}/0"
        time.sleep(0.5)
    survey_id, version_id = _prepare(env)
    log = tempfile.NamedTemporaryFile(prefix="bench-submit-", suffix=".log", delete=False)  # noqa: SIM115
    server = subprocess.Popen(  # noqa: S603 - fixed command line
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "deploy/gunicorn.conf.py",
            "--workers",
            str(args.workers),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    try:
        _wait_until_ready(f"/s/{survey_id}/", args.workers)
        deadline = time.monotonic() + args.seconds
        clients = [Client(n, survey_id, version_id, deadline) for n in range(args.clients)]
        started = time.monotonic()
        for client in clients:
            client.start()
        for client in clients:
            client.join()
        elapsed = time.monotonic() - started
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
        f"server: gunicorn, {args.workers} sync workers; clients: {args.clients} threads; "
        f"stored responses: {stored}; machine cores: {os.cpu_count()}"
    )
    raw = _raw_insert_rate(min(10.0, args.seconds), version_id)
    print(
        f"submissions_per_s={rate:.0f} p50_ms={p50:.1f} p99_ms={p99:.1f} "
        f"raw_insert_per_s={raw:.0f} ratio={rate / raw:.3f} errors={errors}"
    )


if __name__ == "__main__":
    main()
