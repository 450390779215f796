"""Operator upload screens: the same validation as the commands, shown on the page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.http.response import HttpResponseBase
from django.test import Client
from django.utils import translation

from machiwb.accounts.models import Role
from machiwb.accounts.testing import login_staff, make_operator, make_staff
from machiwb.indicators import jobs as indicator_jobs
from machiwb.indicators.jobs import recompute
from machiwb.indicators.models import KpiImport, KpiValue, ScoreRun, SurveyItem
from machiwb.jobs.models import Job, JobFile, JobStatus
from machiwb.jobs.registry import JobError
from machiwb.jobs.services import job_enqueue

pytestmark = pytest.mark.usefixtures("regions_loaded", "catalog_loaded")
OFFICIAL = Path(__file__).resolve().parents[1] / "data" / "official"


@pytest.fixture
def operator_client(client: Client) -> Client:
    login_staff(client, make_operator())
    return client


def _job_of(response: HttpResponseBase, kind: str) -> Job:
    """The upload screen hands the file to a job (run inside the call in tests) and shows it."""
    assert response.status_code == 302
    job = Job.objects.filter(kind=kind).latest("created_at")
    assert response["Location"] == f"/jobs/{job.public_id}/"
    assert not JobFile.objects.filter(job=job).exists()  # the uploaded file went with the job
    return job


def test_kpi_upload_lists_every_problem_and_imports_nothing(operator_client: Client) -> None:
    data = b"municipality_code,kpi_code,value\n302015,vacant_house_rate,lots\n999999,nope,1\n"
    response = operator_client.post(
        "/admin/indicators/kpiimport/upload/",
        {"fiscal_year": 2026, "file": SimpleUploadedFile("kpi.csv", data)},
    )
    job = _job_of(response, "indicators.kpi_import")
    assert job.status == JobStatus.FAILED
    assert job.message.startswith(
        "3件の問題があるため、何も取り込んでいません。\n2行目・value列：「lots」は数値ではありません。"
    )
    page = operator_client.get(response["Location"]).content.decode()
    assert "2行目・value列：「lots」は数値ではありません。" in page
    assert "3行目・municipality_code列：「999999」という団体コードはありません。" in page
    assert job.result_url == "/admin/indicators/kpiimport/upload/"
    back = '<a href="/admin/indicators/kpiimport/upload/">客観指標データの取込画面へ戻る</a>'
    assert back in page
    operator_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = operator_client.get(response["Location"]).content.decode()
    translation.deactivate()  # later tests expect Japanese in this thread
    assert (
        "Nothing was imported because of 3 problem(s).<br>"
        "Row 2, column value: &#x27;lots&#x27; is not a number.<br>"
        "Row 3, column municipality_code: Unknown municipality code &#x27;999999&#x27;."
    ) in english
    assert (
        '<a href="/admin/indicators/kpiimport/upload/">Back to importing KPI values</a>' in english
    )
    assert KpiValue.objects.count() == 0
    assert not KpiImport.objects.exists()
    assert not Job.objects.filter(kind="indicators.recompute").exists()


def test_kpi_upload_imports_a_good_file(operator_client: Client) -> None:
    data = "municipality_code,kpi_code,value\n302015,vacant_house_rate,13.8\n".encode("cp932")
    response = operator_client.post(
        "/admin/indicators/kpiimport/upload/",
        {"fiscal_year": 2026, "file": SimpleUploadedFile("kpi.csv", data)},
    )
    job = _job_of(response, "indicators.kpi_import")
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert (job.done, job.total) == (1, 1)
    assert job.message == "kpi.csv: 2026年度の1行を取り込みました。指標の再計算を登録しました。"
    assert job.result_url == "/admin/indicators/kpivalue/?fiscal_year=2026"
    assert KpiValue.objects.get().value == 13.8
    jobs = Job.objects.filter(kind="indicators.recompute").order_by("pk")
    assert [j.params for j in jobs] == [
        {"fiscal_year": 2026, "survey_type": "national"},
        {"fiscal_year": 2026, "survey_type": "individual"},
    ]
    listing = operator_client.get(job.result_url)
    assert "vacant_house_rate" in listing.content.decode()
    assert "kpi.csv" in listing.content.decode()  # the file each value came from
    outcome = recompute(jobs[0], jobs[0].params)
    assert "2026年度の指標を再計算しました" in str(outcome.message)
    with pytest.raises(JobError):
        recompute(jobs[0], {"fiscal_year": "x"})


def test_a_recompute_without_a_catalog_says_so_in_the_readers_language() -> None:
    job = job_enqueue(
        kind="indicators.recompute",
        params={"fiscal_year": 2000, "survey_type": "national"},
        actor=None,
    )
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message == "2000年度に使える指標カタログがありません。"
    with translation.override("en"):
        assert job.message == "No indicator catalog covers fiscal year 2000."
    with pytest.raises(CommandError, match="^2000年度に使える指標カタログがありません。$"):
        call_command("compute_indicators", "--fiscal-year", "2000")


def test_kpi_import_that_fails_while_writing_stores_nothing(
    operator_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**_kwargs: object) -> Job:
        raise RuntimeError("queue table is gone")

    monkeypatch.setattr(indicator_jobs, "job_enqueue", broken)  # after the values were written
    data = b"municipality_code,kpi_code,value\n302015,vacant_house_rate,13.8\n"
    response = operator_client.post(
        "/admin/indicators/kpiimport/upload/",
        {"fiscal_year": 2026, "file": SimpleUploadedFile("kpi.csv", data)},
    )
    job = _job_of(response, "indicators.kpi_import")
    assert job.status == JobStatus.FAILED
    assert str(job.public_id) in job.message
    assert not KpiValue.objects.exists()
    assert not KpiImport.objects.exists()


def test_catalog_upload_reports_schema_problems(operator_client: Client) -> None:
    path = Path(__file__).resolve().parents[1] / "catalog" / "fy2023.json"
    catalog = json.loads(path.read_text(encoding="utf-8"))
    catalog["items"][0]["reverse"] = "no"
    data = json.dumps(catalog, ensure_ascii=False).encode()
    upload = SimpleUploadedFile("fy2023.json", data)
    response = operator_client.post("/admin/indicators/catalogversion/upload/", {"file": upload})
    assert "$.items[0].reverse：true または false が必要です" in response.content.decode()
    operator_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    upload = SimpleUploadedFile("fy2023.json", data)
    response = operator_client.post("/admin/indicators/catalogversion/upload/", {"file": upload})
    assert "$.items[0].reverse: expected true or false" in response.content.decode()
    assert SurveyItem.objects.filter(catalog__code="fy2023", code="c01_1").get().reverse is False


def test_official_results_upload(operator_client: Client) -> None:
    uploads = [SimpleUploadedFile(p.name, p.read_bytes()) for p in sorted(OFFICIAL.glob("*"))]
    response = operator_client.post("/admin/indicators/scorerun/upload/", {"result_files": uploads})
    job = _job_of(response, "indicators.official_import")
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert (job.done, job.total) == (12, 12)
    assert job.message == "12個のファイルを取り込みました（4団体）。"
    assert ScoreRun.objects.get().municipality_count == 4
    listing = operator_client.get(job.result_url)
    assert listing.status_code == 200
    assert "/admin/indicators/kpivalue/" in listing.content.decode()  # listed in the navigation


def test_official_results_upload_with_a_broken_file_imports_nothing(
    operator_client: Client,
) -> None:
    uploads = [SimpleUploadedFile(p.name, p.read_bytes()) for p in sorted(OFFICIAL.glob("*"))]
    uploads.append(SimpleUploadedFile("broken.csv", b"\x81\x00garbage"))
    subjective = (OFFICIAL / "wb2026_302015_wakayama_subjective.csv").read_text(encoding="utf-8")
    bad_value = subjective.replace("医療機関が充実,3.5,", "医療機関が充実,x3.5,")
    uploads.append(SimpleUploadedFile("bad_value.csv", bad_value.encode()))
    response = operator_client.post("/admin/indicators/scorerun/upload/", {"result_files": uploads})
    job = _job_of(response, "indicators.official_import")
    assert job.status == JobStatus.FAILED
    assert job.result_url == "/admin/indicators/scorerun/upload/"
    assert not ScoreRun.objects.exists()
    page = operator_client.get(response["Location"]).content.decode()
    assert "2件の問題があるため、何も取り込んでいません。" in page
    assert (
        "broken.csv：文字コードが UTF-8 でも Shift_JIS（CP932）でもありません"
        "（位置 0 のバイトを読めません）。"
    ) in page
    assert "bad_value.csv：2行目・実数列：「x3.5」は数値ではありません。" in page
    operator_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = operator_client.get(response["Location"]).content.decode()
    translation.deactivate()  # later tests expect Japanese in this thread
    assert "Nothing was imported because of 2 problem(s)." in english
    assert (
        "broken.csv: the file is neither UTF-8 nor Shift_JIS (CP932)"
        " (undecodable byte at offset 0)."
    ) in english
    assert "bad_value.csv: Row 2, column 実数: &#x27;x3.5&#x27; is not a number." in english


def test_official_results_upload_names_disagreeing_categories_in_the_readers_language(
    operator_client: Client,
) -> None:
    path = OFFICIAL / "wb2026_302023_kainan_subjective.csv"
    text = path.read_text(encoding="utf-8").replace(
        "主観データ,生活環境,医療・福祉,3.0,", "主観データ,生活環境,医療・福祉,3.6,"
    )
    upload = SimpleUploadedFile(path.name, text.encode())
    response = operator_client.post(
        "/admin/indicators/scorerun/upload/", {"result_files": [upload]}
    )
    job = _job_of(response, "indicators.official_import")
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.message.endswith(
        "公表値と設問の平均が0.1より離れているカテゴリーが1件あります：和歌山県 海南市 c01 実数 3.6≠3.05"
    )
    with translation.override("en"):
        assert job.message.endswith(": 和歌山県 海南市 c01 Value 3.6≠3.05")


def test_catalog_upload_of_an_unchanged_file_says_so(operator_client: Client) -> None:
    path = Path(__file__).resolve().parents[1] / "catalog" / "fy2023.json"
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    response = operator_client.post(
        "/admin/indicators/catalogversion/upload/", {"file": upload}, follow=True
    )
    assert "指標カタログ fy2023 に変更はありません。" in response.content.decode()


def test_import_jobs_are_seen_by_their_operator_only(operator_client: Client) -> None:
    data = b"municipality_code,kpi_code,value\n302015,vacant_house_rate,13.8\n"
    response = operator_client.post(
        "/admin/indicators/kpiimport/upload/",
        {"fiscal_year": 2026, "file": SimpleUploadedFile("kpi.csv", data)},
    )
    staff = Client()
    login_staff(staff, make_staff(municipality="302015", role=Role.ADMIN))
    assert staff.get(response["Location"]).status_code == 404


def test_municipal_staff_cannot_open_the_upload_screens(client: Client) -> None:
    login_staff(client, make_staff(municipality="302015", role=Role.ADMIN))
    response = client.get("/admin/indicators/kpiimport/upload/")
    assert response.status_code in {302, 403}
    assert KpiValue.objects.count() == 0
