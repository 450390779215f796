"""The security baseline: CSP, admin only for verified operators, sessions, upload size."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from machiwb.accounts.middleware import SIGNED_IN_AT_KEY
from machiwb.accounts.models import Role, User
from machiwb.accounts.services import sessions_end_all
from machiwb.accounts.testing import login_staff, make_operator, make_staff

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def editor(regions_loaded: None) -> User:
    return make_staff(municipality="302015", role=Role.EDITOR)


@pytest.mark.django_db
def test_csp_header_forbids_inline_script() -> None:
    response = Client().get(reverse("accounts:login"))
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"]
    assert "unsafe-eval" not in policy
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"


def test_no_template_has_inline_script_or_event_handlers() -> None:
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)[^>]*>")
    handler = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
    offenders = []
    for path in (ROOT / "machiwb").rglob("templates/**/*.html"):
        text = path.read_text(encoding="utf-8")
        if inline_script.search(text) or handler.search(text) or "javascript:" in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


@pytest.mark.django_db
def test_admin_sends_anonymous_to_the_two_factor_login() -> None:
    response = Client().get("/admin/")
    assert response.status_code == 302
    login = Client().get(response["Location"], follow=False)
    assert login.status_code == 302
    assert login["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_admin_refuses_verified_staff_who_are_not_operators(editor: User) -> None:
    client = Client()
    login_staff(client, editor)
    assert client.get("/admin/").status_code in {302, 403}
    assert client.get(reverse("admin:login")).status_code == 403


@pytest.mark.django_db
def test_admin_refuses_an_operator_without_second_factor() -> None:
    operator = make_operator()
    client = Client()
    client.force_login(operator)
    session = client.session
    session[SIGNED_IN_AT_KEY] = int(time.time())
    session.save()
    response = client.get("/admin/")
    assert response.status_code == 302


@pytest.mark.django_db
def test_admin_admits_a_verified_operator() -> None:
    operator = make_operator()
    operator.is_superuser = True
    operator.save()
    client = Client()
    login_staff(client, operator)
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_logout_everywhere_ends_every_session(editor: User) -> None:
    phone, desk = Client(), Client()
    login_staff(phone, editor)
    login_staff(desk, editor)
    assert desk.get(reverse("accounts:mypage")).status_code == 200
    response = phone.post(reverse("accounts:logout_everywhere"))
    assert response.status_code == 302
    assert desk.get(reverse("accounts:mypage")).status_code == 302
    assert phone.get(reverse("accounts:mypage")).status_code == 302


@pytest.mark.django_db
def test_sessions_end_all_service_invalidates_other_sessions(editor: User) -> None:
    desk = Client()
    login_staff(desk, editor)
    sessions_end_all(user=editor)
    assert desk.get(reverse("accounts:mypage")).status_code == 302


@pytest.mark.django_db
def test_session_ends_after_the_maximum_age(editor: User) -> None:
    client = Client()
    login_staff(client, editor)
    session = client.session
    session[SIGNED_IN_AT_KEY] = int(time.time()) - 13 * 3600
    session.save()
    assert client.get(reverse("accounts:mypage")).status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
@override_settings(MACHIWB={"MAX_UPLOAD_BYTES": 1024, "SESSION_MAX_AGE": 3600})
def test_oversized_request_body_is_refused_with_413() -> None:
    response = Client().post(
        reverse("accounts:login"), data=b"x" * 2048, content_type="application/octet-stream"
    )
    assert response.status_code == 413
    assert "大きすぎます" in response.content.decode()


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        {
            "DJANGO_SECRET_KEY": "p" * 30 + "0123456789abcdefghijklmnopqrstu",
            "DJANGO_ALLOWED_HOSTS": "wb.example.jp",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "MACHIWB_VAR_DIR": str(tmp_path),
        }
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_cookies_and_hsts() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update({"DJANGO_SECRET_KEY": "q" * 60, "DJANGO_ALLOWED_HOSTS": "wb.example.jp"})
    code = (
        "import config.settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS >= 31536000,"
        " s.SECURE_SSL_REDIRECT, s.X_FRAME_OPTIONS)"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["True", "True", "True", "True", "DENY"]


@pytest.mark.django_db
def test_session_limits_leave_public_responses_cacheable() -> None:
    from django.contrib.auth.middleware import AuthenticationMiddleware
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.http import HttpResponse
    from django.test import RequestFactory

    from machiwb.accounts.middleware import SessionLimitsMiddleware

    request = RequestFactory().get("/")
    SessionMiddleware(lambda r: HttpResponse()).process_request(request)
    AuthenticationMiddleware(lambda r: HttpResponse()).process_request(request)
    SessionLimitsMiddleware(lambda r: HttpResponse())(request)
    assert not request.session.accessed


def test_smtp_is_configured_from_the_environment(tmp_path: Path) -> None:
    secret = tmp_path / "smtp-password"
    secret.write_text("s3cret\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        {
            "DJANGO_DEBUG": "1",
            "MACHIWB_VAR_DIR": str(tmp_path),
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "DJANGO_EMAIL_HOST": "smtp.city.example.jp",
            "DJANGO_EMAIL_PORT": "465",
            "DJANGO_EMAIL_HOST_PASSWORD_FILE": str(secret),
        }
    )
    code = (
        "import config.settings as s;"
        "print(s.EMAIL_BACKEND.rsplit('.', 2)[-2], s.EMAIL_HOST, s.EMAIL_PORT,"
        " s.EMAIL_HOST_PASSWORD, s.EMAIL_USE_TLS)"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["smtp", "smtp.city.example.jp", "465", "s3cret", "True"]
