"""Alembic environment: runs migrations online against the URL set by `storage.db.upgrade`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from storage.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url, "storage.db.upgrade sets sqlalchemy.url"
    # No server-side prepared statements: a migration runs each statement once, and behind PgBouncer in
    # transaction mode they would not survive (docs/STORAGE.md).
    engine = create_engine(url, poolclass=pool.NullPool, connect_args={"prepare_threshold": None})
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
