"""The API is open data: the same request gives the same bytes whatever language the visitor
chose for the site."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import Client

from machiwb.opendata.openapi import openapi_document

pytestmark = pytest.mark.django_db

RUN = {"fiscal_year": "2026", "survey_type": "national"}
COMPUTED = {"fiscal_year": "2025", "survey_type": "individual"}


@pytest.fixture(autouse=True)
def _results(computed_results: None) -> None:
    return None


def _get(language: str, url: str, params: dict[str, str]) -> bytes:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url, params)
    assert response.status_code == 200, url
    return response.content


def test_every_dataset_is_the_same_in_japanese_and_english() -> None:
    paths = openapi_document()["paths"]
    assert "/api/v1/profile" in paths
    for path, operation in paths.items():
        names = {p["name"] for p in operation["get"]["parameters"]}
        params = (COMPUTED if path == "/api/v1/profile" else RUN) if "fiscal_year" in names else {}
        url = path.replace("{version}", "fy2023")
        for fmt in ("json", "csv") if "format" in names else ("json",):
            ja = _get("ja", url, {**params, "format": fmt})
            assert ja == _get("en", url, {**params, "format": fmt}), (url, fmt)
    profile = _get("en", "/api/v1/profile.csv", COMPUTED).decode()
    assert "男性" in profile
    assert "Male" not in profile


def test_kpi_units_and_sources_are_published_in_both_languages_as_columns() -> None:
    kpis = _get("en", "/api/v1/catalog/fy2023/kpis.csv", {}).decode().splitlines()
    assert kpis[0].endswith(",official,order,unit_en,source_en,vintage_en")
    cost = next(line for line in kpis if line.startswith("fy2023,nhi_medical_cost_per_capita,"))
    assert ",千円/人," in cost
    assert cost.endswith(
        ',thousand yen/person,"Annual Report on National Health Insurance'
        ' (Ministry of Health, Labour and Welfare)",'
    )
    walk = next(line for line in kpis if line.startswith("fy2023,park_walk_coverage,"))
    assert walk.endswith(",%,,")  # no official English name of the source, no vintage: null
    income = next(line for line in kpis if ",taxable_income_per_taxpayer," in line)
    assert income.endswith(",2024 edition")
    assert _get("ja", "/api/v1/catalog/fy2023/kpis.csv", {}).decode().splitlines() == kpis
    scores = _get("en", "/api/v1/kpi-scores", RUN)
    data = json.loads(scores)["data"]
    married = next(r for r in data if r["kpi_code"] == "married_share")
    assert (married["unit"], married["unit_en"]) == ("%", "%")
    assert married["source"] == "令和2年国勢調査（総務省統計局）"
    assert married["source_en"].startswith("2020 Population Census (")
    assert scores == _get("ja", "/api/v1/kpi-scores", RUN)
