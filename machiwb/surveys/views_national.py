"""Operator pages for the yearly 全国調査 (national survey).

Only operators (運営者) reach these pages. A national survey has no municipality: residents
choose theirs on the front page, and the operator follows the responses as counts per
prefecture and municipality, in 団体コード order (never ranked).
"""

from __future__ import annotations

import uuid

from csp.decorators import csp_replace
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from machiwb.accounts.decorators import operator_required, request_user
from machiwb.surveys.forms import NationalSurveyForm, ReopenForm, one_vote_of
from machiwb.surveys.identity import identity_provider_configured
from machiwb.surveys.models import Survey, SurveyType
from machiwb.surveys.selectors import (
    survey_national_get,
    survey_national_list,
    survey_response_count,
    survey_response_counts_by_region,
    survey_version_current,
    verified_subjects_kept_until,
)
from machiwb.surveys.services import SurveyStateError, survey_create, survey_update
from machiwb.surveys.views_staff import preview_frame_render, preview_render, transition_apply


def _survey(public_id: uuid.UUID) -> Survey:
    survey = survey_national_get(public_id=public_id)
    if survey is None:
        raise Http404
    return survey


def _url(name: str, survey: Survey | None = None) -> str:
    kwargs = {"public_id": survey.public_id} if survey is not None else {}
    return reverse(f"surveys:{name}", kwargs=kwargs)


def _crumbs(survey: Survey | None = None) -> list[tuple[str, str]]:
    crumbs = [(_url("national_list"), gettext("全国調査の管理"))]
    if survey is not None:
        crumbs.append((_url("national_detail", survey), survey.title))
    return crumbs


@require_GET
@operator_required
def national_list(request: HttpRequest) -> HttpResponse:
    return render(request, "surveys/national/list.html", {"surveys": survey_national_list()})


@require_http_methods(["GET", "POST"])
@operator_required
def national_new(request: HttpRequest) -> HttpResponse:
    form = NationalSurveyForm(
        request.POST or None, identity_available=identity_provider_configured()
    )
    if request.method == "POST" and form.is_valid():
        try:
            survey = survey_create(
                actor=request_user(request),
                survey_type=SurveyType.NATIONAL,
                municipality=None,
                **form.cleaned_data,
            )
        except SurveyStateError as error:
            form.add_error("fiscal_year", error.message)
        else:
            messages.success(
                request, "全国調査を作成しました。プレビューで確かめてから公開してください。"
            )
            return HttpResponseRedirect(_url("national_detail", survey))
    context = {"breadcrumbs": _crumbs(), "form": form, "survey": None, "national": True}
    return render(request, "surveys/staff/form.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@operator_required
def national_edit(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    survey = _survey(public_id)
    initial = {
        "title": survey.title,
        "fiscal_year": survey.fiscal_year,
        "opens_on": survey.opens_on,
        "closes_on": survey.closes_on,
        "one_vote": one_vote_of(survey),
    }
    form = NationalSurveyForm(
        request.POST or None,
        initial=initial,
        identity_available=identity_provider_configured() or survey.identity_required,
    )
    if request.method == "POST" and form.is_valid():
        try:
            survey_update(
                survey=survey,
                actor=request_user(request),
                areas=[],
                **form.cleaned_data,
            )
        except SurveyStateError as error:
            messages.error(request, error.message)
        return HttpResponseRedirect(_url("national_detail", survey))
    context = {"breadcrumbs": _crumbs(survey), "form": form, "survey": survey, "national": True}
    return render(request, "surveys/staff/form.html", context, status=400 if form.errors else 200)


@require_GET
@operator_required
def national_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    survey = _survey(public_id)
    context = {
        "breadcrumbs": _crumbs(),
        "survey": survey,
        "version": survey_version_current(survey=survey),
        "accepting_now": survey.is_accepting_on(timezone.localdate()),
        "response_count": survey_response_count(survey=survey),
        "regions": survey_response_counts_by_region(survey=survey),
        "counts_url": _url("national_counts", survey),
        "transition_url": _url("national_transition", survey),
        "verified_subjects_kept_until": verified_subjects_kept_until(survey=survey),
        "reopen_form": ReopenForm(),
        "public_url": request.build_absolute_uri(_url("start", survey)),
    }
    return render(request, "surveys/national/detail.html", context)


@require_GET
@operator_required
def national_counts(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The live counts per prefecture and municipality, polled by the detail page."""
    survey = _survey(public_id)
    context = {
        "response_count": survey_response_count(survey=survey),
        "regions": survey_response_counts_by_region(survey=survey),
        "counts_url": request.path,
    }
    return render(request, "surveys/national/_counts.html", context)


@require_POST
@operator_required
def national_transition(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Publish, close or reopen (公開・終了・再開) a 全国調査; each step is audited."""
    survey = _survey(public_id)
    transition_apply(request, survey)
    return HttpResponseRedirect(_url("national_detail", survey))


@require_GET
@operator_required
def national_preview(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    survey = _survey(public_id)
    return preview_render(request, survey, _crumbs(survey), _url("national_preview_frame", survey))


@require_GET
@operator_required
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": ["'self'"]})  # type: ignore[arg-type]
def national_preview_frame(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return preview_frame_render(request, _survey(public_id))
