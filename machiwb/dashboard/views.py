"""Public dashboard views (ダッシュボード): no login, every state a GET URL."""

from __future__ import annotations

import hashlib
import uuid

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from machiwb.accounts.decorators import is_verified_staff, request_user, staff_required
from machiwb.charts.render import chart_image
from machiwb.core.db import replica_reads
from machiwb.dashboard.category import category_detail
from machiwb.dashboard.page import dashboard_page
from machiwb.dashboard.selection import parse_selection
from machiwb.dashboard.selectors import favorite_for
from machiwb.dashboard.services import FavoriteError, favorite_add, favorite_remove


def _is_partial(request: HttpRequest) -> bool:
    """htmx asks for the main area only; everyone else gets the full page."""
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


@require_GET
@replica_reads
def index(request: HttpRequest) -> HttpResponse:
    selection, errors = parse_selection(request.GET)
    page = dashboard_page(
        selection=selection,
        errors=errors,
        search=request.GET.get("q", "")[:50],
        compare_search=request.GET.get("cq", "")[:50],
    )
    if is_verified_staff(request) and page.municipality is not None:
        page.can_favorite = True
        page.favorite = favorite_for(user=request_user(request), query=page.selection.query())
    partial = _is_partial(request)
    template = "dashboard/_main.html" if partial else "dashboard/index.html"
    response = render(
        request, template, {"nav_section": "dashboard", "page": page, "partial": partial}
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
@replica_reads
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


_CONTENT_TYPES = {
    "png": "image/png",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
}


@require_GET
@replica_reads
def chart(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    """A chart of the dashboard as PNG or PDF (rendered on the server) or its data as CSV."""
    selection, _errors = parse_selection(request.GET)
    page = dashboard_page(selection=selection, errors=[], search="", compare_search="")
    figure = page.figures.get(name)
    if figure is None and name.startswith("items_"):
        detail = category_detail(
            selection=page.selection, category_code=name.removeprefix("items_")
        )
        figure = detail.figure if detail is not None else None
    if figure is None:
        raise Http404("no such chart for this selection")
    if fmt == "csv":
        # With a byte-order mark, so that Excel opens the Japanese text correctly.
        body: bytes = ("\ufeff" + figure.csv_text).encode("utf-8")
    else:
        compact = fmt == "png" and request.GET.get("size") == "compact"
        body = chart_image(figure.chart, "png" if fmt == "png" else "pdf", compact=compact)
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    conditional = get_conditional_response(request, etag=etag)
    response = conditional or HttpResponse(body, content_type=_CONTENT_TYPES[fmt])
    response["ETag"] = etag
    filename = f"machiwb_{page.selection.municipality}_{page.selection.fiscal_year}_{name}.{fmt}"
    disposition = "inline" if fmt == "png" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
@replica_reads
def category(request: HttpRequest, code: str) -> HttpResponse:
    """How one category's score was made (算出根拠): items and KPIs with n, source, vintage."""
    selection, errors = parse_selection(request.GET)
    detail = category_detail(selection=selection, category_code=code)
    if detail is None:
        raise Http404("no results for this category and selection")
    return render(
        request,
        "dashboard/category.html",
        {"nav_section": "dashboard", "detail": detail, "errors": errors},
    )


@require_POST
@staff_required
def favorite_add_view(request: HttpRequest) -> HttpResponse:
    """お気に入りに追加: keep the posted selection for the signed-in user."""
    selection, _errors = parse_selection(request.POST)
    page = dashboard_page(selection=selection, errors=[], search="", compare_search="")
    target = reverse("dashboard:index") + "?" + page.selection.query()
    if page.municipality is None:
        messages.error(request, _("市区町村を選んでからお気に入りに追加してください。"))
        return HttpResponseRedirect(target)
    label = page.favorite_label
    try:
        favorite_add(user=request_user(request), selection=page.selection, label=label)
    except FavoriteError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("お気に入りに追加しました：%(label)s") % {"label": label})
    return HttpResponseRedirect(target)


@require_POST
@staff_required
def favorite_remove_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """お気に入りから外す."""
    if favorite_remove(user=request_user(request), public_id=public_id):
        messages.success(request, _("お気に入りから外しました。"))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("accounts:mypage")
    return HttpResponseRedirect(target)
