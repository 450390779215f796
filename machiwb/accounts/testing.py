"""Signed-in staff for other apps' tests (テスト用の職員アカウント).

Usage in any app's tests::

    from machiwb.accounts.models import Role
    from machiwb.accounts.testing import login_staff, make_operator, make_staff

    def test_editor_sees_survey(client, regions_loaded):
        editor = make_staff(municipality="302015", role=Role.EDITOR)  # 和歌山市
        login_staff(client, editor)           # signed in AND two-factor verified
        assert client.get("/surveys/302015/").status_code == 200

or with the pytest fixtures from ``machiwb.core.tests.fixtures`` (available everywhere)::

    def test_viewer(verified_client, staff_user_factory, regions_loaded):
        viewer = staff_user_factory(municipality="302015", role=Role.VIEWER)
        client = verified_client(viewer)      # a new django.test.Client, verified
        ...

Browser tests (Playwright, ``live_server``): ``login_staff_in_browser(page, live_server.url,
user)`` puts the same verified session into the browser.

``client.force_login(user)`` alone is NOT enough for staff pages: they need the second
factor, which ``login_staff`` records in the session exactly as a real sign-in does.
``municipality`` may be a ``Municipality`` or its 6-digit code; the regions master data
must be loaded (``regions_loaded`` fixture).
"""

from __future__ import annotations

import itertools
import time
from typing import Any

from django.conf import settings
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from machiwb.accounts.middleware import SIGNED_IN_AT_KEY
from machiwb.accounts.models import Membership, Role, User
from machiwb.regions.models import Municipality

#: Test accounts share one password that passes the password validators.
TEST_PASSWORD = "correct-horse-battery-42"  # noqa: S105

_counter = itertools.count(1)


def _email(prefix: str) -> str:
    return f"{prefix}{next(_counter)}@example.jp"


def _municipality(municipality: Municipality | str) -> Municipality:
    if isinstance(municipality, Municipality):
        return municipality
    return Municipality.objects.get(code=municipality)


def make_staff(
    *, municipality: Municipality | str, role: Role | str, email: str | None = None
) -> User:
    """A municipality staff member (自治体職員) with ``role`` there and a TOTP device."""
    user = User.objects.create_user(email or _email("staff"), TEST_PASSWORD)
    Membership.objects.create(user=user, municipality=_municipality(municipality), role=role)
    TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return user


def make_operator(*, email: str | None = None) -> User:
    """An operator (運営者) with a TOTP device; no municipality membership."""
    user = User.objects.create_user(
        email or _email("operator"), TEST_PASSWORD, is_operator=True, is_staff=True
    )
    TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return user


def make_facilitator(*, email: str | None = None) -> User:
    """A facilitator (ファシリテーター) with a TOTP device; no municipality membership."""
    user = User.objects.create_user(
        email or _email("facilitator"), TEST_PASSWORD, is_facilitator=True
    )
    TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return user


def login_staff(client: Client, user: User) -> None:
    """Sign ``user`` in on ``client`` and mark the session verified by their TOTP device."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[SIGNED_IN_AT_KEY] = int(time.time())
    session.save()


def login_staff_in_browser(page: Any, live_server_url: str, user: User) -> None:
    """Sign ``user`` in (two factors verified) in a Playwright ``page`` for ``live_server``.

    Use in browser tests of staff pages instead of typing a password and a TOTP code::

        login_staff_in_browser(page, live_server.url, make_staff(municipality="302015", role=Role.ADMIN))
        page.goto(f"{live_server.url}/mypage/")
    """
    client = Client()
    login_staff(client, user)
    session_cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session_cookie.value,
                "url": live_server_url,
            }
        ]
    )
