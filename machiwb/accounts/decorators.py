"""View guards for signed-in people (ログイン・二要素認証の確認).

``staff_required``: signed in AND verified with a second factor (TOTP or a recovery
code). Operators pass like any verified user; whether someone may act for a particular
municipality is decided by :mod:`machiwb.accounts.access`, which every view that acts for
a municipality calls. Anyone else is sent to the login page.

``operator_required``: the same, and the user must be an operator (運営者); a verified
non-operator gets 403.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

from machiwb.accounts.models import User

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def is_verified_staff(request: HttpRequest) -> bool:
    """Signed in, active, and verified with a second factor in this session."""
    user = request.user
    return bool(
        user.is_authenticated and user.is_active and getattr(user, "is_verified", lambda: False)()
    )


def request_user(request: HttpRequest) -> User:
    """``request.user`` typed as a signed-in User (only inside a guarded view)."""
    return cast(User, request.user)


def staff_required(view: View) -> View:
    """Require a signed-in user verified with two factors; otherwise go to the login page."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not is_verified_staff(request):
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped  # type: ignore[return-value]


def operator_required(view: View) -> View:
    """Require a two-factor-verified operator (運営者); other verified users get 403."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not is_verified_staff(request):
            return redirect_to_login(request.get_full_path())
        if not getattr(request.user, "is_operator", False):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped  # type: ignore[return-value]
