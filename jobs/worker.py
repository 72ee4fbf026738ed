"""Running workers: the `autoweb worker` process, and an in-process burst worker for the demo and tests.

A worker (or its work horse) killed with SIGKILL leaves its job in RQ's StartedJobRegistry until the job's
heartbeat runs out and some worker's maintenance cleans the registry; the job is then retried (jobs/queue.py
enqueues builds with a Retry). RQ's defaults make that up to ~11 minutes (heartbeat TTL of the monitoring interval
+ 60 s, maintenance every 600 s, an idle worker blocking ~405 s in BLPOP). The settings below bring it to well
under a minute: a heartbeat every 5 s that may be 20 s late, maintenance every 10 s, idle workers waking every 15 s.
"""

from __future__ import annotations

import os
import resource
import signal
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any

import redis
from rq import Queue
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


class FastRecovery(BaseWorker):
    """A short heartbeat TTL, so a job whose worker died is retried within seconds, and the reconciler."""

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
        if job.timeout and job.timeout > 0:
            return int(min(job.timeout - working_time, self.job_monitoring_interval)) + HEARTBEAT_GRACE
        return int(self.job_monitoring_interval) + HEARTBEAT_GRACE

    def run_maintenance_tasks(self) -> None:
        """RQ's registry clean-up, then the reconciler (jobs/reconcile.py), at most once a minute cluster-wide."""
        super().run_maintenance_tasks()  # type: ignore[no-untyped-call]
        reconcile.run_if_due(self.connection)


class BuildWorker(FastRecovery, PromptStop, MeteredWorker):
    """RQ's forking worker (`autoweb worker --fork`): a work horse per job."""


STOP_JOB_SIGNAL = signal.SIGUSR1
"""Sent by a warm worker's command thread to its main thread to stop the running job."""


class JobStopped(BaseException):
    """Raised inside a warm worker's job by `cancel` (RQ's stop-job command). A BaseException, as RQ's
    ShutDownImminentException is, so a job's own `except Exception` does not record it as an ordinary failure;
    RQ marks the job stopped, as it does when it kills a work horse."""


class WarmWorker(FastRecovery, PromptStop, MeteredSimpleWorker):
    """The default `autoweb worker`: runs each job in this process, so connection pools, the catalog cache and
    compiled templates are kept from one job to the next (a forked work horse paid ~4× the job's own CPU to open
    them again, collect the garbage it inherited and copy the pages that touched).

    Isolation comes from elsewhere: RQ's job timeout (SIGALRM in this process), a restart of the process after
    `max_jobs` jobs or once its resident memory passes `max_memory` bytes (`restart_wanted`; the CLI re-executes
    itself), and the same heartbeats as the forking worker, sent from a thread while a job runs, so a worker
    killed mid-job has its job retried within ~30 s.
    """

    def __init__(self, *args: Any, max_memory: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_memory = max_memory
        self.restart_wanted = False

    def _install_signal_handlers(self) -> None:
        super()._install_signal_handlers()  # type: ignore[no-untyped-call]
        signal.signal(STOP_JOB_SIGNAL, self._stop_job)

    def kill_horse(self, sig: signal.Signals = signal.SIGKILL) -> None:
        """RQ's stop-job command (`cancel`) arrives on the command thread: interrupt the job in the main thread."""
        main = threading.main_thread().ident
        if self._stopped_job_id is not None and main is not None:
            signal.pthread_kill(main, STOP_JOB_SIGNAL)

    def _stop_job(self, signum: int, frame: FrameType | None) -> None:
        if self._stopped_job_id is not None and self._stopped_job_id == self.get_current_job_id():
            raise JobStopped(self._stopped_job_id)

    def execute_job(self, job: Job, queue: Queue) -> None:
        done = threading.Event()
        beats = threading.Thread(target=self._beat, args=(job, done), name="job-heartbeat", daemon=True)
        beats.start()
        try:
            super().execute_job(job, queue)
        finally:
            done.set()
            beats.join(JOB_MONITORING_INTERVAL)
        if self.max_memory is not None and resident_memory() > self.max_memory:
            self.log.info("Worker %s: resident memory above --max-memory; restarting after this job", self.name)
            self.restart_wanted = True
            self._stop_requested = True

    def _beat(self, job: Job, done: threading.Event) -> None:
        """Refresh the worker's, the job's and the execution's heartbeats until the job is done."""
        while not done.wait(self.job_monitoring_interval):
            execution = self.execution
            if execution is None:
                continue
            try:
                self.maintain_heartbeats(job, execution)
            except redis.RedisError:  # the next beat tries again; a lost Redis is the main loop's to report
                self.log.warning("Worker %s: could not send a job heartbeat", self.name)


def resident_memory() -> int:
    """This process's resident set size in bytes (Linux /proc; the peak from getrusage elsewhere)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class InProcessWorker(PromptStop, MeteredSimpleWorker):
    """Runs jobs in the calling thread and leaves signal handling to the caller (Ctrl-C stays a
    KeyboardInterrupt, so the demo's clean-up runs)."""

    def _install_signal_handlers(self) -> None:
        pass


def make_worker(
    connection: redis.Redis,
    names: Sequence[str] = QUEUE_NAMES,
    *,
    in_process: bool = False,
    fork: bool = False,
    max_memory: int | None = None,
) -> BaseWorker:
    """`in_process`: the demo's, console's and tests' burst worker (no signal handlers of its own). Otherwise the
    `autoweb worker` process: warm (`WarmWorker`, the default) or forking a work horse per job (`fork`)."""
    queues = [queue(connection, n) for n in names or QUEUE_NAMES]
    if in_process:
        return InProcessWorker(
            queues,
            connection=connection,
            serializer=JSONSerializer,
            log_job_description=False,  # descriptions can hold user text; ids are enough in logs
        )
    options: dict[str, Any] = {
        "connection": connection,
        "serializer": JSONSerializer,
        "log_job_description": False,
        "job_monitoring_interval": JOB_MONITORING_INTERVAL,
        "maintenance_interval": MAINTENANCE_INTERVAL,
        "worker_ttl": WORKER_TTL,
    }
    if fork:
        return BuildWorker(queues, **options)
    return WarmWorker(queues, max_memory=max_memory, **options)


def run_burst(connection: redis.Redis, names: Sequence[str] = QUEUE_NAMES) -> bool:
    """Run every queued job in this thread, then return (True if any job ran)."""
    return bool(make_worker(connection, names, in_process=True).work(burst=True, logging_level="WARNING"))
