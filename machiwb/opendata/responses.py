"""JSON and CSV responses of the open-data API: one envelope, CORS, caching, conditional GET."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
from collections.abc import Callable, Collection, Sequence
from difflib import get_close_matches
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from machiwb.core.db import replica_reads

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


#: Names a client may try for ordering; the answer says why there is no such thing.
_SORT_NAMES = frozenset({"sort", "sort_by", "order", "order_by", "ordering", "rank"})


class ParamError(Exception):
    """A query parameter the API cannot use: which one and why."""

    def __init__(
        self,
        field: str,
        message: str,
        *,
        code: str = "invalid_parameter",
        allowed: Sequence[str] | None = None,
    ) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.code = code
        self.allowed = allowed


def _cors(response: HttpResponse) -> HttpResponse:
    for name, value in CORS_HEADERS.items():
        response[name] = value
    return response


def error_response(
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    *,
    allowed: Sequence[str] | None = None,
) -> HttpResponse:
    error: dict[str, Any] = {"code": code, "message": message, "field": field}
    if allowed is not None:
        error["allowed"] = list(allowed)
    body = {"api_version": API_VERSION, "error": error}
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )
    response["Cache-Control"] = "no-store"
    return _cors(response)


def _unknown_message(unknown: list[str], allowed: Sequence[str]) -> str:
    names = "".join(f"「{name[:30]}」" for name in unknown)
    parts = [f"パラメーター{names}はこのAPIにありません。"]
    if any(name.lower() in _SORT_NAMES for name in unknown):
        parts.append(
            "並べ替えは指定できません。市区町村はいつも団体コード順で、得点順には並べません。"
        )
    for name in unknown:
        close = get_close_matches(name, allowed, n=1, cutoff=0.75)
        if close:
            parts.append(f"「{name[:30]}」は「{close[0]}」の誤りではありませんか。")
    if allowed:
        parts.append("使えるパラメーター：" + ", ".join(allowed) + "。")
    else:
        parts.append("このエンドポイントはパラメーターを受け付けません。")
    return "".join(parts)


def check_parameters(
    request: HttpRequest, allowed: Sequence[str], *, repeatable: Collection[str] = ()
) -> None:
    """Refuse a query parameter the endpoint does not know, or a single one given twice."""
    unknown = [name for name in request.GET if name not in allowed]
    if unknown:
        raise ParamError(
            unknown[0][:100],
            _unknown_message(unknown, allowed),
            code="unknown_parameter",
            allowed=allowed,
        )
    for name in allowed:
        if name not in repeatable and len(request.GET.getlist(name)) > 1:
            raise ParamError(name, f"{name} は1回だけ指定してください。")


def api_view(
    *, params: Sequence[str] = (), repeatable: Collection[str] = ()
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Read-only, CORS-friendly API view: GET/HEAD/OPTIONS only, exactly the query parameters
    ``params`` (a parameter outside them is refused, never ignored), parameter errors as 400.

    The data do not follow the site's language: every label is built in Japanese, so the same
    request gives the same bytes whichever language the visitor chose (English names are in
    their own ``*_en`` columns). Reads go to the read replica when one is configured
    (``machiwb.core.db``)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
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
                check_parameters(request, params, repeatable=repeatable)
                with translation.override("ja"):
                    return view(request, *args, **kwargs)
            except ParamError as error:
                return error_response(
                    400, error.code, error.message, error.field, allowed=error.allowed
                )

        return replica_reads(wrapper)

    return decorator


def output_format(request: HttpRequest, suffix: str | None) -> str:
    given = request.GET.get("format")
    if suffix and given is not None and given != suffix:
        raise ParamError(
            "format",
            f"末尾の .{suffix} と format「{given[:20]}」が食い違っています。どちらか一方で指定してください。",
        )
    fmt = suffix or ("json" if given is None else given)
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
