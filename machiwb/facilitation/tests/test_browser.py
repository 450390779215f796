"""The whole dispatch flow in a real browser, from the application to both reports and payment.

Three people each in their own browser context (staff of 和歌山市, the operator, the
facilitator); every page on the way is checked with axe-core.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from machiwb.core.tests.browser import PHONE_VIEWPORT, assert_accessible, page_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _context_for(browser: Any, live_server: Any, user: Any, **options: Any) -> Any:
    """A browser context signed in as ``user`` (two-factor verified, as after a real login)."""
    from machiwb.accounts.testing import login_staff

    client = Client()
    login_staff(client, user)
    # axe-core is injected as an inline script, which the site's CSP rightly refuses
    context = browser.new_context(bypass_csp=True, **options)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context


def _no_sideways_scroll(page: Any) -> None:
    assert page_width(page) <= PHONE_VIEWPORT["width"]


def test_application_to_both_reports_and_payment(live_server: Any, browser: Any) -> None:
    from django.core.management import call_command

    from machiwb.accounts.models import Role
    from machiwb.accounts.testing import make_facilitator, make_operator, make_staff
    from machiwb.facilitation.models import Dispatch, DispatchState
    from machiwb.facilitation.tests.conftest import make_facilitator as make_registry_entry

    call_command("load_regions", stdout=open("/dev/null", "w"))  # noqa: SIM115
    staff_user = make_staff(municipality="302015", role=Role.EDITOR)
    operator_user = make_operator()
    facilitator_user = make_facilitator()
    make_registry_entry(facilitator_user, "デモ 進行役A", is_public=True, is_demo=True)
    day = timezone.localdate() + datetime.timedelta(days=21)

    staff = _context_for(browser, live_server, staff_user).new_page()
    operator = _context_for(browser, live_server, operator_user).new_page()
    facilitator = _context_for(
        browser, live_server, facilitator_user, viewport=PHONE_VIEWPORT
    ).new_page()

    # the public list
    staff.goto(f"{live_server.url}/facilitation/")
    expect(staff.locator("body")).to_contain_text("デモ 進行役A")
    assert_accessible(staff)

    # ① the municipality applies; a resident workshop cannot be chosen yet, and says why
    staff.goto(f"{live_server.url}/facilitation/apply/302015/")
    assert_accessible(staff)
    expect(staff.get_by_label("住民・学生向け")).to_be_disabled()
    expect(staff.locator("body")).to_contain_text(
        "住民・学生向け（職員向けワークショップの実施後に申請できます）"
    )
    staff.get_by_label("実施希望日（第1希望）").fill(day.isoformat())
    staff.get_by_label("会場").fill("和歌山市役所 大会議室")
    staff.get_by_label("目的・ねらい").fill(
        "職員がWell-Being指標を使って施策を考えられるようにする"
    )
    staff.get_by_label("使うダッシュボード・分析・ロジックツリー").fill(
        "/dashboard/?pref=30&m=302015"
    )
    staff.get_by_label("職員向け", exact=True).check()
    staff.get_by_role("button", name="申請する").click()
    expect(staff.locator("body")).to_contain_text("申請を受け付けました")
    assert_accessible(staff)
    dispatch = Dispatch.objects.get()
    detail = f"{live_server.url}/facilitation/dispatches/{dispatch.public_id}/"

    # ② the operator matches and proposes
    operator.goto(detail)
    operator.get_by_role("link", name="ファシリテーターに打診する").click()
    expect(operator.get_by_role("heading", level=1)).to_contain_text("マッチング")
    assert_accessible(operator)
    operator.get_by_role("button", name="打診する").click()
    expect(operator.locator("body")).to_contain_text("デモ 進行役A さんに打診しました")

    # the facilitator accepts on a phone
    facilitator.goto(f"{live_server.url}/facilitation/dispatches/")
    _no_sideways_scroll(facilitator)
    assert_accessible(facilitator)
    facilitator.get_by_role("link", name="和歌山市").click()
    expect(facilitator.get_by_role("heading", level=1)).to_contain_text("職員向けワークショップ")
    assert_accessible(facilitator)
    _no_sideways_scroll(facilitator)
    facilitator.get_by_role("button", name="引き受ける").click()
    expect(facilitator.locator("body")).to_contain_text("ファシリテーター内諾")

    # the operator decides and notifies the municipality
    operator.goto(detail)
    operator.get_by_role("button", name="派遣者を決定する").click()
    operator.get_by_role("button", name="自治体に決定を通知する").click()
    expect(operator.locator("body")).to_contain_text("自治体へ通知済み")
    assert_accessible(operator)

    # ③ the workshop sheet
    staff.goto(detail)
    staff.get_by_role("link", name="当日の進行表（印刷用）").click()
    expect(staff.locator("body")).to_contain_text("政策デザインのグループワーク")
    assert_accessible(staff)

    # the day comes
    Dispatch.objects.filter(pk=dispatch.pk).update(workshop_date=timezone.localdate())
    staff.goto(detail)
    staff.get_by_role("button", name="実施済みにする").click()

    # ④ both reports
    staff.get_by_role("link", name="主催者報告を出す").click()
    expect(staff.get_by_role("heading", level=1)).to_contain_text("実施報告")
    assert_accessible(staff)
    staff.get_by_label("参加者数").fill("28")
    staff.get_by_label("実施内容").fill("午前に講義と演習、午後に5グループで政策づくり")
    staff.get_by_role("button", name="報告する").click()
    expect(staff.locator("body")).to_contain_text("主催者報告済み")

    facilitator.goto(detail)
    facilitator.get_by_role("link", name="ファシリテーター報告を出す").click()
    expect(facilitator.get_by_role("heading", level=1)).to_contain_text("実施報告")
    assert_accessible(facilitator)
    _no_sideways_scroll(facilitator)
    facilitator.get_by_label("参加者数").fill("27")
    facilitator.get_by_label("実施内容").fill("ダッシュボード演習が好評だった")
    facilitator.get_by_role("button", name="報告する").click()
    expect(facilitator.locator("body")).to_contain_text("報告完了（支払待ち）")

    # payment, seen from the operator's yearly list
    operator.goto(detail)
    operator.get_by_label("支払日").fill(timezone.localdate().isoformat())
    operator.get_by_label("謝金（円）").fill("30000")
    operator.get_by_role("button", name="支払済みにする").click()
    expect(operator.locator("body")).to_contain_text("「支払済みにする」を行いました")
    assert_accessible(operator)
    operator.goto(f"{live_server.url}/facilitation/operator/?fy={dispatch.fiscal_year}")
    assert_accessible(operator)

    dispatch.refresh_from_db()
    assert dispatch.state == DispatchState.PAID
    assert dispatch.reports.count() == 2


def test_registry_pages_and_public_list_on_a_phone(live_server: Any, browser: Any) -> None:
    from django.core.management import call_command

    from machiwb.accounts.testing import make_operator
    from machiwb.facilitation.models import Facilitator

    call_command("load_regions", stdout=open("/dev/null", "w"))  # noqa: SIM115
    operator = _context_for(browser, live_server, make_operator()).new_page()

    operator.goto(f"{live_server.url}/facilitation/operator/facilitators/new/")
    assert_accessible(operator)
    operator.get_by_label("氏名").fill("デモ 進行役C")
    operator.get_by_label("よみ（カタカナ）").fill("デモ シンコウヤクシー")
    operator.get_by_label("和歌山県").check()
    operator.get_by_label("研修修了日").fill("2025-10-01")
    operator.get_by_label("認定の有効期限（更新期限）").fill("2030-09-30")
    operator.get_by_label("ダッシュボード・データ活用").check()
    operator.get_by_label("不在期間").fill("12月30日")
    operator.get_by_label("公開リストに掲載する（本人の同意がある場合のみ）").check()
    operator.get_by_role("button", name="保存する").click()
    expect(operator.locator("body")).to_contain_text("1行目「12月30日」")
    assert_accessible(operator)
    operator.get_by_label("不在期間").fill("2026-12-30〜2027-01-03")
    operator.get_by_role("button", name="保存する").click()
    expect(operator.locator("body")).to_contain_text("登録簿を保存しました")
    assert_accessible(operator)
    assert Facilitator.objects.get().unavailabilities.count() == 1

    phone = browser.new_context(viewport=PHONE_VIEWPORT, bypass_csp=True).new_page()
    phone.goto(f"{live_server.url}/facilitation/")
    expect(phone.locator("body")).to_contain_text("デモ 進行役C")
    assert_accessible(phone)
    _no_sideways_scroll(phone)
