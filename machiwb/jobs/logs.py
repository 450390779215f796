"""Logging without personal data (個人情報を含まないログ).

One line per request with the method, view name, status and duration: no path, query
string, address, cookie or user. ``DJANGO_LOG_FORMAT=json`` writes every record as JSON.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

request_logger = logging.getLogger("machiwb.request")


def view_label(request: HttpRequest) -> str:
    """The resolved view name (``jobs:detail``), or ``unmatched``; never the raw path."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return match.view_name or "unnamed"


def request_log(method: str, view: str, status: int, duration_ms: float) -> None:
    """The one log line of a request."""
    request_logger.info(
        "%s %s %s %.1fms",
        method,
        view,
        status,
        duration_ms,
        extra={"method": method, "view": view, "status": status, "duration_ms": duration_ms},
    )


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        request_log(str(request.method), view_label(request), response.status_code, duration_ms)
        return response


class DropRequestFilter(logging.Filter):
    """Remove the request object Django attaches to its log records.

    A formatter that serialises extras would otherwise print the full URL with its query
    string (which may hold a code a resident typed).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if hasattr(record, "request"):
            del record.request
        return True
