"""Engine and session handling for PostgreSQL, and schema upgrades through Alembic."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from storage.errors import ServiceUnavailable

AfterCommit = Callable[[dict[str, object]], None]
"""Called with `session.info` after a transaction commits (e.g. to drop cached balances)."""

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class Database:
    """One engine and its session factory. Create it inside the process that uses it (never across a fork)."""

    def __init__(self, url: str, *, pool_size: int = 5) -> None:
        self.url = url
        url, prepare = _prepare_threshold(url)
        self.engine: Engine = create_engine(
            url,
            pool_size=pool_size,
            max_overflow=10,
            # No pre-ping: it costs a round trip on every checkout (~10 % of ledger throughput). A connection
            # that died (database restart) fails its first statement instead; SQLAlchemy then drops the whole
            # pool, the caller reports ServiceUnavailable ("try again"), and the next transaction reconnects.
            pool_pre_ping=False,
            pool_recycle=1800,
            connect_args={"connect_timeout": 5, **prepare},
        )
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.after_commit: list[AfterCommit] = []

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        try:
            with self._sessions.begin() as session:
                yield session
        except OperationalError as exc:
            raise ServiceUnavailable("PostgreSQL", _first_line(exc)) from exc
        for hook in self.after_commit:
            hook(session.info)

    def dispose(self) -> None:
        self.engine.dispose()


def _prepare_threshold(url: str) -> tuple[str, dict[str, int | None]]:
    """`?prepare_threshold=none` (or a number) in DATABASE_URL goes to psycopg, not libpq: `none` turns off its
    server-side prepared statements, which a PgBouncer in transaction mode older than 1.21 (or without
    `max_prepared_statements`) cannot carry from one server connection to the next (docs/STORAGE.md)."""
    parsed = make_url(url)
    value = parsed.query.get("prepare_threshold")
    if value is None:
        return url, {}
    text = value if isinstance(value, str) else value[-1]
    threshold = None if text.lower() in ("none", "off", "") else int(text)
    return parsed.difference_update_query(["prepare_threshold"]).render_as_string(hide_password=False), {
        "prepare_threshold": threshold
    }


def _alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    url = _prepare_threshold(url)[0]  # migrations never prepare statements (storage/migrations/env.py)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the schema at `url` up to `revision` (idempotent)."""
    try:
        command.upgrade(_alembic_config(url), revision)
    except OperationalError as exc:
        raise ServiceUnavailable("PostgreSQL", _first_line(exc)) from exc


def _first_line(exc: OperationalError) -> str:
    return str(exc.orig).strip().splitlines()[0] if exc.orig and str(exc.orig).strip() else ""


def schema_is_current(db: Database) -> bool:
    """True when the database is at the newest migration."""
    head = ScriptDirectory.from_config(_alembic_config(db.url)).get_current_head()
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision() == head
