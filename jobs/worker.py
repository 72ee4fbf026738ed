"""Running workers: the `autoweb worker` process, and an in-process burst worker for the demo and tests."""

from __future__ import annotations

from collections.abc import Sequence

import redis
from rq.serializers import JSONSerializer
from rq.worker import BaseWorker

from jobs.metrics import MeteredSimpleWorker, MeteredWorker
from jobs.queue import QUEUE_NAMES, queue


class InProcessWorker(MeteredSimpleWorker):
    """Runs jobs in the calling thread and leaves signal handling to the caller (Ctrl-C stays a
    KeyboardInterrupt, so the demo's clean-up runs)."""

    def _install_signal_handlers(self) -> None:
        pass


def make_worker(connection: redis.Redis, names: Sequence[str] = QUEUE_NAMES, *, in_process: bool = False) -> BaseWorker:
    cls = InProcessWorker if in_process else MeteredWorker
    return cls(
        [queue(connection, n) for n in names or QUEUE_NAMES],
        connection=connection,
        serializer=JSONSerializer,
        log_job_description=False,  # descriptions can hold user text; ids are enough in logs
    )


def run_burst(connection: redis.Redis, names: Sequence[str] = QUEUE_NAMES) -> bool:
    """Run every queued job in this thread, then return (True if any job ran)."""
    return bool(make_worker(connection, names, in_process=True).work(burst=True, logging_level="WARNING"))
