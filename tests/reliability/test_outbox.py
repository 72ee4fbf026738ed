"""Promise 1: final outcomes are durable. A final published while no relay listens is delivered from the Postgres
outbox when a relay starts, exactly once across several relays; one delivered live is never sent again."""

from __future__ import annotations

import time
from collections import Counter

from sqlalchemy import func, select

from storage import outbox
from storage.models import OutboxEntry, UserSession
from tests.fakes.slack_api import FakeSlackApi, text_of

PROMPT = "a landing page for Sweet Crumbs, a bakery in Leeds, with a menu and contact page"
JOBS = 20


def _finals(fake: FakeSlackApi) -> list[str]:
    """Thread ts of every final message ("… is live") the fake Slack accepted."""
    return [str(c.args.get("thread_ts")) for c in fake.of("chat.postMessage") if "is live" in text_of(c)]


def _sessions(ctx) -> int:
    with ctx.db.session() as s:
        return int(s.execute(select(func.count()).select_from(UserSession)).scalar_one())


def test_stop_the_relay_finish_20_jobs_start_it_20_finals_no_duplicates(start_slack, fake_slack, ctx, run_jobs):
    first = start_slack()
    # One build finishes while the relay runs: delivered live, its outbox row marked so no restart re-sends it.
    first.command(f"build {PROMPT}", user="ULIVE")
    fake_slack.wait_for(lambda: _sessions(ctx) == 1)
    assert run_jobs()
    fake_slack.wait_for(lambda: len(_finals(fake_slack)) == 1)
    fake_slack.wait_for(lambda: _undelivered(ctx) == 0)

    for n in range(JOBS):  # 20 people, so signup credits cover every build
        assert first.command(f"build {PROMPT}", user=f"U{n:02d}")[0] == 200
    fake_slack.wait_for(lambda: _sessions(ctx) == JOBS + 1, timeout=30)  # each has its thread and status message
    first.stop()

    assert run_jobs()  # every job ends while no relay listens
    time.sleep(0.5)
    assert len(_finals(fake_slack)) == 1
    assert _undelivered(ctx) == JOBS

    started = time.monotonic()
    relays = [start_slack(), start_slack()]  # two adapter processes come up at once and race for the outbox
    fake_slack.wait_for(lambda: len(_finals(fake_slack)) >= JOBS + 1, timeout=60)
    caught_up = time.monotonic() - started
    fake_slack.wait_for(lambda: _undelivered(ctx) == 0)
    third = start_slack()  # a later start finds nothing left to send
    time.sleep(1.5)
    finals = Counter(_finals(fake_slack))
    assert len(finals) == JOBS + 1 and set(finals.values()) == {1}, finals
    with ctx.db.session() as s:
        claimers = {c for (c,) in s.execute(select(OutboxEntry.claimed_by))}
    assert len(claimers) >= 1 and all(c and c.startswith("slack:") for c in claimers)
    print(f"\n{JOBS} finals delivered after restart in {caught_up:.2f} s, 0 duplicates")
    for relay in [*relays, third]:
        relay.stop()


def _undelivered(ctx) -> int:
    with ctx.db.session() as s:
        return outbox.undelivered(s)
