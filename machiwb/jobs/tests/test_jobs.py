from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.test import Client
from django_q.conf import Conf
from django_q.models import OrmQ
from django_q.signing import SignedPackage

from machiwb.accounts.models import Membership, Role, User
from machiwb.audit.models import AuditEntry
from machiwb.jobs.models import Job, JobStatus
from machiwb.jobs.registry import JobError, JobOutcome, job_kind
from machiwb.jobs.services import job_enqueue, job_progress, job_run
from machiwb.jobs.tasks import job_execute
from machiwb.regions.models import Municipality

pytestmark = pytest.mark.django_db

CALLS: list[dict[str, Any]] = []


@job_kind("tests.count", label="テスト用の数え上げ")
def count_items(job: Job, params: dict[str, Any]) -> JobOutcome:
    CALLS.append(params)
    total = int(params["n"])
    for done in range(0, total + 1, 2):
        job_progress(job, done, total)
    if params.get("fail") == "user":
        raise JobError("3行目の「回答日」が日付ではありません。", retry_url="/regions/")
    if params.get("fail") == "validation":
        raise ValidationError("年度は2020年度以降を指定してください。")
    if params.get("fail") == "bug":
        raise KeyError("surprise")
    return JobOutcome(message=f"{total} 件を数えました。", result_url="/regions/")


@pytest.fixture
def town(regions_loaded: None) -> Municipality:
    return Municipality.objects.get(code="302015")


@pytest.fixture
def staff(town: Municipality) -> User:
    user = User.objects.create_user("staff@wakayama.example.jp", "x")
    Membership.objects.create(user=user, municipality=town, role=Role.VIEWER)
    return user


def test_job_runs_and_reports_result_and_progress(staff: User, town: Municipality) -> None:
    job = job_enqueue(kind="tests.count", params={"n": 10}, actor=staff, municipality=town)
    assert job.status == JobStatus.SUCCEEDED
    assert (job.done, job.total, job.percent) == (10, 10, 100)
    assert job.message == "10 件を数えました。"
    assert job.result_url == "/regions/"
    assert job.attempts == 1
    assert job.started_at is not None
    assert job.finished_at is not None
    entry = AuditEntry.objects.get(action="job.enqueue")
    assert entry.object_id == str(job.public_id)
    assert entry.municipality == town


@pytest.mark.parametrize(
    ("fail", "message", "retry_url"),
    [
        ("user", "3行目の「回答日」が日付ではありません。", "/regions/"),
        ("validation", "年度は2020年度以降を指定してください。", ""),
    ],
)
def test_job_failure_keeps_the_specific_message(
    staff: User, fail: str, message: str, retry_url: str
) -> None:
    job = job_enqueue(kind="tests.count", params={"n": 4, "fail": fail}, actor=staff)
    assert job.status == JobStatus.FAILED
    assert job.message == message
    assert job.result_url == retry_url  # where to put it right and start again
    assert job.percent == 100  # the counting itself had finished


def test_unexpected_error_names_the_job_for_the_operator(staff: User) -> None:
    job = job_enqueue(kind="tests.count", params={"n": 2, "fail": "bug"}, actor=staff)
    assert job.status == JobStatus.FAILED
    assert str(job.public_id) in job.message
    assert "surprise" not in job.message


def test_unknown_kind_and_non_json_params_are_refused(staff: User) -> None:
    with pytest.raises(LookupError, match="tests.nothing"):
        job_enqueue(kind="tests.nothing", params={}, actor=staff)
    with pytest.raises(ValueError, match="JSON"):
        job_enqueue(kind="tests.count", params={"n": object()}, actor=staff)
    assert not Job.objects.exists()


def test_progress_out_of_range_is_refused(staff: User) -> None:
    job = Job.objects.create(kind="tests.count", actor=staff)
    with pytest.raises(ValueError, match="out of range"):
        job_progress(job, 5, 4)
    job_progress(job, 3, None)
    job.refresh_from_db()
    assert (job.done, job.total, job.percent) == (3, None, None)


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> None:
    """Enqueue through the real queue table instead of running inside the call."""
    monkeypatch.setattr(Conf, "SYNC", False)


def _deliver_all() -> int:
    """Do what a worker does with each queue entry: unpack the signed task and call it."""
    delivered = 0
    for entry in OrmQ.objects.all():
        task = SignedPackage.loads(entry.payload)
        assert task["func"] == "machiwb.jobs.tasks.job_execute"
        job_execute(*task["args"])
        delivered += 1
    return delivered


def test_queue_entry_commits_with_the_job_and_a_worker_runs_it(staff: User, queued: None) -> None:
    job = job_enqueue(kind="tests.count", params={"n": 6}, actor=staff)
    assert job.status == JobStatus.QUEUED
    assert OrmQ.objects.count() == 1
    assert _deliver_all() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED


def test_rolled_back_caller_leaves_neither_job_nor_queue_entry(staff: User, queued: None) -> None:
    def enqueue_then_fail() -> None:
        with transaction.atomic():
            job_enqueue(kind="tests.count", params={"n": 6}, actor=staff)
            raise RuntimeError("caller fails after enqueueing")

    with pytest.raises(RuntimeError):
        enqueue_then_fail()
    assert not Job.objects.exists()
    assert not OrmQ.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a second connection (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_progress_inside_a_transaction_is_seen_before_it_commits() -> None:
    job = Job.objects.create(kind="tests.count")

    def seen_elsewhere() -> int:
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("SELECT done FROM jobs_job WHERE id = %s", [job.pk])
                return int(cursor.fetchone()[0])
        finally:
            other.close()

    with transaction.atomic():
        job_progress(job, 3, 10)
        assert seen_elsewhere() == 3
        # when the caller's transaction holds the row, progress waits for its commit
        Job.objects.select_for_update().get(pk=job.pk)
        job_progress(job, 5, 10)
        assert seen_elsewhere() == 3
    assert seen_elsewhere() == 5


def test_coalesced_enqueue_reuses_the_waiting_job_only(staff: User, queued: None) -> None:
    first = job_enqueue(kind="tests.count", params={"n": 2}, actor=staff, coalesce=True)
    assert job_enqueue(kind="tests.count", params={"n": 2}, actor=staff, coalesce=True) == first
    other = job_enqueue(kind="tests.count", params={"n": 4}, actor=staff, coalesce=True)
    assert other != first
    assert job_enqueue(kind="tests.count", params={"n": 2}, actor=staff) != first
    assert OrmQ.objects.count() == 3
    Job.objects.filter(pk=first.pk).update(status=JobStatus.RUNNING)
    again = job_enqueue(kind="tests.count", params={"n": 2}, actor=staff, coalesce=True)
    assert again.pk not in (first.pk, other.pk)
    assert again.status == JobStatus.QUEUED


def test_redelivered_finished_job_does_not_run_again(staff: User) -> None:
    job = job_enqueue(kind="tests.count", params={"n": 2, "mark": "once"}, actor=staff)
    calls = len(CALLS)
    job_run(job_id=job.pk)
    assert len(CALLS) == calls
    job.refresh_from_db()
    assert job.attempts == 1


def test_interrupted_job_runs_again_then_gives_up(staff: User, queued: None) -> None:
    job = job_enqueue(kind="tests.count", params={"n": 2}, actor=staff)
    # A worker picked it up and was killed: the row says running, the queue hands it out again.
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, attempts=1, done=1, total=2)
    job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.SUCCEEDED, 2)
    stuck = job_enqueue(kind="tests.count", params={"n": 2}, actor=staff)
    Job.objects.filter(pk=stuck.pk).update(status=JobStatus.RUNNING, attempts=3)
    job_run(job_id=stuck.pk)
    stuck.refresh_from_db()
    assert stuck.status == JobStatus.FAILED
    assert "3回" in stuck.message


def test_kind_removed_from_the_code_fails_clearly(staff: User) -> None:
    job = Job.objects.create(kind="tests.retired", actor=staff)
    job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "tests.retired" in job.message


# --- status page -----------------------------------------------------------------------


def test_status_page_for_starter_and_municipality_staff_only(
    client: Client, staff: User, town: Municipality, verified_client: Callable[[User], Client]
) -> None:
    job = job_enqueue(kind="tests.count", params={"n": 4}, actor=None, municipality=town)
    url = f"/jobs/{job.public_id}/"
    assert client.get(url).status_code == 302  # anonymous: to the login page
    outsider = User.objects.create_user("other@example.jp", "x")
    assert verified_client(outsider).get(url).status_code == 404
    response = verified_client(staff).get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "テスト用の数え上げ" in body
    assert "4 件を数えました。" in body
    assert "hx-trigger" not in body  # finished: no more polling
    assert 'http-equiv="refresh"' not in body
    assert '<a class="button" href="/regions/">結果を開く</a>' in body

    failed = job_enqueue(
        kind="tests.count", params={"n": 4, "fail": "user"}, actor=None, municipality=town
    )
    body = verified_client(staff).get(f"/jobs/{failed.public_id}/").content.decode()
    assert "3行目の「回答日」が日付ではありません。" in body
    assert "結果を開く" not in body
    assert 'href="/regions/">直してやり直す</a>' in body


def test_running_job_polls_with_htmx_and_refreshes_without_script(
    staff: User, verified_client: Callable[[User], Client]
) -> None:
    job = Job.objects.create(
        kind="tests.count", actor=staff, status=JobStatus.RUNNING, done=3, total=12
    )
    client = verified_client(staff)
    page = client.get(f"/jobs/{job.public_id}/").content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert '<noscript><meta http-equiv="refresh"' in page
    assert "3 / 12 件（25%）" in page
    partial = client.get(f"/jobs/{job.public_id}/", HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="job-status"')
    assert "<html" not in partial


def test_job_list_shows_only_own_jobs(
    staff: User, verified_client: Callable[[User], Client]
) -> None:
    mine = job_enqueue(kind="tests.count", params={"n": 2}, actor=staff)
    other = User.objects.create_user("other@example.jp", "x")
    theirs = job_enqueue(kind="tests.count", params={"n": 2}, actor=other)
    body = verified_client(staff).get("/jobs/").content.decode()
    assert str(mine.public_id) in body
    assert str(theirs.public_id) not in body
