from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from machiwb.regions.models import Municipality, Prefecture
from machiwb.regions.selectors import municipality_list, municipality_search, prefecture_list


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:50]
    context = {
        "nav_section": "regions",
        "prefectures": prefecture_list(),
        "query": query,
        "results": municipality_search(query=query) if query.strip() else None,
    }
    return render(request, "regions/index.html", context)


@require_GET
def prefecture_detail(request: HttpRequest, code: str) -> HttpResponse:
    prefecture = get_object_or_404(Prefecture, code=code)
    context = {
        "nav_section": "regions",
        "prefecture": prefecture,
        "municipalities": municipality_list(prefecture=prefecture),
    }
    return render(request, "regions/prefecture_detail.html", context)


@require_GET
def municipality_detail(request: HttpRequest, code: str) -> HttpResponse:
    municipality = get_object_or_404(
        Municipality.objects.select_related("prefecture", "parent"), code=code
    )
    context = {
        "nav_section": "regions",
        "municipality": municipality,
        "wards": municipality.wards.filter(valid_to__isnull=True).order_by("code"),
    }
    return render(request, "regions/municipality_detail.html", context)
