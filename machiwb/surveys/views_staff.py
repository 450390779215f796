"""Staff pages for a municipality's surveys (調査の管理).

Every view passes ``access_municipality_for_staff`` first and then finds the survey inside
that municipality only, so another town's survey is a 404 exactly like a missing one.
"""

from __future__ import annotations

import uuid
from typing import Any

from csp.decorators import csp_replace
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.translation import gettext
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from machiwb.accounts.access import access_municipality_for_staff, has_role
from machiwb.accounts.decorators import staff_required
from machiwb.accounts.models import Role, User
from machiwb.core.pdf import pdf_render
from machiwb.jobs.models import Job
from machiwb.jobs.selectors import job_result_for_starter
from machiwb.jobs.services import job_enqueue
from machiwb.regions.models import Municipality
from machiwb.surveys.datafile import (
    DICTIONARY_COLUMNS,
    MAX_ERRORS_SHOWN,
    CellError,
    DataFileError,
    csv_bytes,
    dictionary_rows,
)
from machiwb.surveys.forms import (
    KIND_LABELS,
    InvitationCodesForm,
    QuestionForm,
    ReopenForm,
    RevisionPublishForm,
    SurveyForm,
    one_vote_of,
)
from machiwb.surveys.identity import identity_provider_configured
from machiwb.surveys.jobs import LETTERS_JOB
from machiwb.surveys.letters import letter_entries
from machiwb.surveys.models import AgeBand, Gender, Survey, SurveyStatus
from machiwb.surveys.questionnaire import definition_build, definition_localized
from machiwb.surveys.selectors import (
    invitation_letters_get,
    survey_catalog,
    survey_definition_of_all_versions,
    survey_for_municipality,
    survey_list_for_municipality,
    survey_response_count,
    survey_upload_get,
    survey_upload_list,
    survey_version_current,
    survey_versions_with_counts,
    verified_subjects_kept_until,
)
from machiwb.surveys.services import (
    EXPORT_JOB,
    SurveyStateError,
    invitation_codes_generate,
    survey_close,
    survey_create,
    survey_export_record,
    survey_export_start,
    survey_publish,
    survey_question_delete,
    survey_question_move,
    survey_question_save,
    survey_reopen,
    survey_revision_discard,
    survey_revision_publish,
    survey_revision_start,
    survey_update,
    survey_upload_cancel,
    survey_upload_check,
    survey_upload_import_start,
    survey_upload_withdraw,
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


def _crumbs(municipality: Municipality, survey: Survey | None = None) -> list[tuple[str, str]]:
    crumbs = [
        (
            reverse("surveys:list", kwargs={"code": municipality.code}),
            gettext("%(name)sの調査") % {"name": municipality.name},
        )
    ]
    if survey is not None:
        crumbs.append((_detail_url(survey), survey.title))
    return crumbs


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
    form = SurveyForm(request.POST or None, identity_available=identity_provider_configured())
    if request.method == "POST" and form.is_valid():
        survey = survey_create(actor=_user(request), municipality=municipality, **form.cleaned_data)
        messages.success(request, "調査を作成しました。独自設問を追加して、公開してください。")
        return HttpResponseRedirect(_detail_url(survey))
    context = {"breadcrumbs": _crumbs(municipality), "form": form, "survey": None}
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
        "one_vote": one_vote_of(survey),
        "areas": "\n".join(survey.areas),
    }
    form = SurveyForm(
        request.POST or None,
        initial=initial,
        identity_available=identity_provider_configured() or survey.identity_required,
    )
    if request.method == "POST" and form.is_valid():
        try:
            survey_update(survey=survey, actor=_user(request), **form.cleaned_data)
        except SurveyStateError as error:
            messages.error(request, error.message)
        return HttpResponseRedirect(_detail_url(survey))
    context = {"breadcrumbs": _crumbs(municipality), "form": form, "survey": survey}
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
        "accepting_now": survey.is_accepting_on(timezone.localdate()),
        "questions": questions,
        "response_count": survey_response_count(survey=survey),
        "count_url": reverse("surveys:count", kwargs={"code": code, "public_id": public_id}),
        "transition_url": reverse(
            "surveys:transition", kwargs={"code": code, "public_id": public_id}
        ),
        "versions": survey_versions_with_counts(survey=survey),
        "questions_editable": survey.status == SurveyStatus.DRAFT or survey.revising,
        "can_edit": has_role(user=user, municipality=municipality, minimum=Role.EDITOR),
        "verified_subjects_kept_until": verified_subjects_kept_until(survey=survey),
        "reopen_form": ReopenForm(),
        "revision_form": RevisionPublishForm(),
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
    context = {
        "count_url": request.path,
        "response_count": survey_response_count(survey=survey),
    }
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
    transition_apply(request, survey)
    return HttpResponseRedirect(_detail_url(survey))


def transition_apply(request: HttpRequest, survey: Survey) -> None:
    """Publish, close or reopen ``survey`` as the POSTed ``action`` asks; the outcome is a message."""
    action = request.POST.get("action", "")
    user = _user(request)
    try:
        if action == "publish":
            version = survey_publish(survey=survey, actor=user)
            messages.success(request, f"第{version.number}版を公開し、回答の受付を始めました。")
        elif action == "close":
            _, job = survey_close(survey=survey, actor=user)
            messages.success(request, "回答の受付を終了しました。")
            _recompute_message(request, job)
        elif action == "reopen":
            form = ReopenForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            survey_reopen(survey=survey, actor=user, reason=reason)
            messages.success(request, "回答の受付を再開しました。")
        elif action == "revise":
            survey_revision_start(survey=survey, actor=user)
            messages.success(
                request, gettext("新しい版の編集を始めました。独自設問を直してください。")
            )
        elif action == "revise_discard":
            survey_revision_discard(survey=survey, actor=user)
            messages.success(request, gettext("新しい版の編集を取りやめました。"))
        elif action == "revise_publish":
            revision = RevisionPublishForm(request.POST)
            reason = revision.cleaned_data["reason"] if revision.is_valid() else ""
            version = survey_revision_publish(survey=survey, actor=user, reason=reason)
            messages.success(
                request,
                gettext("第%(number)s版を公開しました。これから回答を始める人はこの版で答えます。")
                % {"number": version.number},
            )
    except SurveyStateError as error:
        messages.error(request, error.message)


@require_POST
@staff_required
def invitation_codes(request: HttpRequest, code: str, public_id: uuid.UUID) -> HttpResponse:
    """Generate codes and hand them out once: printable letters (PDF) or a CSV for mail merge."""
    municipality, survey = _survey(request, code, public_id, Role.EDITOR)
    form = InvitationCodesForm(request.POST)
    if not form.is_valid() or not survey.invitation_required:
        problems = " ".join(str(e) for errors in form.errors.values() for e in errors)
        messages.error(request, problems or "招待制の調査だけでコードを発行できます。")
        return HttpResponseRedirect(_detail_url(survey))
    url = request.build_absolute_uri(
        reverse("surveys:start", kwargs={"public_id": survey.public_id})
    )
    if form.in_background:
        job = job_enqueue(
            kind=LETTERS_JOB,
            params={
                "survey": str(survey.public_id),
                "count": form.cleaned_data["count"],
                "url": url,
            },
            actor=_user(request),
            municipality=municipality,
        )
        messages.info(
            request,
            format_html(
                '{} <a href="{}">{}</a>',
                gettext("案内状（PDF）の作成をバックグラウンドで開始しました。"),
                reverse("jobs:detail", kwargs={"public_id": job.public_id}),
                gettext("進み具合を見る・できあがったらダウンロード"),
            ),
        )
        return HttpResponseRedirect(_detail_url(survey))
    codes = invitation_codes_generate(
        survey=survey, count=form.cleaned_data["count"], actor=_user(request)
    )
    if form.cleaned_data["output"] == "pdf":
        letters = letter_entries(codes, url)
        body = pdf_render(
            "surveys/staff/letters_pdf.html",
            {"survey": survey, "municipality": municipality, "url": url, "letters": letters},
        )
        response = HttpResponse(body, content_type="application/pdf")
        filename = f"invitation-letters-{survey.public_id}.pdf"
    else:
        rows = [
            [number, invitation, url, f"{url}#code={invitation}"]
            for number, invitation in enumerate(codes, start=1)
        ]
        body = csv_bytes(["number", "invitation_code", "survey_url", "survey_url_with_code"], rows)
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        filename = f"invitation-codes-{survey.public_id}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@staff_required
def invitation_letters_download(
    request: HttpRequest, code: str, public_id: uuid.UUID, job_id: uuid.UUID
) -> HttpResponse:
    """Letters made by a background job; only for the person who started it, for one day."""
    _, survey = _survey(request, code, public_id, Role.EDITOR)
    letters = invitation_letters_get(survey=survey, job_public_id=job_id, user=_user(request))
    if letters is None:
        raise Http404
    content_type = "application/zip" if letters.file_name.endswith(".zip") else "application/pdf"
    response = HttpResponse(bytes(letters.content), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{letters.file_name}"'
    response["Cache-Control"] = "no-store"
    return response


def preview_definition(survey: Survey) -> dict[str, Any]:
    """The definition residents will see: the frozen version once published, else the draft's
    (also the draft of the next version while staff edit it)."""
    version = survey_version_current(survey=survey)
    if survey.status != SurveyStatus.DRAFT and not survey.revising and version is not None:
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
    frame_url = reverse("surveys:preview_frame", kwargs={"code": code, "public_id": public_id})
    return preview_render(request, survey, _crumbs(municipality, survey), frame_url)


def _page_of(request: HttpRequest, definition: dict[str, Any]) -> int:
    raw = request.GET.get("page", "0")
    return int(raw) if raw.isdigit() and int(raw) < len(definition["pages"]) else 0


def preview_render(
    request: HttpRequest, survey: Survey, breadcrumbs: list[tuple[str, str]], frame_url: str
) -> HttpResponse:
    """The preview page: a list of the answering pages and a phone-sized frame of one."""
    definition = preview_definition(survey)
    shown = definition_localized(definition, translation.get_language() or "ja")
    context = {
        "survey": survey,
        "breadcrumbs": breadcrumbs,
        "frame_url": frame_url,
        "page": _page_of(request, definition),
        "pages": [(i, p["title"]) for i, p in enumerate(shown["pages"])],
    }
    return render(request, "surveys/staff/preview.html", context)


def preview_frame_render(request: HttpRequest, survey: Survey) -> HttpResponse:
    """One answering page exactly as residents see it, marked as a preview."""
    definition = preview_definition(survey)
    context = dict(
        page_context(survey, definition, {}, _page_of(request, definition)), preview=True
    )
    return render(request, "surveys/answer_page.html", context)


@require_GET
@staff_required
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": ["'self'"]})  # type: ignore[arg-type]
def survey_preview_frame(request: HttpRequest, code: str, public_id: uuid.UUID) -> HttpResponse:
    _, survey = _survey(request, code, public_id)
    return preview_frame_render(request, survey)


@require_http_methods(["GET", "POST"])
@staff_required
def survey_export(request: HttpRequest, code: str, public_id: uuid.UUID) -> HttpResponse:
    """Export the responses in the standard survey-data format.

    POST ``format=csv|xlsx`` starts a background job and shows its page, where the file is
    offered when done; GET ``format=dictionary`` downloads the data dictionary at once.
    """
    _, survey = _survey(request, code, public_id, Role.EDITOR)
    # one file for the responses of every version: the custom questions of all of them
    definition = survey_definition_of_all_versions(survey=survey)
    if definition is None:
        raise Http404
    if request.method == "POST":
        file_format = request.POST.get("format", "")
        if file_format not in ("csv", "xlsx"):
            raise Http404
        job = survey_export_start(survey=survey, actor=_user(request), file_format=file_format)
        return HttpResponseRedirect(reverse("jobs:detail", kwargs={"public_id": job.public_id}))
    if request.GET.get("format") != "dictionary":
        raise Http404
    body = csv_bytes(DICTIONARY_COLUMNS, dictionary_rows(definition))
    survey_export_record(survey=survey, actor=_user(request), file_format="dictionary")
    return _attachment(
        body, "text/csv; charset=utf-8", f"survey-data-{code}-{survey.fiscal_year}-dictionary.csv"
    )


@require_GET
@staff_required
def survey_export_download(
    request: HttpRequest, code: str, public_id: uuid.UUID, job_id: uuid.UUID
) -> HttpResponse:
    """A file made by an export job; only for the person who started it, for one day."""
    _, survey = _survey(request, code, public_id, Role.EDITOR)
    result = job_result_for_starter(
        job_public_id=job_id, kind=EXPORT_JOB, user=_user(request), survey=str(survey.public_id)
    )
    if result is None:
        raise Http404
    return _attachment(bytes(result.content), result.content_type, result.file_name)


def _attachment(body: bytes, content_type: str, file_name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    response["Cache-Control"] = "no-store"
    return response


def _upload_page(
    request: HttpRequest,
    municipality: Municipality,
    survey: Survey,
    errors: list[CellError] | None = None,
    message: str = "",
    status: int = 200,
) -> HttpResponse:
    errors = errors or []
    context = {
        "municipality": municipality,
        "survey": survey,
        "uploads": survey_upload_list(survey=survey),
        "errors": [str(e) for e in errors[:MAX_ERRORS_SHOWN]],
        "error_count": len(errors),
        "more_errors": max(0, len(errors) - MAX_ERRORS_SHOWN),
        "message": message,
        "max_mb": settings.MACHIWB["MAX_UPLOAD_BYTES"] // 1024 // 1024,
        # the file is checked against the published version: a draft has none yet
        "can_upload": survey.status != SurveyStatus.DRAFT,
    }
    return render(request, "surveys/staff/upload.html", context, status=status)


@require_http_methods(["GET", "POST"])
@staff_required
def survey_upload(request: HttpRequest, code: str, public_id: uuid.UUID) -> HttpResponse:
    """アンケート結果ファイルのアップロード: check the whole file, then show a summary."""
    municipality, survey = _survey(request, code, public_id, Role.EDITOR)
    if request.method == "GET":
        return _upload_page(request, municipality, survey)
    uploaded = request.FILES.get("file")
    if uploaded is None:
        return _upload_page(
            request, municipality, survey, message=gettext("ファイルを選んでください。"), status=400
        )
    replaces = None
    if request.POST.get("replaces"):
        try:
            replaces = survey_upload_get(
                survey=survey, public_id=uuid.UUID(request.POST["replaces"])
            )
        except ValueError:
            replaces = None
        if replaces is None:
            raise Http404
    try:
        upload = survey_upload_check(
            survey=survey,
            actor=_user(request),
            content=uploaded.read(),
            file_name=uploaded.name or "upload.csv",
            replaces=replaces,
        )
    except DataFileError as problem:
        return _upload_page(request, municipality, survey, problem.errors, status=400)
    except SurveyStateError as problem:
        return _upload_page(request, municipality, survey, message=problem.message, status=409)
    return HttpResponseRedirect(
        reverse(
            "surveys:upload_detail",
            kwargs={"code": code, "public_id": public_id, "upload_id": upload.public_id},
        )
    )


def _recompute_message(request: HttpRequest, job: Job) -> None:
    """Tell the staff that the indicators are being recomputed, with a link to the job."""
    messages.info(
        request,
        format_html(
            '{} <a href="{}">{}</a>',
            gettext("指標の再計算をバックグラウンドで開始しました。"),
            reverse("jobs:detail", kwargs={"public_id": job.public_id}),
            gettext("進み具合を見る"),
        ),
    )


@require_http_methods(["GET", "POST"])
@staff_required
def survey_upload_detail(
    request: HttpRequest, code: str, public_id: uuid.UUID, upload_id: uuid.UUID
) -> HttpResponse:
    """The summary of a checked file; POST confirms, cancels or withdraws it."""
    municipality, survey = _survey(request, code, public_id, Role.EDITOR)
    upload = survey_upload_get(survey=survey, public_id=upload_id)
    if upload is None:
        raise Http404
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "confirm":
                job = survey_upload_import_start(upload=upload, actor=_user(request))
                return HttpResponseRedirect(
                    reverse("jobs:detail", kwargs={"public_id": job.public_id})
                )
            if action == "cancel":
                survey_upload_cancel(upload=upload, actor=_user(request))
                messages.success(request, "取り込みを取り消しました。")
            elif action == "withdraw":
                deleted, job = survey_upload_withdraw(upload=upload, actor=_user(request))
                messages.success(request, f"{deleted}件の回答を取り下げました。")
                _recompute_message(request, job)
        except SurveyStateError as error:
            messages.error(request, error.message)
        return HttpResponseRedirect(
            reverse("surveys:upload", kwargs={"code": code, "public_id": public_id})
        )
    summary = upload.summary
    ages = dict(AgeBand.choices)
    genders = dict(Gender.choices)
    table = [
        (
            ages.get(int(age), "不明") if age.isdigit() else "不明",
            [summary["by_age_gender"].get(age, {}).get(str(g), 0) for g, _ in Gender.choices],
            sum(summary["by_age_gender"].get(age, {}).values()),
        )
        for age in sorted(summary["by_age_gender"], key=lambda a: (not a.isdigit(), a))
    ]
    context = {
        "municipality": municipality,
        "survey": survey,
        "upload": upload,
        "summary": summary,
        "genders": [genders[g] for g, _ in Gender.choices],
        "table": table,
    }
    return render(request, "surveys/staff/upload_detail.html", context)
