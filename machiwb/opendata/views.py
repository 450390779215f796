"""The open-data API (/api/v1/): read-only JSON and CSV, no login, no rankings."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from machiwb.indicators.models import CatalogVersion
from machiwb.opendata import datasets
from machiwb.opendata.openapi import openapi_document
from machiwb.opendata.responses import (
    ParamError,
    api_view,
    dataset_response,
    error_response,
    output_format,
)
from machiwb.surveys.models import SurveyType

_CODE = re.compile(r"[0-9]{6}")
_INT = re.compile(r"[0-9]{1,6}")
#: The query parameters each endpoint accepts; any other is refused with 400 (documented in
#: openapi.py and on the API page; a test checks that the three agree).
LIST_PARAMS = ("format",)
MUNICIPALITY_PARAMS = ("pref", "page", "page_size", "format")
RESULT_PARAMS = ("fiscal_year", "survey_type", "municipality", "page", "page_size", "format")
#: Default and largest page size (municipalities per page) of each results dataset.
PAGE_SIZES = {
    "scores": (20, 50),
    "overall": (20, 50),
    "profile": (20, 50),
    "item-scores": (5, 10),
    "kpi-scores": (5, 10),
}


def _int(request: HttpRequest, name: str, *, default: int | None, low: int, high: int) -> int:
    value = request.GET.get(name)
    if value is None or value == "":
        if default is None:
            raise ParamError(name, f"{name} は必須です。")
        return default
    if not _INT.fullmatch(value) or not low <= int(value) <= high:
        raise ParamError(name, f"{name}「{value[:20]}」は {low}〜{high} の整数で指定してください。")
    return int(value)


def _survey_type(request: HttpRequest) -> str:
    value = request.GET.get("survey_type", "")
    if value not in SurveyType.values:
        raise ParamError(
            "survey_type",
            "survey_type は national（全国調査）か individual（個別調査）で指定してください。",
        )
    return value


def _municipalities(request: HttpRequest) -> list[str]:
    codes: list[str] = []
    for value in request.GET.getlist("municipality"):
        for code in value.split(","):
            code = code.strip()
            if not _CODE.fullmatch(code):
                raise ParamError(
                    "municipality",
                    f"municipality「{code[:20]}」は6桁の団体コードで指定してください。",
                )
            if code not in codes:
                codes.append(code)
    return codes


def _check_page(page: int, pages: int) -> None:
    if page > pages:
        raise ParamError(
            "page", f"page「{page}」は 1〜{pages} で指定してください（全{pages}ページ）。"
        )


def _page_links(request: HttpRequest, page: int, pages: int) -> dict[str, str | None]:
    def link(number: int) -> str:
        params = [(k, v) for k, values in request.GET.lists() for v in values if k != "page"]
        params.append(("page", str(number)))
        return request.build_absolute_uri(request.path + "?" + urlencode(params))

    return {
        "self": link(page),
        "next": link(page + 1) if page < pages else None,
        "prev": link(page - 1) if page > 1 else None,
    }


@api_view()
def index(request: HttpRequest) -> HttpResponse:
    base = request.build_absolute_uri(reverse("opendata:index"))
    response = JsonResponse(
        {
            "api_version": "1",
            "documentation": request.build_absolute_uri(reverse("opendata:guide")),
            "openapi": base + "openapi.json",
            "datasets": {
                name: base + name
                for name in (
                    "prefectures",
                    "municipalities",
                    "runs",
                    "catalog",
                    *datasets.RESULT_DATASETS,
                )
            },
        },
        json_dumps_params={"ensure_ascii": False},
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


@api_view()
def openapi(request: HttpRequest) -> HttpResponse:
    response = JsonResponse(openapi_document(), json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=300"
    return response


@api_view(params=LIST_PARAMS)
def prefectures(request: HttpRequest, suffix: str | None = None) -> HttpResponse:
    fmt = output_format(request, suffix)
    records = datasets.prefecture_records()
    return dataset_response(
        request,
        fmt=fmt,
        dataset="prefectures",
        columns=datasets.PREFECTURE_COLUMNS,
        records=records,
        meta={"count": len(records)},
    )


@api_view(params=MUNICIPALITY_PARAMS)
def municipalities(request: HttpRequest, suffix: str | None = None) -> HttpResponse:
    fmt = output_format(request, suffix)
    pref = request.GET.get("pref", "")
    if pref and not (_INT.fullmatch(pref) and len(pref) == 2 and 1 <= int(pref) <= 47):
        raise ParamError(
            "pref", f"pref「{pref[:20]}」は2桁の都道府県番号（01〜47）で指定してください。"
        )
    page = _int(request, "page", default=1, low=1, high=10_000)
    page_size = _int(request, "page_size", default=500, low=1, high=2000)
    records = datasets.municipality_records(pref_code=pref or None)
    pages = max(1, -(-len(records) // page_size))
    _check_page(page, pages)
    return dataset_response(
        request,
        fmt=fmt,
        dataset="municipalities",
        columns=datasets.MUNICIPALITY_COLUMNS,
        records=records[(page - 1) * page_size : page * page_size],
        meta={"count": len(records), "page": page, "pages": pages, "page_size": page_size},
        links=_page_links(request, page, pages),
    )


@api_view(params=LIST_PARAMS)
def runs(request: HttpRequest, suffix: str | None = None) -> HttpResponse:
    fmt = output_format(request, suffix)
    records = datasets.run_records()
    return dataset_response(
        request,
        fmt=fmt,
        dataset="runs",
        columns=datasets.RUN_COLUMNS,
        records=records,
        meta={"count": len(records)},
    )


@api_view(params=LIST_PARAMS)
def catalog(request: HttpRequest, suffix: str | None = None) -> HttpResponse:
    fmt = output_format(request, suffix)
    records = datasets.catalog_records()
    return dataset_response(
        request,
        fmt=fmt,
        dataset="catalog",
        columns=datasets.CATALOG_COLUMNS,
        records=records,
        meta={"count": len(records), "parts": list(datasets.CATALOG_PARTS)},
    )


_PART_COLUMNS = {
    "categories": datasets.CATEGORY_COLUMNS,
    "items": datasets.ITEM_COLUMNS,
    "kpis": datasets.KPI_COLUMNS,
    "overall-questions": datasets.QUESTION_COLUMNS,
}


@api_view(params=LIST_PARAMS)
def catalog_part(
    request: HttpRequest, version: str, part: str, suffix: str | None = None
) -> HttpResponse:
    fmt = output_format(request, suffix)
    found = CatalogVersion.objects.filter(code=version).first()
    if found is None:
        return error_response(
            404, "not_found", f"調査票の版「{version[:20]}」はありません。", "version"
        )
    records = datasets.catalog_part_records(catalog=found, part=part)
    return dataset_response(
        request,
        fmt=fmt,
        dataset=f"catalog/{part}",
        columns=_PART_COLUMNS[part],
        records=records,
        meta={"count": len(records), "catalog_version": found.code},
        last_modified=found.updated_at,
    )


@api_view(params=RESULT_PARAMS, repeatable=("municipality",))
def results(request: HttpRequest, dataset: str, suffix: str | None = None) -> HttpResponse:
    fmt = output_format(request, suffix)
    fiscal_year = _int(request, "fiscal_year", default=None, low=2000, high=2100)
    survey_type = _survey_type(request)
    codes = _municipalities(request)
    default_size, max_size = PAGE_SIZES[dataset]
    page = _int(request, "page", default=1, low=1, high=10_000)
    page_size = _int(request, "page_size", default=default_size, low=1, high=max_size)
    found = datasets.result_page(
        dataset=dataset,
        fiscal_year=fiscal_year,
        survey_type=survey_type,
        municipalities=codes,
        page=page,
        page_size=page_size,
    )
    if found is None:
        return error_response(
            404,
            "not_found",
            f"{fiscal_year}年度の {survey_type} の結果は公開されていません。/api/v1/runs で一覧を確認できます。",
        )
    _check_page(found.page, found.pages)
    return dataset_response(
        request,
        fmt=fmt,
        dataset=dataset,
        columns=datasets.RESULT_DATASETS[dataset],
        records=found.records,
        meta={
            "fiscal_year": fiscal_year,
            "survey_type": survey_type,
            "run_id": str(found.run.public_id),
            "origin": found.run.origin,
            "catalog_version": found.run.catalog.code,
            "min_public_n": datasets.min_public_n(),
            "order": "lg_code",
            "count": found.count,
            "page": found.page,
            "pages": found.pages,
            "page_size": found.page_size,
            "not_found": found.not_found,
        },
        links=_page_links(request, found.page, found.pages),
        last_modified=found.run.created_at,
    )


@require_GET
def guide(request: HttpRequest) -> HttpResponse:
    """The human-readable API page (Japanese)."""
    return render(
        request,
        "opendata/guide.html",
        {
            "base": request.build_absolute_uri(reverse("opendata:index")),
            "datasets": datasets.RESULT_DATASETS,
            "page_sizes": PAGE_SIZES,
            "min_public_n": datasets.min_public_n(),
        },
    )
