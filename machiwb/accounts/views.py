"""Sign-in, second factor, enrolment and sign-out (ログイン・ログアウト)."""

from __future__ import annotations

from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from machiwb.accounts import login_flow, services
from machiwb.accounts.decorators import request_user, staff_required
from machiwb.accounts.forms import EnrolForm, LoginForm, OTPForm
from machiwb.accounts.models import User
from machiwb.accounts.panels import mypage_panels_collect
from machiwb.audit.services import audit_log_write
from machiwb.core import ratelimit

NEXT_KEY = "accounts_next"


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("accounts:mypage")


@sensitive_post_parameters("password")
@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
@ratelimit.ratelimit(key="ip", rate=login_flow.LOGIN_IP_RATE, group="login-ip")
def login_view(request: HttpRequest) -> HttpResponse:
    """Step 1: e-mail address and password."""
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        if ratelimit.is_limited("login-fail", email, login_flow.LOGIN_FAILURE_RATE):
            form.add_error(
                None,
                _(
                    "ログインの失敗が続いたため、このアカウントは一時的にロックされています。"
                    "15分ほど待ってからもう一度お試しください。"
                ),
            )
        else:
            user = authenticate(request, username=email, password=form.cleaned_data["password"])
            if isinstance(user, User) and user.is_active:
                ratelimit.reset("login-fail", email, login_flow.LOGIN_FAILURE_RATE)
                login_flow.pending_user_set(request, user)
                request.session[NEXT_KEY] = _safe_next(request, request.POST.get("next"))
                if user_has_device(user):
                    return redirect("accounts:verify")
                return redirect("accounts:enrol")
            ratelimit.hit("login-fail", email, login_flow.LOGIN_FAILURE_RATE)
            form.add_error(None, _("メールアドレスまたはパスワードが正しくありません。"))
    return render(
        request,
        "accounts/login.html",
        {"form": form, "next": request.GET.get("next", request.POST.get("next", ""))},
    )


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def verify_view(request: HttpRequest) -> HttpResponse:
    """Step 2: a TOTP code from the authenticator app, or a single-use recovery code."""
    user = login_flow.pending_user(request)
    if user is None:
        messages.info(request, _("もう一度ログインしてください。"))
        return redirect("accounts:login")
    if not user_has_device(user):
        return redirect("accounts:enrol")
    form = OTPForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        key = str(user.pk)
        if ratelimit.is_limited("otp-fail", key, login_flow.OTP_FAILURE_RATE):
            form.add_error(
                None,
                _(
                    "確認コードの誤りが続いたため、一時的にロックされています。"
                    "15分ほど待ってからもう一度お試しください。"
                ),
            )
        else:
            device = match_token(user, form.cleaned_data["code"])
            if device is not None:
                ratelimit.reset("otp-fail", key, login_flow.OTP_FAILURE_RATE)
                next_url = request.session.pop(NEXT_KEY, "")
                with transaction.atomic():
                    login_flow.complete_login(request, user, device)
                    audit_log_write(actor=user, action="account.login", summary="ログイン")
                return redirect(_safe_next(request, next_url))
            ratelimit.hit("otp-fail", key, login_flow.OTP_FAILURE_RATE)
            form.add_error("code", _("確認コードが正しくないか、有効期限が切れています。"))
    return render(request, "accounts/verify.html", {"form": form})


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def enrol_view(request: HttpRequest) -> HttpResponse:
    """First sign-in: register an authenticator app by QR code, then show recovery codes."""
    user = login_flow.pending_user(request)
    if user is None:
        messages.info(request, _("もう一度ログインしてください。"))
        return redirect("accounts:login")
    if user_has_device(user):
        return redirect("accounts:verify")
    device = services.totp_device_pending(user=user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        key = str(user.pk)
        if ratelimit.is_limited("otp-fail", key, login_flow.OTP_FAILURE_RATE):
            return ratelimit.too_many_requests(request, 900)
        codes = services.totp_enrolment_confirm(
            user=user, device=device, token=form.cleaned_data["code"]
        )
        if codes is not None:
            ratelimit.reset("otp-fail", key, login_flow.OTP_FAILURE_RATE)
            request.session.pop(NEXT_KEY, None)
            login_flow.complete_login(request, user, device)
            return render(request, "accounts/recovery_codes.html", {"codes": codes})
        ratelimit.hit("otp-fail", key, login_flow.OTP_FAILURE_RATE)
        form.add_error("code", _("確認コードが正しくありません。時刻の設定も確認してください。"))
    return render(
        request,
        "accounts/enrol.html",
        {"form": form, "secret": _secret_groups(device)},
    )


def _secret_groups(device: TOTPDevice) -> str:
    """The base32 setup key, in groups of four for typing by hand."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
@require_http_methods(["GET"])
def enrol_qr_view(request: HttpRequest) -> HttpResponse:
    """The enrolment QR code as a plain SVG image (no script inside)."""
    user = login_flow.pending_user(request)
    if user is None or user_has_device(user):
        return HttpResponse(status=404)
    device = services.totp_device_pending(user=user)
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    response = HttpResponse(image.to_string(), content_type="image/svg+xml")
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@csrf_protect
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit_log_write(actor=request_user(request), action="account.logout", summary="ログアウト")
    auth_logout(request)
    messages.success(request, _("ログアウトしました。"))
    return redirect("core:home")


@never_cache
@staff_required
@require_GET
def mypage_view(request: HttpRequest) -> HttpResponse:
    """MyPage (マイページ): panels contributed by every app."""
    return render(
        request,
        "accounts/mypage.html",
        {"panels": mypage_panels_collect(request), "nav_section": "accounts"},
    )


@staff_required
@require_POST
def logout_everywhere_view(request: HttpRequest) -> HttpResponse:
    """End this user's sessions on every device, this one included."""
    services.sessions_end_all(user=request_user(request))
    auth_logout(request)
    messages.success(request, _("すべての端末からログアウトしました。"))
    return redirect("accounts:login")


@never_cache
@staff_required
@require_POST
def recovery_codes_view(request: HttpRequest) -> HttpResponse:
    """Issue new recovery codes (the old ones stop working) and show them once."""
    user = request_user(request)
    with transaction.atomic():
        codes = services.recovery_codes_regenerate(user=user)
        audit_log_write(
            actor=user,
            action="account.recovery_codes",
            summary="回復コードを再発行",
        )
    return render(request, "accounts/recovery_codes.html", {"codes": codes})


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Set a new password from the e-mailed link; every existing session ends with it."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:  # type: ignore[type-arg]
        with transaction.atomic():
            response = super().form_valid(form)
            audit_log_write(
                actor=form.user, action="account.password_reset", summary="パスワードを再設定"
            )
        return response


password_reset_view = ratelimit.ratelimit(key="post:email", rate="3/h", group="reset-email")(
    ratelimit.ratelimit(key="ip", rate="10/15m", group="reset-ip")(
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset_form.html",
            email_template_name="accounts/email/password_reset_body.txt",
            subject_template_name="accounts/email/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        )
    )
)
password_reset_done_view = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)
password_reset_complete_view = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)
