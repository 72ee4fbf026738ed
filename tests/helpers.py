"""Small helpers shared by the tests."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from bot.commands import Actor
from storage.db import Database
from storage.models import CreditTransaction, Project, User


def actor(
    user: str = "alice",
    *,
    team: str = "local",
    platform: str = "console",
    event_id: str | None = None,
    channel: str = "C1",
    thread: str = "",
) -> Actor:
    return Actor(
        platform=platform,
        team_id=team,
        user_id=user,
        user_name=user,
        channel_id=channel,
        thread_id=thread,
        event_id=event_id or uuid.uuid4().hex,
    )


def assert_ledger_consistent(db: Database) -> None:
    """Every row's *_after is the running sum, never below zero, and users.balance/held equal the sums."""
    with db.session() as s:
        users = {u.id: (u.balance, u.held) for u in s.execute(select(User)).scalars()}
        running: dict[int, tuple[int, int]] = {}
        for t in s.execute(select(CreditTransaction).order_by(CreditTransaction.id)).scalars():
            bal, held = running.get(t.user_id, (0, 0))
            bal, held = bal + t.amount, held + t.hold_delta
            assert (t.balance_after, t.held_after) == (bal, held), f"row {t.id} does not follow its predecessor"
            assert 0 <= held <= bal
            running[t.user_id] = (bal, held)
    assert {u: running.get(u, (0, 0)) for u in users} == users


def preview_token(db: Database, project_id: int) -> str:
    """The project's preview token (the path part of its preview links)."""
    with db.session() as s:
        return s.execute(select(Project.preview_token).where(Project.id == project_id)).scalar_one()
