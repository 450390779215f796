"""The municipality browser as a resident sees it on a phone."""

from __future__ import annotations

from typing import Any

import pytest

from machiwb.core.tests.browser import PHONE_VIEWPORT, assert_accessible, page_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(page: Any) -> Any:
    page.set_viewport_size(PHONE_VIEWPORT)
    return page


def test_find_a_municipality_by_reading_on_a_phone(live_server: Any, phone: Any) -> None:
    from django.core.management import call_command

    call_command("load_regions", stdout=open("/dev/null", "w"))  # noqa: SIM115
    phone.goto(f"{live_server.url}/regions/")
    assert_accessible(phone)
    phone.get_by_label("市区町村名またはよみがな").fill("わかやま")
    phone.get_by_role("button", name="検索").click()
    phone.get_by_role("link", name="和歌山県 和歌山市").click()
    assert phone.get_by_role("heading", level=1).inner_text().startswith("和歌山市")
    assert_accessible(phone)
    # nothing wider than the phone: no horizontal scrolling of the page itself
    assert page_width(phone) <= PHONE_VIEWPORT["width"]
