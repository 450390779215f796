"""The analysis page on a phone: readable, accessible (axe-core), no sideways scrolling."""

from __future__ import annotations

import io
from typing import Any

import pytest

from machiwb.core.tests.browser import PHONE_VIEWPORT, assert_accessible, page_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # axe-core is injected as an inline script, which the site's CSP rightly refuses
    return {**browser_context_args, "bypass_csp": True}


def test_staff_reads_the_analysis_on_a_phone(live_server: Any, page: Any, tmp_path: Any) -> None:
    from django.core.management import call_command
    from django.core.management.base import OutputWrapper
    from django.test import Client

    from machiwb.accounts.models import Role
    from machiwb.accounts.testing import login_staff, make_staff
    from machiwb.analysis import demo
    from machiwb.indicators.demo import DATA_DIR
    from machiwb.indicators.services import official_results_import
    from machiwb.surveys.models import Survey

    call_command("load_regions", stdout=io.StringIO())
    call_command("load_catalog", stdout=io.StringIO())
    paths = sorted((DATA_DIR / "official").glob("*.csv"))
    official_results_import(files=[(p.name, p.read_bytes()) for p in paths])
    demo.load_demo_data(OutputWrapper(io.StringIO()))
    survey = Survey.objects.get(title=demo.TITLE)
    client = Client()
    login_staff(client, make_staff(municipality=demo.MUNICIPALITY_CODE, role=Role.VIEWER))
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.set_viewport_size(PHONE_VIEWPORT)

    page.goto(f"{live_server.url}/analysis/{demo.MUNICIPALITY_CODE}/")
    page.get_by_role("link", name=demo.TITLE).click()
    assert page.get_by_role("heading", level=1).inner_text() == "和歌山市の課題分野の特定"
    assert page.get_by_role("heading", name="重点課題の候補").is_visible()
    assert page.get_by_role("heading", name="健康状態").is_visible()
    assert page.locator("img[alt]").first.get_attribute("alt")
    assert page_width(page) <= PHONE_VIEWPORT["width"]
    assert_accessible(page)
    shot = tmp_path / "analysis-phone.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 0

    page.get_by_role("link", name="生活満足度との関係").click()
    assert "outcome=q4" in page.url
    assert (
        page.get_by_role("link", name="生活満足度との関係").get_attribute("aria-current") == "page"
    )
    png = page.request.get(
        f"{live_server.url}/analysis/{demo.MUNICIPALITY_CODE}/{survey.public_id}/q4/gap.png"
    )
    assert png.headers["content-type"] == "image/png"
    assert_accessible(page)
