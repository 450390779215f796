"""The guide as a resident or staff member sees it on a phone: reachable from the top
navigation, axe-clean (WCAG 2.1 AA), nothing wider than the screen."""

from __future__ import annotations

from typing import Any

import pytest

from machiwb.core.tests.browser import PHONE_VIEWPORT, assert_accessible, page_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """axe-core is injected as a script; the site's CSP (script-src 'self') would block it."""
    return {**browser_context_args, "bypass_csp": True}


@pytest.fixture
def phone(page: Any) -> Any:
    page.set_viewport_size(PHONE_VIEWPORT)
    return page


def _check(phone: Any) -> None:
    assert_accessible(phone)
    assert page_width(phone) <= PHONE_VIEWPORT["width"]


def test_every_guide_page_is_reachable_from_the_top_navigation_on_a_phone(
    live_server: Any, phone: Any
) -> None:
    from django.core.management import call_command

    call_command("load_catalog", stdout=open("/dev/null", "w"))  # noqa: SIM115
    from machiwb.guide.services import faq_defaults_install

    faq_defaults_install()
    phone.goto(f"{live_server.url}/")
    nav = phone.get_by_role("navigation", name="メインメニュー")

    nav.get_by_role("link", name="指標について知る").click()
    _check(phone)
    phone.get_by_role("link", name="医療・福祉").click()
    assert phone.get_by_role("heading", level=1).inner_text() == "医療・福祉"
    _check(phone)
    phone.get_by_role("link", name="指標について知る").first.click()
    phone.get_by_role("link", name="数値の読み方（偏差値・参照集団・回答数）").first.click()
    _check(phone)

    phone.get_by_role("navigation", name="メインメニュー").get_by_role(
        "link", name="使いこなす"
    ).click()
    _check(phone)
    phone.get_by_role("link", name="俯瞰").click()
    _check(phone)
    phone.get_by_role("link", name="次へ：ステップ2 因子の探し出し").click()
    assert phone.get_by_role("heading", level=1).inner_text() == "因子の探し出し"
    phone.get_by_role("link", name="使いこなす").first.click()
    phone.get_by_role("link", name="研修・ワークショップについて").click()
    _check(phone)
    phone.get_by_role("link", name="使いこなす").first.click()
    phone.get_by_role("link", name="よくある質問").first.click()
    _check(phone)
    phone.get_by_label("キーワードで探す").fill("LGWAN")
    phone.get_by_role("button", name="検索").click()
    assert phone.get_by_text("庁内ネットワーク（LGWAN）の中でも使えますか？").is_visible()
    _check(phone)

    phone.get_by_role("navigation", name="メインメニュー").get_by_role(
        "link", name="個別調査をする"
    ).click()
    _check(phone)
    assert phone.get_by_role("link", name="標準調査票（PDF）をダウンロード").is_visible()


def test_guide_in_english_on_a_phone(live_server: Any, phone: Any) -> None:
    phone.goto(f"{live_server.url}/guide/indicators/reading/")
    phone.get_by_label("表示言語").select_option("en")
    phone.get_by_role("button", name="切替").click()
    assert phone.get_by_role("heading", level=1).inner_text() == "Reading the numbers"
    assert phone.evaluate("document.documentElement.lang") == "en"
    _check(phone)
    phone.get_by_role("navigation", name="Main menu").get_by_role(
        "link", name="Using the indicators"
    ).click()
    assert phone.get_by_role("heading", level=1).inner_text() == "Using the indicators"
    _check(phone)
