"""Concurrent submissions on PostgreSQL: one code → one response; one token → one response."""

from __future__ import annotations

import datetime
import http.client
import re
import threading
import urllib.parse
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.db import DataError, connection, connections

from machiwb.accounts.testing import make_staff
from machiwb.regions.models import Municipality
from machiwb.surveys.models import (
    InvitationCode,
    Response,
    SubmissionReceipt,
    Survey,
    SurveyType,
    SurveyVersion,
)
from machiwb.surveys.services import (
    SubmissionRefused,
    _insert,
    invitation_codes_generate,
    response_submit,
    survey_publish,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="real row locking needs PostgreSQL"
    ),
]


def _version(invitation_required: bool) -> SurveyVersion:
    call_command("load_regions", stdout=open("/dev/null", "w"))  # noqa: SIM115
    survey = Survey.objects.create(
        survey_type=SurveyType.INDIVIDUAL,
        municipality=Municipality.objects.get(code="302023"),
        fiscal_year=2025,
        catalog_version="fy2023",
        title="同時送信の確認",
        invitation_required=invitation_required,
    )
    return survey_publish(survey=survey, actor=None)


def _race(count: int, submit: Callable[[int], str]) -> Counter[str]:
    barrier = threading.Barrier(count)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(number: int) -> None:
        barrier.wait()
        try:
            result = submit(number)
        except SubmissionRefused:
            result = "refused"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Counter(outcomes)


def test_fifty_simultaneous_submissions_with_one_code_store_exactly_one() -> None:
    version = _version(invitation_required=True)
    staff = make_staff(municipality="302023", role="editor")
    [code] = invitation_codes_generate(survey=version.survey, count=1, actor=staff)

    def submit(number: int) -> str:
        answers: dict[str, Any] = {"q1": number % 11}
        return response_submit(
            version=version,
            answers=answers,
            submission_token=f"token-{number:030d}",
            invitation_code=code,
        ).value

    outcomes = _race(50, submit)
    assert outcomes == Counter({"stored": 1, "refused": 49})
    assert Response.objects.count() == 1
    assert InvitationCode.objects.get().used is True


def test_same_submission_sent_five_times_at_once_stores_one() -> None:
    version = _version(invitation_required=False)

    def submit(number: int) -> str:
        return response_submit(version=version, answers={"q1": 7}, submission_token="t" * 32).value

    outcomes = _race(5, submit)
    assert outcomes == Counter({"stored": 1, "already_stored": 4})
    assert Response.objects.count() == 1


def _csrf(base_url: str, path: str) -> tuple[str, str]:
    """The CSRF cookie and form token from the survey's front page."""
    url = urllib.parse.urlsplit(base_url)
    connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=30)
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read().decode()
    cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    assert cookie is not None
    assert token is not None
    return cookie.group(1), token.group(1)


def _post(base_url: str, path: str, form: dict[str, str], cookie: str) -> int:
    url = urllib.parse.urlsplit(base_url)
    connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=60)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={cookie}",
    }
    connection.request("POST", path, body=urllib.parse.urlencode(form), headers=headers)
    response = connection.getresponse()
    response.read()
    return response.status


def test_concurrent_http_posts_of_one_sheet_and_of_one_code(live_server: Any) -> None:
    from machiwb.surveys.views_answer import Sheet

    # one answer sheet posted 5 times at once (double tap, retries): one response, 5 thank-yous
    version = _version(invitation_required=False)
    path = f"/s/{version.survey.public_id}/"
    cookie, token = _csrf(live_server.url, path)
    sheet = Sheet(version=str(version.public_id), token="r" * 32, answers={"q1": 8}).dump()
    form = {"csrfmiddlewaretoken": token, "sheet": sheet, "nav": "submit"}
    statuses = _race(5, lambda n: str(_post(live_server.url, path + "answer/", form, cookie)))
    assert statuses == Counter({"303": 5})
    assert Response.objects.filter(survey_version=version).count() == 1


def test_concurrent_http_posts_with_one_code_store_one(live_server: Any) -> None:
    from machiwb.surveys.views_answer import Sheet

    version = _version(invitation_required=True)
    staff = make_staff(municipality="302023", role="editor")
    [code] = invitation_codes_generate(survey=version.survey, count=1, actor=staff)
    path = f"/s/{version.survey.public_id}/"
    cookie, token = _csrf(live_server.url, path)

    def post(number: int) -> str:
        sheet = Sheet(
            version=str(version.public_id), token=f"h{number:031d}", code=code, answers={"q1": 3}
        ).dump()
        form = {"csrfmiddlewaretoken": token, "sheet": sheet, "nav": "submit"}
        return str(_post(live_server.url, path + "answer/", form, cookie))

    statuses = _race(20, post)
    assert statuses == Counter({"303": 1, "409": 19})
    assert Response.objects.filter(survey_version=version).count() == 1


def test_receipt_and_response_are_stored_together_or_not_at_all() -> None:
    """On PostgreSQL both rows go in one statement, committed when it returns."""
    version = _version(invitation_required=False)
    receipt = SubmissionReceipt(key="k" * 64, survey_version=version, answers_digest="d" * 64)
    too_long = Response(
        survey_version=version,
        municipality_id="302023",
        answered_on=datetime.date(2025, 10, 1),
        area="地" * 51,  # more than the column holds: the second row fails
    )
    with pytest.raises(DataError):
        _insert(receipt, too_long)
    assert not SubmissionReceipt.objects.exists()
    stored = Response(
        survey_version=version, municipality_id="302023", answered_on=datetime.date(2025, 10, 1)
    )
    _insert(receipt, stored)
    assert connection.get_autocommit()  # no transaction was left open: both are committed
    assert SubmissionReceipt.objects.count() == Response.objects.count() == 1
