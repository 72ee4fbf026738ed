"""Fixtures of the storage tests that more than one module uses: the legacy data set and a second database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import make_url

from storage.db import Database
from tests.fixtures_legacy import LegacyTruth, generate


@pytest.fixture
def truth(legacy_source: Any) -> LegacyTruth:
    return generate(legacy_source, users=60, projects=150, transactions=400, seed=7)


@pytest.fixture
def other_db(servers: dict[str, str], template_db: str) -> Iterator[Database]:
    """A second migrated database, for comparing two runs side by side."""
    name = f"autoweb_t_{uuid.uuid4().hex[:12]}"
    admin = make_url(servers["DATABASE_URL"]).set(database="postgres", drivername="postgresql")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    database = Database(make_url(servers["DATABASE_URL"]).set(database=name).render_as_string(hide_password=False))
    yield database
    database.dispose()
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
