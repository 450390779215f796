"""A published survey's custom questions change only as a new version (設問を直して新しい版にする)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from machiwb.accounts.models import Role
from machiwb.accounts.testing import login_staff, make_staff
from machiwb.audit.models import AuditEntry
from machiwb.regions.models import Municipality
from machiwb.surveys.models import Response, SurveyUpload, SurveyVersion
from machiwb.surveys.selectors import survey_version_current
from machiwb.surveys.services import (
    SurveyStateError,
    response_submit,
    survey_question_delete,
    survey_question_save,
    survey_revision_discard,
    survey_revision_publish,
    survey_revision_start,
)
from machiwb.surveys.tests.conftest import CUSTOM_QUESTIONS, full_answers
from machiwb.surveys.tests.test_export_upload import _confirm, _export

pytestmark = pytest.mark.django_db

NEW_QUESTION: dict[str, Any] = {
    "kind": "single",
    "text": "通勤・通学先はどこですか。",
    "help": "",
    "required": False,
    "options": [{"code": "1", "label": "市内"}, {"code": "2", "label": "市外"}],
}


@pytest.fixture
def editor_user(kainan: Municipality) -> Any:
    return make_staff(municipality=kainan, role=Role.EDITOR)


@pytest.fixture
def editor(editor_user: Any) -> Client:
    client = Client()
    login_staff(client, editor_user)
    return client


def _base(version: SurveyVersion) -> str:
    return f"/surveys/302023/{version.survey.public_id}/"


def _submit(version: SurveyVersion, token: str, **extra: Any) -> None:
    response_submit(
        version=version, answers=dict(full_answers(), **extra), submission_token=token * 20
    )


def _second_version(published: SurveyVersion, actor: Any) -> SurveyVersion:
    """v2: a typo fixed in x1 and a new question x4."""
    survey = published.survey
    survey_revision_start(survey=survey, actor=actor)
    fixed = {k: v for k, v in CUSTOM_QUESTIONS[0].items() if k != "id"}
    fixed["text"] = "この地域に住んで何年になりますか（通算）。"
    survey_question_save(survey=survey, actor=actor, question=fixed, question_id="x1")
    survey_question_save(survey=survey, actor=actor, question=NEW_QUESTION)
    return survey_revision_publish(survey=survey, actor=actor, reason="x1の誤字を修正、x4を追加")


def test_new_version_keeps_earlier_responses_on_theirs(
    published: SurveyVersion, editor_user: Any
) -> None:
    _submit(published, "a")
    survey = published.survey
    with pytest.raises(SurveyStateError):  # a published survey's questions are locked …
        survey_question_save(survey=survey, actor=editor_user, question=NEW_QUESTION)

    v2 = _second_version(published, editor_user)  # … until staff start the next version

    survey.refresh_from_db()
    assert v2.number == 2
    assert not survey.revising
    assert survey.status == "open"
    assert survey_version_current(survey=survey) == v2  # residents starting now get v2
    texts = {q["id"]: q["text"] for q in v2.definition["questions"]}
    assert texts["x1"] == "この地域に住んで何年になりますか（通算）。"
    assert texts["x4"] == NEW_QUESTION["text"]
    published.refresh_from_db()
    assert "x4" not in {q["id"] for q in published.definition["questions"]}  # v1 unchanged
    assert Response.objects.get().survey_version == published
    _submit(v2, "b", x4="2")
    assert Response.objects.get(survey_version=v2).custom_answers["x4"] == "2"
    entry = AuditEntry.objects.filter(action="survey.publish").latest("id")
    assert entry.details == {"version": 2, "reason": "x1の誤字を修正、x4を追加"}


def test_publishing_a_new_version_needs_a_reason_and_a_change(
    published: SurveyVersion, editor_user: Any
) -> None:
    survey = published.survey
    survey_revision_start(survey=survey, actor=editor_user)
    with pytest.raises(SurveyStateError, match="理由"):
        survey_revision_publish(survey=survey, actor=editor_user, reason=" ")
    with pytest.raises(SurveyStateError, match="変わっていません"):
        survey_revision_publish(survey=survey, actor=editor_user, reason="誤字")
    survey_question_delete(survey=survey, actor=editor_user, question_id="x3")
    new_id = survey_question_save(survey=survey, actor=editor_user, question=NEW_QUESTION)
    assert new_id == "x4"  # the answers to x3 of version 1 keep their column
    survey_revision_discard(survey=survey, actor=editor_user)
    survey.refresh_from_db()
    assert [q["id"] for q in survey.custom_questions] == ["x1", "x2", "x3"]
    assert survey.versions.count() == 1
    with pytest.raises(SurveyStateError):
        survey_revision_publish(survey=survey, actor=editor_user, reason="誤字")


def test_staff_edit_as_new_version_in_the_pages(editor: Client, published: SurveyVersion) -> None:
    base = _base(published)
    page = editor.get(base).content.decode()
    assert "新しい版の編集を始める" in page
    assert "独自設問を追加" not in page
    editor.post(base + "status/", {"action": "revise"})
    page = editor.get(base).content.decode()
    assert "第2版を編集中です" in page
    assert "独自設問を追加" in page
    editor.post(base + "questions/new/", dict(NEW_QUESTION, options="1=市内\n2=市外"))
    pages = editor.get(base + "preview/").content.decode()
    last = max(int(n) for n in re.findall(r"\?page=(\d+)", pages))
    frame = editor.get(base + f"preview/frame/?page={last}").content.decode()
    assert NEW_QUESTION["text"] in frame  # the preview shows the draft of the next version
    refused = editor.post(base + "status/", {"action": "revise_publish", "reason": ""}, follow=True)
    assert "新しい版にする理由を入力してください。" in refused.content.decode()
    published_page = editor.post(
        base + "status/", {"action": "revise_publish", "reason": "設問を追加"}, follow=True
    ).content.decode()
    assert "第2版を公開しました" in published_page
    assert "設問を追加" in published_page  # the versions table shows the reason
    assert published.survey.versions.count() == 2


def test_export_and_upload_hold_responses_of_several_versions(
    editor: Client, published: SurveyVersion, editor_user: Any
) -> None:
    _submit(published, "a")
    v2 = _second_version(published, editor_user)
    _submit(v2, "b", x4="1")
    lines = _export(editor, v2).decode("utf-8-sig").splitlines()
    header = lines[0].split(",")
    assert header[:5] == ["municipality_code", "area", "answered_on", "age_band", "gender"]
    assert header[-5:] == ["x1", "x2", "x3", "x4", "survey_version"]
    assert sorted(line.split(",")[-1] for line in lines[1:]) == ["1", "2"]
    dictionary = editor.get(_base(v2) + "export/?format=dictionary").content.decode("utf-8-sig")
    assert "第2版の設問（ほかの版の回答では空欄）" in dictionary

    # the exported file goes back in: each row to the version it names
    exported = "\n".join(lines).encode()
    response = editor.post(_base(v2) + "upload/", {"file": SimpleUploadedFile("all.csv", exported)})
    assert response.status_code == 302, response.content.decode()[:2000]
    _confirm(editor, response["Location"])
    upload = SurveyUpload.objects.get()
    assert sorted(
        Response.objects.filter(upload=upload).values_list("survey_version__number", flat=True)
    ) == [1, 2]

    # a v1 row cannot answer the question only v2 asks
    bad = [lines[0]] + [line for line in lines[1:] if line.endswith(",1")]
    bad[1] = bad[1].removesuffix(",1") + "1,1"  # x4 answered on a v1 row
    refused = editor.post(
        _base(v2) + "upload/", {"file": SimpleUploadedFile("bad.csv", "\n".join(bad).encode())}
    )
    assert refused.status_code == 400
    assert "2行目・x4列：第1版にない設問です。" in refused.content.decode()
