"""A warm worker keeps its process between jobs, and renews it after `--max-jobs` jobs or above `--max-memory`:
the same PID (the process re-executes itself) under a new RQ worker name, with every job done once."""

from __future__ import annotations

import pytest
from rq import Worker

from jobs.queue import BUILDS, queue
from storage import projects
from tests.helpers import actor
from tests.reliability.processes import start_worker, stop, wait_until, worker_env

PROMPT = "a landing page for Sweet Crumbs, a bakery in Leeds, with a menu and contact page"


def _names(client) -> set[str]:
    return {w.name for w in Worker.all(queue=queue(client, BUILDS))}


@pytest.mark.timeout(180)
@pytest.mark.parametrize("limit", [("--max-jobs", "2"), ("--max-memory", "1")])
def test_a_warm_worker_renews_its_process_at_its_limits(service, ctx, storage_settings, tmp_path, limit):
    urls = {k: str(getattr(storage_settings, k.lower())) for k in ("DATABASE_URL", "REDIS_URL", "MONGO_URL")}
    env = worker_env(urls, tmp_path / "sites")
    proc = start_worker(env, tmp_path / "worker.log", BUILDS, options=limit)
    try:
        first = wait_until(lambda: _names(ctx.redis), 30)
        versions = [service.handle(actor(f"u{n}"), f"build {PROMPT}").version_id for n in range(5)]

        def all_done() -> bool:
            with ctx.db.session() as s:
                return all(projects.get_version(s, v).status == "succeeded" for v in versions if v)

        wait_until(all_done, 120, 0.2)
        renewed = wait_until(lambda: (names := _names(ctx.redis)) and names != first and names, 30)
        assert proc.poll() is None, (tmp_path / "worker.log").read_text()[-2000:]
        assert len(renewed) == 1  # one live registration: the old one was retired, not left behind
    finally:
        stop(proc)
    log = (tmp_path / "worker.log").read_text()
    assert log.count("started with PID") >= 2 and f"PID {proc.pid}" in log
