"""One person, one answer through an identity provider (本人確認・OpenID Connect).

Every test runs the real Authlib client against the in-process fake provider of
``fake_oidc``: discovery, PKCE, state and nonce, the token endpoint and the ID token checks.
"""

from __future__ import annotations

import datetime
import io
import logging
import re
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from machiwb.accounts.models import Role
from machiwb.accounts.testing import login_staff, make_operator, make_staff
from machiwb.audit.models import AuditEntry
from machiwb.regions.models import Municipality
from machiwb.surveys import identity
from machiwb.surveys.identity import identity_subject_hash
from machiwb.surveys.models import (
    Response,
    Survey,
    SurveyStatus,
    SurveyType,
    SurveyVersion,
    VerifiedSubject,
)
from machiwb.surveys.services import (
    SubmissionRefused,
    SurveyStateError,
    response_submit,
    survey_close,
    survey_publish,
    survey_reopen,
    verified_subjects_delete_expired,
)
from machiwb.surveys.tests.fake_oidc import (
    CLIENT_ID,
    ISSUER,
    PERSONAL_CLAIMS,
    PROVIDER_SETTING,
    FakeProvider,
    fake_provider_installed,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch, settings: SettingsWrapper) -> Iterator[FakeProvider]:
    yield from fake_provider_installed(monkeypatch, settings)


@pytest.fixture
def checked(kainan: Municipality) -> SurveyVersion:
    survey = Survey.objects.create(
        survey_type=SurveyType.INDIVIDUAL,
        municipality=kainan,
        fiscal_year=2025,
        catalog_version="fy2023",
        title="海南市 本人確認つきアンケート",
        identity_required=True,
    )
    return survey_publish(survey=survey, actor=None)


@pytest.fixture
def editor_client(kainan: Municipality) -> Client:
    client = Client()
    login_staff(client, make_staff(municipality=kainan, role=Role.EDITOR))
    return client


def _verify(client: Client, version: SurveyVersion, provider: FakeProvider, sub: str) -> Any:
    """Press 本人確認をして回答する, sign in at the provider, come back to the callback."""
    start = client.get(f"/s/{version.survey.public_id}/verify/")
    assert start.status_code == 302, start.content.decode()[:2000]
    return client.get(provider.login(start["Location"], sub=sub))


def _sheet(html: str) -> str:
    match = re.search(r'name="sheet" value="([^"]+)"', html)
    assert match, html[:3000]
    return match.group(1)


def _answer(client: Client, version: SurveyVersion) -> Any:
    """Start the answer sheet, answer q1 and submit it."""
    url = f"/s/{version.survey.public_id}/"
    started = client.post(url)
    assert started.status_code == 200, started.content.decode()[:3000]
    data = {"sheet": _sheet(started.content.decode()), "page": "1", "nav": "next", "q-q1": "8"}
    page = client.post(url + "answer/", data)
    return client.post(url + "answer/", {"sheet": _sheet(page.content.decode()), "nav": "submit"})


def test_start_page_offers_the_identity_check_and_nothing_else(
    client: Client, checked: SurveyVersion, provider: FakeProvider
) -> None:
    html = client.get(f"/s/{checked.survey.public_id}/").content.decode()
    assert "本人確認をして回答する" in html
    assert f'href="/s/{checked.survey.public_id}/verify/"' in html
    assert "回答をはじめる" not in html
    # without the check the answer sheet cannot be started
    refused = client.post(f"/s/{checked.survey.public_id}/")
    assert refused.status_code == 400
    assert "本人確認をしてから" in refused.content.decode()


def test_verified_resident_answers_once_and_only_a_keyed_hash_is_kept(
    client: Client,
    checked: SurveyVersion,
    provider: FakeProvider,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    back = _verify(client, checked, provider, "subject-0001")
    assert back.status_code == 303
    assert back["Location"] == f"/s/{checked.survey.public_id}/"
    html = client.get(back["Location"]).content.decode()
    assert "本人確認が済みました" in html
    assert "回答をはじめる" in html
    response = _answer(client, checked)
    assert response.status_code == 303, response.content.decode()[:3000]
    assert response["Location"] == f"/s/{checked.survey.public_id}/thanks/"
    # the stored row is the keyed hash, nothing else from the token; no link to the response
    stored = Response.objects.values().get()
    marks = list(VerifiedSubject.objects.values())
    assert marks == [
        {
            "survey_id": checked.survey.pk,
            "subject_hash": identity_subject_hash(
                survey=checked.survey, issuer=ISSUER, subject="subject-0001"
            ),
        }
    ]
    assert {f.name for f in VerifiedSubject._meta.get_fields()} == {"survey", "subject_hash"}
    assert not [f for f in Response._meta.get_fields() if f.related_model is VerifiedSubject]
    assert str(stored["id"]) not in str(marks)
    assert marks[0]["subject_hash"] not in str(stored)
    # nothing of the token in the database, the logs or the session
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        dump = ""
        for table in tables:
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from Django
            dump += str(cursor.fetchall())
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in ["subject-0001", *PERSONAL_CLAIMS.values()]:
        assert secret not in dump
        assert secret not in logged
    # the session held the hash only until the answer was stored
    assert identity.VERIFIED_KEY not in client.session or not client.session[identity.VERIFIED_KEY]


def test_second_answer_with_the_same_subject_is_refused(
    client: Client, checked: SurveyVersion, provider: FakeProvider
) -> None:
    _verify(client, checked, provider, "subject-0001")
    assert _answer(client, checked).status_code == 303
    other_device = Client()
    again = _verify(other_device, checked, provider, "subject-0001")
    assert again.status_code == 409
    assert "すでに回答をいただいています" in again.content.decode()
    assert Response.objects.count() == 1
    assert VerifiedSubject.objects.count() == 1


def test_second_answer_is_refused_at_submission_too(
    client: Client, checked: SurveyVersion, provider: FakeProvider
) -> None:
    """Two devices verified before either answered: the second submission is refused."""
    second = Client()
    _verify(client, checked, provider, "subject-0001")
    _verify(second, checked, provider, "subject-0001")
    assert _answer(client, checked).status_code == 303
    refused = _answer(second, checked)
    assert refused.status_code == 409
    assert "回答は一人一回です" in refused.content.decode()
    assert f'href="/s/{checked.survey.public_id}/"' in refused.content.decode()
    assert Response.objects.count() == 1


def test_expired_verification_is_explained_and_can_be_renewed(
    client: Client, checked: SurveyVersion, provider: FakeProvider
) -> None:
    _verify(client, checked, provider, "subject-0001")
    url = f"/s/{checked.survey.public_id}/"
    started = client.post(url)
    session = client.session
    session.flush()  # the session ended (idle limit) while the resident was answering
    refused = client.post(
        url + "answer/", {"sheet": _sheet(started.content.decode()), "nav": "submit"}
    )
    assert refused.status_code == 409
    assert "もう一度本人確認をしてください" in refused.content.decode()
    assert not Response.objects.exists()
    _verify(client, checked, provider, "subject-0001")
    again = client.post(
        url + "answer/", {"sheet": _sheet(refused.content.decode()), "nav": "submit"}
    )
    assert again.status_code == 303
    assert Response.objects.count() == 1


def test_different_subject_is_accepted(
    client: Client, checked: SurveyVersion, provider: FakeProvider
) -> None:
    _verify(client, checked, provider, "subject-0001")
    assert _answer(client, checked).status_code == 303
    neighbour = Client()
    assert _verify(neighbour, checked, provider, "subject-0002").status_code == 303
    assert _answer(neighbour, checked).status_code == 303
    assert Response.objects.count() == 2
    assert VerifiedSubject.objects.count() == 2


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        ({"signing_key": "attacker"}, "BadSignatureError"),
        ({"audience": "another-client"}, "InvalidClaimError"),
        ({"audience": "another-client", "azp": CLIENT_ID}, "InvalidClaimError"),
        ({"nonce": "replayed-nonce"}, "InvalidClaimError"),
        ({"expires_in": -3600}, "ExpiredTokenError"),
        ({"token_issuer": "https://evil.example.test"}, "InvalidClaimError"),
    ],
    ids=[
        "bad-signature",
        "wrong-audience",
        "wrong-audience-with-azp",
        "wrong-nonce",
        "expired",
        "wrong-issuer",
    ],
)
def test_a_bad_id_token_is_rejected(
    client: Client,
    checked: SurveyVersion,
    provider: FakeProvider,
    spoil: dict[str, Any],
    reason: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    for name, value in spoil.items():
        setattr(provider, name, value)
    response = _verify(client, checked, provider, "subject-0001")
    assert response.status_code == 400
    assert "本人確認ができませんでした" in response.content.decode()
    assert f"identity check failed: {reason}" in caplog.text
    assert "subject-0001" not in caplog.text
    assert client.post(f"/s/{checked.survey.public_id}/").status_code == 400
    assert not VerifiedSubject.objects.exists()


def test_state_mismatch_is_rejected(
    client: Client, checked: SurveyVersion, provider: FakeProvider
) -> None:
    start = client.get(f"/s/{checked.survey.public_id}/verify/")
    callback = provider.login(start["Location"], sub="subject-0001")
    forged = re.sub(r"state=[^&]+", "state=forged-state", callback)
    response = client.get(forged)
    assert response.status_code == 400
    assert "やり直してください" in response.content.decode()
    # a callback sent to another browser (no pending state there) is refused as well
    assert Client().get(callback).status_code == 400
    # and the real one, used once, cannot be replayed
    assert client.get(callback).status_code == 303
    assert client.get(callback).status_code == 400


#: An error_description as a provider might write it: the person's name and markup.
DESCRIPTION = f"{PERSONAL_CLAIMS['name']} <script>alert(1)</script> did not consent"


def _pending_states(client: Client) -> list[str]:
    """The states still waiting in the session, machiwb's and Authlib's."""
    session = client.session
    prefix = f"_state_{identity.CLIENT_NAME}_"
    authlib = [key for key in session.keys() if key.startswith(prefix)]  # noqa: SIM118 - a session cannot be iterated
    return [*session.get(identity.PENDING_KEY, {}), *authlib]


@pytest.mark.parametrize("error", ["access_denied", "login_required", "consent_required"])
def test_cancelled_check_is_explained_and_can_be_tried_again(
    client: Client,
    checked: SurveyVersion,
    provider: FakeProvider,
    error: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    start = client.get(f"/s/{checked.survey.public_id}/verify/")
    assert _pending_states(client)
    callback = provider.deny(start["Location"], error=error, description=DESCRIPTION)
    response = client.get(callback)
    html = response.content.decode()
    assert response.status_code == 200
    assert "本人確認が取り消されました" in html
    assert f'href="/s/{checked.survey.public_id}/"' in html
    # the provider's free text is neither shown (escaped or not) nor logged
    assert PERSONAL_CLAIMS["name"] not in html
    assert "alert(1)" not in html
    assert "error_description" not in html
    assert f'name="next" type="hidden" value="/s/{checked.survey.public_id}/"' in html
    assert PERSONAL_CLAIMS["name"] not in caplog.text
    assert f"identity check cancelled at the provider: {error}" in caplog.text
    # the state is consumed: the same callback is not accepted twice
    assert _pending_states(client) == []
    assert client.get(callback).status_code == 400
    assert client.post(f"/s/{checked.survey.public_id}/").status_code == 400
    # and the resident can try again
    assert _verify(client, checked, provider, "subject-0001").status_code == 303
    assert _answer(client, checked).status_code == 303


@pytest.mark.parametrize(
    ("error", "status", "wording", "logged"),
    [
        ("temporarily_unavailable", 400, "時間をおいて", "temporarily_unavailable"),
        ("invalid_scope", 400, "手続きを完了できませんでした", "invalid_scope"),
        ("<b>made_up</b>", 400, "手続きを完了できませんでした", "other"),
    ],
)
def test_other_provider_errors_get_their_own_message(
    client: Client,
    checked: SurveyVersion,
    provider: FakeProvider,
    error: str,
    status: int,
    wording: str,
    logged: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    start = client.get(f"/s/{checked.survey.public_id}/verify/")
    response = client.get(provider.deny(start["Location"], error=error, description=DESCRIPTION))
    html = response.content.decode()
    assert response.status_code == status
    assert wording in html
    assert "取り消されました" not in html
    assert f'href="/s/{checked.survey.public_id}/"' in html
    assert "made_up" not in html
    assert PERSONAL_CLAIMS["name"] not in html
    assert f"identity provider returned an error: {logged}\n" in caplog.text
    assert PERSONAL_CLAIMS["name"] not in caplog.text
    assert _pending_states(client) == []
    assert not VerifiedSubject.objects.exists()


def _closed_days_ago(version: SurveyVersion, days: int) -> Survey:
    survey, _job = survey_close(survey=version.survey, actor=None)
    closed_on = timezone.localdate() - datetime.timedelta(days=days)
    Survey.objects.filter(pk=survey.pk).update(closed_on=closed_on)
    survey.refresh_from_db()
    return survey


def test_hashes_are_kept_while_the_survey_can_be_reopened_then_deleted(
    client: Client, checked: SurveyVersion, provider: FakeProvider, editor_client: Client
) -> None:
    for number, device in enumerate([client, Client()]):
        _verify(device, checked, provider, f"subject-000{number}")
        assert _answer(device, checked).status_code == 303
    kept = settings.MACHIWB["VERIFIED_SUBJECTS_KEPT_DAYS"]
    survey = _closed_days_ago(checked, kept)
    detail = f"/surveys/302023/{survey.public_id}/"
    assert (
        "に削除します。削除した後は再開できません。" in editor_client.get(detail).content.decode()
    )
    out = io.StringIO()
    call_command("close_ended_surveys", stdout=out)
    assert "verified_subjects_deleted=0" in out.getvalue()
    assert VerifiedSubject.objects.count() == 2  # the last day they are kept
    Survey.objects.filter(pk=survey.pk).update(
        closed_on=timezone.localdate() - datetime.timedelta(days=kept + 1)
    )
    call_command("close_ended_surveys", stdout=out)
    assert f"verified subjects deleted {survey.public_id} count=2" in out.getvalue()
    assert not VerifiedSubject.objects.exists()
    assert Response.objects.count() == 2  # the answers stay
    survey.refresh_from_db()
    assert survey.verified_subjects_deleted_on == timezone.localdate()
    entry = AuditEntry.objects.get(action="survey.verified_subjects_delete")
    assert entry.actor is None
    assert entry.details == {"count": 2}
    # once deleted, a second answer could not be refused: the survey cannot be reopened
    page = editor_client.get(detail).content.decode()
    assert "この調査は再開できません" in page
    assert 'value="reopen"' not in page
    refused = editor_client.post(detail + "status/", {"action": "reopen", "reason": "追加の回収"})
    assert "この調査は再開できません" in editor_client.get(refused["Location"]).content.decode()
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.CLOSED
    # the nightly job does it once
    call_command("close_ended_surveys", stdout=out)
    assert AuditEntry.objects.filter(action="survey.verified_subjects_delete").count() == 1


def test_reopening_restarts_the_retention_and_other_surveys_keep_nothing_to_delete(
    client: Client,
    checked: SurveyVersion,
    provider: FakeProvider,
    kainan: Municipality,
    settings: SettingsWrapper,
) -> None:
    settings.MACHIWB = {**settings.MACHIWB, "VERIFIED_SUBJECTS_KEPT_DAYS": 0}
    _verify(client, checked, provider, "subject-0001")
    assert _answer(client, checked).status_code == 303
    survey = _closed_days_ago(checked, 5)
    staff = make_staff(municipality=kainan, role=Role.EDITOR)
    survey = survey_reopen(survey=survey, actor=staff, reason="紙の回収が遅れたため")
    assert survey.closed_on is None
    open_survey = Survey.objects.create(
        survey_type=SurveyType.INDIVIDUAL,
        municipality=kainan,
        fiscal_year=2025,
        catalog_version="fy2023",
        title="だれでも回答できる調査",
    )
    survey_publish(survey=open_survey, actor=None)
    _closed_days_ago(open_survey.versions.get(), 5)
    today = timezone.localdate()
    assert verified_subjects_delete_expired(today=today) == []  # reopened: still needed
    survey_close(survey=survey, actor=staff)
    assert verified_subjects_delete_expired(today=today) == []  # kept through the closing day
    deleted = verified_subjects_delete_expired(today=today + datetime.timedelta(days=1))
    assert [(s.pk, count) for s, count in deleted] == [(survey.pk, 1)]
    with pytest.raises(SurveyStateError, match="再開できません"):
        survey_reopen(survey=survey, actor=staff, reason="もう一度")


def test_national_survey_admits_one_answer_per_person_for_the_year(
    client: Client,
    kainan: Municipality,
    provider: FakeProvider,
    settings: SettingsWrapper,
) -> None:
    operator = Client()
    login_staff(operator, make_operator())
    settings.OIDC_PROVIDER = None
    form = operator.get("/surveys/national/new/").content.decode()
    assert 'name="one_vote"' not in form
    settings.OIDC_PROVIDER = PROVIDER_SETTING
    form = operator.get("/surveys/national/new/").content.decode()
    assert 'value="identity"' in form
    assert 'value="code"' not in form  # codes are printed and sent by a municipality
    data = {"title": "2025年度 全国調査", "fiscal_year": "2025", "one_vote": "code"}
    assert operator.post("/surveys/national/new/", data).status_code == 400
    data["one_vote"] = "identity"
    assert operator.post("/surveys/national/new/", data).status_code == 302
    survey = Survey.objects.get(survey_type=SurveyType.NATIONAL)
    assert survey.identity_required
    assert not survey.invitation_required
    detail = operator.get(f"/surveys/national/{survey.public_id}/").content.decode()
    assert "本人確認サービス（一人一回答）" in detail
    version = survey_publish(survey=survey, actor=None)
    url = f"/s/{survey.public_id}/"
    # the municipality is asked for after the check, which returns to the front page
    before = client.get(url).content.decode()
    assert "本人確認をして回答する" in before
    assert 'name="pref"' not in before
    assert _verify(client, version, provider, "subject-0001")["Location"] == url
    assert 'name="pref"' in client.get(url).content.decode()
    chosen = client.get(url + "?pref=30").content.decode()
    assert 'value="302023"' in chosen
    started = client.post(url + "?pref=30", {"municipality": "302023"})
    assert started.status_code == 200, started.content.decode()[:3000]
    page = {"sheet": _sheet(started.content.decode()), "page": "1", "nav": "next", "q-q1": "8"}
    confirm = client.post(url + "answer/", page)
    done = client.post(
        url + "answer/", {"sheet": _sheet(confirm.content.decode()), "nav": "submit"}
    )
    assert done.status_code == 303
    assert Response.objects.get().municipality_id == "302023"
    assert VerifiedSubject.objects.get().survey_id == survey.pk
    # the same person, on another device and for another municipality, is refused
    again = _verify(Client(), version, provider, "subject-0001")
    assert again.status_code == 409
    assert Response.objects.count() == 1


def test_provider_choice_is_offered_to_staff_only_when_configured(
    editor_client: Client, settings: SettingsWrapper
) -> None:
    settings.OIDC_PROVIDER = None
    form = editor_client.get("/surveys/302023/new/").content.decode()
    assert 'value="code"' in form
    assert 'value="identity"' not in form
    data = {"title": "本人確認アンケート", "fiscal_year": "2025", "one_vote": "identity"}
    assert editor_client.post("/surveys/302023/new/", data).status_code == 400
    settings.OIDC_PROVIDER = PROVIDER_SETTING
    assert 'value="identity"' in editor_client.get("/surveys/302023/new/").content.decode()
    assert editor_client.post("/surveys/302023/new/", data).status_code == 302
    survey = Survey.objects.get()
    assert survey.identity_required
    assert not survey.invitation_required


def test_without_a_configured_provider_the_survey_explains_it_cannot_be_answered(
    client: Client, checked: SurveyVersion, settings: SettingsWrapper
) -> None:
    settings.OIDC_PROVIDER = None
    html = client.get(f"/s/{checked.survey.public_id}/").content.decode()
    assert "本人確認サービスが現在使えない" in html
    assert "本人確認をして回答する" not in html
    assert client.get(f"/s/{checked.survey.public_id}/verify/").status_code == 503


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real row locking needs PostgreSQL")
def test_twenty_simultaneous_submissions_of_one_person_store_exactly_one() -> None:
    call_command("load_regions", stdout=io.StringIO())
    survey = Survey.objects.create(
        survey_type=SurveyType.INDIVIDUAL,
        municipality=Municipality.objects.get(code="302023"),
        fiscal_year=2025,
        catalog_version="fy2023",
        title="同時送信の確認",
        identity_required=True,
    )
    version = survey_publish(survey=survey, actor=None)
    subject_hash = identity_subject_hash(survey=survey, issuer=ISSUER, subject="subject-0001")
    barrier = threading.Barrier(20)
    outcomes: list[str] = []

    def submit(number: int) -> None:
        barrier.wait()
        try:
            outcome = response_submit(
                version=version,
                answers={"q1": number % 11},
                submission_token=f"token-{number:030d}",
                identity_subject_hash=subject_hash,
            ).value
        except SubmissionRefused:
            outcome = "refused"
        finally:
            connections.close_all()
        outcomes.append(outcome)

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Counter(outcomes) == Counter({"stored": 1, "refused": 19})
    assert Response.objects.count() == 1
    assert VerifiedSubject.objects.count() == 1
