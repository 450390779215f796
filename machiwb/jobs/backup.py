"""Database backups and the restore drill (バックアップと復元訓練).

PostgreSQL: ``pg_dump`` in custom format, taken inside an exported snapshot so the manifest
beside it (row counts of every table, a checksum of the survey responses) describes exactly
the rows in the dump. SQLite: the online backup API (a consistent copy while the site runs),
with the manifest computed in the same read transaction.

The drill restores a backup into a fresh database, recomputes the manifest there and compares:
a backup that cannot be restored, or restores different data, is found before it is needed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from django.db import connection

RESPONSE_TABLE = "surveys_response"
MANIFEST_SUFFIX = ".manifest.json"


class Cursor(Protocol):
    @property
    def description(self) -> Any: ...

    def execute(self, query: Any, params: Any = ...) -> Any: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


@dataclass(frozen=True)
class Manifest:
    """What a backup holds: rows per table and a checksum over every survey response."""

    engine: str
    tables: dict[str, int]
    responses: int
    responses_checksum: str

    @property
    def rows(self) -> int:
        return sum(self.tables.values())

    def to_json(self) -> str:
        return json.dumps(
            {
                "engine": self.engine,
                "tables": self.tables,
                "responses": self.responses,
                "responses_checksum": self.responses_checksum,
            },
            ensure_ascii=False,
            indent=1,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data = json.loads(text)
        return cls(
            engine=str(data["engine"]),
            tables={str(k): int(v) for k, v in data["tables"].items()},
            responses=int(data["responses"]),
            responses_checksum=str(data["responses_checksum"]),
        )


@dataclass(frozen=True)
class DrillResult:
    expected: Manifest
    restored: Manifest
    seconds: float

    @property
    def counts_match(self) -> bool:
        return self.expected.tables == self.restored.tables

    @property
    def checksum_match(self) -> bool:
        return self.expected.responses_checksum == self.restored.responses_checksum

    @property
    def ok(self) -> bool:
        return self.counts_match and self.checksum_match

    def differences(self) -> list[str]:
        lines = []
        for table in sorted(set(self.expected.tables) | set(self.restored.tables)):
            want, got = self.expected.tables.get(table), self.restored.tables.get(table)
            if want != got:
                lines.append(f"{table}: backup has {want} rows, restore has {got}")
        if not self.checksum_match:
            lines.append("survey responses differ (checksum)")
        return lines


def _normalise(value: Any) -> str:
    if value is None:
        return "\x00"
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return str(value)


def _quoted(table: str) -> str:
    """Quote a table name read from the database catalogue (letters, digits, underscores)."""
    if not re.fullmatch(r"[A-Za-z0-9_]+", table):
        raise ValueError(f"Unexpected table name {table!r}.")
    return f'"{table}"'


def manifest_compute(cursor: Cursor, *, engine: str, tables: list[str]) -> Manifest:
    """Count every table and hash every response row (all columns, ordered by id)."""
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {_quoted(table)}")  # noqa: S608
        counts[table] = int(cursor.fetchone()[0])
    digest = hashlib.sha256()
    responses = 0
    if RESPONSE_TABLE in counts:
        cursor.execute(f"SELECT * FROM {_quoted(RESPONSE_TABLE)} ORDER BY id")  # noqa: S608
        names = [column[0] for column in cursor.description]
        order = sorted(range(len(names)), key=lambda i: names[i])
        for row in cursor.fetchall():
            digest.update("\x1f".join(_normalise(row[i]) for i in order).encode())
            digest.update(b"\x1e")
            responses += 1
    return Manifest(
        engine=engine, tables=counts, responses=responses, responses_checksum=digest.hexdigest()
    )


def _engine() -> str:
    return "sqlite" if connection.vendor == "sqlite" else "postgresql"


def _pg_env(settings_dict: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return env


def _pg_conninfo(settings_dict: dict[str, Any], dbname: str) -> str:
    from psycopg.conninfo import make_conninfo

    parts = {
        "host": settings_dict.get("HOST") or None,
        "port": str(settings_dict["PORT"]) if settings_dict.get("PORT") else None,
        "user": settings_dict.get("USER") or None,
        "password": settings_dict.get("PASSWORD") or None,
    }
    return make_conninfo(dbname=dbname, **{k: v for k, v in parts.items() if v is not None})


def _pg_tables(cursor: Cursor) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    return [row[0] for row in cursor.fetchall()]


def _sqlite_tables(cursor: Cursor) -> list[str]:
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    )
    return [row[0] for row in cursor.fetchall()]


def backup_create(*, output_dir: Path, keep: int | None = None) -> tuple[Path, Manifest]:
    """Write a backup of the default database and its manifest into ``output_dir``."""
    output_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    if _engine() == "sqlite":
        path, manifest = _sqlite_backup(output_dir / f"machiwb-{stamp}.sqlite3")
    else:
        path, manifest = _pg_backup(output_dir / f"machiwb-{stamp}.dump")
    path.with_name(path.name + MANIFEST_SUFFIX).write_text(manifest.to_json(), encoding="utf-8")
    if keep is not None:
        backups_prune(output_dir=output_dir, keep=keep)
    return path, manifest


def backups_list(*, output_dir: Path) -> list[Path]:
    """The backups in ``output_dir``, oldest first (names sort by their UTC time stamp)."""
    if not output_dir.is_dir():
        return []
    return sorted(
        p
        for p in output_dir.glob("machiwb-*")
        if not p.name.endswith((MANIFEST_SUFFIX, ".partial"))
    )


def backups_prune(*, output_dir: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups (and their manifests)."""
    backups = backups_list(output_dir=output_dir)
    removed = backups[: max(0, len(backups) - keep)]
    for path in removed:
        path.unlink()
        path.with_name(path.name + MANIFEST_SUFFIX).unlink(missing_ok=True)
    return removed


def _sqlite_backup(dest: Path) -> tuple[Path, Manifest]:
    connection.ensure_connection()
    source = connection.connection
    partial = dest.with_suffix(".partial")
    target = sqlite3.connect(partial)
    try:
        cursor = source.cursor()
        tables = _sqlite_tables(cursor)
        manifest = manifest_compute(cursor, engine="sqlite", tables=tables)
        source.backup(target, progress=_give_up_when_locked(), sleep=0.25)
    finally:
        target.close()
    partial.rename(dest)
    return dest, manifest


def _give_up_when_locked(limit: int = 40) -> Any:
    """A progress callback that stops a backup waiting more than ``limit`` × 0.25 s on a lock."""
    waits = 0

    def progress(status: int, remaining: int, total: int) -> None:
        nonlocal waits
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            waits += 1
            if waits > limit:
                raise RuntimeError("The SQLite database stayed locked; the backup was abandoned.")

    return progress


def _pg_backup(dest: Path) -> tuple[Path, Manifest]:
    import psycopg

    settings_dict = connection.settings_dict
    partial = dest.with_suffix(".partial")
    conninfo = _pg_conninfo(settings_dict, settings_dict["NAME"])
    with psycopg.connect(conninfo) as snapshot_conn:
        snapshot_conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        row = snapshot_conn.execute("SELECT pg_export_snapshot()").fetchone()
        if row is None:
            raise RuntimeError("PostgreSQL did not export a snapshot.")
        cursor = snapshot_conn.cursor()
        manifest = manifest_compute(cursor, engine="postgresql", tables=_pg_tables(cursor))
        subprocess.run(  # noqa: S603 - fixed program, arguments from settings
            [
                _pg_program("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={row[0]}",
                f"--file={partial}",
                settings_dict["NAME"],
            ],
            env=_pg_env(settings_dict),
            check=True,
            capture_output=True,
        )
    partial.rename(dest)
    return dest, manifest


def _pg_program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError(f"{name} is not installed (Debian: postgresql-client).")
    return found


def manifest_read(backup: Path) -> Manifest:
    path = backup.with_name(backup.name + MANIFEST_SUFFIX)
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: the drill compares against it.")
    return Manifest.from_json(path.read_text(encoding="utf-8"))


def restore_drill(*, backup: Path) -> DrillResult:
    """Restore ``backup`` into a fresh, temporary database and compare it with its manifest."""
    expected = manifest_read(backup)
    started = time.perf_counter()
    if expected.engine == "sqlite":
        restored = _sqlite_restore_manifest(backup, tables=list(expected.tables))
    else:
        with _pg_fresh_database() as (conninfo, dbname, env):
            subprocess.run(  # noqa: S603 - fixed program, arguments from settings
                [
                    _pg_program("pg_restore"),
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    f"--dbname={dbname}",
                    str(backup),
                ],
                env=env,
                check=True,
                capture_output=True,
            )
            import psycopg

            with psycopg.connect(conninfo) as restored_conn:
                cursor = restored_conn.cursor()
                restored = manifest_compute(cursor, engine="postgresql", tables=_pg_tables(cursor))
    return DrillResult(expected=expected, restored=restored, seconds=time.perf_counter() - started)


def _sqlite_restore_manifest(backup: Path, *, tables: list[str]) -> Manifest:
    with tempfile.TemporaryDirectory(prefix="machiwb-drill-") as folder:
        fresh = Path(folder) / "restored.sqlite3"
        shutil.copyfile(backup, fresh)
        conn = sqlite3.connect(fresh)
        try:
            check = conn.execute("PRAGMA integrity_check").fetchone()
            if check is None or check[0] != "ok":
                raise RuntimeError(f"{backup} fails SQLite's integrity check: {check}")
            return manifest_compute(
                conn.cursor(), engine="sqlite", tables=_sqlite_tables(conn.cursor())
            )
        finally:
            conn.close()


@contextmanager
def _pg_fresh_database() -> Iterator[tuple[str, str, dict[str, str]]]:
    import psycopg
    from psycopg import sql

    settings_dict = connection.settings_dict
    dbname = f"{settings_dict['NAME']}_drill_{uuid.uuid4().hex[:8]}"
    admin = _pg_conninfo(settings_dict, settings_dict["NAME"])
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    try:
        yield _pg_conninfo(settings_dict, dbname), dbname, _pg_env(settings_dict)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname))
            )
