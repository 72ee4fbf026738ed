"""Issue 19: "Migrated projects are listed as 'v1 live' but 404, and edit/rollback on them fail after holding
credits". A project imported by `migrate-legacy` is listed as imported, has no preview link, and `edit`,
`rollback` and `images` on it answer one clear line with nothing held and nothing queued.

The account and its project come from a real migration of a MongoDB source; the person claims the account by
their confirmed Slack email (as in tests/bot/test_slack.py), then talks to the real adapter.
"""

from __future__ import annotations

import json
from typing import Any

import pymongo
import pytest
from sqlalchemy import select

from bot import messages
from bot.slack import render_text
from jobs.queue import BUILDS, IMAGES, queue
from storage import legacy
from storage.catalog import database_name
from storage.db import Database
from storage.models import CreditTransaction, Project, ProjectVersion, User
from tests.bot.test_slack import slack  # noqa: F401
from tests.fakes.slack_api import text_of

EMAIL = "ann@example.com"


@pytest.fixture
def imported(ctx, mongo_url, fake_slack) -> int:
    """The id of Ann's migrated project (her legacy app built it: status "completed", with its HTML)."""
    source: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(mongo_url)
    legacy_db = source[database_name(mongo_url)]
    legacy_db.users.insert_one({"id": "legacy-ann", "email": EMAIL, "credits": 30})
    legacy_db.projects.insert_one(
        {"id": "p-1", "user_id": "legacy-ann", "name": "Old Bakery", "status": "completed", "html": "<h1>Hi</h1>"}
    )
    source.close()
    db = Database(ctx.db.url, pool_size=1)
    assert legacy.migrate(mongo_url, db).ok
    db.dispose()
    fake_slack.emails["U7"] = EMAIL
    with ctx.db.session() as s:
        return int(s.execute(select(Project.id).where(Project.legacy_id.is_not(None))).scalar_one())


def ledger(ctx) -> list[tuple[Any, ...]]:
    with ctx.db.session() as s:
        rows = s.execute(select(CreditTransaction.id, CreditTransaction.type, CreditTransaction.amount)).all()
        users = s.execute(select(User.id, User.balance, User.held)).all()
    return sorted(tuple(r) for r in rows) + sorted(tuple(u) for u in users)


def test_an_imported_project_is_listed_as_imported_and_refuses_changes_holding_nothing(
    slack,  # noqa: F811
    fake_slack,
    ctx,
    imported,
):
    def ack(command: str) -> str:
        status, body = slack.command(command, user="U7")
        assert status == 200 and body, command  # answered privately, at once
        return str(json.loads(body)["text"])

    listed = ack("projects")
    assert listed == f"Your projects:\n• #{imported} Old Bakery · imported from the old AutoWebIQ app, not hosted here"
    before = ledger(ctx)
    refusal = render_text(messages.imported_unchangeable(imported))
    assert (
        refusal.startswith(f"#{imported} was imported from the old AutoWebIQ app") and "Nothing was charged" in refusal
    )
    for command in (
        f"edit #{imported} make the header dark green",
        f"rollback #{imported} v1",
        f"images #{imported} 2 croissants",
    ):
        assert ack(command) == refusal, command
    assert ledger(ctx) == before  # nothing held, nothing charged
    with ctx.db.session() as s:
        assert [v.kind for v in s.execute(select(ProjectVersion)).scalars()] == ["legacy"]
    assert queue(ctx.redis, BUILDS).count == 0 and queue(ctx.redis, IMAGES).count == 0

    # status and history go to the channel: no preview link (the old site is not served here), no "live"
    assert slack.command(f"status #{imported}", user="U7") == (200, "")
    assert slack.command(f"history #{imported}", user="U7") == (200, "")
    posts = fake_slack.wait_for(
        lambda: len(fake_slack.of("chat.postMessage")) == 2 and fake_slack.of("chat.postMessage")
    )
    assert [text_of(c) for c in posts] == [
        f"#{imported} Old Bakery: imported from the old AutoWebIQ app, not hosted here, so it has no preview link. "
        "`/autoweb build …` starts a new site.",
        f"History of #{imported}:\n• v1 imported · succeeded",
    ]
