import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from machiwb.core import ratelimit

pytestmark = pytest.mark.django_db


@ratelimit.ratelimit(key="ip", rate="3/m", group="test-ip")
def _view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


@pytest.mark.parametrize(
    ("text", "count", "seconds"),
    [("5/m", 5, 60), ("10/15m", 10, 900), ("100/d", 100, 86400), ("1/s", 1, 1)],
)
def test_rate_parse(text: str, count: int, seconds: int) -> None:
    assert ratelimit.Rate.parse(text) == ratelimit.Rate(count, seconds)


@pytest.mark.parametrize("bad", ["5", "5/x", "0/m", "a/m", "5/m/"])
def test_rate_parse_refuses_bad_text(bad: str) -> None:
    with pytest.raises(ValueError, match="must look like"):
        ratelimit.Rate.parse(bad)


def test_decorator_answers_429_after_the_limit() -> None:
    factory = RequestFactory()
    statuses = [_view(factory.post("/", REMOTE_ADDR="203.0.113.5")).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    other = _view(factory.post("/", REMOTE_ADDR="203.0.113.6"))
    assert other.status_code == 200


def test_429_has_retry_after() -> None:
    factory = RequestFactory()
    for _ in range(3):
        _view(factory.post("/", REMOTE_ADDR="203.0.113.7"))
    response = _view(factory.post("/", REMOTE_ADDR="203.0.113.7"))
    assert response["Retry-After"] == "60"


def test_get_requests_do_not_count_by_default() -> None:
    factory = RequestFactory()
    assert all(
        _view(factory.get("/", REMOTE_ADDR="203.0.113.8")).status_code == 200 for _ in range(5)
    )


def test_hit_reset_and_keys_are_not_stored_in_clear() -> None:
    assert ratelimit.hit("g", "someone@example.jp", "2/m") == 1
    assert ratelimit.hit("g", "someone@example.jp", "2/m") == 2
    assert ratelimit.is_limited("g", "someone@example.jp", "2/m")
    ratelimit.reset("g", "someone@example.jp", "2/m")
    assert not ratelimit.is_limited("g", "someone@example.jp", "2/m")
    key = ratelimit._cache_key("g", "someone@example.jp", ratelimit.Rate(2, 60), 0)
    assert "someone" not in key


def test_counters_live_in_the_cache_shared_by_app_servers() -> None:
    from django.conf import settings

    backend = settings.CACHES[ratelimit.CACHE_ALIAS]["BACKEND"]
    assert backend.endswith(("DatabaseCache", "RedisCache"))


def test_client_ip_behind_a_proxy_is_the_address_the_proxy_appended() -> None:
    from django.test import override_settings

    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.9, 203.0.113.20"
    )
    assert ratelimit.client_ip(request) == "10.0.0.1"
    with override_settings(MACHIWB_BEHIND_PROXY=True):
        assert ratelimit.client_ip(request) == "203.0.113.20"
