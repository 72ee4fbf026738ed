"""`HistoryWriter`: chat history written by a background thread, in batches, on real Postgres."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from storage.db import Database
from storage.history import HistoryWriter
from storage.models import ProjectMessage


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url, pool_size=2)
    yield database
    database.dispose()


def row(text: str, project_id: int | None = None) -> dict[str, object]:
    return {"platform": "slack", "project_id": project_id, "user_id": None, "role": "user", "text": text}


def texts(db: Database) -> list[str]:
    with db.session() as s:
        return [m.text for m in s.execute(select(ProjectMessage).order_by(ProjectMessage.id)).scalars()]


def test_rows_are_written_in_order_by_flush(db):
    writer = HistoryWriter(db)
    for i in range(1_200):  # more than one batch
        writer.add([row(f"m{i}")])
    writer.flush()
    assert texts(db) == [f"m{i}" for i in range(1_200)]
    writer.close()


def test_a_batch_that_fails_is_dropped_and_the_writer_goes_on(db):
    writer = HistoryWriter(db)
    writer.add([row("orphan", project_id=999_999)])  # no such project: the batch breaks a foreign key
    writer.flush()
    writer.add([row("after")])
    writer.close()  # close writes what is queued
    assert texts(db) == ["after"]
