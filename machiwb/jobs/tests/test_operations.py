from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from pytest_django.fixtures import Settings

from machiwb.accounts.models import User
from machiwb.jobs.models import Job, JobStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def backup_dir(settings: Settings, tmp_path: Path) -> Path:
    settings.MACHIWB_BACKUP_DIR = tmp_path
    settings.MACHIWB_BACKUP_KEEP = 2
    return tmp_path


@pytest.fixture
def operator(verified_client: Callable[[User], Client]) -> Client:
    user = User.objects.create_user("ops@example.jp", "x", is_operator=True)
    return verified_client(user)


def test_only_operators_reach_the_operations_page(
    verified_client: Callable[[User], Client], operator: Client, backup_dir: Path
) -> None:
    staff = verified_client(User.objects.create_user("staff@example.jp", "x"))
    assert staff.get("/jobs/operations/").status_code == 403
    assert staff.post("/jobs/operations/", {"kind": "backup.create"}).status_code == 403
    assert not Job.objects.exists()
    page = operator.get("/jobs/operations/")
    assert page.status_code == 200
    assert "まだバックアップはありません。" in page.content.decode()


def test_operator_backs_up_then_drills_as_jobs(
    operator: Client, backup_dir: Path, regions_loaded: None
) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("jobs run inside the test's transaction; SQLite backs up only outside one")
    response = operator.post("/jobs/operations/", {"kind": "backup.create"})
    backup = Job.objects.get(kind="backup.create")
    assert response["Location"] == f"/jobs/{backup.public_id}/"
    assert backup.status == JobStatus.SUCCEEDED
    assert "を作成しました" in backup.message
    assert len(list(backup_dir.glob("machiwb-*.manifest.json"))) == 1

    operator.post("/jobs/operations/", {"kind": "backup.restore_drill"})
    drill = Job.objects.get(kind="backup.restore_drill")
    assert drill.status == JobStatus.SUCCEEDED, drill.message
    assert "バックアップ時と一致しました" in drill.message

    listing = operator.get("/jobs/operations/").content.decode()
    assert "machiwb-" in listing
    assert "照合情報なし" not in listing


def test_drill_without_a_backup_says_what_to_do_first(operator: Client, backup_dir: Path) -> None:
    operator.post("/jobs/operations/", {"kind": "backup.restore_drill"})
    drill = Job.objects.get(kind="backup.restore_drill")
    assert drill.status == JobStatus.FAILED
    assert drill.message == "バックアップがまだありません。先にバックアップを作成してください。"


def test_unknown_operation_starts_nothing(operator: Client, backup_dir: Path) -> None:
    assert operator.post("/jobs/operations/", {"kind": "tests.count"}).status_code == 200
    assert not Job.objects.exists()
