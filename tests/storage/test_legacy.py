"""The legacy MongoDB → Postgres migration, on a real MongoDB-wire server (SecantusDB) and real Postgres.

The messy data comes from tests/fixtures_legacy.py, which also works out, independently of the migration, what
must come out: every balance, every rejection and its reason, every merge. Small batches make every run cross
many batch boundaries.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from bson import ObjectId
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from storage import accounts
from storage.accounts import find_by_email, link_identity, normal_email
from storage.db import Database
from storage.errors import NotFound
from storage.legacy import LOCK_KEY, MigrationBusy, migrate
from storage.legacy.documents import ledger_type, version_status, when, whole_number
from storage.models import ChatIdentity, CreditTransaction, LegacyUser, Project, ProjectMessage, ProjectVersion, User
from tests.fixtures_legacy import LegacyTruth, generate
from tests.helpers import assert_ledger_consistent

ROOT = Path(__file__).resolve().parents[2]
COLLECTIONS = ("users", "projects", "credit_transactions")
BATCH = 25


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


# --- helpers -------------------------------------------------------------------------------------------------

SNAPSHOT_QUERIES = {
    "users": "SELECT legacy_id, display_name, email, balance, held, created_at FROM users ORDER BY legacy_id",
    "legacy_users": (
        "SELECT lu.legacy_id, lu.source_id, u.legacy_id AS owner, lu.email, lu.credits, lu.merged "
        "FROM legacy_users lu JOIN users u ON u.id = lu.user_id ORDER BY lu.legacy_id"
    ),
    "projects": (
        "SELECT p.legacy_id, u.legacy_id AS owner, p.platform, p.team_id, p.name, p.prompt, p.current_version, "
        "p.created_at, p.updated_at FROM projects p JOIN users u ON u.id = p.owner_id ORDER BY p.legacy_id"
    ),
    "versions": (
        "SELECT p.legacy_id, v.number, v.kind, v.status, v.request_key, v.step, v.progress, v.error, "
        "v.spec::text, v.created_at, v.finished_at FROM project_versions v JOIN projects p ON p.id = v.project_id "
        "ORDER BY p.legacy_id"
    ),
    "messages": (
        "SELECT p.legacy_id, m.role, m.text, m.created_at, u.legacy_id FROM project_messages m "
        "JOIN projects p ON p.id = m.project_id LEFT JOIN users u ON u.id = m.user_id ORDER BY m.id"
    ),
    "ledger": (
        "SELECT u.legacy_id, c.type, c.amount, c.hold_delta, c.balance_after, c.held_after, c.reference, "
        "c.idempotency_key, c.actor, c.note, "
        "CASE WHEN c.idempotency_key LIKE 'legacy:adjust:%' THEN NULL ELSE c.created_at END "  # booked at run time
        "FROM credit_transactions c "
        "JOIN users u ON u.id = c.user_id ORDER BY c.id"
    ),
    "rejections": "SELECT collection, source_id, legacy_id, code, reason FROM legacy_rejections ORDER BY 1, 2",
    "checkpoints": "SELECT phase, last_id FROM legacy_checkpoints ORDER BY phase",
}


def snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Everything the migration wrote, without surrogate ids (a killed run leaves gaps in the sequences)."""
    with db.session() as s:
        return {name: [tuple(r) for r in s.execute(text(sql))] for name, sql in SNAPSHOT_QUERIES.items()}


def state(report: Any) -> dict[str, Any]:
    """A report's description of the data, without this run's counters or user ids."""
    data: dict[str, Any] = report.model_dump(exclude={"run"})
    for check in data["balances"]:
        check.pop("user_id")
    for merged in data["merged"]:
        merged.pop("user_id")
    return data


def balance_of_legacy(db: Database, legacy_id: str) -> int:
    with db.session() as s:
        return int(s.execute(select(User.balance).where(User.legacy_id == legacy_id)).scalar_one())


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


# --- interruption ----------------------------------------------------------------------------------------------

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


@pytest.fixture
def merged_pair(db, mongo_url, legacy_source) -> int:
    """Ann has two legacy accounts, `Ann@Example.com` (30 credits) and ` ann@example.com` (20): one user."""
    first, second = ObjectId(), ObjectId()
    legacy_source.users.insert_many(
        [
            {"_id": first, "email": "Ann@Example.com", "name": "Ann", "credits": 30},
            {"_id": second, "id": "ann-2", "email": " ann@example.com", "credits": 20},
        ]
    )
    legacy_source.projects.insert_one({"_id": ObjectId(), "user_id": "ann-2", "name": "Second account's site"})
    legacy_source.credit_transactions.insert_one(
        {"_id": ObjectId(), "user_id": "ann-2", "amount": 20, "type": "purchase"}
    )
    report = migrate(mongo_url, db)
    assert report.ok and [(m.kept, m.merged) for m in report.merged] == [(str(first), ["ann-2"])]
    with db.session() as s:
        user = s.execute(select(User).where(User.legacy_id == str(first))).scalar_one()
        assert (user.balance, user.email, user.display_name) == (50, "Ann@Example.com", "Ann")
        assert s.execute(select(Project.owner_id)).scalar_one() == user.id
        user_id: int = user.id
    return user_id


def test_find_by_email_ignores_case_and_finds_only_migrated_accounts(db, merged_pair):
    with db.session() as s:
        accounts.get_or_create_user(s, "slack", "T1", "U9", display_name="not migrated")
        found = find_by_email(s, "ANN@example.COM")
        assert found is not None and found.id == merged_pair
        assert find_by_email(s, "  ann@example.com ") is not None
        assert find_by_email(s, "nobody@example.com") is None
        assert find_by_email(s, "") is None


def test_link_identity_claims_the_migrated_account(db, merged_pair):
    with db.session() as s:
        fresh = link_identity(s, legacy_user_id="ann-2", platform="slack", team_id="T1", external_id="U1")
        again = link_identity(s, legacy_user_id="ann-2", platform="slack", team_id="T1", external_id="U1")
    assert (fresh.user_id, fresh.previous_user_id) == (merged_pair, None)
    assert (again.identity_id, again.previous_user_id) == (fresh.identity_id, None)
    with db.session() as s:
        chat_user, _ = accounts.get_or_create_user(s, "discord", "G1", "42", signup_credits=10)
        chat_user_id = chat_user.id
    with db.session() as s:
        first = canonical_legacy_id(db)
        moved = link_identity(s, legacy_user_id=first, platform="discord", team_id="G1", external_id="42")
    assert (moved.user_id, moved.previous_user_id) == (merged_pair, chat_user_id)
    with db.session() as s:
        for platform, team, external in (("discord", "G1", "42"), ("slack", "T1", "U1")):
            user = accounts.find_user(s, platform, team, external)
            assert user is not None and user.id == merged_pair
        assert s.execute(select(func.count()).select_from(ChatIdentity)).scalar_one() == 2
        with pytest.raises(NotFound):
            link_identity(s, legacy_user_id="nobody", platform="slack", team_id="T1", external_id="U2")


def canonical_legacy_id(db: Database) -> str:
    with db.session() as s:
        return s.execute(select(LegacyUser.legacy_id).where(LegacyUser.merged.is_(False))).scalar_one()


# --- the rules for messy fields ------------------------------------------------------------------------------

DEFAULT = datetime(2000, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2023-05-01T12:00:00Z", datetime(2023, 5, 1, 12, tzinfo=UTC)),
        ("2023-05-01T14:00:00+02:00", datetime(2023, 5, 1, 12, tzinfo=UTC)),
        ("2023-05-01T12:00:00", datetime(2023, 5, 1, 12, tzinfo=UTC)),
        ("2023-05-01", datetime(2023, 5, 1, tzinfo=UTC)),
        (datetime(2023, 5, 1, 12), datetime(2023, 5, 1, 12, tzinfo=UTC)),
        (1682942400000, datetime(2023, 5, 1, 12, tzinfo=UTC)),
        (1682942400, datetime(2023, 5, 1, 12, tzinfo=UTC)),
        ("yesterday", DEFAULT),
        (None, DEFAULT),
        ("", DEFAULT),
        (True, DEFAULT),
    ],
)
def test_dates_in_any_legacy_shape(raw, expected):
    assert when(raw, DEFAULT) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(12, 12), (-3, -3), (12.0, 12), ("12", 12), (" -7 ", -7), ("12.5", None), (12.5, None), ("ten", None),
     (True, None), (None, None), (2**70, None)],
)  # fmt: skip
def test_whole_numbers(raw, expected):
    assert whole_number(raw) == expected


def test_type_status_and_email_rules():
    assert [ledger_type(t, 10) for t in ("purchase", "Stripe", "refund", "signup_bonus", "admin", "")] == [
        "purchase", "purchase", "refund", "grant", "adjustment", "adjustment"
    ]  # fmt: skip
    assert ledger_type("purchase", -10) == "adjustment"
    assert [version_status(s) for s in ("completed", "Published", "error", "generating", None)] == [
        "succeeded", "succeeded", "failed", "cancelled", "cancelled"
    ]  # fmt: skip
    assert normal_email("  Ann@Example.COM ") == "ann@example.com"
    assert normal_email("not an email") is None and normal_email(None) is None


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
