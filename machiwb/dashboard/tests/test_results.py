"""The dashboard with the real published results of four 和歌山県 cities."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from machiwb.charts.render import PNG_DPI

pytestmark = pytest.mark.django_db

OFFICIAL = Path(__file__).resolve().parents[2] / "indicators" / "data" / "official"
WAKAYAMA = {"m": "302015", "type": "national", "fy": "2026"}


@pytest.fixture(autouse=True)
def _results(official_results: None) -> None:
    return None


def test_fiscal_year_defaults_to_the_newest_published(client: Client) -> None:
    response = client.get(reverse("dashboard:index"), {"m": "302015"})
    page = response.context["page"]
    assert page.selection.fiscal_year == 2026
    body = response.content.decode()
    assert "2026年度（令和8年度）" in body
    assert "全国調査" in body
    assert "公表値に記載なし" in body  # the official export does not state n


def test_radar_shows_the_published_values_with_a_table_twin(client: Client) -> None:
    body = client.get(reverse("dashboard:index"), WAKAYAMA).content.decode()
    assert 'id="figure-radar"' in body
    # 医療・福祉 of 和歌山市: 主観 51.2, 客観 48.0 in the official export.
    assert re.search(r"医療・福祉</th><td class=\"num\">51.2</td><td class=\"num\">48.0</td>", body)
    assert "主観（アンケート）は24項目中" in body


def test_category_csv_is_byte_identical_to_the_official_export(client: Client) -> None:
    response = client.get(reverse("dashboard:chart", args=["radar", "csv"]), WAKAYAMA)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8-sig")
    official = (OFFICIAL / "wb2026_302015_wakayama_category.csv").read_text(encoding="utf-8")
    assert text == official


def test_png_and_pdf_downloads(client: Client) -> None:
    png = client.get(reverse("dashboard:chart", args=["radar", "png"]), WAKAYAMA)
    assert png["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(png.content)).size == (8 * PNG_DPI, 9 * PNG_DPI)
    pdf = client.get(reverse("dashboard:chart", args=["radar", "pdf"]), WAKAYAMA)
    assert pdf["Content-Disposition"].startswith("attachment;")
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "和歌山市" in text
    assert "2026年度（令和8年度）" in text


def test_chart_downloads_answer_conditional_requests(client: Client) -> None:
    url = reverse("dashboard:chart", args=["radar", "png"])
    first = client.get(url, WAKAYAMA)
    assert first["Cache-Control"] == "public, max-age=3600"
    assert client.get(url, WAKAYAMA, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_unknown_chart_is_404(client: Client) -> None:
    response = client.get(reverse("dashboard:chart", args=["nothing", "png"]), WAKAYAMA)
    assert response.status_code == 404


def test_overall_question_distribution_chart(client: Client) -> None:
    page = client.get(reverse("dashboard:index"), WAKAYAMA).context["page"]
    figure = page.figures["overall_q1"]
    shares = {row[0]: row[1] for row in figure.table.rows}
    assert shares["10"] == 6.1  # 幸福度 10 = 6.1 % in the official export


def test_comparison_keeps_the_order_the_user_chose(client: Client) -> None:
    params = {**WAKAYAMA, "c": ["302082", "302023", "302031"]}
    page = client.get(reverse("dashboard:index"), params).context["page"]
    assert [r.municipality.code for r in page.compared_results] == [
        "302015",
        "302082",
        "302023",
        "302031",
    ]
    labels = page.figures["compare_subjective"].table.columns[1:]
    assert labels == ("和歌山市 2026", "紀の川市 2026", "海南市 2026", "橋本市 2026")


def test_small_multiples_layout(client: Client) -> None:
    params = {**WAKAYAMA, "c": ["302023"], "layout": "multiples"}
    body = client.get(reverse("dashboard:index"), params).content.decode()
    assert "並べて表示</strong>" in body
    assert body.count("m=302023&amp;type=national&amp;fy=2026") >= 1


def test_missing_comparison_year_is_explained(client: Client) -> None:
    body = client.get(reverse("dashboard:index"), {**WAKAYAMA, "y": "2024"}).content.decode()
    assert "和歌山市には2024年度（令和6年度）の結果がありません。" in body


def test_category_detail_explains_the_score(client: Client) -> None:
    response = client.get(reverse("dashboard:category", args=["c01"]), WAKAYAMA)
    assert response.status_code == 200
    body = response.content.decode()
    assert "医療・福祉" in body
    assert "医療機関が充実" in body
    assert "デジタル庁「地域幸福度（Well-Being）指標」ダッシュボードの公表値" in body
    items = client.get(reverse("dashboard:chart", args=["items_c01", "csv"]), WAKAYAMA)
    row = items.content.decode("utf-8-sig").splitlines()[1]
    assert row.startswith("302015,和歌山市,2026,national,c01,c01_1,医療機関が充実,")
    assert row.endswith(",51.6")


def test_category_detail_unknown_is_404(client: Client) -> None:
    assert client.get(reverse("dashboard:category", args=["c99"]), WAKAYAMA).status_code == 404


@pytest.fixture
def fy2022_copy() -> None:
    """TEST-ONLY data: 和歌山市's 2026 export relabelled as FY2022 (the old questionnaire), to
    exercise year comparison; these numbers were never published for FY2022."""
    from machiwb.indicators.services import official_results_import

    files = []
    for path in sorted(OFFICIAL.glob("wb2026_302015_*.csv")):
        text = path.read_text(encoding="utf-8").replace(
            "2026年度版(令和8年度版)", "2022年度版(令和4年度版)"
        )
        files.append((path.name.replace("2026", "2022"), text.encode("utf-8")))
    official_results_import(files=files)


def test_year_comparison_warns_about_the_old_questionnaire(
    client: Client, fy2022_copy: None
) -> None:
    response = client.get(reverse("dashboard:index"), {**WAKAYAMA, "y": "2022"})
    page = response.context["page"]
    assert [r.scores.fiscal_year for r in page.timeline] == [2022, 2026]
    trend = page.figures["trend_subjective"]
    assert trend.table.columns[1:] == ("2022年度（令和4年度）", "2026年度（令和8年度）")
    body = response.content.decode()
    assert "直接比較できません" in body
    assert "2022年度は旧調査票" in body
