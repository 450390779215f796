"""Invitation letters beyond one request's share are made by a background job (招待状PDF)."""

from __future__ import annotations

import datetime
import io
import re
import zipfile

import pytest
from django.test import Client
from django_q.conf import Conf
from pypdf import PdfReader

from machiwb.accounts.models import Membership, Role
from machiwb.accounts.testing import login_staff, make_staff
from machiwb.jobs.models import Job, JobStatus
from machiwb.jobs.services import job_progress, job_run
from machiwb.regions.models import Municipality
from machiwb.surveys import forms, jobs
from machiwb.surveys.models import InvitationCode, InvitationLetters, Survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two letters per request and two per part, so a batch of five takes the job path."""
    monkeypatch.setattr(forms, "MAX_LETTERS", 2)
    monkeypatch.setattr(jobs, "LETTERS_PER_PART", 2)


@pytest.fixture
def editor(kainan: Municipality) -> Client:
    client = Client()
    login_staff(client, make_staff(municipality=kainan, role=Role.EDITOR))
    return client


def _survey(client: Client) -> str:
    data = {
        "title": "海南市 暮らしのアンケート",
        "fiscal_year": "2025",
        "one_vote": "code",
    }
    assert client.post("/surveys/302023/new/", data).status_code == 302
    survey = Survey.objects.get()
    base = f"/surveys/302023/{survey.public_id}/"
    client.post(base + "status/", {"action": "publish"})
    return base


@pytest.mark.usefixtures("small_batches")
def test_large_batch_runs_as_a_job_and_only_its_starter_downloads_the_pdf(
    editor: Client, kainan: Municipality, monkeypatch: pytest.MonkeyPatch
) -> None:
    reported: list[tuple[int, int | None]] = []

    def progress(job: Job, done: int, total: int | None) -> None:
        reported.append((done, total))
        job_progress(job, done, total)

    monkeypatch.setattr(jobs, "job_progress", progress)
    base = _survey(editor)
    page = editor.post(base + "codes/", {"count": "5", "output": "pdf"}, follow=True)
    job = Job.objects.get(kind="surveys.invitation_letters")
    assert f'href="/jobs/{job.public_id}/"' in page.content.decode()
    assert job.status == JobStatus.SUCCEEDED, job.message  # jobs run inside the call in tests
    assert reported == [(2, 5), (4, 5), (5, 5)]  # in letters, after each part of two
    assert "案内状5通" in job.message
    assert job.result_url == f"{base}letters/{job.public_id}/"
    assert job.result_url in editor.get(f"/jobs/{job.public_id}/").content.decode()
    assert not any(re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}", str(v)) for v in job.params.values())

    download = editor.get(job.result_url)
    assert download["Content-Type"] == "application/pdf"
    assert download["Cache-Control"] == "no-store"
    reader = PdfReader(io.BytesIO(download.content))
    assert len(reader.pages) == 5
    printed = {
        re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", p.extract_text()).group()  # type: ignore[union-attr]
        for p in reader.pages
    }
    assert len(printed) == 5
    assert InvitationCode.objects.count() == 5

    colleague = Client()
    login_staff(colleague, make_staff(municipality=kainan, role=Role.ADMIN))
    assert colleague.get(job.result_url).status_code == 404  # the codes are for the starter only

    InvitationLetters.objects.update(
        created_at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=25)
    )
    assert editor.get(job.result_url).status_code == 404
    editor.post(base + "codes/", {"count": "3", "output": "pdf"})
    assert InvitationLetters.objects.count() == 1  # the expired file was deleted


@pytest.mark.usefixtures("small_batches")
def test_batch_beyond_one_file_is_a_zip_of_pdfs(
    editor: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs, "LETTERS_PER_FILE", 4)
    base = _survey(editor)
    editor.post(base + "codes/", {"count": "9", "output": "pdf"})
    job = Job.objects.get()
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert "4通ずつ3個のPDF" in job.message
    download = editor.get(job.result_url)
    assert download["Content-Type"] == "application/zip"
    assert download["Content-Disposition"].endswith('.zip"')
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        pages = [len(PdfReader(archive.open(name)).pages) for name in archive.namelist()]
        assert archive.namelist()[0].endswith("-01.pdf")
    assert pages == [4, 4, 1]
    assert InvitationCode.objects.count() == 9


@pytest.mark.usefixtures("small_batches")
def test_small_batch_stays_in_the_request_and_too_large_is_refused(editor: Client) -> None:
    base = _survey(editor)
    response = editor.post(base + "codes/", {"count": "2", "output": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    refused = editor.post(base + "codes/", {"count": "2001", "output": "pdf"}, follow=True)
    assert "案内状（PDF）は1回2000件までです。" in refused.content.decode()
    assert not Job.objects.exists()
    assert InvitationCode.objects.count() == 2


@pytest.mark.usefixtures("small_batches")
def test_starter_who_lost_the_editor_role_gets_a_clear_failure(
    editor: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = _survey(editor)
    monkeypatch.setattr(Conf, "SYNC", False)
    editor.post(base + "codes/", {"count": "5", "output": "pdf"})
    job = Job.objects.get()
    assert job.status == JobStatus.QUEUED
    Membership.objects.update(role=Role.VIEWER)
    job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message == "この調査の招待コードを発行する権限がありません。"
    assert not InvitationCode.objects.exists()
    assert not InvitationLetters.objects.exists()
