"""`autoweb doctor` sends the `health_check` job through each queue with an idle worker and waits for its answer:
a worker that is registered but cannot run jobs (or reach a service) fails the check, not only a missing one."""

from __future__ import annotations

from pathlib import Path

from rq import Worker

from bot import doctor
from bot.settings import BotSettings
from jobs.queue import BUILDS, QUEUE_NAMES, queue
from storage.redis_client import connect
from storage.settings import StorageSettings
from tests.reliability.processes import start_worker, stop, wait_until, worker_env


def workers_checks(storage: StorageSettings) -> dict[str, tuple[bool, str]]:
    checks = doctor.collect(storage, BotSettings(slack_bot_token=None, discord_bot_token=None))
    return {name: (ok, detail) for name, ok, detail in checks if name.startswith("Workers on")}


def test_each_queue_with_an_idle_worker_runs_the_health_check_job(storage_settings, tmp_path: Path):
    assert storage_settings.redis_url is not None
    client = connect(storage_settings.redis_url)
    without = workers_checks(storage_settings)
    assert without == {f"Workers on {n}": (False, f"0 worker(s), 0 queued. {FIX}") for n in QUEUE_NAMES}

    urls = {
        "DATABASE_URL": str(storage_settings.database_url),
        "REDIS_URL": storage_settings.redis_url,
        "MONGO_URL": str(storage_settings.mongo_url),
    }
    worker = start_worker(worker_env(urls, tmp_path / "sites"), tmp_path / "worker.log", *QUEUE_NAMES)
    try:
        wait_until(lambda: Worker.all(queue=queue(client, BUILDS)), timeout=30)
        checks = workers_checks(storage_settings)
    finally:
        stop(worker)
        client.close()
    for name in QUEUE_NAMES:
        ok, detail = checks[f"Workers on {name}"]
        assert ok and detail.startswith("1 worker(s), 0 queued; a test job ran in "), (name, detail)


FIX = "Start `autoweb worker` (its log says why a job failed)."
