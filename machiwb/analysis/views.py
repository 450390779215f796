"""Staff pages of the priority-area analysis (課題分野の特定)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from machiwb.accounts.access import access_municipality_for_staff
from machiwb.accounts.decorators import staff_required
from machiwb.analysis import compute
from machiwb.analysis.charts import CHART_KINDS, quadrant_chart
from machiwb.analysis.export import analysis_csv
from machiwb.analysis.selectors import (
    OUTCOMES,
    AnalysisReport,
    analysis_report,
    analysis_surveys,
    outcome_label,
    staff_municipalities,
    survey_for_analysis,
)
from machiwb.charts.render import chart_pdf, chart_png
from machiwb.charts.tables import chart_summary, chart_table
from machiwb.regions.models import Municipality
from machiwb.surveys.models import Survey


def _survey(request: HttpRequest, code: str, survey_id: str) -> tuple[Municipality, Survey]:
    municipality = access_municipality_for_staff(user=request.user, municipality_code=code)  # type: ignore[arg-type]
    survey = survey_for_analysis(municipality=municipality, public_id=survey_id)
    if survey is None:
        raise Http404
    return municipality, survey


def _report(municipality: Municipality, survey: Survey, outcome: str) -> AnalysisReport:
    if outcome not in OUTCOMES:
        raise Http404
    report = analysis_report(survey=survey, municipality=municipality, outcome=outcome)
    if report is None:
        raise Http404
    return report


@require_GET
@staff_required
def survey_list(request: HttpRequest, code: str) -> HttpResponse:
    municipality = access_municipality_for_staff(user=request.user, municipality_code=code)  # type: ignore[arg-type]
    context = {
        "nav_section": "analysis",
        "municipality": municipality,
        "surveys": analysis_surveys(municipality=municipality),
    }
    return render(request, "analysis/survey_list.html", context)


@require_GET
@staff_required
def analysis_page(request: HttpRequest, code: str, survey_id: str) -> HttpResponse:
    municipality, survey = _survey(request, code, str(survey_id))
    outcome = request.GET.get("outcome", OUTCOMES[0])
    report = _report(municipality, survey, outcome)
    charts = []
    for kind in CHART_KINDS:
        chart = quadrant_chart(report, kind)
        if chart is not None:
            charts.append(
                {
                    "kind": kind,
                    "spec": chart,
                    "summary": chart_summary(chart),
                    "table": chart_table(chart),
                }
            )
    context = {
        "nav_section": "analysis",
        "municipality": municipality,
        "survey": survey,
        "report": report,
        "outcomes": [(q, outcome_label(q)) for q in OUTCOMES],
        "outcome_label": outcome_label(outcome),
        "charts": charts,
        "minimum": compute.MINIMUM_RESPONDENTS,
        "small_n": compute.SMALL_N,
    }
    return render(request, "analysis/analysis_page.html", context)


@require_GET
@staff_required
def analysis_chart(
    request: HttpRequest, code: str, survey_id: str, outcome: str, kind: str, image_format: str
) -> HttpResponse:
    if kind not in CHART_KINDS or image_format not in ("png", "pdf"):
        raise Http404
    municipality, survey = _survey(request, code, str(survey_id))
    chart = quadrant_chart(_report(municipality, survey, outcome), kind)  # type: ignore[arg-type]
    if chart is None:
        raise Http404
    if image_format == "png":
        response = HttpResponse(chart_png(chart), content_type="image/png")
    else:
        response = HttpResponse(chart_pdf(chart), content_type="application/pdf")
    filename = f"analysis_{municipality.code}_{survey.fiscal_year}_{outcome}_{kind}.{image_format}"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_GET
@staff_required
def analysis_download(request: HttpRequest, code: str, survey_id: str) -> HttpResponse:
    municipality, survey = _survey(request, code, str(survey_id))
    reports = [_report(municipality, survey, q) for q in OUTCOMES]
    response = HttpResponse(
        "\ufeff" + analysis_csv(reports), content_type="text/csv; charset=utf-8"
    )
    filename = f"analysis_{municipality.code}_{survey.fiscal_year}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@staff_required
def index(request: HttpRequest) -> HttpResponse:
    """Entry from the navigation and the guide: straight to the user's municipality, or a choice."""
    municipalities = staff_municipalities(user=request.user)  # type: ignore[arg-type]
    if len(municipalities) == 1:
        return redirect("analysis:surveys", code=municipalities[0].code)
    return render(
        request,
        "analysis/index.html",
        {"nav_section": "analysis", "municipalities": municipalities},
    )
