"""Operator upload screens: the same validation as the commands, shown on the page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from machiwb.accounts.models import Role
from machiwb.accounts.testing import login_staff, make_operator, make_staff
from machiwb.indicators.jobs import recompute
from machiwb.indicators.models import KpiValue, ScoreRun, SurveyItem
from machiwb.jobs.models import Job
from machiwb.jobs.registry import JobError

pytestmark = pytest.mark.usefixtures("regions_loaded", "catalog_loaded")
OFFICIAL = Path(__file__).resolve().parents[1] / "data" / "official"


@pytest.fixture
def operator_client(client: Client) -> Client:
    login_staff(client, make_operator())
    return client


def test_kpi_upload_lists_every_problem_and_imports_nothing(operator_client: Client) -> None:
    data = b"municipality_code,kpi_code,value\n302015,vacant_house_rate,lots\n999999,nope,1\n"
    response = operator_client.post(
        "/admin/indicators/kpiimport/upload/",
        {"fiscal_year": 2026, "file": SimpleUploadedFile("kpi.csv", data)},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "row 2, value: &#x27;lots&#x27; is not a number" in page
    assert "row 3, municipality_code: unknown code &#x27;999999&#x27;" in page
    assert "何も取り込んでいません" in page
    assert KpiValue.objects.count() == 0


def test_kpi_upload_imports_a_good_file(operator_client: Client) -> None:
    data = "municipality_code,kpi_code,value\n302015,vacant_house_rate,13.8\n".encode("cp932")
    response = operator_client.post(
        "/admin/indicators/kpiimport/upload/",
        {"fiscal_year": 2026, "file": SimpleUploadedFile("kpi.csv", data)},
    )
    assert response.status_code == 302
    assert KpiValue.objects.get().value == 13.8
    jobs = Job.objects.filter(kind="indicators.recompute").order_by("pk")
    assert [j.params for j in jobs] == [
        {"fiscal_year": 2026, "survey_type": "national"},
        {"fiscal_year": 2026, "survey_type": "individual"},
    ]
    listing = operator_client.get("/admin/indicators/kpivalue/?fiscal_year=2026")
    assert "vacant_house_rate" in listing.content.decode()
    assert "kpi.csv" in listing.content.decode()  # the file each value came from
    outcome = recompute(jobs[0], jobs[0].params)
    assert "2026年度の指標を再計算しました" in outcome.message
    with pytest.raises(JobError):
        recompute(jobs[0], {"fiscal_year": "x"})


def test_catalog_upload_reports_schema_problems(operator_client: Client) -> None:
    path = Path(__file__).resolve().parents[1] / "catalog" / "fy2023.json"
    catalog = json.loads(path.read_text(encoding="utf-8"))
    catalog["items"][0]["reverse"] = "no"
    upload = SimpleUploadedFile("fy2023.json", json.dumps(catalog, ensure_ascii=False).encode())
    response = operator_client.post("/admin/indicators/catalogversion/upload/", {"file": upload})
    assert "$.items[0].reverse: expected bool" in response.content.decode()
    assert SurveyItem.objects.filter(catalog__code="fy2023", code="c01_1").get().reverse is False


def test_official_results_upload(operator_client: Client) -> None:
    uploads = [SimpleUploadedFile(p.name, p.read_bytes()) for p in sorted(OFFICIAL.glob("*"))]
    response = operator_client.post("/admin/indicators/scorerun/upload/", {"result_files": uploads})
    assert response.status_code == 302
    assert ScoreRun.objects.get().municipality_count == 4
    listing = operator_client.get(response["Location"])
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "mported=12 mismatches=0" in page  # the admin capitalises the message
    assert "/admin/indicators/kpivalue/" in page  # listed in the navigation


def test_municipal_staff_cannot_open_the_upload_screens(client: Client) -> None:
    login_staff(client, make_staff(municipality="302015", role=Role.ADMIN))
    response = client.get("/admin/indicators/kpiimport/upload/")
    assert response.status_code in {302, 403}
    assert KpiValue.objects.count() == 0
