"""`storage.accounts`: claiming a migrated account from chat (by a verified email, or linked by an operator),
on real Postgres and a migrated legacy database."""

from __future__ import annotations

import pytest
from bson import ObjectId
from sqlalchemy import func, select

from storage import accounts
from storage.accounts import find_by_email, link_identity
from storage.db import Database
from storage.errors import NotFound
from storage.legacy import migrate
from storage.models import ChatIdentity, LegacyUser, Project, User


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
