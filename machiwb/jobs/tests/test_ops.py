from __future__ import annotations

import json
import logging
from unittest import mock

import pytest
from django.db import DatabaseError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path
from pytest_django.fixtures import Settings as SettingsWrapper

from machiwb.jobs.logs import DropRequestFilter

pytestmark = pytest.mark.django_db


def test_readyz_ok_when_database_queue_and_shared_cache_answer(client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "jobs": "ok",
        "shared_cache": "ok",
    }
    assert "no-cache" in response["Cache-Control"]


def test_readyz_503_names_the_database(client: Client) -> None:
    with mock.patch(
        "machiwb.jobs.health.connection.cursor", side_effect=OperationalError("refused")
    ):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["reason"] == "database unreachable: OperationalError"


def test_readyz_503_names_the_job_queue(client: Client) -> None:
    with mock.patch("machiwb.jobs.health.job_queue_depth", side_effect=DatabaseError("no table")):
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["jobs"] == "job queue table unreachable: DatabaseError"
    assert body["database"] == "ok"


def test_readyz_503_names_the_shared_cache(client: Client) -> None:
    broken = mock.Mock()
    broken.set.side_effect = ConnectionError("redis down")
    with mock.patch("machiwb.jobs.health.caches", {"shared": broken}):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["shared_cache"] == "shared cache unreachable: ConnectionError"


def test_probes_answer_plain_http_while_pages_redirect_to_https(
    client: Client, settings: SettingsWrapper
) -> None:
    # A load balancer or Prometheus reaches each app server directly, without TLS.
    settings.SECURE_SSL_REDIRECT = True
    settings.METRICS_TOKEN = "t" * 32
    assert client.get("/readyz").status_code == 200
    assert client.get("/healthz").status_code == 200
    metrics = client.get("/metrics", headers={"Authorization": "Bearer " + "t" * 32})
    assert metrics.status_code == 200
    assert client.get("/dashboard/").status_code == 301


# --- metrics ---------------------------------------------------------------------------


def test_metrics_absent_without_token(client: Client, settings: SettingsWrapper) -> None:
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404


def test_metrics_need_the_bearer_token(client: Client, settings: SettingsWrapper) -> None:
    settings.METRICS_TOKEN = "s3cret-token-for-tests"
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ｔｏｋｅｎ").status_code == 401
    wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer nope")
    assert wrong.status_code == 401
    assert wrong["WWW-Authenticate"].startswith("Bearer")
    client.get("/healthz")
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token-for-tests")
    assert response.status_code == 200
    text = response.content.decode()
    assert 'machiwb_http_requests_total{method="GET",status="200",view="core:healthz"}' in text
    assert "machiwb_http_request_duration_seconds_bucket" in text
    assert 'machiwb_jobs{status="queued"} 0.0' in text
    assert "machiwb_job_queue_depth 0.0" in text
    assert "/healthz" not in text  # labels are view names, never paths


# --- logs ------------------------------------------------------------------------------


def test_request_log_has_view_and_status_but_no_path_or_query(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="machiwb.request"):
        client.get("/regions/?q=%E5%92%8C%E6%AD%8C%E5%B1%B1", REMOTE_ADDR="203.0.113.9")
    record = next(r for r in caplog.records if r.name == "machiwb.request")
    assert record.view == "regions:index"  # type: ignore[attr-defined]
    assert record.status == 200  # type: ignore[attr-defined]
    line = record.getMessage() + json.dumps(record.__dict__, default=str)
    assert "203.0.113.9" not in line
    assert "q=" not in line
    assert "/regions/" not in line


def test_json_formatter_drops_the_request_object() -> None:
    from pythonjsonlogger.json import JsonFormatter

    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found", (), None
    )
    record.request = "<WSGIRequest: GET '/s/abc/?code=SECRET'>"
    assert DropRequestFilter().filter(record)
    line = json.loads(JsonFormatter("%(levelname)s %(name)s %(message)s").format(record))
    assert line["message"] == "Not Found"
    assert "SECRET" not in json.dumps(line)


# --- database outage -------------------------------------------------------------------


def _view_losing_the_database(request: HttpRequest) -> HttpResponse:
    raise OperationalError("connection to server was lost")


def _view_with_a_bug(request: HttpRequest) -> HttpResponse:
    raise ValueError("bug")


urlpatterns = [
    path("lost/", _view_losing_the_database),
    path("bug/", _view_with_a_bug),
]


@pytest.fixture
def outage_urls(settings: SettingsWrapper) -> None:
    settings.ROOT_URLCONF = __name__


handler500 = "machiwb.jobs.errors.server_error_or_unavailable"


def test_database_outage_is_a_retryable_503(outage_urls: None) -> None:
    client = Client(raise_request_exception=False)
    response = client.get("/lost/", HTTP_ACCEPT="application/json")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["retryable"] is True
    html = client.get("/lost/")
    assert html.status_code == 503
    assert "データベースに一時的に接続できません" in html.content.decode()


def test_other_errors_stay_500(outage_urls: None) -> None:
    client = Client(raise_request_exception=False)
    assert client.get("/bug/").status_code == 500
