"""Django admin only for operators who signed in with two factors (運営者専用の管理画面)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy

from machiwb.accounts.decorators import is_verified_staff


class OperatorAdminSite(admin.AdminSite):
    """The admin site: a verified operator only; everyone else signs in through the site's
    own two-factor login, and a verified non-operator gets 403."""

    site_header = gettext_lazy("machiwb 運営者管理画面")
    site_title = gettext_lazy("machiwb 運営者管理画面")

    def has_permission(self, request: HttpRequest) -> bool:
        return is_verified_staff(request) and bool(getattr(request.user, "is_operator", False))

    def login(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if is_verified_staff(request):
            raise PermissionDenied
        next_url = request.GET.get("next") or reverse("admin:index")
        return redirect_to_login(next_url, settings.LOGIN_URL)
