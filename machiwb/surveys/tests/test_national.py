"""Operator pages for the 全国調査: access, each action, the audit trail, counts by region."""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from django.test import Client

from machiwb.accounts.models import Role
from machiwb.accounts.testing import login_staff, make_operator, make_staff
from machiwb.audit.models import AuditEntry
from machiwb.regions.models import Municipality
from machiwb.surveys.models import Response, Survey, SurveyStatus, SurveyType, SurveyVersion

pytestmark = pytest.mark.django_db

BASE = "/surveys/national/"


@pytest.fixture
def operator_client(regions_loaded: None) -> Client:
    client = Client()
    login_staff(client, make_operator())
    return client


def _create(client: Client, **extra: str) -> Survey:
    data = {"title": "2025年度 全国調査", "fiscal_year": "2025", **extra}
    response = client.post(BASE + "new/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return Survey.objects.get(survey_type=SurveyType.NATIONAL)


def _actions(survey: Survey) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type="surveys.survey", object_id=str(survey.public_id))
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_only_operators_reach_the_national_pages(
    operator_client: Client, kainan: Municipality
) -> None:
    survey = _create(operator_client)
    pages = [BASE, BASE + "new/", f"{BASE}{survey.public_id}/"]
    pages += [f"{BASE}{survey.public_id}/{p}/" for p in ("edit", "counts", "preview")]
    pages.append(f"{BASE}{survey.public_id}/preview/frame/")
    for role in (Role.VIEWER, Role.EDITOR, Role.ADMIN):
        staff = Client()
        login_staff(staff, make_staff(municipality=kainan, role=role))
        for page in pages:
            assert staff.get(page).status_code == 403, (role, page)
        response = staff.post(f"{BASE}{survey.public_id}/status/", {"action": "publish"})
        assert response.status_code == 403
        assert staff.post(BASE + "new/", {"title": "x", "fiscal_year": "2025"}).status_code == 403
    anonymous = Client()
    assert anonymous.get(BASE)["Location"].startswith("/accounts/login/")
    for page in pages:
        assert operator_client.get(page).status_code == 200, page
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.DRAFT
    assert Survey.objects.count() == 1


def test_a_municipal_survey_is_not_found_on_the_national_pages(
    operator_client: Client, published: SurveyVersion
) -> None:
    public_id = published.survey.public_id
    assert operator_client.get(f"{BASE}{public_id}/").status_code == 404
    response = operator_client.post(f"{BASE}{public_id}/status/", {"action": "close"})
    assert response.status_code == 404
    published.survey.refresh_from_db()
    assert published.survey.status == SurveyStatus.OPEN


def test_operator_creates_edits_previews_publishes_closes_and_reopens(
    operator_client: Client,
) -> None:
    survey = _create(operator_client, opens_on="2025-09-01", closes_on="2025-09-30")
    assert survey.municipality is None
    assert survey.catalog_version == "fy2023"
    assert (survey.opens_on, survey.closes_on) == (
        datetime.date(2025, 9, 1),
        datetime.date(2025, 9, 30),
    )
    assert not survey.invitation_required
    assert survey.areas == []
    url = f"{BASE}{survey.public_id}/"
    # the form asks neither for invitation codes nor for areas
    form = operator_client.get(BASE + "new/").content.decode()
    assert 'name="invitation_required"' not in form
    assert 'name="areas"' not in form
    assert "<h1>新しい全国調査を作成</h1>" in form
    listing = operator_client.get(BASE).content.decode()
    assert f'href="{BASE}{survey.public_id}/"' in listing
    response = operator_client.post(
        BASE + "new/", {"title": "", "fiscal_year": "2025", "closes_on": "2025-01-01"}
    )
    assert response.status_code == 400
    assert Survey.objects.count() == 1

    response = operator_client.post(
        url + "edit/", {"title": "2025年度 全国Well-Being調査", "fiscal_year": "2025"}
    )
    assert response.status_code == 302
    survey.refresh_from_db()
    assert survey.title == "2025年度 全国Well-Being調査"
    assert survey.closes_on is None

    frame = operator_client.get(url + "preview/frame/?page=1")
    assert frame["X-Frame-Options"] == "SAMEORIGIN"
    assert "プレビュー：この画面から回答は送信されません。" in frame.content.decode()
    preview = operator_client.get(url + "preview/").content.decode()
    assert f'src="{url}preview/frame/?page=0"' in preview

    operator_client.post(url + "status/", {"action": "publish"})
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.OPEN
    assert survey.versions.get().definition["title"] == survey.title
    page = operator_client.get(url).content.decode()
    assert f"/s/{survey.public_id}/" in page
    # a published survey cannot be edited any more
    operator_client.post(url + "edit/", {"title": "変更", "fiscal_year": "2025"})
    survey.refresh_from_db()
    assert survey.title == "2025年度 全国Well-Being調査"

    operator_client.post(url + "status/", {"action": "close"})
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.CLOSED
    response = operator_client.post(
        url + "status/", {"action": "reopen", "reason": "  "}, follow=True
    )
    assert "再開する理由を入力してください。" in response.content.decode()
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.CLOSED
    operator_client.post(url + "status/", {"action": "reopen", "reason": "台風で回収が遅れたため"})
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.OPEN

    assert _actions(survey) == [
        "survey.create",
        "survey.update",
        "survey.publish",
        "survey.close",
        "survey.reopen",
    ]
    entries = AuditEntry.objects.filter(
        object_type="surveys.survey", object_id=str(survey.public_id)
    )
    assert all(entry.municipality_id is None for entry in entries)
    assert all(entry.actor is not None and entry.actor.is_operator for entry in entries)
    reopen = entries.get(action="survey.reopen")
    assert reopen.details == {"reason": "台風で回収が遅れたため"}
    assert entries.get(action="survey.create").details == {
        "fiscal_year": 2025,
        "survey_type": "national",
    }


def test_counts_by_prefecture_and_municipality_in_code_order(operator_client: Client) -> None:
    survey = _create(operator_client)
    operator_client.post(f"{BASE}{survey.public_id}/status/", {"action": "publish"})
    version = survey.versions.get()
    # more answers from the later codes: the list must still follow 団体コード order
    for code, count in (("302015", 1), ("302023", 3), ("011002", 2), ("131016", 4)):
        Response.objects.bulk_create(
            Response(
                survey_version=version,
                municipality_id=code,
                answered_on=datetime.date(2025, 9, 1),
            )
            for _ in range(count)
        )
    html = operator_client.get(f"{BASE}{survey.public_id}/counts/").content.decode()
    assert re.search(r"<strong>10</strong>", html)
    rows = re.findall(
        r"<tr><td>(\d{6})</td><t[hd][^>]*>\s*([^<]+)</t[hd]><td class=\"num\">(\d+)</td>", html
    )
    codes = [code for code, _name, _count in rows]
    assert codes == sorted(codes)
    assert len([code for code in codes if code[2:5] == "000"]) == 47  # every prefecture
    assert len(codes) == 47 + 4  # and only the municipalities that have answers
    found = {code: (name.strip(), int(count)) for code, name, count in rows}
    assert found["300004"] == ("和歌山県", 4)
    assert found["302015"] == ("和歌山市", 1)
    assert found["302023"] == ("海南市", 3)
    assert found["130001"] == ("東京都", 4)
    assert found["131016"] == ("千代田区", 4)
    assert found["010006"] == ("北海道", 2)
    assert found["270008"] == ("大阪府", 0)


def test_mypage_links_the_operator_to_the_national_surveys(operator_client: Client) -> None:
    survey = _create(operator_client)
    html = operator_client.get("/mypage/").content.decode()
    assert "全国調査の管理" in html
    assert f'href="{BASE}"' in html
    assert f'href="{BASE}{survey.public_id}/"' in html


def test_mypage_national_panel_in_english(operator_client: Client) -> None:
    _create(operator_client)
    operator_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = operator_client.get("/mypage/").content.decode()
    assert "National survey management" in html
    assert " (FY2025 (Reiwa 7), Draft, 0 responses)</li>" in html
    assert "全国調査の管理" not in html
    assert "件）" not in html


def test_mypage_of_municipal_staff_has_no_national_panel(kainan: Municipality) -> None:
    client = Client()
    login_staff(client, make_staff(municipality=kainan, role=Role.ADMIN))
    assert "全国調査の管理" not in client.get("/mypage/").content.decode()


def test_one_national_survey_per_fiscal_year(operator_client: Client) -> None:
    first = _create(operator_client)
    response = operator_client.post(BASE + "new/", {"title": "もう一つ", "fiscal_year": "2025"})
    assert response.status_code == 400
    assert "2025年度の全国調査はすでにあります。" in response.content.decode()
    second = operator_client.post(BASE + "new/", {"title": "2026年度", "fiscal_year": "2026"})
    assert second.status_code == 302
    assert Survey.objects.count() == 2
    # moving the new one onto the year that is taken is refused, and nothing changes
    later = Survey.objects.get(fiscal_year=2026)
    response = operator_client.post(
        f"{BASE}{later.public_id}/edit/", {"title": "2026年度", "fiscal_year": "2025"}, follow=True
    )
    assert "2025年度の全国調査はすでにあります。" in response.content.decode()
    later.refresh_from_db()
    assert later.fiscal_year == 2026
    first.refresh_from_db()
    assert first.title == "2025年度 全国調査"
