"""Staff pages for a municipality's surveys (調査の管理).

Every view passes ``access_municipality_for_staff`` first and then finds the survey inside
that municipality only, so another town's survey is a 404 exactly like a missing one.
"""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from machiwb.accounts.access import access_municipality_for_staff, has_role
from machiwb.accounts.decorators import staff_required
from machiwb.accounts.models import Role, User
from machiwb.regions.models import Municipality
from machiwb.surveys.forms import (
    KIND_LABELS,
    InvitationCodesForm,
    QuestionForm,
    ReopenForm,
    SurveyForm,
)
from machiwb.surveys.models import Survey, SurveyStatus
from machiwb.surveys.questionnaire import definition_build
from machiwb.surveys.selectors import (
    survey_catalog,
    survey_for_municipality,
    survey_list_for_municipality,
    survey_response_count,
    survey_version_current,
)
from machiwb.surveys.services import (
    SurveyStateError,
    invitation_codes_generate,
    survey_close,
    survey_create,
    survey_publish,
    survey_question_delete,
    survey_question_move,
    survey_question_save,
    survey_reopen,
    survey_update,
)
from machiwb.surveys.views_answer import page_context


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - guaranteed by staff_required
    return user


def _survey(
    request: HttpRequest, code: str, public_id: uuid.UUID, minimum: Role = Role.VIEWER
) -> tuple[Municipality, Survey]:
    municipality = access_municipality_for_staff(
        user=_user(request), municipality_code=code, minimum=minimum
    )
    survey = survey_for_municipality(municipality=municipality, public_id=public_id)
    if survey is None:
        raise Http404
    return municipality, survey


def _detail_url(survey: Survey) -> str:
    assert survey.municipality is not None  # noqa: S101 - individual surveys only here
    return reverse(
        "surveys:detail",
        kwargs={"code": survey.municipality.code, "public_id": survey.public_id},
    )


@require_GET
@staff_required
def survey_list(request: HttpRequest, code: str) -> HttpResponse:
    municipality = access_municipality_for_staff(user=_user(request), municipality_code=code)
    context = {
        "municipality": municipality,
        "surveys": survey_list_for_municipality(municipality=municipality),
        "can_edit": has_role(user=_user(request), municipality=municipality, minimum=Role.EDITOR),
    }
    return render(request, "surveys/staff/list.html", context)


@require_http_methods(["GET", "POST"])
@staff_required
def survey_new(request: HttpRequest, code: str) -> HttpResponse:
    municipality = access_municipality_for_staff(
        user=_user(request), municipality_code=code, minimum=Role.EDITOR
    )
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        survey = survey_create(actor=_user(request), municipality=municipality, **form.cleaned_data)
        messages.success(request, "調査を作成しました。独自設問を追加して、公開してください。")
        return HttpResponseRedirect(_detail_url(survey))
    context = {"municipality": municipality, "form": form, "survey": None}
    return render(request, "surveys/staff/form.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@staff_required
def survey_edit(request: HttpRequest, code: str, public_id: uuid.UUID) -> HttpResponse:
    municipality, survey = _survey(request, code, public_id, Role.EDITOR)
    initial = {
        "title": survey.title,
        "fiscal_year": survey.fiscal_year,
        "opens_on": survey.opens_on,
        "closes_on": survey.closes_on,
        "invitation_required": survey.invitation_required,
        "areas": "\n".join(survey.areas),
    }
    form = SurveyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            survey_update(survey=survey, actor=_user(request), **form.cleaned_data)
        except SurveyStateError as error:
            messages.error(request, error.message)
        return HttpResponseRedirect(_detail_url(survey))
    context = {"municipality": municipality, "form": form, "survey": survey}
    return render(request, "surveys/staff/form.html", context, status=400 if form.errors else 200)


@require_GET
@staff_required
def survey_detail(request: HttpRequest, code: str, public_id: uuid.UUID) -> HttpResponse:
    municipality, survey = _survey(request, code, public_id)
    user = _user(request)
    questions = [
        dict(q, kind_label=KIND_LABELS.get(q["kind"], q["kind"])) for q in survey.custom_questions
    ]
    context = {
        "municipality": municipality,
        "survey": survey,
        "version": survey_version_current(survey=survey),
        "questions": questions,
        "response_count": survey_response_count(survey=survey),
        "can_edit": has_role(user=user, municipality=municipality, minimum=Role.EDITOR),
        "reopen_form": ReopenForm(),
        "codes_form": InvitationCodesForm(),
        "public_url": request.build_absolute_uri(
            reverse("surveys:start", kwargs={"public_id": survey.public_id})
        ),
    }
    return render(request, "surveys/staff/detail.html", context)


@require_GET
@staff_required
def survey_count(request: HttpRequest, code: str, public_id: uuid.UUID) -> HttpResponse:
    """The live response count, polled by the detail page."""
    _, survey = _survey(request, code, public_id)
    context = {"survey": survey, "response_count": survey_response_count(survey=survey)}
    return render(request, "surveys/staff/_count.html", context)


@require_http_methods(["GET", "POST"])
@staff_required
def question_edit(
    request: HttpRequest, code: str, public_id: uuid.UUID, question_id: str = ""
) -> HttpResponse:
    municipality, survey = _survey(request, code, public_id, Role.EDITOR)
    existing = next((q for q in survey.custom_questions if q["id"] == question_id), None)
    if question_id and existing is None:
        raise Http404
    initial = QuestionForm.initial_for(existing) if existing else {}
    form = QuestionForm(request.POST or None, initial=initial)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            survey_question_save(
                survey=survey,
                actor=_user(request),
                question=form.question(),
                question_id=question_id,
            )
        except SurveyStateError as problem:
            error = problem.message
        else:
            messages.success(request, "独自設問を保存しました。")
            return HttpResponseRedirect(_detail_url(survey) + "#questions")
    context = {
        "municipality": municipality,
        "survey": survey,
        "form": form,
        "question_id": question_id,
        "error": error,
    }
    invalid = bool(form.errors or error)
    return render(
        request, "surveys/staff/question_form.html", context, status=400 if invalid else 200
    )


@require_POST
@staff_required
def question_change(
    request: HttpRequest, code: str, public_id: uuid.UUID, question_id: str
) -> HttpResponse:
    """Delete or move a custom question (buttons on the detail page)."""
    _, survey = _survey(request, code, public_id, Role.EDITOR)
    action = request.POST.get("action", "")
    try:
        if action == "delete":
            survey_question_delete(survey=survey, actor=_user(request), question_id=question_id)
        elif action in ("up", "down"):
            offset = -1 if action == "up" else 1
            survey_question_move(
                survey=survey, actor=_user(request), question_id=question_id, offset=offset
            )
    except SurveyStateError as error:
        messages.error(request, error.message)
    return HttpResponseRedirect(_detail_url(survey) + "#questions")


@require_POST
@staff_required
def survey_transition(request: HttpRequest, code: str, public_id: uuid.UUID) -> HttpResponse:
    """Publish, close or reopen (公開・終了・再開)."""
    _, survey = _survey(request, code, public_id, Role.EDITOR)
    action = request.POST.get("action", "")
    user = _user(request)
    try:
        if action == "publish":
            version = survey_publish(survey=survey, actor=user)
            messages.success(request, f"第{version.number}版を公開し、回答の受付を始めました。")
        elif action == "close":
            survey_close(survey=survey, actor=user)
            messages.success(request, "回答の受付を終了しました。")
        elif action == "reopen":
            form = ReopenForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            survey_reopen(survey=survey, actor=user, reason=reason)
            messages.success(request, "回答の受付を再開しました。")
    except SurveyStateError as error:
        messages.error(request, error.message)
    return HttpResponseRedirect(_detail_url(survey))


@require_POST
@staff_required
def invitation_codes(request: HttpRequest, code: str, public_id: uuid.UUID) -> HttpResponse:
    """Generate codes and hand them out once, as a CSV for mail merge (差し込み印刷用)."""
    _, survey = _survey(request, code, public_id, Role.EDITOR)
    form = InvitationCodesForm(request.POST)
    if not form.is_valid() or not survey.invitation_required:
        messages.error(request, "発行件数は1〜20,000件で指定してください（招待制の調査のみ）。")
        return HttpResponseRedirect(_detail_url(survey))
    codes = invitation_codes_generate(
        survey=survey, count=form.cleaned_data["count"], actor=_user(request)
    )
    url = request.build_absolute_uri(
        reverse("surveys:start", kwargs={"public_id": survey.public_id})
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["number", "invitation_code", "survey_url", "survey_url_with_code"])
    for number, invitation in enumerate(codes, start=1):
        writer.writerow([number, invitation, url, f"{url}?code={invitation}"])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="invitation-codes-{survey.public_id}.csv"'
    )
    response["Cache-Control"] = "no-store"
    return response


def _preview_definition(survey: Survey) -> dict[str, Any]:
    version = survey_version_current(survey=survey)
    if survey.status != SurveyStatus.DRAFT and version is not None:
        return dict(version.definition)
    return definition_build(
        title=survey.title,
        catalog=survey_catalog(catalog_version=survey.catalog_version),
        custom_questions=list(survey.custom_questions),
        areas=list(survey.areas),
    )


@require_GET
@staff_required
def survey_preview(request: HttpRequest, code: str, public_id: uuid.UUID) -> HttpResponse:
    """A phone-sized frame showing the answering pages as residents will see them."""
    municipality, survey = _survey(request, code, public_id)
    definition = _preview_definition(survey)
    pages = definition["pages"]
    raw = request.GET.get("page", "0")
    page = int(raw) if raw.isdigit() and int(raw) < len(pages) else 0
    context = {
        "municipality": municipality,
        "survey": survey,
        "page": page,
        "pages": [(i, p["title"]) for i, p in enumerate(pages)],
    }
    return render(request, "surveys/staff/preview.html", context)


@require_GET
@staff_required
@xframe_options_sameorigin
def survey_preview_frame(request: HttpRequest, code: str, public_id: uuid.UUID) -> HttpResponse:
    _, survey = _survey(request, code, public_id)
    definition = _preview_definition(survey)
    raw = request.GET.get("page", "0")
    page = int(raw) if raw.isdigit() and int(raw) < len(definition["pages"]) else 0
    context = dict(page_context(survey, definition, {}, page), preview=True)
    return render(request, "surveys/answer_page.html", context)
