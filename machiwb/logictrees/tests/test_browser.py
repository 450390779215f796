"""A municipal team builds a logic tree on a tablet: from a reference, a KPI with a target,
two versions, their differences, PNG and PDF exports (Playwright, headless Chromium, axe)."""

from __future__ import annotations

import io
from typing import Any

import pytest

from machiwb.core.tests.browser import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 768, "height": 1024}


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # axe-core is injected as an inline script, which the site's CSP rightly refuses
    return {**browser_context_args, "bypass_csp": True, "viewport": TABLET}


def test_team_builds_a_tree_from_a_reference(live_server: Any, page: Any, tmp_path: Any) -> None:
    from django.core.management import call_command
    from django.test import Client

    from machiwb.accounts.models import Role
    from machiwb.accounts.testing import login_staff, make_staff

    call_command("load_regions", stdout=io.StringIO())
    call_command("load_catalog", stdout=io.StringIO())
    client = Client()
    login_staff(client, make_staff(municipality="302023", role=Role.EDITOR))
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )

    page.goto(f"{live_server.url}/logictrees/302023/")
    assert_accessible(page)
    page.get_by_label("ツリーの名前").fill("海南市 防災のロジックツリー")
    page.get_by_label("参照ツリー「防災」（14ノード）").check()
    page.get_by_role("button", name="作成する").click()
    assert page.get_by_role("heading", level=1).inner_text() == "海南市 防災のロジックツリー"
    assert "ロジックツリー「海南市 防災のロジックツリー」を作成しました。" in page.content()
    assert_accessible(page)

    page.get_by_label("今の内容を版として保存（例：たたき台、第2版）").fill("たたき台")
    page.get_by_role("button", name="版を保存").click()
    assert "版 1「たたき台」として保存しました。" in page.content()

    page.get_by_role("link", name="災害に備えができていて、安心して暮らせる").click()
    page.get_by_label("KPI 候補から選ぶ").select_option("category:c16")
    page.get_by_label("基準値").fill("44.2")
    page.get_by_label("目標値").fill("50")
    page.get_by_label("目標年度（西暦）").fill("2030")
    page.get_by_role("button", name="KPI を設定").click()
    assert "KPI「自然災害（主観偏差値）」を設定しました。" in page.content()
    page.get_by_label("種類").select_option("outcome")
    page.get_by_label("名称", exact=True).last.fill("要配慮者も含めて誰もが避難できる")
    page.get_by_role("button", name="追加", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == "要配慮者も含めて誰もが避難できる"
    assert_accessible(page)

    page.get_by_role("link", name="海南市 防災のロジックツリー").click()
    page.get_by_label("今の内容を版として保存（例：たたき台、第2版）").fill("第2版")
    page.get_by_role("button", name="版を保存").click()
    page.get_by_label("比べる版").select_option("1")
    page.get_by_label("と", exact=True).select_option("2")
    page.get_by_role("button", name="違いを見る").click()
    assert page.get_by_role("heading", name="追加されたノード").is_visible()
    assert "要配慮者も含めて誰もが避難できる" in page.content()
    assert "目標値 50 2030年度" in page.content()
    assert_accessible(page)

    page.get_by_role("link", name="ツリーに戻る").click()
    for image_format, signature in (("PNG", b"\x89PNG"), ("PDF", b"%PDF")):
        href = page.get_by_role("link", name=image_format, exact=True).first.get_attribute("href")
        body = page.request.get(f"{live_server.url}{href}").body()
        assert body.startswith(signature)
        (tmp_path / f"tree.{image_format.lower()}").write_bytes(body)
