"""Workers stop promptly: one SIGTERM ends an idle `autoweb worker`, and an in-process burst worker (the demo's and
the console's) returns as soon as its queues are empty. With rq 3.0 and redis-py 8.2, RQ's command listener held
either up to 60 s; against Redis 6.2 (the demo's embedded server) it did so in most runs, so both servers are tried.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator

import pytest
import redis
from rq import Worker

from jobs.queue import BUILDS, queue
from jobs.worker import make_worker
from tests.reliability.processes import ThrowAwayRedis, start_worker, stop, wait_until, worker_env

STOP_LIMIT = 5.0
"""Seconds a stop may take; the bug made it 60."""


@pytest.fixture(params=["configured", "redis-6.2"])
def redis_url(request, storage_settings, tmp_path) -> Iterator[str]:
    if request.param == "configured":
        yield str(storage_settings.redis_url)
        return
    server = ThrowAwayRedis(tmp_path / "redis").start()
    try:
        yield server.url
    finally:
        server.stop()


def test_one_sigterm_stops_an_idle_worker_promptly(redis_url, storage_settings, tmp_path):
    client = redis.Redis.from_url(redis_url)
    urls = {
        "DATABASE_URL": str(storage_settings.database_url),
        "REDIS_URL": redis_url,
        "MONGO_URL": str(storage_settings.mongo_url),
    }
    proc = start_worker(worker_env(urls, tmp_path / "sites"), tmp_path / "worker.log", BUILDS)
    try:
        wait_until(lambda: Worker.all(queue=queue(client, BUILDS)), 30)
        time.sleep(0.5)  # let it settle into its blocking dequeue and its command listener's read
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(STOP_LIMIT + 70)
        took = time.monotonic() - started
    finally:
        stop(proc)
    assert code == 0, (tmp_path / "worker.log").read_text()
    assert took < STOP_LIMIT, f"one SIGTERM took {took:.1f} s to stop the worker"
    assert not Worker.all(queue=queue(client, BUILDS)), "the worker did not unregister"
    client.close()


def test_burst_worker_returns_as_soon_as_its_queues_are_empty(redis_url):
    client = redis.Redis.from_url(redis_url)
    for _ in range(3):
        started = time.monotonic()
        ran = make_worker(client, in_process=True).work(burst=True, logging_level="WARNING")
        took = time.monotonic() - started
        assert not ran
        assert took < STOP_LIMIT, f"an empty burst took {took:.1f} s"
    client.close()
