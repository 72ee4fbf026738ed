"""A throw-away PostgreSQL database for a benchmark: created on the server a URL names, migrated to head, and
dropped afterwards (also when the benchmark fails)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from sqlalchemy.engine import make_url

from storage.db import upgrade


@contextmanager
def scratch_database(server_url: str, prefix: str = "autoweb_bench") -> Iterator[str]:
    """Yield the SQLAlchemy URL of a new, migrated database on `server_url`'s server."""
    server = make_url(server_url)
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = server.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        url = server.set(database=name).render_as_string(hide_password=False)
        upgrade(url)
        yield url
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def libpq(url: str) -> str:
    """The same URL as psycopg takes it (no `+psycopg` driver name)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
