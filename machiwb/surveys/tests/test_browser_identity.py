"""A resident verifies their identity and answers on a phone, with JavaScript off and the CSP on.

The provider's login page is played by a Playwright route on the start link, which hands the
browser the callback URL with a code; the server exchanges the code with the in-process fake
provider (``fake_oidc``) and checks its ID token.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from pytest_django.fixtures import Settings as SettingsWrapper

from machiwb.core.tests.browser import PHONE_VIEWPORT
from machiwb.regions.models import Municipality
from machiwb.surveys.models import Response, Survey, SurveyType, VerifiedSubject
from machiwb.surveys.services import survey_publish
from machiwb.surveys.tests.fake_oidc import FakeProvider, fake_provider_installed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "java_script_enabled": False, "viewport": PHONE_VIEWPORT}


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch, settings: SettingsWrapper) -> Iterator[FakeProvider]:
    yield from fake_provider_installed(monkeypatch, settings)


def test_resident_verifies_answers_and_cannot_answer_twice(
    live_server: Any, page: Any, provider: FakeProvider
) -> None:
    call_command("load_regions", stdout=open("/dev/null", "w"))  # noqa: SIM115
    survey = Survey.objects.create(
        survey_type=SurveyType.INDIVIDUAL,
        municipality=Municipality.objects.get(code="302023"),
        fiscal_year=2025,
        catalog_version="fy2023",
        title="海南市 本人確認つきアンケート",
        identity_required=True,
    )
    version = survey_publish(survey=survey, actor=None)

    def through_provider(route: Any) -> None:
        # Playwright cannot route the redirected request to the provider, so the redirect is
        # followed here: the provider "signs in" the resident and sends them to the callback.
        response = route.fetch(max_redirects=0)
        callback = provider.login(response.headers["location"], sub="subject-0001")
        route.fulfill(response=response, headers={**response.headers, "location": callback})

    page.route("**/verify/", through_provider)
    start = f"{live_server.url}/s/{survey.public_id}/"
    page.goto(start)
    page.get_by_role("link", name="本人確認をして回答する").click()
    assert page.url == start
    assert "本人確認が済みました" in page.get_by_role("status").inner_text()
    page.get_by_role("button", name="回答をはじめる").click()
    for _page in version.definition["pages"]:
        page.get_by_role("button", name="回答を確認する").or_(
            page.get_by_role("button", name="次へ")
        ).click()
    page.get_by_role("button", name="送信する").click()
    assert "ご回答ありがとうございました" in page.content()
    assert Response.objects.count() == 1
    assert VerifiedSubject.objects.count() == 1

    # the same person again: refused before the answer sheet
    page.goto(start)
    page.get_by_role("link", name="本人確認をして回答する").click()
    assert "すでに回答をいただいています" in page.get_by_role("alert").inner_text()
    assert Response.objects.count() == 1
