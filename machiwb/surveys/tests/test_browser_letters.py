"""Staff order a large batch of invitation letters and fetch the PDF from the job page."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from machiwb.accounts.models import Role
from machiwb.accounts.testing import login_staff, make_staff
from machiwb.core.tests.browser import PHONE_VIEWPORT, assert_accessible, page_width
from machiwb.regions.models import Municipality
from machiwb.surveys import forms
from machiwb.surveys.models import Survey, SurveyType

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_letters_job_links_from_the_survey_to_the_download(
    live_server: Any, page: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from machiwb.surveys.services import survey_publish

    monkeypatch.setattr(forms, "MAX_LETTERS", 2)  # so that 3 letters take the job path
    call_command("load_regions", stdout=open("/dev/null", "w"))  # noqa: SIM115
    kainan = Municipality.objects.get(code="302023")
    survey = Survey.objects.create(
        survey_type=SurveyType.INDIVIDUAL,
        municipality=kainan,
        fiscal_year=2025,
        catalog_version="fy2023",
        title="海南市 暮らしと幸福度アンケート",
        invitation_required=True,
    )
    survey_publish(survey=survey, actor=None)
    client = Client()
    login_staff(client, make_staff(municipality=kainan, role=Role.EDITOR))
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.set_viewport_size(PHONE_VIEWPORT)
    page.goto(f"{live_server.url}/surveys/302023/{survey.public_id}/")
    page.get_by_label("発行する件数").fill("3")
    page.get_by_role("button", name="発行してダウンロード").click()
    link = page.get_by_role("link", name="進み具合を見る・できあがったらダウンロード")
    assert_accessible(page)
    link.click()
    assert "3 / 3 件" in page.get_by_role("status").inner_text()
    assert "案内状3通のPDFができました。" in page.get_by_role("status").inner_text()
    assert_accessible(page)
    assert page_width(page) <= PHONE_VIEWPORT["width"]
    with page.expect_download() as download:
        page.get_by_role("link", name="結果を開く").click()
    assert download.value.suggested_filename == f"invitation-letters-{survey.public_id}.pdf"
