"""A database outage answers 503 with Retry-After, not a bare 500 (一時的な障害の応答)."""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.defaults import server_error

RETRY_AFTER_SECONDS = 5


def server_error_or_unavailable(request: HttpRequest) -> HttpResponse:
    """``handler500``: a lost database connection is temporary; tell the client to retry."""
    exc = sys.exc_info()[1]
    if not isinstance(exc, OperationalError | InterfaceError):
        return server_error(request)
    message = _("データベースに一時的に接続できません。しばらくしてからもう一度送信してください。")
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(
            {"error": "database_unavailable", "retryable": True, "message": message},
            status=503,
            headers=headers,
        )
    return HttpResponse(
        f'<!DOCTYPE html><html lang="ja"><meta charset="utf-8"><title>503</title>'
        f"<p>{message}</p></html>",
        status=503,
        headers=headers,
    )
