"""The legacy migration interrupted (killed, or failing mid-way) resumes where it stopped and ends in the same
state as an uninterrupted run; ids re-used or of mixed types resume in MongoDB's order."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from bson import ObjectId
from sqlalchemy import text

from storage.db import Database
from storage.legacy import migrate
from tests.fixtures_legacy import COLLECTIONS, balance_of_legacy, snapshot, state
from tests.helpers import assert_ledger_consistent

ROOT = Path(__file__).resolve().parents[2]
BATCH = 25


KILLABLE = """
import sys, time
from storage.db import Database
from storage.legacy import migrate
migrate(sys.argv[1], Database(sys.argv[2]), batch=10, on_batch=lambda phase, n: time.sleep(0.1))
"""


def test_a_run_killed_mid_way_resumes_to_the_same_state(db, other_db, mongo_url, truth, tmp_path):
    uninterrupted = migrate(mongo_url, other_db, batch=10)
    script = tmp_path / "killable.py"
    script.write_text(textwrap.dedent(KILLABLE))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, str(script), mongo_url, db.url], env=env, cwd=ROOT)
    try:
        _wait_for_checkpoint(db, "projects", proc)
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(10) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
    partial = migrate(mongo_url, db, verify_only=True)
    assert not partial.ok and partial.collection("credit_transactions").migrated == 0

    resumed = migrate(mongo_url, db, batch=10)

    assert resumed.ok, resumed.render()
    assert resumed.run.written.get("users", 0) == 0  # the users phase had finished before the kill
    assert 0 < resumed.run.written["projects"] < truth.migrated("projects")
    assert snapshot(db) == snapshot(other_db)
    assert state(resumed) == state(uninterrupted)
    assert_ledger_consistent(db)


def _wait_for_checkpoint(db: Database, phase: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the migration finished before it could be killed"
        with db.session() as s:
            if s.execute(text("SELECT 1 FROM legacy_checkpoints WHERE phase = :p"), {"p": phase}).first():
                return
        time.sleep(0.02)
    raise AssertionError(f"no {phase} checkpoint within 60 s")


class Interrupted(Exception):
    pass


def test_a_run_that_fails_mid_way_resumes_where_it_stopped(db, mongo_url, truth):
    batches = []

    def fail_on_the_twentieth(phase: str, n: int) -> None:
        batches.append(phase)
        if len(batches) == 20:
            raise Interrupted

    with pytest.raises(Interrupted):
        migrate(mongo_url, db, batch=BATCH, on_batch=fail_on_the_twentieth)
    done = snapshot(db)

    resumed = migrate(mongo_url, db, batch=BATCH)

    assert resumed.ok
    written_before = (
        len(done["legacy_users"]) + len(done["projects"]) + sum(1 for r in done["ledger"] if ":tx:" in r[7])
    )
    total = sum(truth.migrated(n) for n in COLLECTIONS)
    assert sum(resumed.run.written.values()) == total - written_before
    for canonical, expected in truth.balances.items():
        assert balance_of_legacy(db, canonical) == expected


def test_an_id_reused_after_a_run_is_rejected_as_a_duplicate(db, mongo_url, legacy_source):
    legacy_source.users.insert_one({"_id": ObjectId(), "id": "u-1", "credits": 10})
    legacy_source.projects.insert_one({"_id": ObjectId(), "id": "p-1", "user_id": "u-1"})
    legacy_source.credit_transactions.insert_one({"_id": ObjectId(), "id": "t-1", "user_id": "u-1", "amount": 10})
    assert migrate(mongo_url, db).ok
    legacy_source.projects.insert_one({"_id": ObjectId(), "id": "p-1", "user_id": "u-1", "name": "again"})
    legacy_source.credit_transactions.insert_one({"_id": ObjectId(), "id": "t-1", "user_id": "u-1", "amount": 99})

    report = migrate(mongo_url, db)  # resumes after the checkpoints: Postgres knows p-1 and t-1 already

    assert report.ok, report.render()
    assert [(r.collection, r.id, r.code) for r in report.rejected] == [
        ("credit_transactions", "t-1", "duplicate_id"),
        ("projects", "p-1", "duplicate_id"),
    ]
    assert balance_of_legacy(db, "u-1") == 10


def test_ids_of_mixed_types_resume_in_mongodb_order_and_rejected_users_are_named(db, mongo_url, legacy_source):
    ids: list[Any] = [2.5, 7, "a-user", "b-user", ObjectId()]
    legacy_source.users.insert_many([{"_id": i, "email": f"u{n}@example.com", "credits": n} for n, i in enumerate(ids)])
    duplicate = ObjectId()
    legacy_source.users.insert_one({"_id": duplicate, "id": "a-user", "credits": 9})  # another document's `_id`
    legacy_source.projects.insert_one({"_id": ObjectId(), "user_id": duplicate, "name": "whose?"})
    seen: list[str] = []

    def stop_at_the_string_ids(phase: str, n: int) -> None:
        seen.append(phase)
        if len(seen) == 3:
            raise Interrupted

    with pytest.raises(Interrupted):
        migrate(mongo_url, db, batch=1, on_batch=stop_at_the_string_ids)
    report = migrate(mongo_url, db, batch=1)

    assert report.ok, report.render()
    assert report.run.written["users"] == 2  # "b-user" and the ObjectId, after the string checkpoint "a-user"
    assert [(r.collection, r.code) for r in report.rejected] == [
        ("projects", "user_rejected"),
        ("users", "duplicate_id"),
    ]
    assert "user " + str(duplicate) + " was rejected: id a-user was already migrated" in report.rejected[0].reason
    assert [balance_of_legacy(db, key) for key in ("2.5", "7", "a-user", "b-user", str(ids[4]))] == [0, 1, 2, 3, 4]
