"""The guide pages render, link only to tools that exist, and sit in the top navigation."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from machiwb.guide.content import STEPS, WORKSHOP_PROGRAMME, available_tools, workshop_parts

pytestmark = pytest.mark.django_db

GUIDE_PAGES = [
    ("guide:indicators", "指標について知る"),
    ("guide:reading_scores", "数値の読み方"),
    ("guide:using", "使いこなす"),
    ("guide:workshop", "研修・ワークショップ"),
    ("guide:individual_survey", "個別調査をする"),
]


@pytest.mark.parametrize(("url_name", "heading"), GUIDE_PAGES)
def test_guide_page_renders_with_its_heading(client: Client, url_name: str, heading: str) -> None:
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert f"<h1>{heading}" in response.content.decode()


def test_top_navigation_lists_the_guide_sections_in_order(client: Client) -> None:
    html = client.get(reverse("core:home")).content.decode()
    nav = html[
        html.index('class="site-nav"') : html.index("</nav>", html.index('class="site-nav"'))
    ]
    positions = [nav.index(label) for label in ("指標について知る", "使いこなす", "個別調査をする")]
    assert positions == sorted(positions)


def test_current_section_is_marked_in_the_navigation(client: Client) -> None:
    html = client.get(reverse("guide:workshop")).content.decode()
    assert f'href="{reverse("guide:using")}" aria-current="page"' in html


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.slug)
def test_every_step_has_its_page_with_neighbours(client: Client, step: object) -> None:
    number = step.number  # type: ignore[attr-defined]
    html = client.get(reverse("guide:step", args=[number])).content.decode()
    assert f"ステップ{number}" in html
    if number < 6:
        assert reverse("guide:step", args=[number + 1]) in html
    if number > 1:
        assert reverse("guide:step", args=[number - 1]) in html


def test_a_step_that_does_not_exist_is_404(client: Client) -> None:
    assert client.get(reverse("guide:step", args=[7])).status_code == 404
    assert client.get(reverse("guide:step", args=[0])).status_code == 404


def test_step_tools_link_only_to_pages_that_exist(client: Client) -> None:
    for step in STEPS:
        for url, _label in available_tools(step):
            assert client.get(url).status_code in {200, 302}, url
    # the guide's own page is always there; apps that are not installed are left out
    assert (reverse("guide:indicators"), "指標について知る") in [
        (url, str(label)) for url, label in available_tools(STEPS[0])
    ]


def test_workshop_programme_is_two_hours_in_the_morning_and_three_in_the_afternoon(
    client: Client,
) -> None:
    assert sum(s.minutes for s in WORKSHOP_PROGRAMME if s.morning) == 120
    assert sum(s.minutes for s in WORKSHOP_PROGRAMME if not s.morning) == 180
    assert [p.title for p in workshop_parts()] == ["午前（2時間）", "午後（3時間）"]
    html = client.get(reverse("guide:workshop")).content.decode()
    assert "午前（2時間）" in html
    assert "ファシリテーターの派遣を申し込む" in html


def test_reading_page_states_the_configured_suppression_threshold(
    client: Client, settings: object
) -> None:
    settings.MACHIWB = {**settings.MACHIWB, "MIN_PUBLIC_CELL_N": 15}  # type: ignore[attr-defined]
    html = client.get(reverse("guide:reading_scores")).content.decode()
    assert "回答者が15人未満の区分" in html


def test_deviation_diagram_label_has_a_halo_over_the_mean_line(client: Client) -> None:
    """The dashed mean line crosses 約3分の2; a halo in the band's colour keeps it legible."""
    html = client.get(reverse("guide:reading_scores")).content.decode()
    start = html.index('class="deviation-share"')
    label = html[start : html.index("約3分の2", start)]
    assert 'paint-order="stroke"' in label
    assert 'stroke="#d9e6ff"' in label


@pytest.fixture
def catalog_loaded(db: None) -> None:
    from django.core.management import call_command

    call_command("load_catalog", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_indicator_page_lists_the_24_categories_of_the_catalog(
    client: Client, catalog_loaded: None
) -> None:
    from machiwb.guide.selectors import guide_catalog
    from machiwb.indicators.models import Category

    catalog = guide_catalog()
    assert catalog is not None
    html = client.get(reverse("guide:indicators")).content.decode()
    categories = Category.objects.filter(catalog=catalog.version)
    assert categories.count() == 24
    for category in categories:
        assert reverse("guide:category", args=[category.code]) in html
        assert category.name_ja in html
    assert [g.name_ja for g in catalog.groups] == ["生活環境", "地域の人間関係", "自分らしい生き方"]


def test_indicator_page_names_the_catalog_by_its_code_in_english(
    client: Client, catalog_loaded: None
) -> None:
    from machiwb.guide.selectors import guide_catalog

    catalog = guide_catalog()
    assert catalog is not None
    client.cookies["django_language"] = "en"
    html = client.get(reverse("guide:indicators")).content.decode()
    assert f"indicator catalog {catalog.version.code} (Japanese title" in html


def test_category_page_shows_items_and_kpis_with_source_from_the_catalog(
    client: Client, catalog_loaded: None
) -> None:
    from machiwb.guide.selectors import guide_catalog

    catalog = guide_catalog()
    assert catalog is not None
    category = catalog.version.categories.get(code="c03")
    html = client.get(reverse("guide:category", args=["c03"])).content.decode()
    for item in category.items.all():
        assert item.text_ja in html
    assert "逆転項目" in html  # 【逆】騒音に悩まされている
    for kpi in category.kpis.all():
        assert kpi.name_ja in html
        assert kpi.source in html
    assert reverse("guide:category", args=["c02"]) in html
    assert reverse("guide:category", args=["c04"]) in html


def test_english_category_page_names_items_kpis_units_and_sources_in_english(
    client: Client, catalog_loaded: None
) -> None:
    client.cookies["django_language"] = "en"
    html = client.get(reverse("guide:category", args=["c01"])).content.decode()
    assert "<h1>Medical care and welfare</h1>" in html
    assert "Life Environment" in html
    assert "National Health Insurance medical costs per person" in html
    assert "<dd>thousand yen/person</dd>" in html
    assert "千円/人" not in html
    assert "医療・福祉" not in html
    assert "Shopping and dining</a>" in html
    c17 = client.get(reverse("guide:category", args=["c17"])).content.decode()
    assert "<dd>2020 Population Census (Statistics Bureau" in c17
    assert "国勢調査" not in c17


def test_unknown_category_is_404(client: Client, catalog_loaded: None) -> None:
    assert client.get(reverse("guide:category", args=["c25"])).status_code == 404


def test_without_a_catalog_the_indicator_page_still_explains_the_structure(client: Client) -> None:
    html = client.get(reverse("guide:indicators")).content.decode()
    assert "指標カタログが読み込まれると" in html
