"""Shared by the benchmarks that run on the machine's PostgreSQL: create the named database."""

from __future__ import annotations

import os


def ensure_database() -> None:
    """Create the database named in ``DATABASE_URL`` if it does not exist yet."""
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    name = config["NAME"]
    with psycopg.connect(
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    ) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
