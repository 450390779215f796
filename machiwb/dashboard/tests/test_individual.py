"""A 個別調査 from the surveys demo: generated responses are labelled, and results without
偏差値 (no reference set) are shown as 実数, never as empty charts."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from machiwb.surveys.demo import DEMO_SURVEY_ID
from machiwb.surveys.models import Survey

pytestmark = pytest.mark.django_db

DEMO_LABEL = "デモ用に生成した回答から算出した値です（実在の調査結果ではありません）"
INDIVIDUAL = "?pref=30&m=302023&type=individual&fy=2025"
NATIONAL = "?m=302015&type=national&fy=2026"


def _page(client: Client, query: str) -> str:
    response = client.get(reverse("dashboard:index") + query)
    assert response.status_code == 200
    return response.content.decode()


def test_results_from_generated_responses_are_labelled(
    client: Client, computed_results: None
) -> None:
    assert DEMO_LABEL in _page(client, INDIVIDUAL)
    assert DEMO_LABEL not in _page(client, NATIONAL)


def test_a_real_survey_is_not_labelled_as_generated(client: Client, computed_results: None) -> None:
    Survey.objects.filter(public_id=DEMO_SURVEY_ID).update(title="海南市 暮らしと幸福度アンケート")
    assert DEMO_LABEL not in _page(client, INDIVIDUAL)


def test_results_without_deviation_scores_show_means_not_empty_charts(
    client: Client, computed_results: None
) -> None:
    body = _page(client, INDIVIDUAL + "&c=302015")
    assert "値なし" not in body
    assert 'id="figure-radar"' not in body
    assert 'id="figure-compare_subjective"' not in body
    assert "個別調査の結果には基準集団がないため、偏差値にできません" in body
    assert "実数（1〜5）" in body
    assert "<td>生活環境</td>" in body
    assert re.search(r'<td class="num">[1-5]\.\d\d</td>', body)
    chart = client.get(reverse("dashboard:chart", args=["radar", "png"]) + INDIVIDUAL)
    assert chart.status_code == 404


def test_results_with_deviation_scores_keep_the_radar(
    client: Client, official_results: None
) -> None:
    body = _page(client, NATIONAL)
    assert 'id="figure-radar"' in body
    assert "偏差値は算出されていません" not in body
