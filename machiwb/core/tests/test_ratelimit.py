from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import redis
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


@pytest.fixture
def redis_counters(settings: Any) -> Iterator[str]:
    """The shared cache on the machine's Redis (database 15, emptied before and after)."""
    location = "redis://127.0.0.1:6379/15"
    client = redis.Redis.from_url(location)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis server on 127.0.0.1:6379")
    client.flushdb()
    settings.CACHES = {
        **settings.CACHES,
        ratelimit.CACHE_ALIAS: {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
        },
    }
    yield location
    client.flushdb()


def test_redis_counts_in_one_round_trip_and_the_window_expires(redis_counters: str) -> None:
    assert [ratelimit.hit("g", "203.0.113.9", "3/m") for _ in range(4)] == [1, 2, 3, 4]
    assert ratelimit.is_limited("g", "203.0.113.9", "3/m")  # the cache reads the counter
    assert not ratelimit.is_limited("g", "203.0.113.10", "3/m")
    client = redis.Redis.from_url(redis_counters)
    (key,) = client.keys("*")
    assert 60 < client.ttl(key) <= 61  # set by the window's first event, not pushed back
    ratelimit.reset("g", "203.0.113.9", "3/m")
    assert not ratelimit.is_limited("g", "203.0.113.9", "3/m")


def test_redis_counters_are_exact_when_threads_count_at_once(redis_counters: str) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        counts = sorted(pool.map(lambda _n: ratelimit.hit("g", "x", "1000/m"), range(200)))
    assert counts == list(range(1, 201))
