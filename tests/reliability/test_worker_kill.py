"""Promise 2: a worker and its work horse killed with SIGKILL mid-build → the job is retried on another worker,
the user gets one final result within 120 s, and the hold is captured exactly once."""

from __future__ import annotations

import os
import signal
import time

import pytest
from sqlalchemy import select

from bot.progress_feed import ProgressFeed
from jobs.queue import BUILDS, build_job_id, queue
from storage import projects
from storage.models import CreditTransaction, OutboxEntry
from tests.helpers import actor, assert_ledger_consistent
from tests.reliability.processes import (
    WORKER_MODES,
    StallingApi,
    children,
    job_runner,
    start_worker,
    stop,
    wait_until,
    worker_env,
)

PROMPT = "a landing page for Sweet Crumbs, a bakery in Leeds, with a menu and contact page"
RECOVERY_LIMIT = 120.0


@pytest.mark.timeout(240)
@pytest.mark.parametrize("mode", WORKER_MODES)
def test_sigkill_of_worker_and_work_horse_mid_build_retries_on_another_worker(
    service, ctx, storage_settings, tmp_path, mode
):
    api = StallingApi().start()
    urls = {
        "DATABASE_URL": str(storage_settings.database_url),
        "REDIS_URL": str(storage_settings.redis_url),
        "MONGO_URL": str(storage_settings.mongo_url),
    }
    env = worker_env(urls, tmp_path / "sites", LLM_API_URL=api.url, LLM_API_KEY="sk-reliability")
    feed = ProgressFeed(ctx.redis)
    workers = [start_worker(env, tmp_path / f"worker{n}.log", BUILDS, mode=mode) for n in range(2)]
    try:
        reply = service.handle(actor("kill"), f"build {PROMPT}")
        assert reply.version_id is not None
        assert api.first_call.wait(60), "no worker started the build"
        busy = wait_until(lambda: job_runner(ctx.redis, build_job_id(reply.version_id), workers), 10)
        with ctx.db.session() as s:
            assert projects.get_version(s, reply.version_id).status == "running"
        for horse in children(busy.pid):  # a forked horse runs in its own process group (setpgrp): kill both
            os.kill(horse, signal.SIGKILL)
        os.kill(busy.pid, signal.SIGKILL)
        killed = time.monotonic()
        busy.wait(5)

        def final() -> str | None:
            with ctx.db.session() as s:
                status = projects.get_version(s, reply.version_id).status
            return status if status in projects.TERMINAL_STATES else None

        outcome = wait_until(final, RECOVERY_LIMIT, 0.2)
        recovery = time.monotonic() - killed
        terminal = []
        while (event := feed.next(timeout=1)) is not None:
            if event.version_id == reply.version_id and event.terminal:
                terminal.append(event.kind)
        assert outcome == "succeeded" and terminal == ["succeeded"], (outcome, terminal)
        assert recovery < RECOVERY_LIMIT
        with ctx.db.session() as s:
            settles = s.execute(
                select(CreditTransaction.type).where(CreditTransaction.type.in_(("capture", "release")))
            ).all()
            rows = s.execute(select(OutboxEntry.payload).where(OutboxEntry.version_id == reply.version_id)).all()
        assert [t for (t,) in settles] == ["capture"] and len(rows) == 1 and rows[0][0]["kind"] == "succeeded"
        assert queue(ctx.redis, BUILDS).count == 0
        assert_ledger_consistent(ctx.db)
        print(f"\nrecovered {recovery:.1f} s after SIGKILL (limit {RECOVERY_LIMIT:.0f} s)")
    finally:
        feed.close()
        for w in workers:
            stop(w)
        api.stop()
