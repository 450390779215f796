import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db


def test_japanese_by_default_even_for_an_english_browser(client: Client) -> None:
    response = client.get("/healthz", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "ja"
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    assert '<html lang="ja">' in body


def test_english_when_chosen(client: Client) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    body = client.get("/").content.decode()
    assert '<html lang="en">' in body
    assert "Find a region" in body
    assert "地域を探す" not in body


def test_unknown_cookie_falls_back_to_japanese(client: Client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert client.get("/healthz")["Content-Language"] == "ja"
