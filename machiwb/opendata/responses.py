"""JSON and CSV responses of the open-data API: one envelope, CORS, caching, conditional GET."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

API_VERSION = "1"
LICENSE = (
    "CC BY 4.0 互換（公共データ利用規約 PDL1.0）。地域幸福度の公表値はデジタル庁の利用規約に従う。"
)
CACHE_SECONDS = 300
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "If-None-Match, If-Modified-Since",
    "Access-Control-Expose-Headers": "ETag, Last-Modified",
    "Access-Control-Max-Age": "86400",
}


class ParamError(Exception):
    """A query parameter the API cannot use: which one and why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _cors(response: HttpResponse) -> HttpResponse:
    for name, value in CORS_HEADERS.items():
        response[name] = value
    return response


def error_response(status: int, code: str, message: str, field: str | None = None) -> HttpResponse:
    body = {"api_version": API_VERSION, "error": {"code": code, "message": message, "field": field}}
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )
    response["Cache-Control"] = "no-store"
    return _cors(response)


def api_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Read-only, CORS-friendly API view: GET/HEAD/OPTIONS only, parameter errors as 400."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "OPTIONS":
            return _cors(HttpResponse(status=204))
        if request.method not in ("GET", "HEAD"):
            response = error_response(
                405, "method_not_allowed", "この API は読み取り専用です（GET のみ）。"
            )
            response["Allow"] = "GET, HEAD, OPTIONS"
            return response
        try:
            return view(request, *args, **kwargs)
        except ParamError as error:
            return error_response(400, "invalid_parameter", error.message, error.field)

    return wrapper


def output_format(request: HttpRequest, suffix: str | None) -> str:
    fmt = suffix or request.GET.get("format", "json")
    if fmt not in ("json", "csv"):
        raise ParamError("format", f"format「{fmt[:20]}」は json か csv で指定してください。")
    return fmt


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def records_csv(columns: Sequence[str], records: Sequence[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow([_csv_cell(record[c]) for c in columns])
    return buffer.getvalue()


def dataset_response(
    request: HttpRequest,
    *,
    fmt: str,
    dataset: str,
    columns: Sequence[str],
    records: Sequence[dict[str, Any]],
    meta: dict[str, Any] | None = None,
    links: dict[str, str | None] | None = None,
    last_modified: datetime.datetime | None = None,
) -> HttpResponse:
    """The dataset as JSON (envelope with meta, links, columns, data) or CSV (header + rows)."""
    if fmt == "csv":
        body = records_csv(columns, records).encode("utf-8")
        content_type = "text/csv; charset=utf-8"
    else:
        envelope = {
            "api_version": API_VERSION,
            "dataset": dataset,
            "license": LICENSE,
            "meta": meta or {},
            "links": links or {},
            "columns": list(columns),
            "data": list(records),
        }
        body = json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        content_type = "application/json; charset=utf-8"
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    timestamp = last_modified.timestamp() if last_modified else None
    conditional = get_conditional_response(
        request, etag=etag, last_modified=int(timestamp) if timestamp else None
    )
    response = (
        conditional if conditional is not None else HttpResponse(body, content_type=content_type)
    )
    response["ETag"] = etag
    if timestamp:
        response["Last-Modified"] = http_date(timestamp)
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    if fmt == "csv":
        response["Content-Disposition"] = f'inline; filename="machiwb_{dataset}.csv"'
    return _cors(response)
