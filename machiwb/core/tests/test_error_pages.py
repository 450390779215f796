"""Error pages (エラーページ) speak the site's language and lead back into the site."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.utils import translation
from django.views.defaults import bad_request, permission_denied, server_error

pytestmark = pytest.mark.django_db


def test_missing_page_is_a_404_in_the_site_layout_with_links_back(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "ページが見つかりません" in html
    assert 'href="/"' in html
    assert 'href="/dashboard/"' in html
    assert "Not Found" not in html


def test_missing_page_in_english(client: Client) -> None:
    client.cookies["django_language"] = "en"
    html = client.get("/no-such-page/").content.decode()
    assert "Page not found" in html
    assert "ページが見つかりません" not in html


def test_permission_denied_page_offers_sign_in_to_anonymous_visitors() -> None:
    request = RequestFactory().get("/staff/")
    request.user = AnonymousUser()
    with translation.override("ja"):
        response = permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    html = response.content.decode()
    assert "このページを表示する権限がありません" in html
    assert 'href="/accounts/login/"' in html


def test_bad_request_page() -> None:
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with translation.override("ja"):
        response = bad_request(request, Exception())
    assert response.status_code == 400
    assert "リクエストを処理できませんでした" in response.content.decode()


def test_server_error_page_needs_no_context_and_is_bilingual() -> None:
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "エラーが発生しました" in html
    assert "Something went wrong" in html


def test_expired_form_gets_a_plain_explanation_not_a_technical_page() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"email": "a@example.jp", "password": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "送信を受け付けられませんでした" in html
    assert "CSRF" not in html
