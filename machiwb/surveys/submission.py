"""The answering flow's last step (回答の送信), answered in front of Django's request handling.

Submissions are the requests that come in bursts (the day the 広報 or the invitation letters
arrive), and for them Django's full request handling (every middleware, the session, the
language, URL resolution) costs several times the CPU of checking and storing the answers.
This WSGI layer stores a complete answer sheet of a survey without invitation codes or
identity check with the same checks and the same service as the view
(``views_answer.survey_answer``):

- Django's CSRF check (``CsrfViewMiddleware``) of the same request object;
- the sheet's signature (``Sheet.load``) and the survey's state (``survey_version_for_sheet``);
- the view's per-address rate limit, counted once (the view does not count it again);
- ``response_submit``, which checks every answer and stores the sheet exactly once,
  committed before the 303 is sent;
- the headers of the security, CSP and clickjacking middleware, and ``never_cache``'s;
- the request's log line and metrics, as for any request.

Every other request, and every submission this layer does not store (an answer to explain,
a refused or rate-limited sheet, a survey with codes or identity check, a database error),
goes to Django unchanged, with the body put back, and Django answers it as it always has.
A sheet stored here and then retried is answered by Django as a retry (``ALREADY_STORED``),
so nothing that happens after the commit can store it twice.
"""

from __future__ import annotations

import io
import re
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.core.handlers.wsgi import WSGIRequest
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseForbidden
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.csrf import CsrfViewMiddleware
from django.middleware.security import SecurityMiddleware
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import http_date

from machiwb.core.ratelimit import COUNTED, Rate, client_ip, hit
from machiwb.jobs.logs import request_log
from machiwb.jobs.metrics import request_observe
from machiwb.surveys import views_answer
from machiwb.surveys.selectors import survey_version_for_sheet
from machiwb.surveys.services import SubmissionRefused, response_submit

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

_ANSWER_PATH = re.compile(r"^/s/(?P<survey>[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12})/answer/$")
_VIEW = "surveys:answer"
_ANSWER_LIMIT = Rate.parse(views_answer.ANSWER_RATE).count


def _unused(request: Any) -> HttpResponse:
    raise AssertionError("only the middleware's request and response steps are used")


class _CsrfCheck(CsrfViewMiddleware):
    """Django's CSRF check, without answering a refusal: the request then goes on to Django,
    whose own check refuses it, renders the page and logs it (once)."""

    def _reject(self, request: HttpRequest, reason: str) -> HttpResponse:
        return HttpResponseForbidden()


class SubmissionEndpoint:
    """WSGI application: stores complete answer sheets, hands everything else to ``app``."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app
        self.csrf = _CsrfCheck(_unused)
        # in the order Django runs them on a response (the reverse of settings.MIDDLEWARE)
        self.header_steps: list[XFrameOptionsMiddleware | CSPMiddleware | SecurityMiddleware] = [
            XFrameOptionsMiddleware(_unused),
            CSPMiddleware(_unused),
            SecurityMiddleware(_unused),
        ]
        self.headers: dict[bool, list[tuple[str, str]]] = {}

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        match = _ANSWER_PATH.match(environ.get("PATH_INFO", ""))
        # Under a SCRIPT_NAME prefix only Django's handler sets the prefix reverse() uses.
        if match is None or environ.get("REQUEST_METHOD") != "POST" or environ.get("SCRIPT_NAME"):
            return self.app(environ, start_response)
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return self.app(environ, start_response)
        if not 0 < length <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return self.app(environ, start_response)
        started = time.perf_counter()
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)
        try:
            headers = self._store(environ, uuid.UUID(match["survey"]))
        except DatabaseError:  # rolled back; Django answers (a retry, or 503 while it is away)
            headers = None
        if headers is None:
            environ["wsgi.input"] = io.BytesIO(body)
            return self.app(environ, start_response)
        seconds = time.perf_counter() - started
        request_log("POST", _VIEW, 303, round(seconds * 1000, 1))
        request_observe("POST", _VIEW, 303, seconds)
        start_response("303 See Other", headers)
        return [b""]

    def _store(
        self, environ: dict[str, Any], survey_public_id: uuid.UUID
    ) -> list[tuple[str, str]] | None:
        """The headers of the 303 to the thank-you page once the sheet is stored; None to
        leave the request to Django."""
        request = WSGIRequest(environ)
        if request.content_type != "application/x-www-form-urlencoded":
            return None
        if request.POST.get("nav") != "submit":
            return None
        self.csrf.process_request(request)
        if self.csrf.process_view(request, views_answer.survey_answer, (), {}) is not None:
            return None
        sheet = views_answer.Sheet.load(request.POST.get("sheet", ""))
        if sheet is None:
            return None
        version = survey_version_for_sheet(
            survey_public_id=survey_public_id, version_public_id=sheet.version
        )
        if version is None:
            return None
        survey = version.survey
        if survey.invitation_required or survey.identity_required:
            return None
        count = hit(views_answer.ANSWER_GROUP, client_ip(request), views_answer.ANSWER_RATE)
        environ[COUNTED] = (views_answer.ANSWER_GROUP, count)
        if count > _ANSWER_LIMIT:
            return None
        try:
            response_submit(
                version=version,
                answers=sheet.answers,
                submission_token=sheet.token,
                municipality_code=sheet.municipality,
            )
        except SubmissionRefused:
            return None
        location = reverse("surveys:thanks", kwargs={"public_id": survey.public_id})
        return [("Location", location), ("Expires", http_date()), *self._headers(request)]

    def _headers(self, request: WSGIRequest) -> list[tuple[str, str]]:
        """The headers Django's middleware and ``never_cache`` give a redirect (but its
        Location and Expires), worked out once for HTTP and once for HTTPS."""
        secure = request.is_secure()
        if secure not in self.headers:
            response: HttpResponseBase = HttpResponse(status=303)
            response["Content-Length"] = "0"
            add_never_cache_headers(response)
            for step in self.header_steps:
                response = step.process_response(request, response)  # type: ignore[arg-type]
            self.headers[secure] = [(k, v) for k, v in response.items() if k != "Expires"]
        return self.headers[secure]
