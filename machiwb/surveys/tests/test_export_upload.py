from __future__ import annotations

import datetime
import io
import re
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.contrib import auth
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation
from django_q.conf import Conf
from django_q.models import OrmQ
from openpyxl import load_workbook

from machiwb.accounts.models import Role, User
from machiwb.accounts.testing import login_staff, make_staff
from machiwb.audit.models import AuditEntry
from machiwb.indicators.selectors import score_run_current
from machiwb.jobs.models import Job, JobFile, JobStatus
from machiwb.jobs.services import job_enqueue, job_progress, job_run
from machiwb.regions.models import Municipality
from machiwb.surveys import datafile, services
from machiwb.surveys import jobs as survey_jobs
from machiwb.surveys.models import (
    Response,
    Survey,
    SurveyStatus,
    SurveyType,
    SurveyUpload,
    SurveyVersion,
    UploadStatus,
)
from machiwb.surveys.services import response_submit, surveys_close_ended
from machiwb.surveys.tests.conftest import full_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(kainan: Municipality) -> Client:
    client = Client()
    login_staff(client, make_staff(municipality=kainan, role=Role.EDITOR))
    return client


def _base(version: SurveyVersion) -> str:
    return f"/surveys/302023/{version.survey.public_id}/"


def _export(client: Client, version: SurveyVersion, file_format: str = "csv") -> bytes:
    """Start an export job (it runs inside the call in tests) and download its file."""
    started = client.post(_base(version) + "export/", {"format": file_format})
    assert started.status_code == 302
    job = Job.objects.filter(kind="surveys.export").latest("created_at")
    assert started["Location"] == f"/jobs/{job.public_id}/"
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.result_url in client.get(started["Location"]).content.decode()
    download = client.get(job.result_url)
    assert download.status_code == 200
    assert download["Cache-Control"] == "no-store"
    return download.content


def _confirm(client: Client, upload_url: str) -> Job:
    """Confirm a checked upload: the import runs as a job (inside the call in tests)."""
    response = client.post(upload_url, {"action": "confirm"})
    assert response.status_code == 302
    job = Job.objects.filter(kind="surveys.upload_import").latest("created_at")
    assert response["Location"] == f"/jobs/{job.public_id}/"
    return job


def _submit(version: SurveyVersion, count: int, **extra: object) -> None:
    for number in range(count):
        answers = dict(full_answers(), **extra)
        response_submit(version=version, answers=answers, submission_token=f"token-{number:020d}")


def test_export_csv_xlsx_and_dictionary(editor: Client, published: SurveyVersion) -> None:
    _submit(published, 2, x3="=1+2")
    csv_content = _export(editor, published)
    assert csv_content.startswith(b"\xef\xbb\xbf")
    lines = csv_content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("municipality_code,area,answered_on,age_band,gender,c01_1,")
    assert len(lines) == 3
    assert lines[1].endswith(",12,1;3,'=1+2,1")  # survey_version last
    assert re.search(r",\d{4}-\d{2}-\d{2},4,2,", lines[1])
    workbook = load_workbook(io.BytesIO(_export(editor, published, "xlsx")))
    assert workbook.sheetnames == ["responses", "dictionary"]
    assert workbook["responses"].max_row == 3
    dictionary = editor.get(_base(published) + "export/?format=dictionary").content.decode(
        "utf-8-sig"
    )
    assert dictionary.splitlines()[0] == "column,question,type,codes,min,max,note"
    assert AuditEntry.objects.filter(action="survey.export").count() == 3


def test_viewer_cannot_download_raw_answers(kainan: Municipality, published: SurveyVersion) -> None:
    viewer = Client()
    login_staff(viewer, make_staff(municipality=kainan, role=Role.VIEWER))
    assert viewer.post(_base(published) + "export/", {"format": "csv"}).status_code == 404
    assert not Job.objects.exists()


def test_export_job_page_and_file_are_for_the_starter_only(
    editor: Client, kainan: Municipality, published: SurveyVersion
) -> None:
    _submit(published, 3)
    editor.post(_base(published) + "export/", {"format": "csv"})
    job = Job.objects.get(kind="surveys.export")
    assert (job.done, job.total) == (3, 3)
    assert "3件の回答を survey-data-302023-2025.csv に書き出しました。" in job.message
    assert job.result_url == _base(published) + f"export/{job.public_id}/"
    assert editor.get(job.result_url)["Content-Type"] == "text/csv; charset=utf-8"

    colleague = Client()  # another editor of the same town: sees the job, not the file
    login_staff(colleague, make_staff(municipality=kainan, role=Role.EDITOR))
    assert colleague.get(f"/jobs/{job.public_id}/").status_code == 200
    assert colleague.get(job.result_url).status_code == 404
    foreign = Client()  # staff of another town: neither
    login_staff(
        foreign, make_staff(municipality=Municipality.objects.get(code="302015"), role=Role.ADMIN)
    )
    assert foreign.get(f"/jobs/{job.public_id}/").status_code == 404
    assert foreign.get(job.result_url).status_code == 404
    # a day later the file cannot be downloaded, and the next job that runs deletes it
    JobFile.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))
    assert editor.get(job.result_url).status_code == 404
    editor.post(_base(published) + "export/", {"format": "xlsx"})
    assert list(JobFile.objects.values_list("file_name", flat=True)) == [
        "survey-data-302023-2025.xlsx"
    ]
    assert editor.get(_base(published) + "export/?format=csv").status_code == 404


def test_upload_preview_confirm_withdraw_and_replace(
    editor: Client, published: SurveyVersion
) -> None:
    _submit(published, 3)
    exported = _export(editor, published)
    response = editor.post(
        _base(published) + "upload/", {"file": SimpleUploadedFile("paper.csv", exported)}
    )
    assert response.status_code == 302
    upload = SurveyUpload.objects.get()
    assert upload.status == UploadStatus.PENDING
    assert Response.objects.count() == 3  # nothing imported before confirmation
    preview = editor.get(response["Location"]).content.decode()
    assert "3人の回答" in preview
    assert "住宅環境" in preview

    job = _confirm(editor, response["Location"])
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert "「paper.csv」から3件の回答を取り込みました。" in job.message
    assert job.result_url == _base(published)
    upload.refresh_from_db()
    assert upload.status == UploadStatus.CONFIRMED
    assert upload.content is None
    assert Response.objects.count() == 6
    assert Response.objects.filter(upload=upload, custom_answers__x1=12).count() == 3

    # replace it with a file of one respondent, as an .xlsx
    xlsx = _export(editor, published, "xlsx")
    response = editor.post(
        _base(published) + "upload/",
        {"file": SimpleUploadedFile("fixed.xlsx", xlsx), "replaces": str(upload.public_id)},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    _confirm(editor, response["Location"])
    upload.refresh_from_db()
    assert upload.status == UploadStatus.WITHDRAWN
    replacement = SurveyUpload.objects.get(status=UploadStatus.CONFIRMED)
    assert Response.objects.filter(upload=replacement).count() == 6
    assert Response.objects.count() == 9

    editor.post(_base(published) + f"upload/{replacement.public_id}/", {"action": "withdraw"})
    assert Response.objects.count() == 3
    assert list(
        AuditEntry.objects.filter(action__startswith="survey.upload")
        .order_by("id")
        .values_list("action", flat=True)
    ) == [
        "survey.upload_check",
        "survey.upload_confirm",
        "survey.upload_check",
        "survey.upload_withdraw",
        "survey.upload_confirm",
        "survey.upload_withdraw",
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "ファイルが空です。"),
        ("header.csv", b"age_band,gender\r\n", "c01_1列：必要な列がありません。"),
        ("bad.xlsx", b"PK\x03\x04broken", "Excel ファイル（.xlsx）として読めません。"),
    ],
)
def test_broken_upload_is_explained_and_nothing_is_stored(
    editor: Client, published: SurveyVersion, name: str, content: bytes, message: str
) -> None:
    response = editor.post(
        _base(published) + "upload/", {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert (
        "何も取り込んでいません" in response.content.decode()
        or "ファイル" in response.content.decode()
    )
    assert not SurveyUpload.objects.exists()
    assert not Response.objects.exists()


def test_one_bad_cell_in_many_rows_stores_nothing(editor: Client, published: SurveyVersion) -> None:
    _submit(published, 4)
    lines = _export(editor, published).decode("utf-8-sig").splitlines()
    cells = lines[3].split(",")
    cells[5] = "6"  # c01_1 out of range on row 4
    lines[3] = ",".join(cells)
    content = "\r\n".join(lines).encode("cp932")
    response = editor.post(
        _base(published) + "upload/", {"file": SimpleUploadedFile("p.csv", content)}
    )
    assert response.status_code == 400
    assert "4行目・c01_1列：「6」：1から5までの数で答えてください。" in response.content.decode()
    assert not SurveyUpload.objects.exists()
    assert Response.objects.count() == 4


@pytest.fixture
def english_ui(editor: Client) -> Iterator[Client]:
    editor.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    yield editor
    # A request in English leaves English active in this thread; later tests expect Japanese.
    translation.deactivate()


def test_upload_errors_are_in_english_for_an_english_ui(
    english_ui: Client, published: SurveyVersion
) -> None:
    editor = english_ui
    _submit(published, 2)
    lines = _export(editor, published).decode("utf-8-sig").splitlines()
    cells = lines[2].split(",")
    cells[5] = "6"  # c01_1 out of range on row 3
    lines[2] = ",".join(cells)
    response = editor.post(
        _base(published) + "upload/",
        {"file": SimpleUploadedFile("p.csv", "\r\n".join(lines).encode())},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Row 3, column c01_1: “6”: Please answer with a number from 1 to 5." in html
    assert "行目" not in html
    assert not SurveyUpload.objects.exists()


def test_100_mb_upload_is_refused_before_it_is_read(
    editor: Client, published: SurveyVersion
) -> None:
    claimed = 100 * 1024 * 1024
    response = editor.post(
        _base(published) + "upload/",
        {"file": SimpleUploadedFile("big.csv", b"age_band\r\n")},
        CONTENT_LENGTH=str(claimed),
    )
    assert response.status_code == 413
    assert "ファイルが大きすぎます" in response.content.decode()
    assert not SurveyUpload.objects.exists()


def test_confirm_and_withdraw_queue_the_recompute_and_link_its_status_page(
    editor: Client, published: SurveyVersion, monkeypatch: pytest.MonkeyPatch
) -> None:
    _submit(published, 2)
    exported = _export(editor, published)
    response = editor.post(
        _base(published) + "upload/", {"file": SimpleUploadedFile("a.csv", exported)}
    )
    Job.objects.all().delete()
    monkeypatch.setattr(Conf, "SYNC", False)  # through the real queue table, as in production
    started = editor.post(response["Location"], {"action": "confirm"})
    assert Job.objects.get().kind == "surveys.upload_import"
    assert Job.objects.get().status == JobStatus.QUEUED
    # confirming again while it waits does not queue a second import
    assert (
        editor.post(response["Location"], {"action": "confirm"})["Location"] == started["Location"]
    )
    assert OrmQ.objects.count() == 1
    OrmQ.objects.all().delete()
    job_run(job_id=Job.objects.get().pk)  # what the worker does
    page = editor.get(started["Location"])
    job = Job.objects.get(kind="indicators.recompute")
    assert job.params == {"fiscal_year": 2025, "survey_type": "individual"}
    assert job.status == JobStatus.QUEUED
    assert job.municipality == published.survey.municipality
    assert OrmQ.objects.count() == 1  # committed together with the imported responses
    assert "2件の回答を取り込みました。指標の再計算を登録しました。" in page.content.decode()
    assert editor.get(f"/jobs/{job.public_id}/").status_code == 200

    # the recompute still waits: withdrawing reuses it instead of queueing a second one
    page = editor.post(response["Location"], {"action": "withdraw"}, follow=True)
    assert Job.objects.get(kind="indicators.recompute") == job
    assert f'href="/jobs/{job.public_id}/"' in page.content.decode()
    assert OrmQ.objects.count() == 1

    # once it has started, a change queues a new recompute
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    page = editor.post(_base(published) + "status/", {"action": "close"}, follow=True)
    closed = Job.objects.filter(kind="indicators.recompute").exclude(pk=job.pk).get()
    assert closed.params == job.params
    assert f'href="/jobs/{closed.public_id}/"' in page.content.decode()
    assert OrmQ.objects.count() == 2


def test_recompute_job_computes_the_fiscal_year_with_the_imported_responses(
    editor: Client, published: SurveyVersion
) -> None:
    call_command("load_catalog", stdout=io.StringIO())
    _submit(published, 2)
    exported = _export(editor, published)
    response = editor.post(
        _base(published) + "upload/", {"file": SimpleUploadedFile("a.csv", exported)}
    )
    _confirm(editor, response["Location"])
    job = Job.objects.get(kind="indicators.recompute")
    assert job.status == JobStatus.SUCCEEDED, job.message
    run = score_run_current(fiscal_year=2025, survey_type="individual")
    assert run is not None
    assert run.response_count == 4


def test_refused_confirm_queues_no_recompute(editor: Client, published: SurveyVersion) -> None:
    _submit(published, 1)
    exported = _export(editor, published)
    response = editor.post(
        _base(published) + "upload/", {"file": SimpleUploadedFile("a.csv", exported)}
    )
    editor.post(response["Location"], {"action": "cancel"})
    page = editor.post(response["Location"], {"action": "confirm"}, follow=True)
    assert "このファイルはすでに処理されています。" in page.content.decode()
    assert not Job.objects.exclude(kind="surveys.export").exists()


def test_an_import_of_a_withdrawn_file_fails_in_each_readers_language(
    editor: Client, kainan: Municipality, published: SurveyVersion
) -> None:
    _submit(published, 1)
    exported = _export(editor, published)
    response = editor.post(
        _base(published) + "upload/", {"file": SimpleUploadedFile("a.csv", exported)}
    )
    editor.post(response["Location"], {"action": "cancel"})
    upload = SurveyUpload.objects.get()
    user = auth.get_user(editor)
    assert isinstance(user, User)
    job = job_enqueue(
        kind="surveys.upload_import",
        params={"survey": str(published.survey.public_id), "upload": str(upload.public_id)},
        actor=user,
        municipality=kainan,
    )
    assert job.status == JobStatus.FAILED
    editor.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = editor.get(f"/jobs/{job.public_id}/").content.decode()
    translation.deactivate()  # later tests expect Japanese in this thread
    assert "This file has already been processed." in english
    assert "このファイルはすでに処理されています。" in job.message


def test_import_reports_rows_and_a_failed_import_stores_nothing(
    editor: Client, kainan: Municipality, published: SurveyVersion, monkeypatch: pytest.MonkeyPatch
) -> None:
    _submit(published, 5)
    exported = _export(editor, published)
    response = editor.post(
        _base(published) + "upload/", {"file": SimpleUploadedFile("a.csv", exported)}
    )
    upload = SurveyUpload.objects.get()
    reported: list[tuple[int, int | None]] = []

    def progress(job: Job, done: int, total: int | None) -> None:
        reported.append((done, total))
        job_progress(job, done, total)

    monkeypatch.setattr(survey_jobs, "job_progress", progress)
    monkeypatch.setattr(datafile, "PROGRESS_EVERY", 2)
    monkeypatch.setattr(services, "IMPORT_BATCH", 2)

    # the write fails after the responses were inserted: everything is rolled back
    def broken(**_kwargs: object) -> Job:
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_recompute_enqueue", broken)
    job = _confirm(editor, response["Location"])
    # each row counts half when checked (rows 0, 2, 4 of 5) and half when written (2, 4, 5)
    assert reported == [(0, 5), (1, 5), (2, 5), (2, 5), (3, 5), (4, 5), (5, 5)]
    assert job.status == JobStatus.FAILED
    assert f"運営者にジョブ番号 {job.public_id} を伝えてください。" in job.message
    assert Response.objects.count() == 5
    upload.refresh_from_db()
    assert upload.status == UploadStatus.PENDING
    assert upload.content is not None

    # a bad cell (the file changed since it was checked) is named by row and column
    lines = bytes(upload.content).decode("utf-8-sig").splitlines()
    cells = lines[3].split(",")
    cells[5] = "6"
    lines[3] = ",".join(cells)
    SurveyUpload.objects.filter(pk=upload.pk).update(content="\r\n".join(lines).encode())
    job = _confirm(editor, response["Location"])
    assert job.status == JobStatus.FAILED
    assert job.message == (
        "何も取り込んでいません。\n4行目・c01_1列：「6」：1から5までの数で答えてください。"
    )
    page = editor.get(f"/jobs/{job.public_id}/").content.decode()
    assert "何も取り込んでいません。<br>4行目・c01_1列" in page
    assert job.result_url == _base(published) + "upload/"  # put it right and upload again
    assert Response.objects.count() == 5
    upload.refresh_from_db()
    assert upload.status == UploadStatus.PENDING

    foreign = Client()
    login_staff(
        foreign, make_staff(municipality=Municipality.objects.get(code="302015"), role=Role.ADMIN)
    )
    assert foreign.get(f"/jobs/{job.public_id}/").status_code == 404


def test_a_failed_import_speaks_each_readers_language(
    english_ui: Client, published: SurveyVersion, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor = english_ui  # started by someone reading English
    _submit(published, 3)
    exported = _export(editor, published)
    response = editor.post(
        _base(published) + "upload/", {"file": SimpleUploadedFile("a.csv", exported)}
    )
    upload = SurveyUpload.objects.get()
    assert upload.content is not None
    lines = bytes(upload.content).decode("utf-8-sig").splitlines()
    for row in (2, 3):  # the file changed since it was checked: c01_1 out of range twice
        cells = lines[row].split(",")
        cells[5] = "6"
        lines[row] = ",".join(cells)
    SurveyUpload.objects.filter(pk=upload.pk).update(content="\r\n".join(lines).encode())
    monkeypatch.setattr(survey_jobs, "IMPORT_ERRORS_SHOWN", 1)
    job = _confirm(editor, response["Location"])
    assert job.status == JobStatus.FAILED
    pages = {}
    for language in ("ja", "en"):
        editor.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        pages[language] = editor.get(f"/jobs/{job.public_id}/").content.decode()
    assert (
        "何も取り込んでいません。<br>3行目・c01_1列：「6」：1から5までの数で答えてください。"
        "<br>（ほか1件）"
    ) in pages["ja"]
    assert (
        "Nothing was imported.<br>Row 3, column c01_1: “6”: Please answer with a number"
        " from 1 to 5.<br>(and 1 more)"
    ) in pages["en"]
    assert "行目" not in pages["en"]
    upload_page = _base(published) + "upload/"
    assert f'<a href="{upload_page}">アンケート結果ファイルのアップロードへ戻る</a>' in pages["ja"]
    assert f'<a href="{upload_page}">Back to uploading a survey results file</a>' in pages["en"]


@pytest.mark.parametrize("kind", ["surveys.export", "surveys.invitation_letters"])
def test_a_waiting_survey_job_links_back_to_its_survey(
    editor: Client, kainan: Municipality, published: SurveyVersion, kind: str
) -> None:
    user = auth.get_user(editor)
    assert isinstance(user, User)
    job = Job.objects.create(
        kind=kind,
        params={"survey": str(published.survey.public_id), "format": "csv"},
        actor=user,
        municipality=kainan,
    )
    page = editor.get(f"/jobs/{job.public_id}/").content.decode()
    assert job.status == JobStatus.QUEUED
    assert f'<a href="{_base(published)}">調査のページへ戻る</a>' in page


def test_draft_upload_page_says_publish_first_and_shows_no_file_form(
    editor: Client, kainan: Municipality
) -> None:
    survey = Survey.objects.create(
        survey_type=SurveyType.INDIVIDUAL,
        municipality=kainan,
        fiscal_year=2025,
        catalog_version="fy2023",
        title="下書きの調査",
    )
    base = f"/surveys/302023/{survey.public_id}/"
    page = editor.get(base + "upload/").content.decode()
    assert "調査を公開したあとにアップロードできます" in page
    assert 'type="file"' not in page
    assert "format=dictionary" not in page  # no version yet, so no data dictionary
    detail = editor.get(base).content.decode()
    assert "結果ファイルのアップロードは、調査を公開したあとにできます" in detail
    refused = editor.post(base + "upload/", {"file": SimpleUploadedFile("a.csv", b"x")})
    assert refused.status_code == 409
    assert 'type="file"' not in refused.content.decode()
    assert not SurveyUpload.objects.exists()


def test_published_upload_page_has_the_file_form(editor: Client, published: SurveyVersion) -> None:
    page = editor.get(_base(published) + "upload/").content.decode()
    assert 'type="file"' in page
    assert "調査を公開したあとにアップロードできます" not in page


def test_surveys_past_their_end_date_are_closed_nightly_and_recomputed(
    published: SurveyVersion, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Conf, "SYNC", False)  # the recompute waits in the queue
    survey = published.survey
    Survey.objects.filter(pk=survey.pk).update(closes_on=datetime.date(2026, 3, 31))
    assert surveys_close_ended(today=datetime.date(2026, 3, 31)) == []  # its last day
    assert [s.pk for s, _ in surveys_close_ended(today=datetime.date(2026, 4, 1))] == [survey.pk]
    assert surveys_close_ended(today=datetime.date(2026, 4, 2)) == []  # nothing left
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.CLOSED
    job = Job.objects.get()
    assert job.kind == "indicators.recompute"
    assert job.params == {"fiscal_year": 2025, "survey_type": "individual"}
    assert job.actor is None
    assert AuditEntry.objects.get(action="survey.close").actor is None

    # the nightly command closes what ended before today (in Japan)
    Survey.objects.filter(pk=survey.pk).update(
        status=SurveyStatus.OPEN, closes_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    out = io.StringIO()
    call_command("close_ended_surveys", stdout=out)
    assert out.getvalue().splitlines() == [
        f"closed {survey.public_id} closes_on={timezone.localdate() - datetime.timedelta(days=1)} "
        f"fiscal_year=2025 recompute={job.public_id}",  # the waiting recompute is reused
        "closed=1",
        "verified_subjects_deleted=0",
    ]
