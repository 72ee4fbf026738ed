"""Prometheus metrics of the job side: queues, jobs and workers read from RQ, credits read from the ledger, and
job durations timed by the worker.

Queue depth, jobs by status, workers and credits are *collected at scrape time* from Redis (RQ's queues and
registries) and Postgres (the ledger), never counted in memory: they are exact whichever process is scraped, and
every process that exports them reports the same values (query them with `max by (...)`). The credit figures are
kept incrementally: a process sums the ledger once, then only the rows written since (a primary-key range).

Job durations are observed in the worker's *parent* process. RQ 3.0's `Worker` forks a work horse per job
(`worker_classes.py: fork_work_horse`) and the horse ends with `os._exit()` (`base.py: main_work_horse`), so a
metric the horse records in its own memory is lost with it. Prometheus' multiprocess mode would keep them, but it
writes a set of mmap files per process id, i.e. per job here, which grow without bound and slow every scrape.
The parent already waits for each horse (`execute_job` = fork + `monitor_work_horse`), so timing that call there
costs nothing, sees jobs killed by a timeout or a crash too, and the parent's ordinary registry serves them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator

import redis
import structlog
from prometheus_client import Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from rq import Queue, SimpleWorker, Worker
from rq.executions import Execution
from rq.job import Job, JobStatus
from rq.worker import BaseWorker

from jobs.log_context import job_fields
from jobs.overview import alive_workers
from jobs.queue import QUEUE_NAMES, queue
from storage.db import Database
from storage.stats import CreditTally

log = structlog.get_logger(__name__)

JOB_DURATION = Histogram(
    "autoweb_job_duration_seconds",
    "Wall time of a job in the worker, fork and wait included, by job function and final status.",
    ["job", "status"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)
REGISTRY_STATUSES = ("started", "finished", "failed", "deferred", "scheduled", "canceled")
"""RQ's per-queue registries, reported as `autoweb_jobs{status=...}` beside `queued` (the queue itself)."""


def job_name(job: Job) -> str:
    """The job function's own name (`build_site`), not its dotted path."""
    return (job.func_name or "unknown").rsplit(".", 1)[-1]


def observe_job(job: Job, seconds: float) -> None:
    try:
        status = job.get_status(refresh=True)
    except Exception:  # the job's hash may already have expired (result_ttl 0)
        status = None
    label = status.value if isinstance(status, JobStatus) else "unknown"
    JOB_DURATION.labels(job_name(job), label).observe(seconds)


class TimedJobs(BaseWorker):
    """Times every job around `execute_job`, in the process that calls it (the parent, for a forking worker), and
    binds the job's log context: its id there, the rest (project, platform, user) in `perform_job`, which runs in
    the work horse, where the database may be used."""

    def execute_job(self, job: Job, queue: Queue) -> None:
        started = time.perf_counter()
        try:
            with structlog.contextvars.bound_contextvars(job_id=job.id, queue=queue.name):
                super().execute_job(job, queue)
        finally:
            observe_job(job, time.perf_counter() - started)

    def perform_job(self, job: Job, queue: Queue, execution: Execution) -> bool:
        fields = job_fields(job.id, job_name(job), job.args)
        with structlog.contextvars.bound_contextvars(**fields):
            return bool(super().perform_job(job, queue, execution))


class MeteredWorker(TimedJobs, Worker):
    """RQ's forking worker, with job durations observed in the parent."""


class MeteredSimpleWorker(TimedJobs, SimpleWorker):
    """RQ's in-process worker, with job durations observed."""


class QueueCollector(Collector):
    """Queue depth, jobs by status and live workers per queue, read from RQ's keys at scrape time."""

    def __init__(self, client: redis.Redis, names: Iterable[str] = QUEUE_NAMES) -> None:
        self.client, self.names = client, tuple(names)

    def describe(self) -> list[Metric]:
        return []  # names are only known by collecting; registering must not touch Redis

    def collect(self) -> Iterator[Metric]:
        depth = GaugeMetricFamily("autoweb_queue_depth", "Jobs waiting in the queue.", labels=["queue"])
        jobs = GaugeMetricFamily("autoweb_jobs", "Jobs per queue and RQ status.", labels=["queue", "status"])
        workers = GaugeMetricFamily("autoweb_workers", "Workers alive on the queue.", labels=["queue"])
        up = 1
        try:
            for name in self.names:
                q = queue(self.client, name)
                count = q.count
                depth.add_metric([name], count)
                jobs.add_metric([name, "queued"], count)
                for status in REGISTRY_STATUSES:
                    registry = getattr(q, f"{status}_job_registry")
                    jobs.add_metric([name, status], registry.get_job_count(cleanup=False))
                workers.add_metric([name], alive_workers(self.client, q))
        except redis.RedisError:
            log.warning("metrics: could not read the queues from Redis", exc_info=True)
            up = 0
        yield from (depth, jobs, workers) if up else ()
        yield _up("queues", up)


class CreditCollector(Collector):
    """Credits held, captured and released (ever), and on hold now, from the ledger at scrape time: each scrape
    sums only the rows written since the last one (`CreditTally`), never the whole ledger again."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.tally = CreditTally()
        self.lock = threading.Lock()

    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        try:
            with self.lock, self.db.session() as s:
                totals = self.tally.refresh(s)
        except Exception:
            log.warning("metrics: could not read the ledger totals", exc_info=True)
            yield _up("ledger", 0)
            return
        for name, value, text in (
            ("autoweb_credits_held", totals.held, "Credits ever put on hold."),
            ("autoweb_credits_captured", totals.captured, "Credits ever captured (charged)."),
            ("autoweb_credits_released", totals.released, "Credits ever released (given back) from a hold."),
        ):
            yield CounterMetricFamily(name, text, value=value)
        yield GaugeMetricFamily("autoweb_credits_on_hold", "Credits on hold right now.", value=totals.on_hold)
        yield _up("ledger", 1)


def _up(source: str, value: int) -> Metric:
    return GaugeMetricFamily(f"autoweb_{source}_scrape_ok", f"1 when this scrape could read the {source}.", value=value)
