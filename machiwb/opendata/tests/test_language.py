"""The API is open data: the same request gives the same bytes whatever language the visitor
chose for the site."""

from __future__ import annotations

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
