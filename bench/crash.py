"""Crash drill: survey submissions survive killed app-server processes and a database restart.

    python -m bench.crash [--submissions 400] [--clients 8] [--port 8007] [--pg-port 55433]

Runs the real app server (gunicorn, deploy/gunicorn.conf.py, DEBUG off) on a throwaway
PostgreSQL cluster and drives residents' final "submit" POSTs, each with its own submission
token, against the answering endpoint. A client retries every unacknowledged submission with
the same token until it gets the acknowledgement (303 to the thank-you page).

1. baseline: the same load without faults (throughput and latency to compare with);
2. crash: kill -9 one gunicorn worker, then the whole server (master and workers), restart;
3. database restart: ``pg_ctl restart -m fast`` during the load; meanwhile clients must get
   a clear retryable answer (503 with Retry-After), not a bare error page.

After each phase it counts in the database: every acknowledged submission must be stored
exactly once (duplicates=0 lost=0), and a submission a client gave up on must be either
wholly stored or not at all (half_stored=0: every receipt has its response and vice versa).
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench._server import (
    AppServer,
    LoadStats,
    Submission,
    ThrowawayPostgres,
    django_env,
    drive,
    form_body,
    machine_baseline_ms,
    manage,
    manage_output,
    percentile,
    summary_line,
)

MARKER_QUESTION = "x1"


def setup_survey() -> tuple[Any, Any]:
    """Create and publish a survey in 海南市 with one free-text question for the marker."""
    from machiwb.regions.models import Municipality
    from machiwb.surveys.models import Survey, SurveyType
    from machiwb.surveys.services import survey_publish

    survey = Survey.objects.create(
        survey_type=SurveyType.INDIVIDUAL,
        municipality=Municipality.objects.get(code="302023"),
        fiscal_year=2025,
        catalog_version="fy2023",
        title="海南市 暮らしと幸福度アンケート（耐障害試験）",
        custom_questions=[
            {
                "id": MARKER_QUESTION,
                "kind": "long_text",
                "text": "ご意見をお書きください。",
                "help": "",
                "required": True,
                "max_length": 100,
            }
        ],
    )
    return survey, survey_publish(survey=survey, actor=None)


def answer_sheet(definition: dict[str, Any], marker: str) -> dict[str, Any]:
    """A complete, valid answer sheet built from the frozen definition."""
    from machiwb.surveys.answers import answer_parse, sheet_errors

    answers: dict[str, Any] = {}
    for question in definition["questions"]:
        kind = question["kind"]
        if question["id"] == MARKER_QUESTION:
            raw = [marker]
        elif kind == "agreement5":
            raw = ["3"]
        elif kind == "scale11":
            raw = ["6"]
        elif kind in {"single", "multiple"}:
            raw = [question["options"][0]["code"]]
        elif kind == "number":
            raw = [str(question["min"])]
        else:
            raw = ["-"]
        answers[question["id"]] = answer_parse(question, raw)
    errors = sheet_errors(definition, answers)
    if errors:
        raise RuntimeError(f"bench answer sheet is invalid: {errors}")
    return answers


def _submissions(version: Any, phase: str, n: int) -> list[Submission]:
    from machiwb.surveys.views_answer import Sheet

    run = secrets.token_hex(4)
    result = []
    for i in range(n):
        marker = f"{phase}-{run}-{i:05d}"
        sheet = Sheet(
            version=str(version.public_id),
            token=secrets.token_urlsafe(24),
            answers=answer_sheet(version.definition, marker),
        )
        result.append(Submission(marker=marker, body=form_body(sheet.dump())))
    return result


def _count(version: Any, submissions: list[Submission]) -> dict[str, int]:
    from django.db import connections

    from machiwb.surveys.models import Response, SubmissionReceipt

    connections.close_all()  # the database may have restarted under us
    markers = {s.marker for s in submissions}
    stored = Counter(
        answers.get(MARKER_QUESTION)
        for answers in Response.objects.filter(survey_version=version).values_list(
            "custom_answers", flat=True
        )
    )
    acked = [s for s in submissions if s.acknowledged_at is not None]
    given_up = [s for s in submissions if s.acknowledged_at is None]
    # Over the whole survey (all phases so far): a receipt without its response or a
    # response without its receipt would be a half-stored submission.
    responses = sum(stored.values())
    receipts = SubmissionReceipt.objects.filter(survey_version=version).count()
    return {
        "acknowledged": len(acked),
        "stored": sum(1 for s in acked if stored[s.marker] >= 1),
        "duplicates": sum(max(0, stored[marker] - 1) for marker in markers),
        "lost": sum(1 for s in acked if stored[s.marker] == 0),
        "given_up": len(given_up),
        "given_up_stored": sum(1 for s in given_up if stored[s.marker] >= 1),
        "responses": responses,
        "receipts": receipts,
    }


def _phase(
    name: str,
    server: AppServer,
    path: str,
    version: Any,
    n: int,
    clients: int,
    fault: Any = None,
    give_up_every: int = 0,
) -> dict[str, Any]:
    submissions = _submissions(version, name, n)
    stats = LoadStats()
    events: dict[str, float] = {}

    def give_up(s: Submission) -> bool:
        # A resident who closes the page after a failed first try (every n-th one).
        index = int(s.marker.rsplit("-", 1)[1])
        return give_up_every > 0 and index % give_up_every == 0

    controller = None
    if fault is not None:
        controller = threading.Thread(target=fault, args=(submissions, events))
        controller.start()
    started = time.perf_counter()
    drive(
        server.port,
        path,
        submissions,
        clients=clients,
        stats=stats,
        deadline_s=300,
        give_up=give_up,
    )
    elapsed = time.perf_counter() - started
    if controller is not None:
        controller.join()
    counts = _count(version, submissions)
    figures: dict[str, Any] = dict(counts)
    figures["half_stored"] = abs(counts["receipts"] - counts["responses"])
    figures["seconds"] = f"{elapsed:.1f}"
    figures["acks_per_s"] = f"{counts['acknowledged'] / elapsed:.1f}"
    figures["p50_ms"] = f"{percentile(stats.latencies, 0.5) * 1000:.0f}"
    figures["p95_ms"] = f"{percentile(stats.latencies, 0.95) * 1000:.0f}"
    figures["attempts"] = sum(s.attempts for s in submissions)
    for outcome in ("http_503", "http_500", "conn_error"):
        figures[outcome] = stats.statuses.get(outcome, 0)
    for outcome, number in sorted(stats.statuses.items()):
        if outcome not in figures and outcome != "ack":
            figures[outcome] = number
    if "fault_at" in events:
        after = [
            s.acknowledged_at
            for s in submissions
            if s.acknowledged_at and s.acknowledged_at > events.get("back_at", 0)
        ]
        if after and "back_at" in events:
            figures["first_ack_after_fault_s"] = f"{min(after) - events['fault_at']:.2f}"
        for key, value in events.items():
            if key.endswith("_s"):
                figures[key] = f"{value:.2f}"
    return figures


def _jobs_phase(env: dict[str, str], var_dir: Path, jobs: int) -> dict[str, Any]:
    """Jobs survive a job worker killed with -9 in the middle of a job."""
    import subprocess

    from bench import _jobworker  # registers the drill's job kind here too
    from machiwb.jobs.models import Job, JobStatus
    from machiwb.jobs.services import job_enqueue

    started = time.perf_counter()
    enqueued = [job_enqueue(kind="bench.steps", params={"n": 10}, actor=None) for _ in range(jobs)]
    ids = [job.pk for job in enqueued]
    log = (var_dir / "qcluster.log").open("ab")

    def start_worker() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", _jobworker.__name__],
            cwd=Path(__file__).resolve().parent.parent,
            env={**os.environ, **env},
            stdout=log,
            stderr=log,
            start_new_session=True,
        )

    def rows() -> list[Any]:
        from django.db import connections

        connections.close_all()
        return list(Job.objects.filter(pk__in=ids).order_by("pk"))

    worker = start_worker()
    while not any(j.status == JobStatus.RUNNING and j.done >= 3 for j in rows()):
        time.sleep(0.1)
    interrupted = [j.pk for j in rows() if j.status == JobStatus.RUNNING]
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait()
    killed_wall = time.time()
    print(f"  kill -9 job worker during job(s) {interrupted}")
    time.sleep(1.0)
    worker = start_worker()
    deadline = time.perf_counter() + 240
    while time.perf_counter() < deadline and not all(j.is_finished for j in rows()):
        time.sleep(0.5)
    os.kill(worker.pid, signal.SIGTERM)  # the cluster stops its own processes
    try:
        worker.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
    final = rows()
    resumed = [j for j in final if j.pk in interrupted]
    done_at = [j.finished_at.timestamp() for j in resumed if j.finished_at is not None]
    return {
        "enqueued": len(final),
        "succeeded": sum(1 for j in final if j.status == JobStatus.SUCCEEDED),
        "failed": sum(1 for j in final if j.status == JobStatus.FAILED),
        "unfinished": sum(1 for j in final if not j.is_finished),
        "interrupted": len(interrupted),
        "interrupted_rerun_ok": sum(
            1 for j in resumed if j.status == JobStatus.SUCCEEDED and j.attempts == 2
        ),
        "rerun_done_after_kill_s": f"{max(done_at, default=killed_wall) - killed_wall:.1f}",
        "seconds": f"{time.perf_counter() - started:.1f}",
    }


def _wait_for_acks(submissions: list[Submission], count: int) -> None:
    while sum(1 for s in submissions if s.acknowledged_at) < count:
        time.sleep(0.01)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=400)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--port", type=int, default=8007)
    parser.add_argument("--pg-port", type=int, default=55433)
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument(
        "--phases",
        default="baseline,crash,db_restart,backup,jobs",
        help="comma-separated subset",
    )
    parser.add_argument("--job-timeout", type=int, default=10)
    args = parser.parse_args(argv)

    print(f"machine_baseline_sha256_64MiB_ms={machine_baseline_ms():.0f} cpus={os.cpu_count()}")
    var_dir = Path(tempfile.mkdtemp(prefix="machiwb-crash-"))
    postgres = ThrowawayPostgres(args.pg_port)
    server = None
    try:
        postgres.start()
        env = django_env(postgres.url, var_dir, args.port)
        env["MACHIWB_JOB_TIMEOUT"] = str(args.job_timeout)
        os.environ.update(env)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        manage(env, "migrate", "--no-input")
        manage(env, "collectstatic", "--no-input")
        manage(env, "load_regions")
        import django

        django.setup()
        survey, version = setup_survey()
        path = f"/s/{survey.public_id}/answer/"
        server = AppServer(env, args.port, var_dir / "gunicorn.log")
        boot = server.start()
        print(f"gunicorn_boot_s={boot:.2f} workers={len(server.worker_pids())} log={server.log}")

        phases = set(args.phases.split(","))
        results: dict[str, dict[str, Any]] = {}
        if "baseline" in phases:
            results["baseline"] = _phase(
                "baseline", server, path, version, args.submissions, args.clients
            )
            print(summary_line("baseline", results["baseline"]))

        def crash(submissions: list[Submission], events: dict[str, float]) -> None:
            _wait_for_acks(submissions, len(submissions) // 4)
            pid = server.kill_worker()
            events["fault_at"] = time.perf_counter()
            print(f"  kill -9 worker {pid}")
            _wait_for_acks(submissions, len(submissions) // 2)
            server.kill_server()
            killed = time.perf_counter()
            print("  kill -9 master and all workers")
            time.sleep(1.0)
            events["restart_s"] = server.start()
            events["back_at"] = time.perf_counter()
            events["server_down_s"] = events["back_at"] - killed

        def db_restart(submissions: list[Submission], events: dict[str, float]) -> None:
            _wait_for_acks(submissions, len(submissions) // 3)
            events["fault_at"] = time.perf_counter()
            print("  pg_ctl restart -m fast")
            postgres.restart()
            events["back_at"] = time.perf_counter()
            events["db_restart_s"] = events["back_at"] - events["fault_at"]

        for name, fault in (("crash", crash), ("db_restart", db_restart)):
            if name in phases:
                results[name] = _phase(
                    name,
                    server,
                    path,
                    version,
                    args.submissions,
                    args.clients,
                    fault,
                    give_up_every=10,
                )
                print(summary_line(name, results[name]))
        ok = all(
            phase["duplicates"] == 0 and phase["lost"] == 0 and phase["half_stored"] == 0
            for phase in results.values()
        )
        if "backup" in phases:
            backup_lines: list[str] = []

            def backup(submissions: list[Submission], events: dict[str, float]) -> None:
                _wait_for_acks(submissions, len(submissions) // 3)
                events["fault_at"] = time.perf_counter()
                backup_lines.append(
                    manage_output(env, "backup_database", "--output-dir", str(var_dir / "bk"))
                )
                events["backup_s"] = time.perf_counter() - events["fault_at"]

            results["backup"] = _phase(
                "backup", server, path, version, args.submissions, args.clients, backup
            )
            print(summary_line("backup_during_load", results["backup"]))
            print("  " + backup_lines[0].strip())
            drill = manage_output(env, "restore_drill", "--dir", str(var_dir / "bk")).strip()
            print("restore_drill " + drill)
            phase = results["backup"]
            ok = ok and phase["duplicates"] == phase["lost"] == phase["half_stored"] == 0
            ok = ok and "checksum_match=true" in drill and "counts_match=true" in drill
        if "jobs" in phases:
            jobs = _jobs_phase(env, var_dir, args.jobs)
            print(summary_line("jobs", jobs))
            ok = ok and jobs["succeeded"] == jobs["enqueued"]
        for name in ("crash", "db_restart"):
            if name in results:
                phase = results[name]
                print(
                    f"{name}: acknowledged={phase['acknowledged']} stored={phase['stored']} "
                    f"duplicates={phase['duplicates']} lost={phase['lost']}"
                )
        print("RESULT " + ("PASS" if ok else "FAIL"))
        return 0 if ok else 1
    finally:
        if server is not None:
            server.stop()
        postgres.stop()


if __name__ == "__main__":
    sys.exit(main())
