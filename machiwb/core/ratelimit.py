"""Rate limits backed by Django's cache (回数制限).

Counters live in the ``shared`` cache, which every app server sees (the database by
default, Redis when ``DJANGO_SHARED_CACHE_URL`` names one), so a limit holds across processes. Counters use fixed
windows; keys are hashed with the secret key so no address or e-mail is stored in clear.

Use the decorator on a view::

    @ratelimit(key="ip", rate="5/m")
    def submit(request): ...

or call :func:`hit` / :func:`is_limited` where only some requests should count (for
example only failed logins).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import redis
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

_RATE = re.compile(r"^(?P<count>\d+)/(?P<multiplier>\d*)(?P<unit>[smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
CACHE_ALIAS = "shared"
#: WSGI environ key: ``(group, count)`` when a layer in front of Django has already counted
#: the request (machiwb/surveys/submission.py), so that the view's decorator does not count
#: it a second time.
COUNTED = "machiwb.ratelimit.counted"

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


@dataclass(frozen=True)
class Rate:
    """``count`` requests per ``seconds``; parsed from "5/m", "10/15m", "100/d"."""

    count: int
    seconds: int

    @classmethod
    def parse(cls, rate: str) -> Rate:
        match = _RATE.match(rate)
        if match is None or int(match["count"]) < 1:
            raise ValueError(f"rate {rate!r} must look like '5/m', '10/15m' or '100/d'")
        multiplier = int(match["multiplier"] or "1")
        return cls(count=int(match["count"]), seconds=multiplier * _UNIT_SECONDS[match["unit"]])


def client_ip(request: HttpRequest) -> str:
    """The client address; behind a proxy, the one the proxy appended (never stored)."""
    if getattr(settings, "MACHIWB_BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return str(forwarded).split(",")[-1].strip()
    return str(request.META.get("REMOTE_ADDR", ""))


def _cache_key(group: str, key: str, rate: Rate, now: float) -> str:
    window = int(now // rate.seconds)
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{group}\0{key}".encode(), hashlib.sha256
    ).hexdigest()[:32]
    return f"rl:{group}:{digest}:{rate.seconds}:{window}"


#: Redis script: add one to the counter KEYS[1], which expires ARGV[1] seconds after its first.
_COUNT_IN_WINDOW = (
    "local n = redis.call('INCR', KEYS[1]) "
    "if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end "
    "return n"
)
_REDIS_CLIENTS: dict[str, redis.Redis] = {}
_REDIS_CLIENTS_LOCK = threading.Lock()


def _redis_client(location: str) -> redis.Redis:
    """One client (with its connection pool) per process for the Redis at ``location``.

    Made under a lock: a second client made by another thread at the same moment would be
    dropped, and a dropped client closes its pool's connections while they are in use.
    """
    client = _REDIS_CLIENTS.get(location)
    if client is None:
        with _REDIS_CLIENTS_LOCK:
            client = _REDIS_CLIENTS.get(location)
            if client is None:
                client = _REDIS_CLIENTS[location] = redis.Redis.from_url(location)
    return client


def hit(group: str, key: str, rate: str) -> int:
    """Count one event for ``key`` in ``group``; return the count in the current window."""
    parsed = Rate.parse(rate)
    cache = caches[CACHE_ALIAS]
    cache_key = _cache_key(group, key, parsed, time.time())
    if isinstance(cache, RedisCache):
        # One command: count, and start the window's expiry on its first event. The value is
        # a plain integer, which the cache's own get() (is_limited) reads as it is.
        client = _redis_client(settings.CACHES[CACHE_ALIAS]["LOCATION"])
        stored_key = cache.make_and_validate_key(cache_key)
        return int(client.eval(_COUNT_IN_WINDOW, 1, stored_key, parsed.seconds + 1))
    try:  # usually the window has begun: one atomic increment
        return int(cache.incr(cache_key))
    except ValueError:  # the window's first event (or its counter just expired)
        if cache.add(cache_key, 1, timeout=parsed.seconds + 1):
            return 1
    try:  # another process counted the first event in between
        return int(cache.incr(cache_key))
    except ValueError:
        cache.add(cache_key, 1, timeout=parsed.seconds + 1)
        return 1


def is_limited(group: str, key: str, rate: str) -> bool:
    """True when ``key`` has used up ``rate`` in the current window (does not count)."""
    parsed = Rate.parse(rate)
    count = caches[CACHE_ALIAS].get(_cache_key(group, key, parsed, time.time()), 0)
    return int(count) >= parsed.count


def reset(group: str, key: str, rate: str) -> None:
    """Forget the current window's count (for example after a successful login)."""
    caches[CACHE_ALIAS].delete(_cache_key(group, key, Rate.parse(rate), time.time()))


def too_many_requests(request: HttpRequest, seconds: int) -> HttpResponse:
    """The 429 page, with a Retry-After header."""
    body = render_to_string(
        "core/refused.html",
        {"message": _("短時間に操作が多すぎます。しばらく待ってからもう一度お試しください。")},
        request=request,
    )
    response = HttpResponse(body, status=429)
    response["Retry-After"] = str(seconds)
    return response


def ratelimit(
    *,
    key: str | Callable[[HttpRequest], str],
    rate: str,
    group: str | None = None,
    methods: tuple[str, ...] = ("POST",),
) -> Callable[[View], View]:
    """Answer 429 once ``key`` made more than ``rate`` requests in a window.

    ``key`` is ``"ip"`` (the client address), ``"post:FIELD"`` (a form field, lower-cased),
    or a function of the request. Only requests whose method is in ``methods`` count.
    """
    parsed = Rate.parse(rate)

    def key_of(request: HttpRequest) -> str:
        if callable(key):
            return key(request)
        if key == "ip":
            return client_ip(request)
        if key.startswith("post:"):
            return str(request.POST.get(key[5:], "")).strip().lower()
        raise ValueError(f"unknown rate-limit key {key!r}")

    def decorator(view: View) -> View:
        name = group or f"{view.__module__}.{view.__qualname__}"

        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method in methods:
                counted = request.META.get(COUNTED)
                if counted is not None and counted[0] == name:
                    count = counted[1]
                else:
                    count = hit(name, key_of(request), rate)
                if count > parsed.count:
                    return too_many_requests(request, parsed.seconds)
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
