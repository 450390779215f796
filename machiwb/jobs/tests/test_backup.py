from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from machiwb.jobs.backup import (
    MANIFEST_SUFFIX,
    backup_create,
    backups_prune,
    manifest_compute,
    restore_drill,
)
from machiwb.regions.models import Municipality

pytestmark = pytest.mark.django_db


def _responses_db() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE surveys_response (id TEXT, q1 INTEGER, custom_answers TEXT)")
    conn.executemany(
        "INSERT INTO surveys_response VALUES (?, ?, ?)",
        [("b", 7, '{"x1": 3}'), ("a", None, "{}")],
    )
    return conn


def test_checksum_sees_any_changed_answer_but_not_row_order() -> None:
    conn = _responses_db()
    before = manifest_compute(conn.cursor(), engine="sqlite", tables=["surveys_response"])
    assert (before.responses, before.tables) == (2, {"surveys_response": 2})
    conn.execute("UPDATE surveys_response SET q1 = 8 WHERE id = 'b'")
    after = manifest_compute(conn.cursor(), engine="sqlite", tables=["surveys_response"])
    assert after.responses_checksum != before.responses_checksum
    conn.execute("UPDATE surveys_response SET q1 = 7 WHERE id = 'b'")
    again = manifest_compute(conn.cursor(), engine="sqlite", tables=["surveys_response"])
    assert again == before


def test_backup_restores_into_a_fresh_database_with_equal_counts_and_checksum(
    tmp_path: Path, regions_loaded: None, capsys: pytest.CaptureFixture[str]
) -> None:
    path, manifest = backup_create(output_dir=tmp_path)
    assert manifest.tables["regions_municipality"] == Municipality.objects.count()
    result = restore_drill(backup=path)
    assert result.ok
    assert result.restored.rows == manifest.rows
    assert result.restored.responses == manifest.responses
    call_command("restore_drill", str(path))
    out = capsys.readouterr().out
    assert f"restored_rows={manifest.rows} " in out
    assert "checksum_match=true" in out


def test_drill_fails_loudly_when_the_restore_differs(tmp_path: Path, regions_loaded: None) -> None:
    path, _manifest = backup_create(output_dir=tmp_path)
    manifest_path = path.with_name(path.name + MANIFEST_SUFFIX)
    data = json.loads(manifest_path.read_text())
    data["tables"]["regions_prefecture"] = 48
    data["responses_checksum"] = "0" * 64
    manifest_path.write_text(json.dumps(data))
    result = restore_drill(backup=path)
    assert not result.ok
    assert result.differences() == [
        "regions_prefecture: backup has 48 rows, restore has 47",
        "survey responses differ (checksum)",
    ]
    with pytest.raises(CommandError, match="Restore drill FAILED"):
        call_command("restore_drill", "--dir", str(tmp_path))


def test_prune_keeps_the_newest_backups_with_their_manifests(tmp_path: Path) -> None:
    for stamp in ("20260101", "20260102", "20260103"):
        (tmp_path / f"machiwb-{stamp}.dump").write_text("x")
        (tmp_path / f"machiwb-{stamp}.dump{MANIFEST_SUFFIX}").write_text("{}")
    removed = backups_prune(output_dir=tmp_path, keep=1)
    assert [p.name for p in removed] == ["machiwb-20260101.dump", "machiwb-20260102.dump"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "machiwb-20260103.dump",
        f"machiwb-20260103.dump{MANIFEST_SUFFIX}",
    ]
