"""`storage.intake.accept_build`: one statement holds credits and writes a project and version 1, on real Postgres.

Each test checks what was written, and what was not: a refusal or a duplicate leaves every table as it was.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from storage import accounts, intake
from storage.db import Database
from storage.errors import InsufficientCredits
from storage.models import CreditTransaction, Project, ProjectVersion, User
from tests.helpers import assert_ledger_consistent

COST = 10


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url, pool_size=20)
    yield database
    database.dispose()


def new_user(db: Database, name: str, credits: int) -> int:
    with db.session() as s:
        user, _ = accounts.get_or_create_user(s, "slack", "T1", name, signup_credits=credits)
    return user.id


def accept(db: Database, name: str, key: str) -> intake.Accepted | None:
    with db.session() as s:
        return intake.accept_build(
            s,
            platform="slack",
            team_id="T1",
            external_id=name,
            request_key=key,
            name="Sweet Crumbs",
            prompt="a bakery <script>alert(1)</script>",
            cost=COST,
            job_prefix="build-",
        )


def counts(db: Database) -> tuple[int, int, int, tuple[int, int]]:
    with db.session() as s:
        users = s.execute(select(func.coalesce(func.sum(User.balance), 0), func.coalesce(func.sum(User.held), 0)))
        return (
            s.scalar(select(func.count()).select_from(Project)) or 0,
            s.scalar(select(func.count()).select_from(ProjectVersion)) or 0,
            s.scalar(select(func.count()).select_from(CreditTransaction)) or 0,
            tuple(users.one()),  # type: ignore[return-value]
        )


def test_a_build_writes_project_version_and_hold_together(db):
    user_id = new_user(db, "alice", 50)
    accepted = accept(db, "alice", "slack:T1:e1")
    assert accepted is not None and not accepted.duplicate and accepted.user_id == user_id
    with db.session() as s:
        project = s.get(Project, accepted.project_id)
        version = s.get(ProjectVersion, accepted.version_id)
        assert project is not None and version is not None
        assert (project.owner_id, project.name, project.prompt) == (
            user_id,
            "Sweet Crumbs",
            "a bakery <script>alert(1)</script>",
        )
        assert (version.number, version.kind, version.status, version.job_id) == (
            1,
            "build",
            "queued",
            f"build-{version.id}",
        )
        hold = s.get(CreditTransaction, version.hold_id)
        assert hold is not None
        assert (hold.type, hold.hold_delta, hold.reference, hold.idempotency_key) == (
            "hold",
            COST,
            f"version:{version.id}",
            "hold:slack:T1:e1",
        )
        user = s.get(User, user_id)
        assert user is not None and (user.balance, user.held) == (50, COST)
    assert_ledger_consistent(db)


def test_an_unknown_identity_writes_nothing(db):
    new_user(db, "alice", 50)
    before = counts(db)
    assert accept(db, "stranger", "slack:T1:e1") is None
    assert counts(db) == before


def test_the_same_request_twice_is_one_build(db):
    new_user(db, "alice", 50)
    first = accept(db, "alice", "slack:T1:e1")
    before = counts(db)
    again = accept(db, "alice", "slack:T1:e1")
    assert first is not None and again is not None
    assert (again.duplicate, again.project_id, again.version_id) == (True, first.project_id, None)
    assert counts(db) == before


def test_too_few_credits_raises_and_writes_nothing(db):
    new_user(db, "alice", COST - 1)
    before = counts(db)
    with pytest.raises(InsufficientCredits) as refused:
        accept(db, "alice", "slack:T1:e1")
    assert (refused.value.needed, refused.value.available) == (COST, COST - 1)
    assert counts(db) == before


def test_racing_deliveries_of_one_request_make_one_build(db):
    """A redelivered event and its original arrive together, 16 times over: one project, one hold."""
    new_user(db, "alice", 50)
    start = threading.Barrier(16)

    def deliver(_: int) -> intake.Accepted | None:
        start.wait()
        return accept(db, "alice", "slack:T1:same")

    with ThreadPoolExecutor(16) as pool:
        results = [r for r in pool.map(deliver, range(16)) if r is not None]
    assert len(results) == 16
    assert sum(not r.duplicate for r in results) == 1
    assert len({r.project_id for r in results}) == 1
    assert counts(db)[:3] == (1, 1, 2)  # one project, one version, the signup grant and one hold
    assert_ledger_consistent(db)


def test_many_builds_at_once_never_overdraw(db):
    """40 different builds race for credit for 7: exactly 7 are accepted, the rest refused with nothing written."""
    new_user(db, "alice", 7 * COST + COST // 2)
    start = threading.Barrier(20)

    def build(i: int) -> str:
        if i < 20:
            start.wait()
        try:
            return "accepted" if accept(db, "alice", f"slack:T1:e{i}") else "unknown"
        except InsufficientCredits:
            return "refused"

    with ThreadPoolExecutor(20) as pool:
        outcomes = list(pool.map(build, range(40)))
    assert (outcomes.count("accepted"), outcomes.count("refused")) == (7, 33)
    projects, versions, rows, (balance, held) = counts(db)
    assert (projects, versions, rows, held) == (7, 7, 8, 7 * COST) and balance == 7 * COST + COST // 2
    assert_ledger_consistent(db)
