"""The dashboard in English names categories, items, KPIs and questions in English; its CSV
files are open data and are the same bytes whichever language the page is shown in."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from machiwb.indicators.models import Category, OverallQuestion

pytestmark = pytest.mark.django_db

WAKAYAMA = {"m": "302015", "type": "national", "fy": "2026"}
COMPARED = {**WAKAYAMA, "c": "302023"}
KAINAN_SURVEY = {"m": "302023", "type": "individual", "fy": "2025"}


@pytest.fixture(autouse=True)
def _results(computed_results: None) -> None:
    return None


def _client(language: str) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _fy2023_names() -> list[tuple[str, str]]:
    return list(Category.objects.filter(catalog__code="fy2023").values_list("name_ja", "name_en"))


def test_english_dashboard_names_categories_and_questions_in_english() -> None:
    body = _client("en").get(reverse("dashboard:index"), COMPARED).content.decode()
    names = _fy2023_names()
    assert len(names) == 24
    for name_ja, name_en in names:
        assert name_en in body
        assert name_ja not in body
    for label_ja, label_en in OverallQuestion.objects.filter(catalog__code="fy2023").values_list(
        "label_ja", "label_en"
    ):
        assert label_en in body
        assert f"{label_ja}<" not in body
    assert "Wakayama</option>" in body  # prefectures have English names, municipalities not
    assert "和歌山県 和歌山市" in body


def test_japanese_dashboard_keeps_japanese_names() -> None:
    body = _client("ja").get(reverse("dashboard:index"), WAKAYAMA).content.decode()
    for name_ja, name_en in _fy2023_names():
        assert name_ja in body
        assert name_en not in body


def test_english_means_table_without_deviation_scores() -> None:
    body = _client("en").get(reverse("dashboard:index"), KAINAN_SURVEY).content.decode()
    assert '<th scope="row">Medical care and welfare</th><td>Life Environment</td>' in body
    assert "医療・福祉" not in body


def test_english_category_view_explains_in_english() -> None:
    response = _client("en").get(reverse("dashboard:category", args=["c01"]), WAKAYAMA)
    body = response.content.decode()
    assert "<h1>Medical care and welfare<" in body
    assert "Medical facilities in the area where I live are well provided." in body
    assert "Population within walking distance of medical facilities (%)" in body
    for name_ja, _name_en in _fy2023_names():
        assert name_ja not in body
    assert "医療機関が充実" not in body
    assert "医療施設徒歩圏人口カバー率" not in body


def test_english_category_view_gives_kpi_units_and_sources_in_english() -> None:
    url = reverse("dashboard:category", args=["c01"])
    body = _client("en").get(url, WAKAYAMA).content.decode()
    assert "National Health Insurance medical costs per person (thousand yen/person)" in body
    assert "千円/人" not in body
    assert "Annual Report on National Health Insurance (Ministry of Health" in body
    assert "都市モニタリングシート（国土交通省）" in body  # no official English name: kept
    c17 = _client("en").get(reverse("dashboard:category", args=["c17"]), WAKAYAMA)
    body = c17.content.decode()
    assert "Share of married people (%)" in body
    assert "2020 Population Census (Statistics Bureau" in body
    assert "国勢調査" not in body
    c23 = _client("en").get(reverse("dashboard:category", args=["c23"]), WAKAYAMA)
    assert ">2024 edition</td>" in c23.content.decode()
    assert "年版" not in c23.content.decode()


def test_japanese_category_view_keeps_japanese_units_and_sources() -> None:
    url = reverse("dashboard:category", args=["c01"])
    body = _client("ja").get(url, WAKAYAMA).content.decode()
    assert "人口あたり国民健康保険医療費（千円/人）" in body
    assert "thousand yen" not in body
    c17 = _client("ja").get(reverse("dashboard:category", args=["c17"]), WAKAYAMA)
    body = c17.content.decode()
    assert "令和2年国勢調査（総務省統計局）" in body
    assert "Population Census" not in body


def _pdf_text(client: Client, name: str, params: dict[str, str]) -> str:
    response = client.get(reverse("dashboard:chart", args=[name, "pdf"]), params)
    assert response.status_code == 200
    return PdfReader(io.BytesIO(response.content)).pages[0].extract_text()


def test_english_charts_carry_english_labels_and_japanese_region_names() -> None:
    radar = _pdf_text(_client("en"), "radar", WAKAYAMA)
    for label in ("Subjective (survey)", "Objective (statistics)", "Housing", "Townscape"):
        assert label in radar
    assert "医療・福祉" not in radar
    assert "和歌山市" in radar  # the embedded font still draws Japanese
    items = _pdf_text(_client("en"), "items_c01", WAKAYAMA)
    assert "Medical care and welfare" in items
    assert "医療機関が充実" not in items
    overall = _pdf_text(_client("en"), "overall_q1", WAKAYAMA)
    assert "Happiness" in overall
    png = _client("en").get(reverse("dashboard:chart", args=["radar", "png"]), WAKAYAMA)
    assert png.status_code == 200
    assert (
        png.content
        != _client("ja").get(reverse("dashboard:chart", args=["radar", "png"]), WAKAYAMA).content
    )


def _chart_names(params: dict[str, str]) -> list[str]:
    page = _client("ja").get(reverse("dashboard:index"), params).context["page"]
    return [*page.figures, "items_c01"]


@pytest.mark.parametrize("params", [COMPARED, KAINAN_SURVEY], ids=["compare", "individual"])
def test_csv_downloads_are_the_same_bytes_in_every_language(params: dict[str, str]) -> None:
    names = _chart_names(params)
    assert "radar" in names or "profile" in names
    for name in names:
        url = reverse("dashboard:chart", args=[name, "csv"])
        ja = _client("ja").get(url, params)
        en = _client("en").get(url, params)
        assert ja.status_code == en.status_code == 200, name
        assert ja.content == en.content, name
        assert ja["ETag"] == en["ETag"], name


def test_chart_csv_has_codes_and_both_names() -> None:
    url = reverse("dashboard:chart", args=["compare_subjective", "csv"])
    lines = _client("en").get(url, COMPARED).content.decode("utf-8-sig").splitlines()
    assert lines[0] == (
        "lg_code,municipality_name,fiscal_year,survey_type,"
        "category_code,category_name_ja,category_name_en,score"
    )
    assert lines[1].startswith(
        "302015,和歌山市,2026,national,c01,医療・福祉,Medical care and welfare,"
    )
    assert lines[25].startswith("302023,海南市,2026,national,c01,")
    profile = reverse("dashboard:chart", args=["profile", "csv"])
    rows = _client("en").get(profile, KAINAN_SURVEY).content.decode("utf-8-sig").splitlines()
    assert rows[0].endswith(
        "age_band,age_label_ja,age_label_en,gender,gender_label_ja,gender_label_en,n"
    )
    assert ",1,10代,Teens,1,男性,Male," in rows[1]
