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
