"""A PostgreSQL restart under a running process: one refused transaction, then it works again, no restart.

Uses a throw-away embedded server (never the machine's shared one), stopped and started again mid-test.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.db import Database
from storage.embedded import EmbeddedServices
from storage.errors import ServiceUnavailable

ROOT = Path(__file__).resolve().parents[2]


def test_the_pool_recovers_after_postgres_restarts() -> None:
    root = ROOT / "var" / f"pg-restart-{uuid.uuid4().hex[:8]}"
    server = EmbeddedServices(root, redis=False, mongo=False)
    try:
        with server:
            db = Database(server.urls["DATABASE_URL"], pool_size=2)
            with db.session() as s:
                assert s.execute(text("SELECT 1")).scalar() == 1
        # Stopped now; the pool still holds a connection to the old server process.
        with EmbeddedServices(root, redis=False, mongo=False) as again:
            assert again.urls["DATABASE_URL"] == server.urls["DATABASE_URL"]
            outcomes = []
            for _ in range(3):
                try:
                    with db.session() as s:
                        outcomes.append(s.execute(text("SELECT 1")).scalar())
                except ServiceUnavailable:
                    outcomes.append("refused")
            db.dispose()
        assert outcomes[-1] == 1 and outcomes.count("refused") <= 1
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_a_stopped_postgres_is_reported_as_unavailable() -> None:
    root = ROOT / "var" / f"pg-down-{uuid.uuid4().hex[:8]}"
    try:
        with EmbeddedServices(root, redis=False, mongo=False) as server:
            db = Database(server.urls["DATABASE_URL"], pool_size=1)
        with pytest.raises(ServiceUnavailable) as down, db.session() as s:
            s.execute(text("SELECT 1"))
        assert down.value.service == "PostgreSQL"
        db.dispose()
    finally:
        shutil.rmtree(root, ignore_errors=True)
