"""Promise 8: 1,000 builds enqueued by 100 users at once, two `autoweb worker` processes → every job ends, every
hold is resolved, the ledger sums match, and no final message is lost (a relay delivers all 1,000 from the outbox).

AUTOWEB_LOAD_BUILDS scales it down for a quick run (default 1000, ten per user)."""

from __future__ import annotations

import os
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from rq.registry import FailedJobRegistry
from sqlalchemy import func, select

from bot.service import CommandService
from jobs.queue import BUILDS, queue
from storage import accounts, ledger, outbox, projects
from storage.models import CreditTransaction, OutboxEntry, ProjectVersion, User
from tests.fakes.slack_api import Call, text_of
from tests.helpers import actor, assert_ledger_consistent
from tests.reliability.processes import start_worker, stop, wait_until, worker_env

BUILDS_TOTAL = int(os.environ.get("AUTOWEB_LOAD_BUILDS", "1000"))
USERS = 100
PROMPT = "a landing page for Sweet Crumbs, a bakery in Leeds, with a menu and contact page"


def _user(n: int) -> dict[str, str]:
    return {"user": f"U{n:03d}", "team": f"T{n:03d}", "platform": "slack", "channel": f"C{n:03d}"}


@pytest.mark.timeout(900)
def test_1000_builds_by_100_users_with_2_workers_all_end_and_the_ledger_matches(
    ctx, slack_settings, storage_settings, start_slack, fake_slack, tmp_path
):
    per_user = BUILDS_TOTAL // USERS
    service = CommandService(ctx, slack_settings)
    for n in range(USERS):  # accounts with enough credit for every build (signup credits cover five)
        service.handle(actor(**_user(n)), "credits")
        with ctx.db.session() as s:
            found = accounts.find_user(s, "slack", _user(n)["team"], _user(n)["user"])
            assert found is not None
            ledger.credit(s, found.id, per_user * ctx.settings.build_cost, key=f"load:{n}")
    urls = {k: str(getattr(storage_settings, k.lower())) for k in ("DATABASE_URL", "REDIS_URL", "MONGO_URL")}
    env = worker_env(urls, ctx.settings.sites_dir)
    workers = [start_worker(env, tmp_path / f"worker{n}.log", BUILDS) for n in range(2)]
    try:
        started = time.monotonic()

        def one_user(n: int) -> list[int]:
            versions = []
            for _ in range(per_user):
                reply = service.handle(actor(**_user(n), event_id=uuid.uuid4().hex), f"build {PROMPT}")
                assert reply.version_id is not None, reply.text
                versions.append(reply.version_id)
            return versions

        with ThreadPoolExecutor(USERS) as users:
            accepted = [v for vs in users.map(one_user, range(USERS)) for v in vs]
        enqueued = time.monotonic() - started
        assert len(accepted) == BUILDS_TOTAL

        def all_ended() -> bool:
            with ctx.db.session() as s:
                active = s.execute(
                    select(func.count())
                    .select_from(ProjectVersion)
                    .where(ProjectVersion.status.not_in(projects.TERMINAL_STATES))
                ).scalar_one()
            return bool(active == 0)

        wait_until(all_ended, 600, 1.0)
        built = time.monotonic() - started
    finally:
        for w in workers:
            stop(w)

    with ctx.db.session() as s:
        statuses = Counter(s.execute(select(ProjectVersion.status)).scalars())
        kinds = Counter(s.execute(select(CreditTransaction.type)).scalars())
        held = s.execute(select(func.sum(User.held))).scalar_one()
        rows = s.execute(select(func.count()).select_from(OutboxEntry)).scalar_one()
        versions = s.execute(select(ProjectVersion.project_id, ProjectVersion.number)).all()
        thread = {"platform": "slack", "team_id": "T1", "channel_id": "CLOAD", "user_id": 1}
        projects.bind_threads(  # each project's thread, as the adapter's relay would have bound it
            s, [{**thread, "thread_id": f"{p}.{n}", "project_id": p} for p, n in versions]
        )
    assert statuses == {"succeeded": BUILDS_TOTAL}, statuses
    assert kinds["hold"] == kinds["capture"] == BUILDS_TOTAL and kinds["release"] == 0 and held == 0
    assert rows == BUILDS_TOTAL
    assert queue(ctx.redis, BUILDS).count == 0 and FailedJobRegistry(BUILDS, connection=ctx.redis).count == 0
    assert_ledger_consistent(ctx.db)

    relay_started = time.monotonic()
    start_slack()  # one relay catches up with every final from the outbox

    def finals() -> list[Call]:
        return [c for c in fake_slack.of("chat.postMessage") if "is live" in text_of(c)]

    fake_slack.wait_for(lambda: len(finals()) >= BUILDS_TOTAL, timeout=300, every=0.5)
    delivered = time.monotonic() - relay_started
    fake_slack.wait_for(lambda: _undelivered(ctx) == 0, timeout=30)
    time.sleep(1.0)
    per_thread = Counter(str(c.args.get("thread_ts")) for c in finals())
    assert len(per_thread) == BUILDS_TOTAL and set(per_thread.values()) == {1}
    print(
        f"\n{BUILDS_TOTAL} builds by {USERS} users: accepted in {enqueued:.1f} s, all ended after {built:.1f} s "
        f"({BUILDS_TOTAL / built:.1f} builds/s on 2 workers); {len(per_thread)} finals delivered in {delivered:.1f} s"
    )


def _undelivered(ctx) -> int:
    with ctx.db.session() as s:
        return outbox.undelivered(s)
