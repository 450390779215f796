"""Request-level security rules (セキュリティの基本設定).

``SessionLimitsMiddleware``: a signed-in session ends after ``MACHIWB["SESSION_MAX_AGE"]``
seconds from sign-in however active it is (the idle limit is ``SESSION_COOKIE_AGE``, renewed
on every request).

``UploadSizeLimitMiddleware``: a request body larger than ``MACHIWB["MAX_UPLOAD_BYTES"]`` is
refused with 413 before anything reads it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

#: Session key holding the sign-in time (epoch seconds).
SIGNED_IN_AT_KEY = "accounts_signed_in_at"


class SessionLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Only a request that carries a session cookie can be signed in; checking others
        # would touch the session and add "Vary: Cookie" to cacheable public pages.
        if settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated:
            signed_in_at = int(request.session.get(SIGNED_IN_AT_KEY, 0))
            if time.time() - signed_in_at > settings.MACHIWB["SESSION_MAX_AGE"]:
                logout(request)
        return self.get_response(request)


class UploadSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.MACHIWB["MAX_UPLOAD_BYTES"]
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            body = render_to_string(
                "core/refused.html",
                {
                    "title": _("ファイルが大きすぎます"),
                    "message": _(
                        "送信されたデータが大きすぎます（上限 %(mb)s MB）。"
                        "ファイルを分けるか小さくしてから、もう一度送信してください。"
                    )
                    % {"mb": limit // (1024 * 1024)},
                },
                request=request,
            )
            return HttpResponse(body, status=413)
        return self.get_response(request)
