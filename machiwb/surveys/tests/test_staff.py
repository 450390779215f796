from __future__ import annotations

import datetime
import io
import re

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import translation

from machiwb.accounts.models import Role
from machiwb.accounts.testing import login_staff, make_operator, make_staff
from machiwb.audit.models import AuditEntry
from machiwb.regions.models import Municipality
from machiwb.surveys.models import InvitationCode, Survey, SurveyStatus, SurveyType
from machiwb.surveys.services import (
    SurveyStateError,
    survey_create,
    survey_question_save,
    survey_reopen,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(kainan: Municipality) -> Client:
    client = Client()
    login_staff(client, make_staff(municipality=kainan, role=Role.EDITOR))
    return client


def _create(client: Client, **extra: str) -> Survey:
    data = {"title": "海南市 暮らしのアンケート", "fiscal_year": "2025", **extra}
    response = client.post("/surveys/302023/new/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return Survey.objects.get()


def test_editor_creates_adds_questions_reorders_publishes_closes_and_reopens(
    editor_client: Client,
) -> None:
    survey = _create(editor_client, areas="北部\n南部")
    assert survey.status == SurveyStatus.DRAFT
    assert survey.catalog_version == "fy2023"
    base = f"/surveys/302023/{survey.public_id}/"
    # custom questions of several kinds
    questions = [
        {"kind": "single", "text": "通勤手段", "options": "徒歩\n車"},
        {"kind": "number", "text": "居住年数", "min": "0", "max": "100", "required": "on"},
        {"kind": "long_text", "text": "ご意見", "max_length": "500"},
    ]
    for question in questions:
        response = editor_client.post(base + "questions/new/", question)
        assert response.status_code == 302, response.content.decode()[:3000]
    survey.refresh_from_db()
    assert [q["id"] for q in survey.custom_questions] == ["x1", "x2", "x3"]
    assert survey.custom_questions[0]["options"] == [
        {"code": "1", "label": "徒歩"},
        {"code": "2", "label": "車"},
    ]
    editor_client.post(base + "questions/x3/change/", {"action": "up"})
    editor_client.post(base + "questions/x1/change/", {"action": "delete"})
    survey.refresh_from_db()
    assert [q["id"] for q in survey.custom_questions] == ["x3", "x2"]
    editor_client.post(base + "questions/new/", {"kind": "scale11", "text": "満足度"})
    survey.refresh_from_db()
    assert survey.custom_questions[-1]["id"] == "x4"  # ids are never reused

    preview = editor_client.get(base + "preview/frame/?page=10")
    assert preview.status_code == 200
    assert "frame-ancestors 'self'" in preview["Content-Security-Policy"]
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    assert "プレビュー：この画面から回答は送信されません。" in preview.content.decode()

    editor_client.post(base + "status/", {"action": "publish"})
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.OPEN
    version = survey.versions.get()
    assert [q["id"] for q in version.definition["questions"]][-3:] == ["x3", "x2", "x4"]
    # the frozen version does not change when someone tries to edit the survey
    response = editor_client.post(base + "questions/new/", {"kind": "scale11", "text": "追加"})
    assert response.status_code == 400
    assert "「設問を直して新しい版にする」から変更してください。" in response.content.decode()

    detail = editor_client.get(base).content.decode()
    assert "回答の受付を終了する" in detail
    assert "受付期間外" not in detail
    Survey.objects.filter(pk=survey.pk).update(closes_on=datetime.date(2020, 3, 31))
    assert "受付期間外" in editor_client.get(base).content.decode()  # closed by date
    Survey.objects.filter(pk=survey.pk).update(closes_on=None)
    assert "<strong>0</strong>" in detail
    editor_client.post(base + "status/", {"action": "close"})
    editor_client.post(base + "status/", {"action": "reopen", "reason": ""})
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.CLOSED
    editor_client.post(base + "status/", {"action": "reopen", "reason": "紙の回収が遅れたため"})
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.OPEN
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == [
        "survey.create",
        "survey.question_add",
        "survey.question_add",
        "survey.question_add",
        "survey.question_move",
        "survey.question_delete",
        "survey.question_add",
        "survey.publish",
        "survey.close",
        "job.enqueue",  # closing queues the fiscal year's recompute
        "survey.reopen",
    ]
    assert AuditEntry.objects.get(action="survey.reopen").details == {
        "reason": "紙の回収が遅れたため"
    }


@pytest.mark.parametrize(
    ("question", "message"),
    [
        (
            {"kind": "single", "text": "a", "options": "一つだけ"},
            "選択肢を2つ以上入力してください。",
        ),
        ({"kind": "number", "text": "a", "min": "5", "max": "1"}, "最小値は最大値より小さく"),
        ({"kind": "short_text", "text": "a", "max_length": "900"}, "1〜200文字"),
    ],
)
def test_bad_custom_question_is_explained(
    editor_client: Client, question: dict[str, str], message: str
) -> None:
    survey = _create(editor_client)
    response = editor_client.post(f"/surveys/302023/{survey.public_id}/questions/new/", question)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_invitation_codes_download_once_as_csv(editor_client: Client) -> None:
    survey = _create(editor_client, one_vote="code")
    base = f"/surveys/302023/{survey.public_id}/"
    editor_client.post(base + "status/", {"action": "publish"})
    response = editor_client.post(base + "codes/", {"count": "5", "output": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "number,invitation_code,survey_url,survey_url_with_code"
    assert len(lines) == 6
    code = lines[1].split(",")[1]
    assert InvitationCode.objects.filter(survey=survey).count() == 5
    assert not InvitationCode.objects.filter(code_hash__icontains=code.replace("-", "")).exists()
    assert lines[1].endswith(f"#code={code}")  # never sent to the server, so never logged


def test_invitation_letters_as_pdf_one_page_each_with_qr(editor_client: Client) -> None:
    from pypdf import PdfReader

    survey = _create(editor_client, one_vote="code", closes_on="2025-11-30")
    base = f"/surveys/302023/{survey.public_id}/"
    editor_client.post(base + "status/", {"action": "publish"})
    response = editor_client.post(base + "codes/", {"count": "3", "output": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 3
    text = reader.pages[0].extract_text()
    assert "招待コード" in text
    assert "令和7年11月30日" in text or "2025" in text
    assert re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", text)
    assert InvitationCode.objects.filter(survey=survey).count() == 3
    too_many = editor_client.post(base + "codes/", {"count": "2001", "output": "pdf"})
    assert too_many.status_code == 302
    assert InvitationCode.objects.filter(survey=survey).count() == 3


def test_other_town_and_viewer_and_anonymous_are_kept_out(
    editor_client: Client, kainan: Municipality
) -> None:
    survey = _create(editor_client)
    base = f"/surveys/302023/{survey.public_id}/"
    stranger = Client()
    login_staff(stranger, make_staff(municipality="302015", role=Role.ADMIN))
    assert stranger.get(base).status_code == 404
    assert stranger.get("/surveys/302023/").status_code == 404
    assert stranger.post(base + "status/", {"action": "publish"}).status_code == 404
    # the other town's own URL with this survey's id is also a 404
    assert stranger.get(f"/surveys/302015/{survey.public_id}/").status_code == 404
    viewer = Client()
    login_staff(viewer, make_staff(municipality=kainan, role=Role.VIEWER))
    assert viewer.get(base).status_code == 200
    assert viewer.post(base + "status/", {"action": "publish"}).status_code == 404
    assert Client().get(base).status_code == 302
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.DRAFT


def test_only_operators_create_national_surveys(kainan: Municipality) -> None:
    staff = make_staff(municipality=kainan, role=Role.ADMIN)
    with pytest.raises(PermissionDenied):
        survey_create(
            actor=staff,
            survey_type=SurveyType.NATIONAL,
            municipality=None,
            title="t",
            fiscal_year=2025,
        )
    national = survey_create(
        actor=make_operator(),
        survey_type=SurveyType.NATIONAL,
        municipality=None,
        title="全国調査",
        fiscal_year=2025,
    )
    assert national.municipality is None


def test_reopen_needs_a_reason(kainan: Municipality) -> None:
    staff = make_staff(municipality=kainan, role=Role.EDITOR)
    survey = survey_create(actor=staff, municipality=kainan, title="t", fiscal_year=2025)
    with pytest.raises(SurveyStateError, match="^再開する理由を入力してください。$"):
        survey_reopen(survey=survey, actor=staff, reason="  ")
    with translation.override("en"):
        with pytest.raises(SurveyStateError, match="^Enter the reason for reopening.$"):
            survey_reopen(survey=survey, actor=staff, reason="  ")
        with pytest.raises(SurveyStateError) as refused:
            survey_question_save(
                survey=survey, actor=staff, question={"kind": "single", "text": "", "options": []}
            )
    assert refused.value.message == "Enter the question text. Enter at least two options."


def test_mypage_lists_the_users_municipality_surveys(editor_client: Client) -> None:
    survey = _create(editor_client)
    html = editor_client.get("/mypage/").content.decode()
    assert "調査の管理" in html
    assert f"/surveys/302023/{survey.public_id}/" in html
    assert "/surveys/302023/" in html


def test_mypage_survey_panel_in_english(editor_client: Client) -> None:
    _create(editor_client)
    editor_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = editor_client.get("/mypage/").content.decode()
    assert "Survey management" in html
    assert "Surveys of 海南市" in html
    assert " (Draft, 0 responses)</li>" in html
    assert "All surveys / create a new survey" in html
    assert "調査の管理" not in html
    assert "件）" not in html
