"""Job messages are shown in the reader's language, and the job page links back to its start."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext_noop

from machiwb.accounts.models import User
from machiwb.jobs.messages import Listing, Plain, Text, lines_dump, lines_load
from machiwb.jobs.models import Job, JobStatus
from machiwb.jobs.services import job_run

pytestmark = pytest.mark.django_db

UNEXPECTED = gettext_noop(
    "処理中に予期しないエラーが発生しました。運営者にジョブ番号 %(id)s を伝えてください。"
)


@pytest.fixture(autouse=True)
def _japanese_afterwards() -> Iterator[None]:
    yield
    # a request in English leaves English active in this thread; later tests expect Japanese
    translation.deactivate()


def _page(client: Client, job: Job, language: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(f"/jobs/{job.public_id}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def operator(verified_client: Callable[[User], Client]) -> tuple[User, Client]:
    user = User.objects.create_user("ops@example.jp", "x", is_operator=True)
    return user, verified_client(user)


def test_a_message_is_kept_untranslated_and_shown_in_the_active_language() -> None:
    drill = Text.of(
        gettext_noop("復元訓練で違いが見つかりました（%(name)s）：%(diff)s"),
        name="b.tar",
        diff=Listing((Plain("jobs_job: 3≠4"), Plain("checksum"))),
    )
    stored = lines_dump([drill, Text.of(UNEXPECTED, id="42"), Plain("kpi.csv")])
    assert stored[0] == {
        "id": "復元訓練で違いが見つかりました（%(name)s）：%(diff)s",
        "params": {
            "name": "b.tar",
            "diff": {"list": [{"text": "jobs_job: 3≠4"}, {"text": "checksum"}]},
        },
    }
    loaded = lines_load(stored)
    with translation.override("ja"):
        assert [str(line) for line in loaded] == [
            "復元訓練で違いが見つかりました（b.tar）：jobs_job: 3≠4、checksum",
            "処理中に予期しないエラーが発生しました。運営者にジョブ番号 42 を伝えてください。",
            "kpi.csv",
        ]
    with translation.override("en"):
        assert [str(line) for line in loaded] == [
            "The restore drill found differences (b.tar): jobs_job: 3≠4, checksum",
            "An unexpected error occurred. Please tell the operators the job number 42.",
            "kpi.csv",
        ]


def test_anything_else_stored_loads_as_plain_text() -> None:
    assert [str(line) for line in lines_load(["済", {"text": "x"}, 3, None])] == [
        "済",
        "x",
        "3",
        "",
    ]
    assert lines_load({"id": "not a list"}) == []


def test_the_same_failed_job_speaks_each_readers_language(operator: tuple[User, Client]) -> None:
    user, client = operator
    job = Job.objects.create(kind="tests.retired", actor=user)
    job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message_lines == [
        {
            "id": "この種類の処理（%(kind)s）は現在の版では実行できません。",
            "params": {"kind": "tests.retired"},
        }
    ]
    assert "この種類の処理（tests.retired）は現在の版では実行できません。" in _page(
        client, job, "ja"
    )
    english = _page(client, job, "en")
    assert "This kind of job (tests.retired) cannot run in the current version." in english
    assert "現在の版" not in english
    assert "<dt>Queued at</dt>" in english  # not another app's 登録日時 ("Joined")


def test_a_message_stored_as_text_before_shows_as_it_was(operator: tuple[User, Client]) -> None:
    user, client = operator
    job = Job(kind="backup.create", actor=user, status=JobStatus.SUCCEEDED)
    job.message = "バックアップ a.tar を作成しました。\n2行目"
    job.save()
    assert job.message_lines == [{"text": "バックアップ a.tar を作成しました。\n2行目"}]
    for language in ("ja", "en"):
        assert "バックアップ a.tar を作成しました。<br>2行目" in _page(client, job, language)


@pytest.mark.parametrize("status", list(JobStatus))
def test_the_job_page_links_back_to_where_the_job_was_started(
    operator: tuple[User, Client], status: JobStatus
) -> None:
    user, client = operator
    job = Job.objects.create(kind="backup.restore_drill", actor=user, status=status)
    assert '<a href="/jobs/operations/">バックアップと復元訓練へ戻る</a>' in _page(
        client, job, "ja"
    )
    english = _page(client, job, "en")
    assert '<a href="/jobs/operations/">Back to backups and restore drills</a>' in english
    # the polled part of the page is swapped in place; the link stays outside it
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"
    polled = client.get(f"/jobs/{job.public_id}/", headers={"HX-Request": "true"})
    assert "/jobs/operations/" not in polled.content.decode()


def test_a_job_of_an_unknown_kind_has_no_link_back(operator: tuple[User, Client]) -> None:
    user, client = operator
    job = Job.objects.create(kind="tests.retired", actor=user)
    assert "job-origin" not in _page(client, job, "ja")


@pytest.mark.django_db(transaction=True)
def test_migrating_keeps_old_messages_as_they_were_and_back() -> None:
    executor = MigrationExecutor(connection)
    before, after = [("jobs", "0002_job_file")], [("jobs", "0003_job_message_lines")]
    executor.migrate(before)
    old_job = executor.loader.project_state(before).apps.get_model("jobs", "Job")
    old = old_job.objects.create(kind="backup.create", message="120 件を取り込みました。")
    old_job.objects.create(kind="backup.create", message="")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    lines = dict(Job.objects.values_list("pk", "message_lines"))
    assert lines.pop(old.pk) == [{"text": "120 件を取り込みました。"}]
    assert list(lines.values()) == [[]]
    Job.objects.filter(pk=old.pk).update(message_lines=lines_dump([Text.of(UNEXPECTED, id="7")]))
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(before)
    old_job = executor.loader.project_state(before).apps.get_model("jobs", "Job")
    assert old_job.objects.get(pk=old.pk).message == (
        "処理中に予期しないエラーが発生しました。運営者にジョブ番号 7 を伝えてください。"
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
