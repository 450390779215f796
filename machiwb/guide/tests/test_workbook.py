"""分析用ワークブック: the documented sheets, catalog order, native charts, 404 for no results."""

from __future__ import annotations

import io

import pytest
from django.core.management.base import OutputWrapper
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from machiwb.guide.selectors import workbook_choices
from machiwb.guide.workbook import SHEETS

pytestmark = pytest.mark.django_db


@pytest.fixture
def official_results(regions_loaded: None) -> None:
    from machiwb.indicators.demo import load_demo_data

    load_demo_data(OutputWrapper(io.StringIO()))


def test_workbook_has_the_documented_sheets_in_catalog_order_with_charts(
    client: Client, official_results: None
) -> None:
    choice = next(iter(workbook_choices(municipality_codes=["302015"])))
    html = client.get(reverse("guide:workbook"), {"q": "和歌山"}).content.decode()
    url = reverse(
        "guide:workbook_download",
        args=[choice.municipality_code, choice.survey_type, choice.fiscal_year],
    )
    assert url in html
    response = client.get(url)
    assert response.status_code == 200
    assert "attachment;" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert tuple(book.sheetnames) == SHEETS
    categories = book["カテゴリー"]
    assert [categories.cell(row=r, column=1).value for r in range(2, 26)] == [
        f"c{n:02d}" for n in range(1, 25)
    ]
    assert categories["C2"].value == "医療・福祉"
    assert len(categories._charts) == 1
    assert len(book["全体設問"]._charts) == 1
    assert book["設問"].max_row == 47  # header + 46 items
    assert "和歌山市" in str(book["概要"]["B2"].value)


def test_no_results_is_404(client: Client, official_results: None) -> None:
    url = reverse("guide:workbook_download", args=["999999", "national", 2026])
    assert client.get(url).status_code == 404
    url = reverse("guide:workbook_download", args=["302015", "individual", 2026])
    assert client.get(url).status_code == 404


def test_search_that_finds_no_municipality_says_so(client: Client, official_results: None) -> None:
    html = client.get(reverse("guide:workbook"), {"q": "存在しない町"}).content.decode()
    assert "見つかりません" in html
