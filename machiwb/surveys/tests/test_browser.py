"""A resident answers a whole survey on a phone (Playwright, headless Chromium, axe-core)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from machiwb.core.tests.browser import PHONE_VIEWPORT, assert_accessible, page_width
from machiwb.regions.models import Municipality
from machiwb.surveys.models import Response

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # axe-core is injected as an inline script, which the site's CSP rightly refuses
    return {**browser_context_args, "bypass_csp": True}


@pytest.fixture
def phone(page: Any) -> Any:
    page.set_viewport_size(PHONE_VIEWPORT)
    return page


def _no_sideways_scroll(phone: Any) -> None:
    assert page_width(phone) <= PHONE_VIEWPORT["width"]


def test_resident_answers_on_a_phone_fixes_an_error_and_is_thanked(
    live_server: Any, phone: Any
) -> None:
    from machiwb.surveys.models import Survey, SurveyType
    from machiwb.surveys.services import survey_publish
    from machiwb.surveys.tests.conftest import CUSTOM_QUESTIONS

    call_command("load_regions", stdout=open("/dev/null", "w"))  # noqa: SIM115
    survey = Survey.objects.create(
        survey_type=SurveyType.INDIVIDUAL,
        municipality=Municipality.objects.get(code="302023"),
        fiscal_year=2025,
        catalog_version="fy2023",
        title="海南市 暮らしと幸福度アンケート",
        custom_questions=CUSTOM_QUESTIONS,
    )
    version = survey_publish(survey=survey, actor=None)
    pages = version.definition["pages"]

    phone.goto(f"{live_server.url}/s/{survey.public_id}/")
    assert "所要時間" in phone.content()
    assert_accessible(phone)
    phone.get_by_role("button", name="回答をはじめる").click()

    for index in range(len(pages)):
        if index == 3:
            # leave and come back on the same device: the answers so far are offered
            phone.goto(f"{live_server.url}/s/{survey.public_id}/")
            phone.get_by_role("button", name="前回の続きから回答する").click()
        assert phone.get_by_role("heading", level=1).inner_text() == pages[index]["title"]
        if index in (0, 1, 2, len(pages) - 1):
            assert_accessible(phone)
            _no_sideways_scroll(phone)
        if index == len(pages) - 1:
            # one invalid answer: the number is out of range
            phone.get_by_label("この地域に住んで何年になりますか。").fill("150")
            phone.get_by_text("バス", exact=True).click()
            phone.get_by_role("button", name="回答を確認する").click()
            alert = phone.get_by_role("alert")
            assert "0から100までの数で答えてください。" in alert.inner_text()
            assert_accessible(phone)
            phone.get_by_role("link", name="0から100までの数で答えてください。").click()
            field = phone.get_by_label("この地域に住んで何年になりますか。")
            assert field.input_value() == "150"
            field.fill("12")
            assert phone.get_by_text("バス", exact=True).is_visible()
            phone.get_by_role("button", name="回答を確認する").click()
            break
        # tap the first choice of every question (large labels are the tap targets)
        for group in phone.locator("fieldset").all():
            group.locator("label").first.click()
        if index == 1:
            # go back and forth: nothing is lost
            phone.get_by_role("button", name="前へ戻る").click()
            assert phone.locator("input[name='q-age_band']:checked").count() == 1
            phone.get_by_role("button", name="次へ").click()
            assert phone.locator("input[name='q-q1']:checked").count() == 1
        phone.get_by_role("button", name="次へ").click()

    assert phone.get_by_role("heading", level=1).inner_text() == "回答内容の確認"
    assert_accessible(phone)
    phone.get_by_role("button", name="送信する").click()
    assert phone.get_by_role("heading", level=1).inner_text() == "ご回答ありがとうございました"
    assert_accessible(phone)
    # once sent, nothing is kept on the device and nothing is offered to resume
    assert phone.evaluate("window.localStorage.length") == 0
    phone.goto(f"{live_server.url}/s/{survey.public_id}/")
    assert not phone.get_by_role("button", name="前回の続きから回答する").is_visible()
    stored = Response.objects.get()
    assert stored.custom_answers == {"x1": 12, "x2": ["3"]}


def _sign_in(page: Any, live_server: Any, user: Any) -> None:
    """Give the browser the session of ``user`` signed in with two factors."""
    from django.conf import settings
    from django.test import Client

    from machiwb.accounts.testing import login_staff

    client = Client()
    login_staff(client, user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def test_staff_pages_are_accessible(live_server: Any, page: Any) -> None:
    from machiwb.accounts.models import Role
    from machiwb.accounts.testing import make_staff
    from machiwb.surveys.services import survey_create, survey_publish

    call_command("load_regions", stdout=open("/dev/null", "w"))  # noqa: SIM115
    editor = make_staff(municipality="302023", role=Role.EDITOR)
    survey = survey_create(
        actor=editor,
        municipality=Municipality.objects.get(code="302023"),
        title="海南市 招待制アンケート",
        fiscal_year=2025,
        invitation_required=True,
    )
    survey_publish(survey=survey, actor=editor)
    _sign_in(page, live_server, editor)
    base = f"/surveys/302023/{survey.public_id}/"
    for path in (
        "/surveys/302023/",
        "/surveys/302023/new/",
        base,
        base + "preview/",
        base + "upload/",
    ):
        page.goto(live_server.url + path)
        assert page.get_by_role("heading", level=1).is_visible(), path
        assert_accessible(page)


def test_national_survey_front_page_is_accessible_on_a_phone(live_server: Any, phone: Any) -> None:
    from machiwb.accounts.testing import make_operator
    from machiwb.surveys.services import survey_create, survey_publish

    call_command("load_regions", stdout=open("/dev/null", "w"))  # noqa: SIM115
    operator = make_operator()
    survey = survey_create(
        actor=operator,
        survey_type="national",
        municipality=None,
        title="全国調査",
        fiscal_year=2025,
    )
    survey_publish(survey=survey, actor=operator)
    phone.goto(f"{live_server.url}/s/{survey.public_id}/")
    assert_accessible(phone)
    phone.get_by_label("お住まいの都道府県").select_option(label="和歌山県")
    phone.get_by_role("button", name="市区町村を選ぶ").click()
    phone.get_by_label("お住まいの市区町村").select_option(label="海南市")
    assert_accessible(phone)
    phone.get_by_role("button", name="回答をはじめる").click()
    assert phone.get_by_role("heading", level=1).inner_text() == "あなたについて"


def test_operator_runs_a_national_survey_in_the_browser(live_server: Any, page: Any) -> None:
    import datetime

    from machiwb.accounts.testing import make_operator
    from machiwb.surveys.models import Survey, SurveyStatus

    call_command("load_regions", stdout=open("/dev/null", "w"))  # noqa: SIM115
    _sign_in(page, live_server, make_operator())
    page.goto(live_server.url + "/mypage/")
    page.get_by_role("link", name="すべての全国調査・新しい全国調査の作成").click()
    assert_accessible(page)
    page.get_by_role("link", name="新しい全国調査を作成").click()
    assert_accessible(page)
    page.get_by_label("調査名").fill("2025年度 全国Well-Being調査")
    page.get_by_label("年度").fill("2025")
    page.get_by_role("button", name="作成する").click()
    assert page.get_by_role("heading", level=1).inner_text() == "2025年度 全国Well-Being調査"
    assert_accessible(page)
    page.get_by_role("link", name="スマートフォン画面でプレビュー").click()
    assert page.frame_locator("iframe").get_by_role("heading", level=1).is_visible()
    assert_accessible(page)
    page.go_back()
    page.get_by_role("button", name="公開して受付を始める").click()
    survey = Survey.objects.get()
    Response.objects.create(
        survey_version=survey.versions.get(),
        municipality_id="302023",
        answered_on=datetime.date(2025, 9, 1),
    )
    page.reload()
    assert page.get_by_role("row", name="海南市").inner_text().split()[-1] == "1"
    assert_accessible(page)
    page.get_by_role("button", name="回答の受付を終了する").click()
    page.get_by_label("再開する理由（記録に残ります）").fill("回収期間を延長するため")
    page.get_by_role("button", name="回答の受付を再開する").click()
    assert page.get_by_text("回答の受付を再開しました。").is_visible()
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.OPEN
