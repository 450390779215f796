from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from machiwb.core.pdf import pdf_response
from machiwb.guide import paper
from machiwb.guide.content import (
    STEPS,
    available_tools,
    step_by_number,
    url_if_installed,
    workshop_parts,
)
from machiwb.guide.selectors import (
    category_guide,
    faq_search,
    guide_catalog,
    workbook_choices,
)
from machiwb.guide.workbook import workbook_build
from machiwb.indicators.selectors import score_run_current
from machiwb.regions.selectors import municipality_search

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_GET
def indicators(request: HttpRequest) -> HttpResponse:
    """指標について知る: what the indicator is and how it is built, categories from the catalog."""
    return render(
        request,
        "guide/indicators.html",
        {"nav_section": "indicators", "catalog": guide_catalog()},
    )


@require_GET
def category(request: HttpRequest, code: str) -> HttpResponse:
    """One category: its survey items and its objective KPIs with source and vintage."""
    catalog = guide_catalog()
    detail = category_guide(catalog.version, code) if catalog is not None else None
    if detail is None:
        raise Http404
    context = {"nav_section": "indicators", "catalog": catalog, "detail": detail}
    return render(request, "guide/category.html", context)


@require_GET
def reading_scores(request: HttpRequest) -> HttpResponse:
    """数値の読み方: 偏差値, reference sets, n and suppression, and why there is no ranking."""
    context = {
        "nav_section": "indicators",
        "min_public_cell_n": settings.MACHIWB["MIN_PUBLIC_CELL_N"],
    }
    return render(request, "guide/reading_scores.html", context)


@require_GET
def using(request: HttpRequest) -> HttpResponse:
    """使いこなす: the six steps, the workshop and the workbook."""
    return render(request, "guide/using.html", {"nav_section": "using", "steps": STEPS})


@require_GET
def step(request: HttpRequest, number: int) -> HttpResponse:
    current = step_by_number(number)
    if current is None:
        raise Http404
    context = {
        "nav_section": "using",
        "step": current,
        "tools": available_tools(current),
        "previous": step_by_number(number - 1),
        "next": step_by_number(number + 1),
        "steps": STEPS,
    }
    return render(request, f"guide/steps/{current.slug}.html", context)


@require_GET
def workshop(request: HttpRequest) -> HttpResponse:
    """研修・ワークショップ: the standard programme and how to request a facilitator."""
    context = {
        "nav_section": "using",
        "programme_parts": workshop_parts(),
        "facilitation_url": url_if_installed("facilitation:index"),
    }
    return render(request, "guide/workshop.html", context)


@require_GET
def individual_survey(request: HttpRequest) -> HttpResponse:
    """個別調査をする: running a municipality's own survey online or on paper."""
    context = {
        "nav_section": "survey",
        "questionnaire_pdf_url": reverse("guide:questionnaire_pdf"),
        "entry_template_url": reverse("guide:entry_template"),
        "staff_login_url": url_if_installed("accounts:login"),
    }
    return render(request, "guide/individual_survey.html", context)


@require_GET
def entry_template(request: HttpRequest) -> HttpResponse:
    """入力用ひな形: an empty upload file with the data dictionary, for answers on paper."""
    definition = paper.questionnaire_definition()
    response = HttpResponse(paper.entry_template_xlsx(definition), content_type=XLSX_CONTENT_TYPE)
    filename = f"survey-data-template-{definition['catalog_version']}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def questionnaire_pdf(request: HttpRequest) -> HttpResponse:
    """標準調査票（PDF）: the paper form of this fiscal year's standard questionnaire."""
    definition = paper.questionnaire_definition()
    filename = f"standard-questionnaire-{definition['catalog_version']}.pdf"
    return pdf_response(paper.questionnaire_pdf(definition), filename)


@require_GET
def faq(request: HttpRequest) -> HttpResponse:
    """よくある質問: the operator's FAQ, searchable by words."""
    query = request.GET.get("q", "")[:100]
    topics = faq_search(query, language=get_language() or "ja")
    context = {
        "nav_section": "faq",
        "query": query,
        "topics": topics,
        "count": sum(len(t.entries) for t in topics),
        "has_untranslated": any(e.in_japanese for t in topics for e in t.entries),
    }
    return render(request, "guide/faq.html", context)


@require_GET
def workbook(request: HttpRequest) -> HttpResponse:
    """分析用ワークブック: find a municipality, then pick a survey type and fiscal year."""
    query = request.GET.get("q", "")[:50]
    found = municipality_search(query=query) if query.strip() else []
    context = {
        "nav_section": "using",
        "query": query,
        "found": len(found),
        "choices": workbook_choices(municipality_codes=[m.code for m in found]),
    }
    return render(request, "guide/workbook.html", context)


@require_GET
def workbook_download(
    request: HttpRequest, code: str, survey_type: str, fiscal_year: int
) -> HttpResponse:
    """The .xlsx of one municipality, survey type and fiscal year (current results)."""
    run = score_run_current(fiscal_year=fiscal_year, survey_type=survey_type)
    if run is None or not run.cells.filter(municipality_id=code).exists():
        raise Http404
    content = workbook_build(run=run, municipality_code=code)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    filename = f"machiwb-workbook-{code}-{survey_type}-{fiscal_year}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
