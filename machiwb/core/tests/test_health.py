from unittest import mock

import pytest
from django.db import DatabaseError
from django.test import Client

pytestmark = pytest.mark.django_db


def test_healthz_answers_200_when_database_answers(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_when_database_fails(client: Client) -> None:
    with mock.patch("machiwb.core.views.connection.cursor", side_effect=DatabaseError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_home_page_counts_regions(client: Client, regions_loaded: None) -> None:
    response = client.get("/")
    assert response.status_code == 200
    summary = response.context["summary"]
    assert (summary.prefectures, summary.municipalities, summary.wards) == (47, 1741, 171)


def test_home_page_search_leads_to_the_dashboard(client: Client, regions_loaded: None) -> None:
    body = client.get("/").content.decode()
    assert 'action="/dashboard/"' in body
    assert 'name="q"' in body
    found = client.get("/dashboard/", {"q": "かいなん"}).content.decode()
    assert "海南市" in found
