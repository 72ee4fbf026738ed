"""Running workers: the `autoweb worker` process, and an in-process burst worker for the demo and tests.

A worker (or its work horse) killed with SIGKILL leaves its job in RQ's StartedJobRegistry until the job's
heartbeat runs out and some worker's maintenance cleans the registry; the job is then retried (jobs/queue.py
enqueues builds with a Retry). RQ's defaults make that up to ~11 minutes (heartbeat TTL of the monitoring interval
+ 60 s, maintenance every 600 s, an idle worker blocking ~405 s in BLPOP). The settings below bring it to well
under a minute: a heartbeat every 5 s that may be 20 s late, maintenance every 10 s, idle workers waking every 15 s.
"""

from __future__ import annotations

from collections.abc import Sequence

import redis
from rq.job import Job
from rq.serializers import JSONSerializer
from rq.worker import BaseWorker

from jobs import reconcile
from jobs.metrics import MeteredSimpleWorker, MeteredWorker
from jobs.queue import QUEUE_NAMES, queue

JOB_MONITORING_INTERVAL = 5
"""Seconds between the heartbeats a worker sends for the job its work horse runs."""
HEARTBEAT_GRACE = 20
"""Seconds a running job's heartbeat may be late before maintenance counts the job as abandoned (RQ: 60)."""
MAINTENANCE_INTERVAL = 10
"""Seconds between registry clean-ups (RQ: 600); one worker at a time runs them, under a lock in Redis."""
WORKER_TTL = 30
"""Seconds a worker's registration lives without a heartbeat; an idle worker wakes every WORKER_TTL - 15 s."""
COMMAND_POLL = 1.0
"""Seconds the thread that listens for RQ's worker commands blocks in one read (RQ: 60)."""


class PromptStop(BaseWorker):
    """Stops in milliseconds instead of up to a minute.

    RQ listens for worker commands (stop-job, shutdown) on a pub/sub thread that blocks 60 s per read, and at
    teardown unsubscribes and then calls `stop()` on it. Since redis-py 8.2, `stop()` waits for the thread; and
    once unsubscribed, the thread's read waits out its whole timeout for a new subscription. Every worker stop
    (and so every demo) could stall 60 s. Here the thread is told to stop before the unsubscribe, whose reply
    then ends its read, and no read blocks longer than COMMAND_POLL in any case.
    """

    def subscribe(self) -> None:
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(  # type: ignore[assignment]  # RQ declares it None
            sleep_time=COMMAND_POLL, daemon=True, exception_handler=self._pubsub_exception_handler
        )

    def unsubscribe(self) -> None:
        if self.pubsub is None or self.pubsub_thread is None:
            return
        self.pubsub_thread.stop(timeout=0)  # only clears its running flag
        self.pubsub.unsubscribe()
        self.pubsub_thread.join(timeout=COMMAND_POLL + 1)
        self.pubsub.close()


class BuildWorker(PromptStop, MeteredWorker):
    """The forking worker with a short heartbeat TTL, so a job whose worker died is retried within seconds."""

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
        if job.timeout and job.timeout > 0:
            return int(min(job.timeout - working_time, self.job_monitoring_interval)) + HEARTBEAT_GRACE
        return int(self.job_monitoring_interval) + HEARTBEAT_GRACE

    def run_maintenance_tasks(self) -> None:
        """RQ's registry clean-up, then the reconciler (jobs/reconcile.py), at most once a minute cluster-wide."""
        super().run_maintenance_tasks()  # type: ignore[no-untyped-call]
        reconcile.run_if_due(self.connection)


class InProcessWorker(PromptStop, MeteredSimpleWorker):
    """Runs jobs in the calling thread and leaves signal handling to the caller (Ctrl-C stays a
    KeyboardInterrupt, so the demo's clean-up runs)."""

    def _install_signal_handlers(self) -> None:
        pass


def make_worker(connection: redis.Redis, names: Sequence[str] = QUEUE_NAMES, *, in_process: bool = False) -> BaseWorker:
    queues = [queue(connection, n) for n in names or QUEUE_NAMES]
    if in_process:
        return InProcessWorker(
            queues,
            connection=connection,
            serializer=JSONSerializer,
            log_job_description=False,  # descriptions can hold user text; ids are enough in logs
        )
    return BuildWorker(
        queues,
        connection=connection,
        serializer=JSONSerializer,
        log_job_description=False,
        job_monitoring_interval=JOB_MONITORING_INTERVAL,
        maintenance_interval=MAINTENANCE_INTERVAL,
        worker_ttl=WORKER_TTL,
    )


def run_burst(connection: redis.Redis, names: Sequence[str] = QUEUE_NAMES) -> bool:
    """Run every queued job in this thread, then return (True if any job ran)."""
    return bool(make_worker(connection, names, in_process=True).work(burst=True, logging_level="WARNING"))
