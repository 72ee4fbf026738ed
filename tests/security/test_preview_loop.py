"""Finding: the preview server ran its Postgres queries on the event loop; with a lock held on `projects`,
`/healthz` took 6.6 s. Lookups now run on a bounded thread pool and give up on a held lock after a moment."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg

from bot.preview import make_app
from tests.helpers import preview_token
from tests.ops.http import get, serve_app
from tests.security.preview_client import built_project

HOLD = 4.0
"""Seconds the test keeps `projects` locked."""


def test_healthz_answers_at_once_while_projects_is_locked(
    service, ctx, run_jobs, storage_settings, job_settings, database_url
):
    token = preview_token(ctx.db, built_project(service, run_jobs))
    locked, release = threading.Event(), threading.Event()

    def hold_lock() -> None:
        with psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://", 1)) as conn:
            conn.execute("LOCK TABLE projects IN ACCESS EXCLUSIVE MODE")
            locked.set()
            release.wait(HOLD)

    holder = threading.Thread(target=hold_lock, daemon=True)
    holder.start()
    assert locked.wait(10)
    try:
        with serve_app(make_app(storage_settings, job_settings)) as base, ThreadPoolExecutor(8) as pool:
            previews = [pool.submit(get, f"{base}/p/{token}/", 15) for _ in range(6)]  # all stuck on the lock
            time.sleep(0.3)
            started = time.perf_counter()
            status, body = get(f"{base}/healthz", 5)
            healthz_seconds = time.perf_counter() - started
            statuses = [f.result()[0] for f in previews]
    finally:
        release.set()
        holder.join(10)
    assert (status, body) == (200, "ok")
    assert healthz_seconds < 0.5, healthz_seconds
    assert set(statuses) <= {200, 503}  # a preview waits at most its lock timeout, then says "try again"
