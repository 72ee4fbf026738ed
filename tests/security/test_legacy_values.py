"""Findings: legacy credits stored as `Decimal128("100")`, `"1,000"`, `[250]` or `{"balance": 75}` ended as 0,
labelled "no credits field", and the run said OK; a date like 9999-12-31T23:59:59-05:00 raised OverflowError and
aborted every re-run; nothing capped credits (2^62 migrated, three such duplicates overflowed bigint).

Usable values are read; a present but unusable value rejects that user with its reason and the report is NOT OK
(the CLI exits 1); an overflowing date rejects its document and the run goes on; credits are capped per document
and per merged user."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from bson import Decimal128, Int64, ObjectId
from sqlalchemy import select

from storage.db import Database
from storage.legacy import migrate
from storage.legacy.documents import MAX_CREDITS
from storage.models import User

ROOT = Path(__file__).resolve().parent.parent.parent


def balances(db: Database) -> dict[str, int]:
    with db.session() as s:
        return {str(k): int(v) for k, v in s.execute(select(User.legacy_id, User.balance)).all()}


def rejected(report: Any) -> dict[str, str]:
    return {r.id: r.code for r in report.rejected if r.collection == "users"}


def test_whole_decimal128_and_numeric_text_are_read(db, mongo_url, legacy_source):
    legacy_source.users.insert_many(
        [
            {"_id": ObjectId(), "id": "dec", "credits": Decimal128("100")},
            {"_id": ObjectId(), "id": "dec-point", "credits": Decimal128("40.00")},
            {"_id": ObjectId(), "id": "text", "credits": "1,000"},
            {"_id": ObjectId(), "id": "plain", "credits": " 25 "},
            {"_id": ObjectId(), "id": "long", "credits": Int64(7)},
            {"_id": ObjectId(), "id": "float", "credits": 12.0},
        ]
    )
    report = migrate(mongo_url, db)
    assert report.ok, report.problems
    assert balances(db) == {"dec": 100, "dec-point": 40, "text": 1000, "plain": 25, "long": 7, "float": 12}


@pytest.mark.parametrize(
    ("credits", "code"),
    [
        ([250], "bad_credits"),
        ({"balance": 75}, "bad_credits"),
        ("abc", "bad_credits"),
        ("1,00", "bad_credits"),
        (1.5, "bad_credits"),
        (Decimal128("2.5"), "bad_credits"),
        (Decimal128("NaN"), "bad_credits"),
        (-5, "bad_credits"),
        ("-5", "bad_credits"),
        (True, "bad_credits"),
        (2**62, "credits_too_large"),
        (Decimal128("1E+30"), "credits_too_large"),
        (MAX_CREDITS + 1, "credits_too_large"),
    ],
)
def test_present_but_unusable_credits_reject_the_user_and_the_report_is_not_ok(
    db, mongo_url, legacy_source, credits, code
):
    legacy_source.users.insert_many(
        [{"_id": ObjectId(), "id": "bad", "credits": credits}, {"_id": ObjectId(), "id": "good", "credits": 5}]
    )
    legacy_source.credit_transactions.insert_one(
        {"_id": ObjectId(), "user_id": "bad", "amount": 30, "type": "purchase"}
    )
    report = migrate(mongo_url, db)
    assert rejected(report) == {"bad": code}
    assert not report.ok and any(code in p for p in report.problems)
    assert "Result: NOT OK" in report.render()
    assert balances(db) == {"good": 5}  # the rejected user's transactions are not booked as if credits were absent


def test_merged_duplicates_are_capped(db, mongo_url, legacy_source):
    docs = [{"_id": ObjectId(), "id": f"dup-{i}", "email": "Big@Example.com", "credits": MAX_CREDITS} for i in range(3)]
    legacy_source.users.insert_many(docs)
    report = migrate(mongo_url, db)  # three at the cap would be 3e9: past the merged cap, never a bigint overflow
    assert rejected(report) == {"dup-1": "credits_too_large", "dup-2": "credits_too_large"}
    assert not report.ok and balances(db) == {"dup-0": MAX_CREDITS}


def test_an_overflowing_date_rejects_its_document_and_the_run_goes_on(db, mongo_url, legacy_source):
    owner = {"_id": ObjectId(), "id": "u-1", "credits": 10}
    legacy_source.users.insert_many(
        [owner, {"_id": ObjectId(), "id": "u-2", "created_at": "9999-12-31T23:59:59-05:00"}]
    )
    legacy_source.projects.insert_many(
        [
            {"_id": ObjectId(), "id": "p-late", "user_id": "u-1", "updated_at": "9999-12-31T23:59:59-05:00"},
            {"_id": ObjectId(), "id": "p-ok", "user_id": "u-1", "name": "Fine"},
        ]
    )
    first = migrate(mongo_url, db)
    again = migrate(mongo_url, db)  # a re-run does not stop at the same document either
    for report in (first, again):
        codes = {(r.collection, r.id): r.code for r in report.rejected}
        assert codes == {("users", "u-2"): "bad_date", ("projects", "p-late"): "bad_date"}
        assert report.collection("projects").migrated == 1 and report.ok


def test_the_cli_exits_non_zero_when_value_was_rejected(database_url, mongo_url, legacy_source, service_env):
    legacy_source.users.insert_one({"_id": ObjectId(), "id": "u-1", "credits": {"balance": 75}})
    env = {**service_env, "DATABASE_URL": database_url}
    autoweb = str(Path(sys.executable).parent / "autoweb")
    run = subprocess.run(
        [autoweb, "migrate-legacy", "--from", mongo_url], env=env, capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert run.returncode == 1 and "Result: NOT OK" in run.stdout and "bad_credits" in run.stdout
