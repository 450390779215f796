"""Shared pieces of the resilience drills: a throwaway PostgreSQL cluster, the real app
server (gunicorn with deploy/gunicorn.conf.py) and a submission client.

Everything runs on 127.0.0.1 and stops by itself. The PostgreSQL cluster is a fresh
``initdb`` in a temporary folder on its own port, so restarting it never disturbs another
database on the machine.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path(sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1])


def machine_baseline_ms() -> float:
    """Time to SHA-256 64 MiB on this machine: figures elsewhere scale with it."""
    data = b"\x5a" * (64 * 1024 * 1024)
    started = time.perf_counter()
    hashlib.sha256(data).hexdigest()
    return (time.perf_counter() - started) * 1000


def _as_postgres(*args: str) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args]


class ThrowawayPostgres:
    """A PostgreSQL cluster in a temporary folder; ``restart()`` is the DB-restart drill."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.folder = Path(tempfile.mkdtemp(prefix="machiwb-pg-"))
        shutil.chown(self.folder, "postgres", "postgres")
        self.data = self.folder / "data"

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-t", "60", *args),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def start(self) -> None:
        subprocess.run(
            _as_postgres(
                str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres"
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        self.launch()
        subprocess.run(
            [
                str(PG_BIN / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "machiwb",
            ],
            check=True,
        )

    def launch(self) -> None:
        """Start the server on the cluster already in ``data``."""
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder}"
        self._ctl("-o", options, "-l", str(self.folder / "postgres.log"), "start")

    def restart(self) -> None:
        """Fast shutdown (open connections are cut) and start again, as pg_ctlcluster does."""
        self._ctl("-m", "fast", "restart")

    def stop(self) -> None:
        try:
            self._ctl("-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/machiwb"


def django_env(database_url: str, var_dir: Path, port: int) -> dict[str, str]:
    """Production settings (DEBUG off) for a loopback run."""
    return {
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_HSTS_SECONDS": "0",
        "DJANGO_STATIC_ROOT": str(var_dir / "static"),
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_DB_CONNECT_TIMEOUT": "2",
        "MACHIWB_VAR_DIR": str(var_dir),
        "MACHIWB_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "PROMETHEUS_MULTIPROC_DIR": str(var_dir / "metrics"),
    }


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        check=True,
        stdout=subprocess.DEVNULL,
    )


def manage_output(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        check=True,
        capture_output=True,
        text=True,
    ).stdout


class AppServer:
    """gunicorn -c deploy/gunicorn.conf.py, in its own process group."""

    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        self.env, self.port, self.log = env, port, log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        """Start and wait until /readyz answers 200; return the seconds that took."""
        started = time.perf_counter()
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"],
                cwd=ROOT,
                env={**os.environ, **self.env},
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        while time.perf_counter() - started < 60:
            if get_status(self.port, "/readyz") == 200 and len(self.worker_pids()) >= 2:
                return time.perf_counter() - started
            time.sleep(0.05)
        raise RuntimeError(f"gunicorn did not become ready; see {self.log}")

    def worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        out = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True
        ).stdout
        return [int(pid) for pid in out.split()]

    def kill_worker(self) -> int:
        pid = self.worker_pids()[0]
        os.kill(pid, signal.SIGKILL)
        return pid

    def kill_server(self) -> None:
        """SIGKILL the master and every worker at once (a crash, not a shutdown)."""
        if self.process is None:
            return
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.process = None

    def stop(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process = None


def get_status(port: int, path: str) -> int | None:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("GET", path)
        status = conn.getresponse().status
        conn.close()
        return status
    except OSError:
        return None


@dataclass
class Submission:
    marker: str
    body: bytes
    attempts: int = 0
    acknowledged_at: float | None = None
    outcomes: list[str] = field(default_factory=list)


@dataclass
class LoadStats:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    first_ack_after: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, outcome: str) -> None:
        with self.lock:
            self.statuses[outcome] = self.statuses.get(outcome, 0) + 1


CSRF = secrets.token_hex(16)  # 32 characters: Django accepts the unmasked secret as token


def form_body(sheet: str) -> bytes:
    return urllib.parse.urlencode(
        {"csrfmiddlewaretoken": CSRF, "sheet": sheet, "nav": "submit"}
    ).encode()


def submit_once(port: int, path: str, submission: Submission) -> str:
    """POST one answer sheet; return 'ack' (303), 'http_<code>' or 'conn_error'."""
    submission.attempts += 1
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
        conn.request(
            "POST",
            path,
            body=submission.body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={CSRF}",
                "Accept": "text/html",
            },
        )
        response = conn.getresponse()
        response.read()
        conn.close()
    except OSError:
        return "conn_error"
    if response.status == 303:
        return "ack"
    return f"http_{response.status}"


def drive(
    port: int,
    path: str,
    submissions: list[Submission],
    *,
    clients: int,
    stats: LoadStats,
    deadline_s: float,
    give_up: Callable[[Submission], bool] = lambda s: False,
) -> None:
    """Send every submission, retrying each unacknowledged one with the same token."""
    queue = list(reversed(submissions))
    lock = threading.Lock()
    stop_at = time.perf_counter() + deadline_s

    def worker() -> None:
        while time.perf_counter() < stop_at:
            with lock:
                if not queue:
                    return
                submission = queue.pop()
            started = time.perf_counter()
            outcome = submit_once(port, path, submission)
            elapsed = time.perf_counter() - started
            submission.outcomes.append(outcome)
            stats.count(outcome)
            if outcome == "ack":
                submission.acknowledged_at = time.perf_counter()
                with stats.lock:
                    stats.latencies.append(elapsed)
                continue
            if give_up(submission):
                continue
            time.sleep(0.2 if outcome == "conn_error" else 0.5)
            with lock:
                queue.insert(0, submission)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def summary_line(name: str, values: dict[str, Any]) -> str:
    return name + " " + " ".join(f"{key}={value}" for key, value in values.items())
