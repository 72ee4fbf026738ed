"""The legacy MongoDB → Postgres migration, on a real MongoDB-wire server (SecantusDB) and real Postgres.

The messy data comes from tests/fixtures_legacy.py, which also works out, independently of the migration, what
must come out: every balance, every rejection and its reason, every merge. Small batches make every run cross
many batch boundaries.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from bson import ObjectId
from sqlalchemy import func, select, text

from storage.db import Database
from storage.legacy import LOCK_KEY, MigrationBusy, migrate
from storage.models import CreditTransaction, LegacyUser, Project, ProjectMessage, ProjectVersion, User
from tests.fixtures_legacy import COLLECTIONS, balance_of_legacy, snapshot, state
from tests.helpers import assert_ledger_consistent

ROOT = Path(__file__).resolve().parents[2]
BATCH = 25


# --- helpers -------------------------------------------------------------------------------------------------


def ledger_rows(db: Database, legacy_id: str) -> list[tuple[str, int, int, str]]:
    with db.session() as s:
        return [
            (t.type, t.amount, t.balance_after, t.idempotency_key.rsplit(":", 1)[0] if "adjust" in t.idempotency_key
             else t.idempotency_key)
            for t in s.execute(
                select(CreditTransaction)
                .join(User, User.id == CreditTransaction.user_id)
                .where(User.legacy_id == legacy_id)
                .order_by(CreditTransaction.id)
            ).scalars()
        ]  # fmt: skip


# --- balances ------------------------------------------------------------------------------------------------


def test_every_user_ends_with_exactly_their_legacy_credits(db, mongo_url, truth):
    report = migrate(mongo_url, db, batch=BATCH)

    assert report.ok, report.render()
    for canonical, expected in truth.balances.items():
        assert balance_of_legacy(db, canonical) == expected, canonical
    with db.session() as s:
        pairs = s.execute(select(LegacyUser.legacy_id, User.legacy_id).join(User, User.id == LegacyUser.user_id))
        owners = {legacy: owner for legacy, owner in pairs}
        assert s.execute(select(func.count()).select_from(User)).scalar_one() == len(truth.balances)
    assert owners == truth.owner  # each legacy user belongs to the first user of its email
    assert_ledger_consistent(db)
    assert {c.status for c in report.balances} <= {"matches", "adjusted", "no credits field"}
    assert all(c.ledger == c.expected for c in report.balances)


def test_history_that_goes_below_zero_is_covered_then_reconciled(db, mongo_url, legacy_source):
    legacy_source.users.insert_one({"_id": ObjectId(), "id": "u-1", "email": "a@example.com", "credits": 5})
    for amount, kind in ((-20, "usage"), (10, "purchase"), (-3, "usage"), (4, "refund"), (50, "signup_bonus")):
        doc = {"_id": ObjectId(), "id": f"t{amount}", "user_id": "u-1", "amount": amount, "type": kind}
        legacy_source.credit_transactions.insert_one(doc)

    report = migrate(mongo_url, db, batch=2)

    assert report.ok, report.render()
    assert ledger_rows(db, "u-1") == [
        ("adjustment", 20, 20, "legacy:cover:t-20"),
        ("adjustment", -20, 0, "legacy:tx:t-20"),
        ("purchase", 10, 10, "legacy:tx:t10"),
        ("adjustment", -3, 7, "legacy:tx:t-3"),
        ("refund", 4, 11, "legacy:tx:t4"),
        ("grant", 50, 61, "legacy:tx:t50"),
        ("adjustment", -56, 5, "legacy:adjust:u-1"),
    ]
    (check,) = report.balances
    assert (check.legacy_credits, check.transactions, check.adjustments, check.status) == (5, 41, -36, "adjusted")
    with db.session() as s:
        adjust = s.execute(select(CreditTransaction).where(CreditTransaction.amount == -56)).scalar_one()
        assert adjust.reference == "legacy:users:u-1" and adjust.actor == "legacy-migration"


def test_without_a_credits_field_the_transaction_total_is_kept(db, mongo_url, legacy_source):
    legacy_source.users.insert_many([{"_id": ObjectId(), "id": "u-1"}, {"_id": ObjectId(), "id": "u-2"}])
    legacy_source.credit_transactions.insert_many(
        [
            {"_id": ObjectId(), "user_id": "u-1", "amount": 30, "type": "purchase"},
            {"_id": ObjectId(), "user_id": "u-2", "amount": -10, "type": "usage"},
        ]
    )

    report = migrate(mongo_url, db)

    assert report.ok
    assert (balance_of_legacy(db, "u-1"), balance_of_legacy(db, "u-2")) == (30, 0)
    assert [c.status for c in report.balances] == ["no credits field", "no credits field"]


# --- the report ----------------------------------------------------------------------------------------------


def test_report_counts_reasons_orphans_and_merges(db, mongo_url, truth):
    report = migrate(mongo_url, db, batch=BATCH)

    for name in COLLECTIONS:
        counts = report.collection(name)
        assert (counts.source, counts.migrated, counts.missing) == (truth.inserted[name], truth.migrated(name), 0)
        assert counts.reasons == dict(Counter(truth.rejected[name].values())), name
        assert report.run.written[name] == truth.migrated(name)
    assert {(r.collection, r.source_id): r.code for r in report.rejected} == {
        (c, source_id): code for c, rejected in truth.rejected.items() for source_id, code in rejected.items()
    }
    assert all(r.reason for r in report.rejected)
    orphans = {source_id for source_id, code in truth.rejected["projects"].items() if code == "orphan"}
    assert {r.source_id for r in report.orphans} == orphans
    assert {m.kept: m.merged for m in report.merged} == truth.merged
    assert report.messages == truth.messages
    assert len(report.balances) == len(truth.balances)
    with db.session() as s:
        covered = set(
            s.execute(
                text(
                    "SELECT DISTINCT u.legacy_id FROM credit_transactions c JOIN users u ON u.id = c.user_id "
                    "WHERE c.idempotency_key LIKE 'legacy:cover:%'"
                )
            ).scalars()
        )
    alone = {k for k in truth.negative_history if truth.owner[k] == k and k not in truth.merged}
    assert alone and alone <= covered  # a history that dips below zero got its cover row

    text_report = report.render()
    assert "Result: OK" in text_report
    assert "orphan" in text_report and "is not in the legacy users collection" in text_report
    for merged in report.merged:
        assert merged.kept in text_report


def test_a_source_that_changed_after_the_migration_is_reported_then_absorbed(db, mongo_url, legacy_source, truth):
    first = migrate(mongo_url, db, batch=BATCH)
    user = next(c.legacy_ids[0] for c in first.balances if c.status == "adjusted" and len(c.legacy_ids) == 1)
    legacy_source.credit_transactions.insert_one({"_id": ObjectId(), "user_id": user, "amount": 7, "type": "purchase"})

    stale = migrate(mongo_url, db, verify_only=True)

    assert not stale.ok
    assert stale.collection("credit_transactions").missing == 1
    assert "1 document(s) neither migrated nor rejected" in stale.render()

    again = migrate(mongo_url, db, batch=BATCH)  # the new row, then a second numbered adjustment takes it back

    assert again.ok and again.run.written["credit_transactions"] == 1 and again.run.adjustments == 1
    assert balance_of_legacy(db, user) == truth.balances[user]
    assert ledger_rows(db, user)[-1][3] == f"legacy:adjust:{user}"


# --- idempotence, dry runs, verification ---------------------------------------------------------------------


def test_a_second_run_changes_nothing(db, mongo_url, truth):
    first = migrate(mongo_url, db, batch=BATCH)
    before = snapshot(db)

    second = migrate(mongo_url, db, batch=BATCH)

    assert snapshot(db) == before
    assert second.model_dump(exclude={"run"}) == first.model_dump(exclude={"run"})
    assert second.run.written == {} and second.run.adjustments == 0
    assert [second.skipped(name) for name in COLLECTIONS] == [truth.migrated(name) for name in COLLECTIONS]


def test_dry_run_writes_nothing_and_reports_what_a_run_would_do(db, mongo_url, truth):
    dry = migrate(mongo_url, db, batch=BATCH, dry_run=True)

    assert all(rows == [] for rows in snapshot(db).values())
    assert dry.ok and dry.run.mode == "dry-run"
    assert [dry.collection(n).migrated for n in COLLECTIONS] == [truth.migrated(n) for n in COLLECTIONS]

    real = migrate(mongo_url, db, batch=BATCH)

    assert state(real) == state(dry)


def test_verify_only_reads_without_writing(db, mongo_url, truth):
    before = migrate(mongo_url, db, verify_only=True)

    assert not before.ok
    assert [before.collection(n).missing for n in COLLECTIONS] == [truth.inserted[n] for n in COLLECTIONS]
    assert all(rows == [] for rows in snapshot(db).values())

    run = migrate(mongo_url, db, batch=BATCH)
    after = migrate(mongo_url, db, verify_only=True)

    assert after.ok and after.run.mode == "verify"
    assert after.model_dump(exclude={"run"}) == run.model_dump(exclude={"run"})


def test_a_source_url_without_a_database_name_is_refused(db):
    with pytest.raises(ValueError, match="database's name"):
        migrate("mongodb://127.0.0.1:27017/", db)


def test_two_migrations_at_once_are_refused(db, mongo_url, truth):
    with db.engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": LOCK_KEY})
        with pytest.raises(MigrationBusy):
            migrate(mongo_url, db)
        conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
    assert migrate(mongo_url, db, batch=200).ok


# --- projects ------------------------------------------------------------------------------------------------


def test_a_project_becomes_one_legacy_version_with_its_messages(db, mongo_url, legacy_source):
    created = datetime(2023, 5, 1, 12, 0, tzinfo=UTC)
    legacy_source.users.insert_one({"_id": ObjectId(), "id": "u-1", "email": "a@example.com", "credits": 0})
    legacy_source.projects.insert_many(
        [
            {
                "_id": ObjectId(), "id": "p-1", "user_id": "u-1", "name": "Bakery", "prompt": "a bakery site",
                "status": "completed", "generated_html": "<h1>Bakery</h1>", "created_at": "2023-05-01T12:00:00Z",
                "messages": [
                    {"role": "user", "content": "make it pink", "timestamp": created},
                    {"role": "assistant", "content": "done", "timestamp": "2023-05-01T12:01:00"},
                    "stray",
                ],
            },
            {"_id": ObjectId(), "id": "p-2", "user_id": "u-1", "status": "generating", "files": [{"path": "a.html"}]},
        ]
    )  # fmt: skip

    assert migrate(mongo_url, db).ok

    with db.session() as s:
        p1 = s.execute(select(Project).where(Project.legacy_id == "p-1")).scalar_one()
        (v1,) = s.execute(select(ProjectVersion).where(ProjectVersion.project_id == p1.id)).scalars()
        in_p1 = select(ProjectMessage).where(ProjectMessage.project_id == p1.id).order_by(ProjectMessage.id)
        messages = s.execute(in_p1).scalars().all()
        p2 = s.execute(select(Project).where(Project.legacy_id == "p-2")).scalar_one()
        (v2,) = s.execute(select(ProjectVersion).where(ProjectVersion.project_id == p2.id)).scalars()
    assert (p1.name, p1.prompt, p1.platform, p1.current_version) == ("Bakery", "a bakery site", "legacy", 1)
    assert p1.created_at == created
    assert (v1.kind, v1.status, v1.request_key, v1.number) == ("legacy", "succeeded", "legacy:p-1", 1)
    assert v1.spec == {"legacy": {"status": "completed", "html": "<h1>Bakery</h1>", "files": []}}
    assert [(m.role, m.text, m.user_id) for m in messages] == [
        ("user", "make it pink", p1.owner_id),
        ("bot", "done", None),
        ("unknown", '"stray"', None),
    ]
    assert messages[1].created_at == datetime(2023, 5, 1, 12, 1, tzinfo=UTC)
    assert (p2.name, p2.current_version) == ("Untitled project", None)
    assert (v2.status, v2.error) == ("cancelled", "legacy status: generating")
    assert v2.spec == {"legacy": {"status": "generating", "html": None, "files": [{"path": "a.html"}]}}


# --- claiming an account -------------------------------------------------------------------------------------


def test_the_cli_prints_the_report_and_exits_by_its_verdict(database_url, mongo_url, legacy_source, truth):
    """`autoweb migrate-legacy` end to end in a subprocess: a report, exit 0; bad arguments: one line, exit 2."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "MONGO_URL")}
    env.update(DATABASE_URL=database_url, PYTHONPATH=str(Path(__file__).resolve().parents[2]), COLUMNS="200")
    cli = [sys.executable, "-c", "from bot.cli import main; main()", "migrate-legacy"]
    ok = subprocess.run([*cli, "--from", mongo_url], env=env, capture_output=True, text=True, timeout=300)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "users" in ok.stdout and "Traceback" not in ok.stdout + ok.stderr
    again = subprocess.run(
        [*cli, "--from", mongo_url, "--verify-only"], env=env, capture_output=True, text=True, timeout=300
    )
    assert again.returncode == 0, again.stdout + again.stderr
    bad = subprocess.run(
        [*cli, "--from", mongo_url.rsplit("/", 1)[0] + "/"], env=env, capture_output=True, text=True, timeout=60
    )
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1, bad.stderr
