"""The public dashboard: no login, selection from the URL, partial pages for htmx."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _regions(regions_loaded: None) -> None:
    return None


def test_dashboard_is_public_and_first_in_the_navigation(client: Client) -> None:
    response = client.get(reverse("dashboard:index"))
    assert response.status_code == 200
    body = response.content.decode()
    nav = body[body.index('class="site-nav"') :]
    assert nav.index(reverse("dashboard:index")) < nav.index(reverse("regions:index"))
    assert 'aria-current="page">ダッシュボード' in body


def test_choosing_a_prefecture_lists_its_municipalities(client: Client) -> None:
    response = client.get(reverse("dashboard:index"), {"pref": "30"})
    choices = response.context["page"].municipalities
    assert choices[0].label == "和歌山市"
    assert [c.value for c in choices] == sorted(c.value for c in choices)


def test_municipality_sets_its_prefecture(client: Client) -> None:
    response = client.get(reverse("dashboard:index"), {"m": "302023"})
    page = response.context["page"]
    assert page.municipality.name == "海南市"
    assert page.selection.prefecture == "30"


@pytest.mark.parametrize("query", ["紀の川", "きのかわ", "キノカワ"])
def test_type_ahead_by_kanji_or_kana_keeps_the_selection(client: Client, query: str) -> None:
    response = client.get(
        reverse("dashboard:suggestions"), {"q": query, "type": "national", "c": "302023"}
    )
    body = response.content.decode()
    assert "紀の川市" in body
    assert "m=302082" in body
    assert "c=302023" in body
    assert "<html" not in body


def test_htmx_gets_the_main_area_only(client: Client) -> None:
    response = client.get(reverse("dashboard:index"), {"m": "302015"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith("<title>和歌山市のダッシュボード | ")
    assert '<div id="dashboard-main"' in body
    assert "<html" not in body
    assert "HX-Request" in response["Vary"]


def test_unknown_codes_are_explained_not_failed(client: Client) -> None:
    response = client.get(reverse("dashboard:index"), {"m": "999999", "c": "302023"})
    assert response.status_code == 200
    assert "「999999」の市区町村は見つかりませんでした" in response.content.decode()
