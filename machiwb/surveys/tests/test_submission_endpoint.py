"""The submission layer in front of Django (machiwb/surveys/submission.py), through WSGI.

Each test sends real WSGI requests to ``SubmissionEndpoint`` wrapping Django's own
``WSGIHandler`` (the application gunicorn serves), with the CSRF check enforced.
"""

from __future__ import annotations

import io
import secrets
import sys
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import caches
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import OperationalError, close_old_connections, connection

from machiwb.core.ratelimit import CACHE_ALIAS, hit
from machiwb.surveys import submission
from machiwb.surveys.models import Response, SubmissionReceipt, SurveyVersion
from machiwb.surveys.services import response_submit
from machiwb.surveys.submission import SubmissionEndpoint
from machiwb.surveys.tests.conftest import full_answers
from machiwb.surveys.views_answer import ANSWER_GROUP, ANSWER_RATE, Sheet

pytestmark = pytest.mark.django_db

CSRF_SECRET = "q" * 32
ADDRESS = "203.0.113.7"


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


@pytest.fixture
def local_rate_limits(settings: Any) -> None:
    settings.CACHES = {
        **settings.CACHES,
        CACHE_ALIAS: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    caches[CACHE_ALIAS].clear()


@pytest.fixture
def django_app(local_rate_limits: None) -> Iterator[WSGIHandler]:
    # As Django's test client does: the test's transaction must outlive each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def endpoint(django_app: WSGIHandler) -> SubmissionEndpoint:
    return SubmissionEndpoint(django_app)


def _call(app: Any, path: str, fields: dict[str, str], cookie: str = CSRF_SECRET) -> Reply:
    body = urllib.parse.urlencode(fields).encode()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": ADDRESS,
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_COOKIE": f"csrftoken={cookie}" if cookie else "",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    started: list[Any] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        started.append((status, headers))

    chunks = app(environ, start_response)
    content = b"".join(chunks)
    getattr(chunks, "close", lambda: None)()
    status, headers = started[0]
    return Reply(int(status.split()[0]), dict(headers), content)


def _fields(
    version: SurveyVersion, sheet: Sheet | None = None, nav: str = "submit"
) -> dict[str, str]:
    sheet = sheet or Sheet(
        version=str(version.public_id), token=secrets.token_urlsafe(24), answers=full_answers()
    )
    return {"csrfmiddlewaretoken": CSRF_SECRET, "sheet": sheet.dump(), "nav": nav}


def _path(version: SurveyVersion) -> str:
    return f"/s/{version.survey.public_id}/answer/"


def _counted() -> int:
    """Submissions counted for ADDRESS so far (counting one more to read it)."""
    return hit(ANSWER_GROUP, ADDRESS, ANSWER_RATE) - 1


def test_a_complete_sheet_is_stored_once_and_answered_as_django_would(
    endpoint: SubmissionEndpoint,
    django_app: WSGIHandler,
    published: SurveyVersion,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from_django = _call(django_app, _path(published), _fields(published))
    assert from_django.status == 303
    stored: list[dict[str, Any]] = []

    def counting(**kwargs: Any) -> Any:
        stored.append(kwargs)
        return response_submit(**kwargs)

    monkeypatch.setattr(submission, "response_submit", counting)
    reply = _call(endpoint, _path(published), _fields(published))
    assert reply.status == 303
    assert len(stored) == 1  # stored in front of Django, not by the view
    assert Response.objects.count() == 2
    assert reply.headers["Location"] == f"/s/{published.survey.public_id}/thanks/"
    # every header Django gives the same redirect, except those that follow the page's
    # rendering (the session and the language negotiated for it)
    expected = {
        k: v for k, v in from_django.headers.items() if k not in ("Vary", "Content-Language")
    }
    assert {k for k in reply.headers if k != "Expires"} == {k for k in expected if k != "Expires"}
    for name, value in expected.items():
        if name != "Expires":
            assert reply.headers[name] == value, name
    assert reply.body == b""
    assert _counted() == 2  # each submission counted once


def test_a_retry_is_acknowledged_again_without_a_second_response(
    endpoint: SubmissionEndpoint, published: SurveyVersion
) -> None:
    sheet = Sheet(version=str(published.public_id), token="r" * 32, answers=full_answers())
    for _attempt in range(3):
        assert _call(endpoint, _path(published), _fields(published, sheet)).status == 303
    assert Response.objects.count() == 1
    assert SubmissionReceipt.objects.count() == 1


def test_other_steps_of_the_flow_reach_the_view_with_their_body(
    endpoint: SubmissionEndpoint, published: SurveyVersion
) -> None:
    sheet = Sheet(version=str(published.public_id), token="n" * 32, answers={})
    reply = _call(endpoint, _path(published), _fields(published, sheet, nav="goto-2"))
    assert reply.status == 200
    assert "3 / " in reply.body.decode()  # the page the form asked for
    assert Response.objects.count() == 0


def test_without_the_csrf_cookie_nothing_is_stored_and_django_refuses(
    endpoint: SubmissionEndpoint, published: SurveyVersion, caplog: pytest.LogCaptureFixture
) -> None:
    reply = _call(endpoint, _path(published), _fields(published), cookie="")
    assert reply.status == 403
    assert Response.objects.count() == 0
    refusals = [r for r in caplog.records if r.name == "django.security.csrf"]
    assert len(refusals) == 1  # logged by Django's check only


def test_an_incomplete_sheet_is_explained_by_the_view_and_counted_once(
    endpoint: SubmissionEndpoint, published: SurveyVersion
) -> None:
    answers = full_answers()
    answers["q1"] = 99  # outside 0–10
    sheet = Sheet(version=str(published.public_id), token="i" * 32, answers=answers)
    reply = _call(endpoint, _path(published), _fields(published, sheet))
    assert reply.status == 409
    assert "確認が必要" in reply.body.decode()
    assert Response.objects.count() == 0
    assert _counted() == 1


def test_a_survey_with_invitation_codes_is_left_to_the_view(
    endpoint: SubmissionEndpoint, coded: SurveyVersion
) -> None:
    answers = {k: v for k, v in full_answers().items() if not k.startswith("x")}
    sheet = Sheet(version=str(coded.public_id), token="c" * 32, code="NOTACODE", answers=answers)
    reply = _call(endpoint, _path(coded), _fields(coded, sheet))
    assert reply.status == 409
    assert "招待コード" in reply.body.decode()
    assert Response.objects.count() == 0
    assert _counted() == 1


def test_over_the_rate_limit_the_view_answers_429(
    endpoint: SubmissionEndpoint, published: SurveyVersion
) -> None:
    for _counted_before in range(int(ANSWER_RATE.split("/")[0])):
        hit(ANSWER_GROUP, ADDRESS, ANSWER_RATE)
    reply = _call(endpoint, _path(published), _fields(published))
    assert reply.status == 429
    assert "Retry-After" in reply.headers
    assert Response.objects.count() == 0


def test_a_database_error_leaves_the_sheet_to_django(
    endpoint: SubmissionEndpoint, published: SurveyVersion, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unavailable(**kwargs: Any) -> None:
        raise OperationalError("the server closed the connection unexpectedly")

    monkeypatch.setattr(submission, "response_submit", unavailable)
    reply = _call(endpoint, _path(published), _fields(published))
    assert reply.status == 303  # stored by the view on its own connection handling
    assert Response.objects.count() == 1
    assert _counted() == 1


def test_the_submission_reads_the_survey_and_writes_two_rows(
    endpoint: SubmissionEndpoint, published: SurveyVersion, django_assert_num_queries: Any
) -> None:
    assert _call(endpoint, _path(published), _fields(published)).status == 303
    # the survey's state; then, in a test (where the transaction is a savepoint inside the
    # test's own): savepoint, receipt and response (one statement on PostgreSQL), release
    with django_assert_num_queries(4 if connection.vendor == "postgresql" else 5):
        assert _call(endpoint, _path(published), _fields(published)).status == 303
