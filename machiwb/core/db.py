"""Public reads from a read replica (読み取り専用レプリカ), when ``DATABASE_REPLICA_URL`` is set.

Only the public, read-only views of the dashboard and the open-data API are marked with
``replica_reads``; while such a view runs for a visitor without a session, ``ReplicaRouter``
sends reads of the public data (regions, indicators, surveys) to the ``replica`` alias.
Everything else — writes, signed-in users (who must see what they just saved), sessions, the
shared cache, jobs — stays on the primary (``default``).

A replica that cannot be reached is skipped: the view reads the primary instead, and this
process does not try the replica again for ``RETRY_AFTER_SECONDS`` (``/readyz`` names it).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextvars import ContextVar
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
ROUTER = "machiwb.core.db.ReplicaRouter"
#: Apps whose rows the public dashboard and API show; other models are never read from the
#: replica, even inside a public view.
PUBLIC_DATA_APPS = frozenset({"regions", "indicators", "surveys"})
RETRY_AFTER_SECONDS = 30.0

_public_read: ContextVar[bool] = ContextVar("machiwb_public_read", default=False)
_replica_down_until = [0.0]  # per process: skip the replica until this monotonic time


def replica_in_use() -> bool:
    return ROUTER in settings.DATABASE_ROUTERS


def replica_problem() -> str | None:
    """Connect to the replica; the reason it cannot be used, or None."""
    connection = connections[REPLICA]
    try:
        connection.close_if_health_check_failed()
        connection.ensure_connection()
    except DatabaseError as exc:
        _replica_down_until[0] = time.monotonic() + RETRY_AFTER_SECONDS
        return f"replica unreachable: {type(exc).__name__}"
    _replica_down_until[0] = 0.0
    return None


def _replica_usable() -> bool:
    if time.monotonic() < _replica_down_until[0]:
        return False
    return replica_problem() is None


def replica_reads(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """Let an anonymous GET/HEAD of a read-only public view read the replica."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if (
            not replica_in_use()
            or request.method not in ("GET", "HEAD")
            or settings.SESSION_COOKIE_NAME in request.COOKIES
            or not _replica_usable()
        ):
            return view(request, *args, **kwargs)
        token = _public_read.set(True)
        try:
            return view(request, *args, **kwargs)
        finally:
            _public_read.reset(token)

    return wrapper


class ReplicaRouter:
    """Installed (``DATABASE_ROUTERS``) only when ``DATABASE_REPLICA_URL`` is set."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        if _public_read.get() and model._meta.app_label in PUBLIC_DATA_APPS:
            return REPLICA
        return None

    def db_for_write(self, model: type[Model], **hints: Any) -> str | None:
        return "default"

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        # The replica holds the same rows as the primary.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if db == REPLICA else None
