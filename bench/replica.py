"""Read-replica drill: the app server with DATABASE_REPLICA_URL on a real streaming replica.

    python -m bench.replica [--port 8023] [--pg-port 55435] [--replica-port 55436]

Makes a throwaway PostgreSQL primary and a streaming replica of it (``pg_basebackup -R``),
starts gunicorn (deploy/gunicorn.conf.py, DEBUG off) with both URLs, then:

1. pauses replay on the replica and renames a municipality on the primary: the open-data API
   still shows the old name (it reads the replica) while the primary has the new one;
2. resumes replay and measures how long the API takes to show the new name (the lag a
   visitor could see after a recompute);
3. stops the replica: the API keeps answering 200 from the primary, ``/readyz`` stays 200 and
   names the replica as unreachable; starts it again: ``/readyz`` says ok at once and, after
   the 30 s every process waits before trying a failed replica again, the API reads it again
   (checked with replay paused once more: the API shows the replica's older name).

Prints one summary line; exits non-zero when a check fails.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench._server import PG_BIN, AppServer, ThrowawayPostgres, _as_postgres, django_env, manage

API = "/api/v1/municipalities?pref=30&page_size=50"
CODE = "302023"  # 海南市


class Replica(ThrowawayPostgres):
    """A streaming replica of ``primary`` in its own folder and port."""

    def __init__(self, primary: ThrowawayPostgres, port: int) -> None:
        super().__init__(port)
        self.primary = primary

    def create(self) -> None:
        subprocess.run(
            _as_postgres(
                str(PG_BIN / "pg_basebackup"),
                *("-h", "127.0.0.1", "-p", str(self.primary.port), "-U", "postgres"),
                *("-D", str(self.data), "-R", "-X", "stream"),
            ),
            check=True,
        )
        self.start()

    def start(self) -> None:
        self.launch()

    def stop(self) -> None:
        self._ctl("-m", "fast", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._ctl("-m", "immediate", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


def psql(port: int, sql: str) -> str:
    return subprocess.run(
        [str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres"]
        + ["-d", "machiwb", "-Atc", sql],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def get_json(port: int, path: str) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as reply:  # noqa: S310
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def api_name(port: int) -> str | None:
    status, body = get_json(port, API)
    if status != 200:
        return None
    rows = body["data"]
    assert isinstance(rows, list)
    return next((str(row["name"]) for row in rows if row["lg_code"] == CODE), None)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8023)
    parser.add_argument("--pg-port", type=int, default=55435)
    parser.add_argument("--replica-port", type=int, default=55436)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="machiwb-replica-app-"))
    primary = ThrowawayPostgres(args.pg_port)
    replica = Replica(primary, args.replica_port)
    server: AppServer | None = None
    checks: dict[str, bool] = {}
    figures: dict[str, str] = {}
    try:
        primary.start()
        env = django_env(primary.url, folder, args.port)
        manage(env, "migrate", "--no-input")
        manage(env, "collectstatic", "--no-input", "-v0")
        manage(env, "load_regions")
        replica.create()
        env["DATABASE_REPLICA_URL"] = replica.url
        server = AppServer(env, args.port, folder / "gunicorn.log")
        server.start()
        original = api_name(args.port)
        checks["api_reads"] = original == "海南市"

        psql(args.replica_port, "SELECT pg_wal_replay_pause()")
        psql(
            primary.port, f"UPDATE regions_municipality SET name = '海南市X' WHERE code = '{CODE}'"
        )
        time.sleep(1.0)
        checks["reads_come_from_replica"] = api_name(args.port) == "海南市"
        resumed = time.perf_counter()
        psql(args.replica_port, "SELECT pg_wal_replay_resume()")
        while api_name(args.port) != "海南市X" and time.perf_counter() - resumed < 30:
            time.sleep(0.01)
        lag = time.perf_counter() - resumed
        checks["replica_catches_up"] = lag < 30
        figures["catch_up_ms"] = f"{lag * 1000:.0f}"

        replica.stop()
        down_status, _ = get_json(args.port, API)
        ready_status, ready = get_json(args.port, "/readyz")
        checks["api_while_replica_down"] = down_status == 200 and api_name(args.port) == "海南市X"
        checks["readyz_while_replica_down"] = ready_status == 200 and str(
            ready.get("replica", "")
        ).startswith("replica unreachable")
        figures["readyz_replica"] = json.dumps(ready.get("replica"), ensure_ascii=False)
        replica.start()
        # /readyz tries the replica at once; each app process that failed to reach it skips
        # it for 30 s (machiwb.core.db.RETRY_AFTER_SECONDS) before reading it again.
        back = time.perf_counter()
        while time.perf_counter() - back < 60:
            status, ready = get_json(args.port, "/readyz")
            if status == 200 and ready.get("replica") == "ok":
                break
            time.sleep(0.5)
        checks["readyz_replica_back"] = ready.get("replica") == "ok"
        time.sleep(31)
        psql(args.replica_port, "SELECT pg_wal_replay_pause()")
        psql(primary.port, f"UPDATE regions_municipality SET name = '海南市' WHERE code = '{CODE}'")
        time.sleep(1.0)
        names = {api_name(args.port) for _ in range(20)}
        checks["replica_used_again"] = names == {"海南市X"}
        psql(args.replica_port, "SELECT pg_wal_replay_resume()")
    finally:
        if server is not None:
            server.stop()
        replica.remove()
        primary.stop()
    failed = [name for name, passed in checks.items() if not passed]
    print(
        f"replica drill: checks={len(checks)} failed={len(failed)} "
        + " ".join(f"{key}={value}" for key, value in figures.items())
        + (f" FAILED={','.join(failed)} log={folder / 'gunicorn.log'}" if failed else "")
    )
    if not failed:
        shutil.rmtree(folder, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
