"""Readiness (稼働準備の確認): may a load balancer send requests to this app server?

``/healthz`` (in core) says the process is alive; ``/readyz`` says it can do its work: the
database answers, the job queue table answers and the shared cache (sessions' neighbours:
rate limits, lockouts) can be written and read back. Any failure is a 503 naming the part.

With a read replica configured, ``replica`` reports it too, but never fails the check: while
the replica is unreachable the public pages read the primary (``machiwb.core.db``), so the
app server can still do all its work.
"""

from __future__ import annotations

import uuid

from django.core.cache import caches
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from machiwb.core.db import replica_in_use, replica_problem
from machiwb.jobs.selectors import job_queue_depth


def _database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return f"database unreachable: {type(exc).__name__}"
    return None


def _job_queue() -> str | None:
    try:
        job_queue_depth()
    except DatabaseError as exc:
        return f"job queue table unreachable: {type(exc).__name__}"
    return None


def _shared_cache() -> str | None:
    cache = caches["shared"]
    key = f"readyz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", timeout=10)
        value = cache.get(key)
        cache.delete(key)
    except Exception as exc:  # any backend (database table missing, Redis down)
        return f"shared cache unreachable: {type(exc).__name__}"
    if value != "1":
        return "shared cache does not keep values"
    return None


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database()}
    if checks["database"] is None:
        checks["jobs"] = _job_queue()
        checks["shared_cache"] = _shared_cache()
    failures = [reason for reason in checks.values() if reason is not None]
    body = {name: (reason or "ok") for name, reason in checks.items()}
    if replica_in_use():
        problem = replica_problem()
        body["replica"] = f"{problem}; reading the primary" if problem else "ok"
    if failures:
        return JsonResponse(
            {"status": "unavailable", "reason": "; ".join(failures), **body},
            status=503,
            headers={"Retry-After": "5"},
        )
    return JsonResponse({"status": "ok", **body})
