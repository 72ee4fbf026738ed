"""The schema: Alembic's head matches the models, and the database itself enforces the rules that matter."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine
from sqlalchemy.exc import IntegrityError

from storage.db import Database, schema_is_current, upgrade
from storage.models import Base, ChatIdentity, CreditTransaction, Project, ProjectVersion, User


def test_migrations_at_head_match_the_models(database_url):
    engine = create_engine(database_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []
    db = Database(database_url)
    assert schema_is_current(db)
    upgrade(database_url)  # running it again changes nothing
    assert schema_is_current(db)
    db.dispose()


def _user(db: Database, **fields) -> int:
    with db.session() as s:
        user = User(display_name="u", **fields)
        s.add(user)
        s.flush()
        return user.id


@pytest.mark.parametrize("fields", [{"balance": -1}, {"balance": 5, "held": 6}, {"held": -1}])
def test_balances_can_never_be_negative_or_over_held(db, fields):
    with pytest.raises(IntegrityError):
        _user(db, **fields)


def test_identities_are_unique_per_platform_team_and_user(db):
    uid = _user(db)
    with db.session() as s:
        s.add(ChatIdentity(platform="slack", team_id="T1", external_id="U1", user_id=uid))
    with pytest.raises(IntegrityError), db.session() as s:
        s.add(ChatIdentity(platform="slack", team_id="T1", external_id="U1", user_id=uid))


def test_foreign_keys_and_version_numbers_are_enforced(db):
    with pytest.raises(IntegrityError), db.session() as s:
        s.add(Project(owner_id=999_999, platform="slack", team_id="T", name="x", prompt="x"))
        s.flush()
    uid = _user(db)
    with db.session() as s:
        project = Project(owner_id=uid, platform="slack", team_id="T", name="x", prompt="x")
        s.add(project)
        s.flush()
        s.add(ProjectVersion(project_id=project.id, number=1, kind="build", request_key="k1"))
        pid = project.id
    with pytest.raises(IntegrityError), db.session() as s:
        s.add(ProjectVersion(project_id=pid, number=1, kind="build", request_key="k2"))
    with pytest.raises(IntegrityError), db.session() as s:
        s.add(ProjectVersion(project_id=pid, number=2, kind="build", request_key="k3", status="exploded"))


def test_ledger_rows_have_unique_keys_and_one_settlement_per_hold(db):
    uid = _user(db, balance=10)

    def row(**fields) -> CreditTransaction:
        base = {"user_id": uid, "amount": 0, "hold_delta": 0, "balance_after": 10, "held_after": 0}
        return CreditTransaction(**{**base, **fields})

    with db.session() as s:
        hold = row(type="hold", hold_delta=5, held_after=5, idempotency_key="h")
        s.add(hold)
        s.flush()
        s.add(row(type="capture", amount=-5, hold_delta=-5, balance_after=5, hold_id=hold.id, idempotency_key="c"))
        hold_id = hold.id
    with pytest.raises(IntegrityError), db.session() as s:
        s.add(row(type="release", hold_delta=-5, hold_id=hold_id, idempotency_key="r"))
    with pytest.raises(IntegrityError), db.session() as s:
        s.add(row(type="grant", amount=1, balance_after=11, idempotency_key="h"))
    with pytest.raises(IntegrityError), db.session() as s:
        s.add(row(type="bonus", idempotency_key="b"))
