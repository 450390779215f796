"""Statements written out once and sent as they are (組み立て済みのSQL).

For the one hot path, storing a resident's answer sheet, where compiling ORM queries costs
more CPU than the database takes to run them. Statements are written with Django's ``%s``
placeholders (``%%`` for a literal ``%``); on PostgreSQL :func:`statement_style` numbers them
(``$1``, ``$2`` …) and :func:`statement_cursor` sends them with the values bound by the
server, so psycopg neither parses the statement nor keeps a copy of it.
"""

from __future__ import annotations

import contextlib
import itertools
import re
from collections.abc import Iterator
from typing import Any

import psycopg
from django.db import connection

_PLACEHOLDER = re.compile(r"%([%s])")


def statement_style(sql: str, vendor: str) -> str:
    """``sql`` with its placeholders as :func:`statement_cursor` takes them on ``vendor``."""
    if vendor != "postgresql":
        return sql
    numbers = itertools.count(1)
    return _PLACEHOLDER.sub(lambda m: "%" if m[1] == "%" else f"${next(numbers)}", sql)


@contextlib.contextmanager
def statement_cursor() -> Iterator[Any]:
    """A cursor of the default database for statements in :func:`statement_style`.

    It is Django's cursor wrapper (its error classes, such as ``IntegrityError``, and query
    logging when enabled) around a psycopg ``RawCursor`` on PostgreSQL.
    """
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    connection.ensure_connection()
    raw = psycopg.RawCursor(connection.connection)
    wrap = connection.make_debug_cursor if connection.queries_logged else connection.make_cursor
    with wrap(raw) as cursor:  # type: ignore[arg-type]  # the stubs want Django's wrapper
        yield cursor
