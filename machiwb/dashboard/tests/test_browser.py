"""The public dashboard on a 360 px phone: select, compare, download, with axe on every page."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader

from machiwb.charts.render import PNG_DPI
from machiwb.core.tests.browser import PHONE_VIEWPORT, assert_accessible, page_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # axe-core is injected as an inline script, which the site's CSP rightly blocks.
    return {**browser_context_args, "bypass_csp": True}


@pytest.fixture
def phone(page: Any) -> Iterator[Any]:
    from django.core.management import call_command

    from machiwb.indicators.testing import load_official_results

    call_command("load_regions", stdout=open("/dev/null", "w"))  # noqa: SIM115
    load_official_results()
    page.set_viewport_size(PHONE_VIEWPORT)
    yield page
    # Let lazily loaded chart images finish before the test database is flushed.
    page.wait_for_load_state("networkidle")
    page.goto("about:blank")


def _fits(page: Any) -> None:
    assert page_width(page) <= PHONE_VIEWPORT["width"]


def _download(page: Any, name: str) -> bytes:
    with page.expect_download() as info:
        page.locator("#figure-radar").get_by_role("link", name=name).click()
    return Path(info.value.path()).read_bytes()


def test_select_compare_and_download_on_a_phone(live_server: Any, phone: Any) -> None:
    phone.goto(f"{live_server.url}/dashboard/")
    assert_accessible(phone)
    phone.get_by_label("名前・よみがなで探す").fill("わかやま")
    phone.get_by_role("link", name="和歌山県 和歌山市").click()
    phone.get_by_role("heading", name="和歌山県 和歌山市").wait_for()
    assert "m=302015" in phone.url
    assert phone.locator(".badges").inner_text().count("2026年度（令和8年度）") == 1
    assert_accessible(phone)
    _fits(phone)

    for reading, name in (("かいなん", "海南市"), ("はしもと", "橋本市")):
        phone.get_by_label("比較する市区町村を追加（名前・よみがな）").fill(reading)
        phone.get_by_role("link", name=f"和歌山県 {name}を追加").click()
        phone.get_by_role("list", name="比較中の市区町村").get_by_text(name).wait_for()
    assert "c=302023" in phone.url
    assert "c=302031" in phone.url
    phone.locator("#figure-compare_subjective").wait_for()
    assert_accessible(phone)
    _fits(phone)

    png = Image.open(io.BytesIO(_download(phone, "画像（PNG）")))
    assert png.size == (8 * PNG_DPI, 9 * PNG_DPI)
    pdf = PdfReader(io.BytesIO(_download(phone, "PDF")))
    assert "和歌山市" in pdf.pages[0].extract_text()
    csv_text = _download(phone, "データ（CSV）").decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("年度,調査種別,地域,データ種別,因子群")

    # Back button restores the previous selection (the URL holds all of it).
    phone.go_back()
    phone.wait_for_function("() => !location.search.includes('c=302031')")

    phone.get_by_role("link", name="自然景観").click()
    phone.get_by_role("heading", level=1).wait_for()
    assert "自然景観" in phone.get_by_role("heading", level=1).inner_text()
    assert_accessible(phone)
    _fits(phone)
    # On a phone each item is a block with every value beside its column's name, and the
    # table keeps its rows and cells for screen readers.
    items = phone.get_by_role("table", name="自然景観の設問ごとの値")
    value = items.get_by_role("row").nth(1).get_by_role("cell").first
    assert value.evaluate("cell => getComputedStyle(cell, '::before').content") == '"実数"'
    assert value.evaluate("cell => getComputedStyle(cell).display") == "flex"


def test_works_without_javascript(live_server: Any, browser: Any) -> None:
    from django.core.management import call_command

    from machiwb.indicators.testing import load_official_results

    call_command("load_regions", stdout=open("/dev/null", "w"))  # noqa: SIM115
    load_official_results()
    context = browser.new_context(
        java_script_enabled=False, viewport=PHONE_VIEWPORT, bypass_csp=True
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/dashboard/")
    page.get_by_label("都道府県").select_option(label="和歌山県")
    page.get_by_role("button", name="表示する").click()
    page.get_by_label("市区町村", exact=True).select_option(label="紀の川市")
    page.get_by_role("button", name="表示する").click()
    page.get_by_role("heading", name="和歌山県 紀の川市").wait_for()
    assert "m=302082" in page.url
    page.wait_for_load_state("networkidle")
    context.close()


def test_keyboard_reaches_the_selection(live_server: Any, phone: Any) -> None:
    phone.goto(f"{live_server.url}/dashboard/?pref=30")
    phone.keyboard.press("Tab")
    focused = []
    for _ in range(25):
        phone.keyboard.press("Tab")
        focused.append(
            phone.evaluate("document.activeElement.id || document.activeElement.tagName")
        )
    assert "select-pref" in focused
    assert "select-m" in focused
    assert "search-q" in focused


def test_api_page_is_accessible(live_server: Any, phone: Any) -> None:
    phone.goto(f"{live_server.url}/api/")
    assert_accessible(phone)


def test_generated_individual_survey_without_deviation_scores(live_server: Any, phone: Any) -> None:
    from machiwb.indicators.services import indicators_compute
    from machiwb.surveys.demo import load_demo_data as load_survey_demo

    load_survey_demo(io.StringIO())
    indicators_compute(fiscal_year=2025, survey_type="individual")
    phone.goto(f"{live_server.url}/dashboard/?pref=30&m=302023&type=individual&fy=2025")
    phone.get_by_text("デモ用に生成した回答から算出した値です").wait_for()
    phone.get_by_role("heading", name="カテゴリー別の実数（主観）").wait_for()
    assert phone.locator("#figure-radar").count() == 0
    means = phone.locator("table", has_text="実数（1〜5）").locator("tbody tr")
    assert means.count() == 24
    assert_accessible(phone)
    _fits(phone)


def test_keyboard_only_comparison(live_server: Any, phone: Any) -> None:
    phone.goto(f"{live_server.url}/dashboard/?m=302015&type=national&fy=2026")
    phone.locator("#compare-q").focus()
    phone.keyboard.type("きのかわ")
    link = phone.get_by_role("link", name="和歌山県 紀の川市を追加")
    link.wait_for()
    for _ in range(10):
        phone.keyboard.press("Tab")
        if phone.evaluate("document.activeElement.textContent").startswith(
            "和歌山県 紀の川市を追加"
        ):
            break
    phone.keyboard.press("Enter")
    phone.wait_for_function("() => location.search.includes('c=302082')")
    phone.locator("#figure-compare_subjective").wait_for()


OFFICIAL = Path(__file__).resolve().parents[2] / "indicators" / "data" / "official"


def _wakayama_fy2025() -> dict[str, tuple[str, str]]:
    """TEST-ONLY data: 和歌山市's 2026 export relabelled as FY2025 with every 偏差値 moved
    (subjective −3.0, objective +2.0), so each year's column has its own values; these numbers
    were never published. Returns category → (subjective, objective) 偏差値 of FY2025."""
    from machiwb.indicators.services import official_results_import

    files = []
    fy2025: dict[str, tuple[str, str]] = {}
    for path in sorted(OFFICIAL.glob("wb2026_302015_*.csv")):
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        for row in rows[1:]:
            row[0] = row[0].replace("2026年度版(令和8年度版)", "2025年度版(令和7年度版)")
            if path.name.endswith(("_category.csv", "_subjective.csv")):
                row[7] = f"{float(row[7]) - 3.0:.1f}"
            if path.name.endswith("_category.csv"):
                row[8] = f"{float(row[8]) + 2.0:.1f}"
                fy2025[row[5]] = (row[7], row[8])
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        files.append((path.name.replace("2026", "2025"), out.getvalue().encode("utf-8")))
    official_results_import(files=files)
    return fy2025


def _published_fy2026() -> dict[str, tuple[str, str]]:
    path = OFFICIAL / "wb2026_302015_wakayama_category.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))[1:]
    return {row[5]: (row[7], row[8]) for row in rows}


def _trend_table(page: Any, name: str) -> list[list[str]]:
    figure = page.locator(f"#figure-{name}")
    figure.get_by_text("グラフのデータを表で見る").click()
    table = figure.get_by_role("table")
    header = table.locator("thead th").all_inner_texts()
    rows = [row.locator("th, td").all_inner_texts() for row in table.locator("tbody tr").all()]
    return [header, *rows]


def test_change_over_time_on_a_phone(live_server: Any, phone: Any) -> None:
    fy2025 = _wakayama_fy2025()
    fy2026 = _published_fy2026()
    phone.goto(f"{live_server.url}/dashboard/")
    phone.get_by_label("名前・よみがなで探す").fill("わかやま")
    phone.get_by_role("link", name="和歌山県 和歌山市").click()
    phone.get_by_role("heading", name="和歌山県 和歌山市").wait_for()
    assert "2026年度（令和8年度）" in phone.locator(".badges").inner_text()

    form = phone.get_by_role("form", name="比較する年度を追加")
    form.get_by_label("比較する年度を追加").select_option(label="2025年度（令和7年度）")
    form.get_by_role("button", name="追加").click()
    phone.get_by_role("heading", name="年度による変化").wait_for()
    chips = phone.get_by_role("list", name="比較中の年度")
    assert chips.inner_text().startswith("2025年度（令和7年度）")
    assert {"m=302015", "fy=2026", "y=2025"} <= set(phone.url.split("?", 1)[1].split("&"))
    assert_accessible(phone)
    _fits(phone)

    tables = {}
    for name, column in (("trend_subjective", 0), ("trend_objective", 1)):
        table = _trend_table(phone, name)
        assert table[0][1:] == ["2025年度（令和7年度）", "2026年度（令和8年度）"]
        assert [row[0] for row in table[1:]] == list(fy2026)
        assert [row[1:] for row in table[1:]] == [
            [fy2025[category][column], fy2026[category][column]] for category in fy2026
        ]
        tables[name] = table
    assert tables["trend_subjective"][1] == ["医療・福祉", "48.2", "51.2"]

    # The URL holds the whole selection: reloading it gives the same page.
    url = phone.url
    phone.reload()
    phone.get_by_role("heading", name="年度による変化").wait_for()
    assert phone.url == url
    assert phone.get_by_role("list", name="比較中の年度").inner_text() == chips.inner_text()
    for name, table in tables.items():
        assert _trend_table(phone, name) == table
