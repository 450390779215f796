from __future__ import annotations

import datetime
import logging
import re

import pytest
from django.test import Client

from machiwb.surveys.models import Response, SurveyVersion
from machiwb.surveys.views_answer import Sheet

pytestmark = pytest.mark.django_db


def _sheet(html: str) -> str:
    match = re.search(r'name="sheet" value="([^"]+)"', html)
    assert match
    return match.group(1)


def _start(client: Client, version: SurveyVersion, **data: str) -> str:
    response = client.post(f"/s/{version.survey.public_id}/", data)
    assert response.status_code == 200, response.content.decode()
    return _sheet(response.content.decode())


def test_start_page_shows_time_and_anonymity(client: Client, published: SurveyVersion) -> None:
    response = client.get(f"/s/{published.survey.public_id}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "所要時間：約" in html
    assert "回答した時刻は記録しません" in html
    assert "招待コード" not in html


def test_draft_survey_is_not_found(client: Client, published: SurveyVersion) -> None:
    survey = published.survey
    survey.status = "draft"
    survey.save()
    assert client.get(f"/s/{survey.public_id}/").status_code == 404


def test_resident_answers_every_page_confirms_and_is_thanked(
    client: Client, published: SurveyVersion
) -> None:
    url = f"/s/{published.survey.public_id}/answer/"
    sheet = _start(client, published)
    pages = published.definition["pages"]
    for index, page in enumerate(pages):
        data = {"sheet": sheet, "page": str(index), "nav": "next"}
        for qid in page["questions"]:
            data[f"q-{qid}"] = {"x1": "3", "x2": "2", "x3": "", "area": ""}.get(qid, "na")
        if "gender" in page["questions"]:
            data["q-gender"] = "2"
        if "age_band" in page["questions"]:
            data["q-age_band"] = "3"
        response = client.post(url, data)
        assert response.status_code == 200, response.content.decode()[:2000]
        sheet = _sheet(response.content.decode())
    html = response.content.decode()
    assert "回答内容の確認" in html
    response = client.post(url, {"sheet": sheet, "nav": "submit"})
    assert response.status_code == 303
    assert response["Location"] == f"/s/{published.survey.public_id}/thanks/"
    assert "ご回答ありがとうございました" in client.get(response["Location"]).content.decode()
    stored = Response.objects.get()
    assert stored.age_band == 3
    assert Response.objects.filter(c01_1__isnull=True).count() == 1
    assert stored.custom_answers == {"x1": 3, "x2": ["2"]}
    # a retry (double tap, network drop) gets the same acknowledgement and stores nothing
    again = client.post(url, {"sheet": sheet, "nav": "submit"})
    assert again.status_code == 303
    assert again["Location"] == response["Location"]
    assert Response.objects.count() == 1


def test_invalid_answer_is_explained_and_linked_and_kept_for_correction(
    client: Client, published: SurveyVersion
) -> None:
    url = f"/s/{published.survey.public_id}/answer/"
    last = len(published.definition["pages"]) - 1
    sheet = _start(client, published)
    response = client.post(
        url, {"sheet": sheet, "page": str(last), "nav": "next", "q-x1": "150", "q-x2": "1"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert"' in html
    assert '<a href="#q-x1">0から100までの数で答えてください。</a>' in html
    assert 'value="150"' in html
    assert 'aria-invalid="true"' in html
    loaded = Sheet.load(_sheet(html))
    assert loaded is not None
    assert loaded.answers == {"x2": ["1"]}


def test_back_keeps_answers_of_both_pages(client: Client, published: SurveyVersion) -> None:
    url = f"/s/{published.survey.public_id}/answer/"
    sheet = _start(client, published)
    response = client.post(url, {"sheet": sheet, "page": "1", "nav": "back", "q-q1": "8"})
    html = response.content.decode()
    assert "あなたの年代" in html
    loaded = Sheet.load(_sheet(html))
    assert loaded is not None
    assert loaded.answers == {"q1": 8}
    response = client.post(url, {"sheet": _sheet(html), "page": "0", "nav": "next"})
    assert 'value="8" checked' in response.content.decode()


def test_tampered_sheet_restarts_politely(client: Client, published: SurveyVersion) -> None:
    url = f"/s/{published.survey.public_id}/answer/"
    response = client.post(url, {"sheet": "forged", "nav": "submit"})
    assert response.status_code == 400
    assert "最初から回答してください" in response.content.decode()
    assert not Response.objects.exists()


def test_honeypot_blocks_the_start(client: Client, published: SurveyVersion) -> None:
    response = client.post(f"/s/{published.survey.public_id}/", {"website": "http://spam"})
    assert response.status_code == 400


def test_invitation_code_is_checked_at_start(client: Client, coded: SurveyVersion) -> None:
    response = client.post(f"/s/{coded.survey.public_id}/", {"code": "AAAA-BBBB-CCCC"})
    assert response.status_code == 400
    assert "招待コードが正しくないか" in response.content.decode()


def test_wrong_invitation_codes_are_rate_limited(client: Client, coded: SurveyVersion) -> None:
    url = f"/s/{coded.survey.public_id}/"
    statuses = [client.post(url, {"code": f"WRONG{n}"}).status_code for n in range(11)]
    assert statuses == [400] * 10 + [429]


def test_stored_rows_and_logs_hold_no_code_no_answer_text_and_no_time(
    client: Client, coded: SurveyVersion, caplog: pytest.LogCaptureFixture
) -> None:
    from machiwb.accounts.models import User
    from machiwb.audit.models import AuditEntry
    from machiwb.surveys.models import InvitationCode, SubmissionReceipt
    from machiwb.surveys.services import invitation_codes_generate

    staff = User.objects.create_user(email="staff@example.jp", password="x")
    [code] = invitation_codes_generate(survey=coded.survey, count=1, actor=staff)
    secret_text = "とても個人的な回答テキスト"
    caplog.set_level(logging.DEBUG)
    url = f"/s/{coded.survey.public_id}/"
    sheet = _start(client, coded, code=code)
    last = len(coded.definition["pages"]) - 1
    response = client.post(
        url + "answer/", {"sheet": sheet, "page": "1", "nav": "next", "q-q1": "9"}
    )
    sheet = _sheet(response.content.decode())
    assert client.post(url + "answer/", {"sheet": sheet, "nav": "submit"}).status_code == 303
    assert last > 1
    # the wrong code attempt and a bad request are logged too
    client.post(url, {"code": secret_text})
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in (code, code.replace("-", ""), secret_text, sheet):
        assert secret not in logged
    # stored rows: a date, the answers, nothing that names, times or orders the respondent
    row = Response.objects.values().get()
    assert set(row) == {f.attname for f in Response._meta.concrete_fields}
    assert type(row["answered_on"]) is datetime.date
    assert row["q1"] == 9
    assert all(code.replace("-", "") not in str(value) for value in row.values())
    assert not {"created_at", "updated_at", "ip", "user_agent", "user_id"} & set(row)
    for model in (InvitationCode, SubmissionReceipt, AuditEntry):
        dump = str(list(model.objects.values()))
        assert code.replace("-", "") not in dump
        assert code not in dump
        assert str(row["id"]) not in dump


def test_english_resident_sees_catalog_wording_in_english(
    client: Client, published: SurveyVersion
) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    sheet = _start(client, published)
    response = client.post(
        f"/s/{published.survey.public_id}/answer/", {"sheet": sheet, "page": "0", "nav": "next"}
    )
    html = response.content.decode()
    assert "How happy are you at present?" in html
    assert "Don&#x27;t know / prefer not to say" in html
    assert "Page 2 of" in html


def test_national_survey_resident_chooses_municipality(client: Client, kainan: object) -> None:
    from machiwb.accounts.testing import make_operator
    from machiwb.surveys.services import survey_create, survey_publish

    operator = make_operator()
    survey = survey_create(
        actor=operator,
        survey_type="national",
        municipality=None,
        title="全国調査（令和7年度）",
        fiscal_year=2025,
    )
    version = survey_publish(survey=survey, actor=operator)
    url = f"/s/{survey.public_id}/"
    html = client.get(url).content.decode()
    assert "お住まいの都道府県" in html
    assert "回答をはじめる" not in html
    html = client.get(url + "?pref=30").content.decode()
    assert '<option value="302023">海南市</option>' in html
    assert client.post(url, {"municipality": "999999"}).status_code == 400
    sheet = _start(client, version, municipality="302023")
    response = client.post(url + "answer/", {"sheet": sheet, "nav": "submit"})
    assert response.status_code == 303
    assert Response.objects.get().municipality.code == "302023"
