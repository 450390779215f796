"""Query counts of the dashboard and API list views stay bounded (no query per category)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

FIVE = {
    "m": "302015",
    "type": "national",
    "fy": "2026",
    "c": ["302023", "302031", "302082", "302040"],
}


@pytest.fixture(autouse=True)
def _results(official_results: None) -> None:
    return None


def test_dashboard_with_five_municipalities(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    client.get(reverse("dashboard:index"), FIVE)  # warm caches shared by every request
    with django_assert_max_num_queries(30):
        assert client.get(reverse("dashboard:index"), FIVE).status_code == 200


def test_api_scores_page(client: Client, django_assert_max_num_queries: Any) -> None:
    # The indicators selector reads each municipality with a few queries (cell, catalog
    # labels, profile): the page's cost grows with its municipalities, never with categories.
    params = {"fiscal_year": "2026", "survey_type": "national"}
    with django_assert_max_num_queries(2 + 5 * 4):
        assert client.get("/api/v1/scores", params).status_code == 200


def test_api_municipalities_list(client: Client, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(3):
        assert client.get("/api/v1/municipalities").status_code == 200
