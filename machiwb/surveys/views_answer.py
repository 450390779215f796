"""The resident's answering flow (回答画面): start, one page of questions at a time, confirm, thanks.

Works without JavaScript: the answers given so far travel with the form as a signed hidden
field, so nothing about an unfinished answer sheet is stored on the server, the back button
of the page never loses answers, and the browser holds the submission token that makes a
retried submission idempotent.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from machiwb.core.ratelimit import Rate, client_ip, hit, is_limited, ratelimit, too_many_requests
from machiwb.regions.selectors import municipality_list, prefecture_list
from machiwb.surveys.answers import field_name, page_parse, sheet_merge
from machiwb.surveys.identity import identity_forget, identity_verified_hash
from machiwb.surveys.models import Survey, SurveyVersion
from machiwb.surveys.questionnaire import NO_ANSWER, definition_localized, page_questions
from machiwb.surveys.selectors import (
    municipality_is_current,
    survey_public_get,
    survey_version_current,
    survey_version_for_sheet,
)
from machiwb.surveys.services import (
    SubmissionRefused,
    invitation_code_is_usable,
    response_submit,
)
from machiwb.surveys.views_identity import identity_context

SHEET_SALT = "machiwb.surveys.sheet"
#: An unfinished answer sheet can be continued for a week.
SHEET_MAX_AGE = 7 * 24 * 3600
SECONDS_PER_QUESTION = 12
HONEYPOT_FIELD = "website"
#: Per client address. Generous, because a household or a mobile carrier shares one address.
START_RATE = "30/m"
ANSWER_RATE = "240/m"
ANSWER_GROUP = "surveys.answer"
#: Wrong invitation codes: guessing stays hopeless (≈ 59 bits per code) and is slowed down.
CODE_FAILURE_GROUP = "surveys.invitation_code"
CODE_FAILURE_RATE = "10/10m"


@dataclass
class Sheet:
    """An answer sheet in progress, carried in the page as a signed value."""

    version: str
    token: str
    code: str = ""
    answers: dict[str, Any] = field(default_factory=dict)
    #: 全国調査 only: the 団体コード the resident chose on the front page.
    municipality: str = ""

    def dump(self) -> str:
        return signing.dumps(asdict(self), salt=SHEET_SALT, compress=True)

    @classmethod
    def load(cls, raw: str) -> Sheet | None:
        try:
            data = signing.loads(raw, salt=SHEET_SALT, max_age=SHEET_MAX_AGE)
        except signing.BadSignature:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("answers"), dict):
            return None
        return cls(
            version=str(data.get("version", "")),
            token=str(data.get("token", "")),
            code=str(data.get("code", "")),
            answers=data["answers"],
            municipality=str(data.get("municipality", "")),
        )


def _survey_or_404(public_id: uuid.UUID) -> Survey:
    survey = survey_public_get(public_id=public_id)
    if survey is None:
        raise Http404
    return survey


def _choices(definition: dict[str, Any], question: dict[str, Any]) -> list[tuple[str, str]]:
    kind = question["kind"]
    if kind == "agreement5":
        choices = [(str(value), label) for value, label in definition["agreement_labels"]]
    elif kind == "scale11":
        choices = [(str(value), str(value)) for value in range(11)]
    else:
        choices = [(o["code"], o["label"]) for o in question.get("options", [])]
    if question.get("no_answer_label"):
        choices.append((NO_ANSWER, question["no_answer_label"]))
    return choices


def _display_value(definition: dict[str, Any], question: dict[str, Any], value: Any) -> str:
    if value is None:
        return _("（未回答）")
    labels = dict(_choices(definition, question))
    if isinstance(value, list):
        return "、".join(labels.get(str(v), str(v)) for v in value)
    return labels.get(str(value), str(value))


def _question_view(
    definition: dict[str, Any],
    question: dict[str, Any],
    value: Any,
    error: str | None,
    raw: list[str] | None,
) -> dict[str, Any]:
    if raw is not None:
        selected = raw
    elif isinstance(value, list):
        selected = [str(v) for v in value]
    else:
        selected = [] if value is None else [str(value)]
    return {
        "q": question,
        "name": field_name(question["id"]),
        "html_id": f"q-{question['id']}",
        "choices": [
            {"value": v, "label": label, "checked": v in selected, "index": i}
            for i, (v, label) in enumerate(_choices(definition, question))
        ],
        "text_value": selected[0] if selected else "",
        "error": error,
    }


def page_context(
    survey: Survey,
    definition: dict[str, Any],
    answers: dict[str, Any],
    page: int,
    errors: dict[str, str] | None = None,
    raw: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    """What the answer page template needs for one page (also used by the staff preview)."""
    errors = errors or {}
    definition = definition_localized(definition, translation.get_language() or "ja")
    pages = definition["pages"]
    questions = [
        _question_view(
            definition,
            q,
            answers.get(q["id"]),
            errors.get(q["id"]),
            (raw or {}).get(q["id"]) if q["id"] in errors else None,
        )
        for q in page_questions(definition, page)
    ]
    return {
        "survey": survey,
        "page": page,
        "page_title": pages[page]["title"],
        "page_number": page + 1,
        "page_count": len(pages),
        "percent": round(100 * page / len(pages)),
        "questions": questions,
        "errors": [(f"q-{qid}", message) for qid, message in errors.items() if qid != "_sheet"],
    }


def _render_page(
    request: HttpRequest,
    survey: Survey,
    version: SurveyVersion,
    sheet: Sheet,
    page: int,
    errors: dict[str, str] | None = None,
    raw: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = page_context(survey, version.definition, sheet.answers, page, errors, raw)
    context["sheet"] = sheet.dump()
    return render(request, "surveys/answer_page.html", context, status=status)


def _render_confirm(
    request: HttpRequest,
    survey: Survey,
    version: SurveyVersion,
    sheet: Sheet,
    message: str = "",
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    errors = errors or {}
    definition = definition_localized(version.definition, translation.get_language() or "ja")
    sections = []
    for index, page in enumerate(definition["pages"]):
        items = [
            {
                "text": q["text"],
                "answer": _display_value(definition, q, sheet.answers.get(q["id"])),
                "error": errors.get(q["id"]),
            }
            for q in page_questions(definition, index)
        ]
        sections.append({"index": index, "title": page["title"], "items": items})
    context = {
        "survey": survey,
        "sheet": sheet.dump(),
        "sections": sections,
        "message": message,
        "page_count": len(version.definition["pages"]),
    }
    return render(request, "surveys/answer_confirm.html", context, status=status)


def _render_start(
    request: HttpRequest,
    survey: Survey,
    version: SurveyVersion | None,
    error: str = "",
    code: str = "",
    status: int = 200,
) -> HttpResponse:
    accepting = version is not None and survey.is_accepting_on(timezone.localdate())
    question_count = len(version.definition["questions"]) if version else 0
    choice: dict[str, Any] = {}
    if survey.municipality is None:
        choice = _municipality_choice(request)
    context = {
        **choice,
        "survey": survey,
        "accepting": accepting,
        "minutes": max(1, round(question_count * SECONDS_PER_QUESTION / 60)),
        "page_count": len(version.definition["pages"]) if version else 0,
        "error": error,
        "code": code,
        "honeypot": HONEYPOT_FIELD,
        **identity_context(request, survey),
    }
    return render(request, "surveys/answer_start.html", context, status=status)


def _municipality_choice(request: HttpRequest) -> dict[str, Any]:
    """For a 全国調査: prefectures, and the chosen prefecture's municipalities (no JavaScript)."""
    prefectures = list(prefecture_list())
    chosen = next((p for p in prefectures if p.pref_code == request.GET.get("pref")), None)
    return {
        "prefectures": prefectures,
        "chosen_prefecture": chosen,
        "municipalities": list(municipality_list(prefecture=chosen)) if chosen else [],
    }


@require_http_methods(["GET", "POST"])
@never_cache
@ratelimit(key="ip", rate=START_RATE)
def survey_start(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The survey's front page; POST starts a new answer sheet (and checks the code)."""
    survey = _survey_or_404(public_id)
    version = survey_version_current(survey=survey)
    if request.method == "GET":
        return _render_start(request, survey, version)
    if version is None or not survey.is_accepting_on(timezone.localdate()):
        return _render_start(request, survey, version, status=409)
    if request.POST.get(HONEYPOT_FIELD):
        return _render_start(
            request, survey, version, error=_("送信内容を確認できませんでした。"), status=400
        )
    code = request.POST.get("code", "")[:40]
    municipality = ""
    if survey.municipality is None:
        municipality = request.POST.get("municipality", "")[:6]
        if not municipality_is_current(code=municipality):
            error = _("お住まいの市区町村を選んでください。")
            return _render_start(request, survey, version, error=error, status=400)
    if survey.identity_required and not identity_verified_hash(request, survey=survey):
        error = _("本人確認をしてから回答をはじめてください。")
        return _render_start(request, survey, version, error=error, status=400)
    if survey.invitation_required:
        address = client_ip(request)
        if is_limited(CODE_FAILURE_GROUP, address, CODE_FAILURE_RATE):
            return too_many_requests(request, Rate.parse(CODE_FAILURE_RATE).seconds)
        if not invitation_code_is_usable(survey=survey, code=code):
            hit(CODE_FAILURE_GROUP, address, CODE_FAILURE_RATE)
            error = _(
                "招待コードが正しくないか、すでに使われています。お手元の案内状をご確認ください。"
            )
            return _render_start(request, survey, version, error=error, code=code, status=400)
    sheet = Sheet(
        version=str(version.public_id),
        token=secrets.token_urlsafe(24),
        code=code,
        municipality=municipality,
    )
    return _render_page(request, survey, version, sheet, 0)


@require_POST
@never_cache
@ratelimit(key="ip", rate=ANSWER_RATE, group=ANSWER_GROUP)
def survey_answer(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """One step of the answering flow: save the page's answers and move on or back."""
    sheet = Sheet.load(request.POST.get("sheet", ""))
    version = (
        survey_version_for_sheet(survey_public_id=public_id, version_public_id=sheet.version)
        if sheet
        else None
    )
    if sheet is None or version is None:
        survey = _survey_or_404(public_id)
        error = _("回答の途中経過を確認できませんでした。お手数ですが最初から回答してください。")
        return _render_start(
            request, survey, survey_version_current(survey=survey), error=error, status=400
        )
    survey = version.survey
    pages = version.definition["pages"]
    nav = request.POST.get("nav", "next")
    if nav == "submit":
        return _submit(request, survey, version, sheet)
    if nav.startswith("goto-"):
        target = nav.removeprefix("goto-")
        page = int(target) if target.isdigit() and int(target) < len(pages) else 0
        return _render_page(request, survey, version, sheet, page)
    page_raw = request.POST.get("page", "0")
    page = int(page_raw) if page_raw.isdigit() and int(page_raw) < len(pages) else 0
    questions = page_questions(version.definition, page)
    result = page_parse(questions, {key: request.POST.getlist(key) for key in request.POST})
    valid = {qid: v for qid, v in result.answers.items() if qid not in result.errors}
    sheet.answers = sheet_merge(sheet.answers, valid)
    if nav == "back":
        if page == 0:
            return _render_start(request, survey, version)
        return _render_page(request, survey, version, sheet, page - 1)
    if result.errors:
        raw = {q["id"]: request.POST.getlist(field_name(q["id"])) for q in questions}
        return _render_page(request, survey, version, sheet, page, result.errors, raw, 400)
    if page + 1 < len(pages):
        return _render_page(request, survey, version, sheet, page + 1)
    return _render_confirm(request, survey, version, sheet)


def _submit(
    request: HttpRequest, survey: Survey, version: SurveyVersion, sheet: Sheet
) -> HttpResponse:
    try:
        response_submit(
            version=version,
            answers=sheet.answers,
            submission_token=sheet.token,
            invitation_code=sheet.code,
            identity_subject_hash=identity_verified_hash(request, survey=survey),
            municipality_code=sheet.municipality,
        )
    except SubmissionRefused as refused:
        return _render_confirm(
            request, survey, version, sheet, refused.message, refused.errors, status=409
        )
    identity_forget(request, survey=survey)
    return HttpResponseRedirect(
        reverse("surveys:thanks", kwargs={"public_id": survey.public_id}), status=303
    )


@require_GET
def survey_thanks(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The thank-you page; the same for every resident and every retry."""
    survey = _survey_or_404(public_id)
    return render(request, "surveys/answer_thanks.html", {"survey": survey})
