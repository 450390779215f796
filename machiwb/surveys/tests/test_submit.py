from __future__ import annotations

import datetime

import pytest

from machiwb.accounts.models import User
from machiwb.audit.models import AuditEntry
from machiwb.surveys.models import InvitationCode, Response, SubmissionReceipt, SurveyVersion
from machiwb.surveys.services import (
    SubmissionRefused,
    SubmitOutcome,
    invitation_code_is_usable,
    invitation_codes_generate,
    response_submit,
)
from machiwb.surveys.tests.conftest import full_answers

TOKEN = "t" * 32

pytestmark = pytest.mark.django_db


def test_submit_stores_one_anonymous_row_dated_today(published: SurveyVersion) -> None:
    outcome = response_submit(version=published, answers=full_answers(), submission_token=TOKEN)
    assert outcome is SubmitOutcome.STORED
    response = Response.objects.get()
    assert response.municipality_id == published.survey.municipality_id
    assert Response.objects.filter(c01_1=1, q5__isnull=True).count() == 1
    assert response.custom_answers["x2"] == ["1", "3"]
    assert type(response.answered_on) is datetime.date
    receipt = SubmissionReceipt.objects.get()
    assert TOKEN not in receipt.key
    assert TOKEN not in receipt.answers_digest


def test_same_submission_five_times_stores_one_response(published: SurveyVersion) -> None:
    outcomes = [
        response_submit(version=published, answers=full_answers(), submission_token=TOKEN)
        for _ in range(5)
    ]
    assert outcomes == [SubmitOutcome.STORED] + [SubmitOutcome.ALREADY_STORED] * 4
    assert Response.objects.count() == 1


def test_same_token_with_different_answers_is_refused(published: SurveyVersion) -> None:
    response_submit(version=published, answers=full_answers(), submission_token=TOKEN)
    with pytest.raises(SubmissionRefused, match="すでに送信されています"):
        response_submit(
            version=published, answers=dict(full_answers(), q1=0), submission_token=TOKEN
        )
    assert Response.objects.count() == 1


def test_invalid_sheet_is_refused_with_errors_and_nothing_stored(published: SurveyVersion) -> None:
    with pytest.raises(SubmissionRefused) as refused:
        response_submit(version=published, answers={"x1": 500}, submission_token=TOKEN)
    assert refused.value.errors == {"x1": "0から100までの数で答えてください。"}
    assert not Response.objects.exists()
    assert not SubmissionReceipt.objects.exists()


def test_closed_survey_refuses_answers(published: SurveyVersion) -> None:
    survey = published.survey
    survey.status = "closed"
    survey.save()
    with pytest.raises(SubmissionRefused, match="受け付けていません"):
        response_submit(version=published, answers=full_answers(), submission_token=TOKEN)


def test_invitation_code_is_used_once_and_never_linked(coded: SurveyVersion) -> None:
    survey = coded.survey
    actor = User.objects.create_user(email="staff@example.jp", password="x")
    codes = invitation_codes_generate(survey=survey, count=3, actor=actor)
    assert len(set(codes)) == 3
    assert all(len(code) == 14 and code[4] == "-" for code in codes)
    stored = list(InvitationCode.objects.values_list("code_hash", flat=True))
    assert not any(code.replace("-", "") in h for code in codes for h in stored)
    audit = AuditEntry.objects.get(action="survey.invitation_codes_generate")
    assert all(code not in str(audit.details) + audit.summary for code in codes)

    # given a code typed in lower case with spaces
    typed = codes[0].lower().replace("-", " ")
    assert invitation_code_is_usable(survey=survey, code=typed)
    answers = {"q1": 5}
    assert (
        response_submit(
            version=coded, answers=answers, submission_token=TOKEN, invitation_code=typed
        )
        is SubmitOutcome.STORED
    )
    assert not invitation_code_is_usable(survey=survey, code=codes[0])
    with pytest.raises(SubmissionRefused, match="招待コード"):
        response_submit(
            version=coded, answers=answers, submission_token="u" * 32, invitation_code=codes[0]
        )
    with pytest.raises(SubmissionRefused, match="招待コード"):
        response_submit(
            version=coded, answers=answers, submission_token="v" * 32, invitation_code="WRONG"
        )
    assert Response.objects.count() == 1
    assert SubmissionReceipt.objects.count() == 1
    code_fields = {f.name for f in InvitationCode._meta.get_fields()}
    assert code_fields == {"id", "survey", "code_hash", "used"}


def test_retry_after_closing_still_gets_its_acknowledgement(published: SurveyVersion) -> None:
    response_submit(version=published, answers=full_answers(), submission_token=TOKEN)
    survey = published.survey
    survey.status = "closed"
    survey.save()
    again = response_submit(version=published, answers=full_answers(), submission_token=TOKEN)
    assert again is SubmitOutcome.ALREADY_STORED
    assert Response.objects.count() == 1
