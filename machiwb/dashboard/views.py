"""Public dashboard views (ダッシュボード): no login, every state a GET URL."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from machiwb.dashboard.page import dashboard_page
from machiwb.dashboard.selection import parse_selection


def _is_partial(request: HttpRequest) -> bool:
    """htmx asks for the main area only; everyone else gets the full page."""
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    selection, errors = parse_selection(request.GET)
    page = dashboard_page(
        selection=selection,
        errors=errors,
        search=request.GET.get("q", "")[:50],
        compare_search=request.GET.get("cq", "")[:50],
    )
    template = "dashboard/_main.html" if _is_partial(request) else "dashboard/index.html"
    response = render(request, template, {"nav_section": "dashboard", "page": page})
    response["Vary"] = "HX-Request"
    return response


@require_GET
def municipality_suggestions(request: HttpRequest) -> HttpResponse:
    """Type-ahead (候補) for the municipality field: links that keep the rest of the selection."""
    selection, _errors = parse_selection(request.GET)
    field = "cq" if request.GET.get("for") == "compare" else "q"
    page = dashboard_page(
        selection=selection,
        errors=[],
        search=request.GET.get("q", "")[:50] if field == "q" else "",
        compare_search=request.GET.get("cq", "")[:50] if field == "cq" else "",
    )
    template = (
        "dashboard/_compare_suggestions.html" if field == "cq" else "dashboard/_suggestions.html"
    )
    return render(request, template, {"page": page})
