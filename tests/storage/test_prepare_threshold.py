"""`DATABASE_URL=…?prepare_threshold=none`: psycopg's server-side prepared statements off (for PgBouncer in
transaction mode); the option goes to psycopg, never to libpq, and the database works as before."""

from __future__ import annotations

from sqlalchemy import text

from storage.db import Database, upgrade


def test_prepare_threshold_none_reaches_psycopg(database_url: str) -> None:
    sep = "&" if "?" in database_url else "?"
    db = Database(f"{database_url}{sep}prepare_threshold=none", pool_size=1)
    try:
        with db.engine.connect() as conn:
            for _ in range(8):  # psycopg prepares a statement on its 5th run by default
                assert conn.execute(text("SELECT 1")).scalar_one() == 1
            raw = conn.connection.dbapi_connection
            assert raw is not None and getattr(raw, "prepare_threshold", 0) is None
            prepared = conn.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar_one()
            assert prepared == 0
    finally:
        db.dispose()


def test_without_the_option_psycopg_prepares_as_usual(database_url: str) -> None:
    db = Database(database_url, pool_size=1)
    try:
        with db.engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None and getattr(raw, "prepare_threshold", None) == 5
    finally:
        db.dispose()


def test_migrations_run_on_such_a_url(database_url: str) -> None:
    sep = "&" if "?" in database_url else "?"
    upgrade(f"{database_url}{sep}prepare_threshold=none")  # at head already: a no-op that must connect
