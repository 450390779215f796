"""The resident's identity check (本人確認) before answering a one-vote survey.

``identity_begin`` sends the resident to the provider (a link, not a form: the page's
Content-Security-Policy ``form-action 'self'`` would stop a form redirected to the provider); the provider sends them back to the
one callback URL registered with it (``identity_callback``), which verifies the ID token,
refuses a person who already answered, and returns to the survey's front page. Plain links
and forms only: it works without JavaScript.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from machiwb.core.ratelimit import ratelimit
from machiwb.surveys.identity import (
    CANCELLED_ERRORS,
    UNAVAILABLE_ERRORS,
    IdentityCheckFailed,
    identity_pending_survey,
    identity_provider_configured,
    identity_provider_error,
    identity_redirect,
    identity_remember,
    identity_verified_hash,
    identity_verify,
)
from machiwb.surveys.models import Survey
from machiwb.surveys.selectors import survey_public_get, survey_version_current
from machiwb.surveys.services import identity_subject_has_answered

logger = logging.getLogger(__name__)

#: Per client address, as for starting an answer sheet.
IDENTITY_RATE = "30/m"


def identity_context(request: HttpRequest, survey: Survey) -> dict[str, Any]:
    """What the survey's front page shows about the identity check."""
    if not survey.identity_required:
        return {}
    return {
        "identity_available": identity_provider_configured(),
        "identity_verified": bool(identity_verified_hash(request, survey=survey)),
    }


def _unavailable() -> str:
    return _("本人確認サービスに接続できませんでした。時間をおいて、もう一度お試しください。")


def _failed(request: HttpRequest, survey: Survey | None, message: str, status: int) -> HttpResponse:
    context = {"survey": survey, "message": message}
    return render(request, "surveys/identity_failed.html", context, status=status)


@require_GET
@never_cache
@ratelimit(key="ip", rate=IDENTITY_RATE)
def identity_begin(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Start the identity check for a survey: a redirect to the provider's login page."""
    survey = survey_public_get(public_id=public_id)
    if survey is None or not survey.identity_required:
        raise Http404
    version = survey_version_current(survey=survey)
    if version is None or not survey.is_accepting_on(timezone.localdate()):
        return _failed(request, survey, _("この調査は現在、回答を受け付けていません。"), 409)
    if not identity_provider_configured():
        return _failed(request, survey, _unavailable(), 503)
    redirect_uri = request.build_absolute_uri(reverse("surveys:identity_callback"))
    try:
        return identity_redirect(request, survey=survey, redirect_uri=redirect_uri)
    except IdentityCheckFailed as failure:
        logger.warning("identity provider unavailable: %s", failure)
        return _failed(request, survey, _unavailable(), 503)


def _provider_error(request: HttpRequest, survey: Survey, error: str) -> HttpResponse:
    """The provider sent the resident back without a code: cancelled, unavailable or refused.

    The message is machiwb's own: the provider's ``error_description`` is neither shown nor
    logged (free text that may hold the person's name), and only a registered ``error``
    value reaches the log.
    """
    if error in CANCELLED_ERRORS:
        logger.info("identity check cancelled at the provider: %s", error)
        message = _(
            "本人確認が取り消されました。この調査に回答するには本人確認が必要です。"
            "調査のページから、もう一度お試しください。"
        )
        return _failed(request, survey, message, 200)
    logger.warning("identity provider returned an error: %s", error)
    if error in UNAVAILABLE_ERRORS:
        # not 503: Django saves no session on a 5xx response, and the consumed state must stick
        return _failed(request, survey, _unavailable(), 400)
    message = _(
        "本人確認サービスで手続きを完了できませんでした。調査のページから、もう一度お試しください。"
    )
    return _failed(request, survey, message, 400)


@require_GET
@never_cache
@ratelimit(key="ip", rate=IDENTITY_RATE)
def identity_callback(request: HttpRequest) -> HttpResponse:
    """The provider's answer: verify it, keep the keyed hash in the session, go to the survey."""
    survey_id = identity_pending_survey(request)
    survey = survey_public_get(public_id=survey_id) if survey_id else None
    if survey is None or not survey.identity_required:
        message = _(
            "本人確認の手続きを確認できませんでした。調査のページから、やり直してください。"
        )
        return _failed(request, None, message, 400)
    error = identity_provider_error(request)
    if error:
        return _provider_error(request, survey, error)
    try:
        subject_hash = identity_verify(request, survey=survey)
    except IdentityCheckFailed as failure:
        # only the reason's class name: never a claim or a token
        logger.warning("identity check failed: %s", failure)
        message = _("本人確認ができませんでした。もう一度お試しください。")
        return _failed(request, survey, message, 400)
    if identity_subject_has_answered(survey=survey, subject_hash=subject_hash):
        message = _("この調査には、すでに回答をいただいています。回答は一人一回です。")
        return _failed(request, survey, message, 409)
    identity_remember(request, survey=survey, subject_hash=subject_hash)
    return HttpResponseRedirect(
        reverse("surveys:start", kwargs={"public_id": survey.public_id}), status=303
    )
