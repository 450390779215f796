"""Signing in with two factors on a phone: enrolment, recovery codes, login, MyPage."""

from __future__ import annotations

from typing import Any

import pytest
from django_otp.oath import TOTP

from machiwb.core.tests.browser import PHONE_VIEWPORT, assert_accessible, page_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(page: Any) -> Any:
    page.set_viewport_size(PHONE_VIEWPORT)
    return page


def _fits(page: Any) -> None:
    assert page_width(page) <= PHONE_VIEWPORT["width"]


def _code_from_secret(secret: str) -> str:
    from base64 import b32decode

    key = b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    return f"{TOTP(key).token():06d}"


def test_first_sign_in_enrols_totp_then_signs_in_with_a_recovery_code(
    live_server: Any, phone: Any
) -> None:
    from django.core.management import call_command

    from machiwb.accounts.models import Membership, Role, User
    from machiwb.accounts.testing import TEST_PASSWORD
    from machiwb.regions.models import Municipality

    call_command("load_regions", stdout=open("/dev/null", "w"))  # noqa: SIM115
    user = User.objects.create_user("staff@city.wakayama.example.jp", TEST_PASSWORD)
    Membership.objects.create(
        user=user, municipality=Municipality.objects.get(code="302015"), role=Role.EDITOR
    )

    phone.goto(f"{live_server.url}/")
    phone.get_by_role("link", name="ログイン").click()
    assert_accessible(phone)
    _fits(phone)
    phone.get_by_label("メールアドレス").fill(user.email)
    phone.get_by_label("パスワード").fill("not-the-password-1")
    phone.get_by_role("button", name="次へ").click()
    assert "正しくありません" in phone.get_by_role("alert").inner_text()
    phone.get_by_label("パスワード").fill(TEST_PASSWORD)
    phone.get_by_role("button", name="次へ").click()

    assert phone.get_by_role("heading", level=1).inner_text() == "二要素認証の設定"
    qr = phone.locator("img.otp-qr")
    qr.evaluate("img => img.complete || new Promise(done => img.addEventListener('load', done))")
    assert qr.evaluate("img => img.naturalWidth") > 0
    assert_accessible(phone)
    _fits(phone)
    secret = phone.locator(".otp-secret").inner_text()
    phone.get_by_label("確認コード").fill(_code_from_secret(secret))
    phone.get_by_role("button", name="登録してログイン").click()

    assert phone.get_by_role("heading", level=1).inner_text() == "回復コード"
    assert_accessible(phone)
    recovery = phone.locator(".recovery-codes code").all_inner_texts()
    assert len(recovery) == 10
    phone.get_by_role("link", name="保管しました").click()

    phone.goto(f"{live_server.url}/mypage/")
    assert phone.get_by_role("heading", level=1).inner_text() == "マイページ"
    assert "和歌山市" in phone.content()
    assert_accessible(phone)
    _fits(phone)
    phone.get_by_role("button", name="ログアウト", exact=True).click()

    phone.goto(f"{live_server.url}/accounts/login/")
    phone.get_by_label("メールアドレス").fill(user.email)
    phone.get_by_label("パスワード").fill(TEST_PASSWORD)
    phone.get_by_role("button", name="次へ").click()
    assert phone.get_by_role("heading", level=1).inner_text() == "確認コードの入力"
    assert_accessible(phone)
    phone.get_by_label("確認コード").fill(recovery[0])
    phone.get_by_role("button", name="ログイン").click()
    assert phone.get_by_role("heading", level=1).inner_text() == "マイページ"


def test_staff_pages_on_a_phone_are_accessible(live_server: Any, phone: Any) -> None:
    from django.core.management import call_command

    from machiwb.accounts.models import Role
    from machiwb.accounts.testing import login_staff_in_browser, make_operator, make_staff
    from machiwb.audit.services import audit_log_write
    from machiwb.regions.models import Municipality

    call_command("load_regions", stdout=open("/dev/null", "w"))  # noqa: SIM115
    admin = make_staff(municipality="302015", role=Role.ADMIN)
    make_staff(municipality="302015", role=Role.VIEWER)
    audit_log_write(
        actor=admin,
        action="survey.publish",
        municipality=Municipality.objects.get(code="302015"),
        summary="2026年度 個別調査を公開",
    )
    login_staff_in_browser(phone, live_server.url, admin)
    for path in ("/mypage/", "/staff/302015/members/", "/audit/"):
        phone.goto(f"{live_server.url}{path}")
        assert phone.get_by_role("heading", level=1).is_visible()
        assert_accessible(phone)
        _fits(phone)
    assert "2026年度 個別調査を公開" in phone.content()

    phone.context.clear_cookies()
    login_staff_in_browser(phone, live_server.url, make_operator())
    phone.goto(f"{live_server.url}/operator/accounts/")
    assert_accessible(phone)
    _fits(phone)
