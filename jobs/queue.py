"""The RQ queues and the one typed way to put a job on them (JSON payloads, never pickle)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import redis
from redis.client import Pipeline
from rq import Callback, Queue, Retry
from rq.command import send_stop_job_command
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from jobs.build_site import build_site, generate_images, on_build_failure
from jobs.health import health_check
from storage.errors import ServiceUnavailable

BUILDS, IMAGES, DEFAULT = "builds", "images", "default"
QUEUE_NAMES = (BUILDS, IMAGES, DEFAULT)
BUILD_TIMEOUT = 120
"""Seconds a build may run before RQ stops it (a normal build takes well under a second)."""
BUILD_RETRIES = 2
"""Times a build runs again after its worker died (or it failed); a version's outcome is recorded once."""


@dataclass(frozen=True)
class JobRef:
    job_id: str
    queue: str
    position: int | None
    """0-based place in the queue when it was enqueued (None if it was already there)."""


def queue(connection: redis.Redis, name: str) -> Queue:
    return Queue(name, connection=connection, serializer=JSONSerializer)


JOB_PREFIX = "build-"
"""A version's job id is this plus the version id (`storage.intake` writes it in SQL)."""


def build_job_id(version_id: int) -> str:
    return f"{JOB_PREFIX}{version_id}"


def enqueue_build(
    connection: redis.Redis,
    version_id: int,
    *,
    description: str,
    kind: str = "build",
    also: Callable[[Pipeline], object] | None = None,
) -> JobRef:
    """Queue the job of a version that was just written, in one Redis round trip (this runs before a chat
    platform gets its ack). Each version is enqueued once, by the command that created it: its id is new, so
    RQ's `unique` check (a Lua script and a round trip of its own) would only ever find nothing.

    Versions of kind "images" go to the `images` queue as `generate_images`; every other kind is a build. The job
    id is the same either way, so `cancel_build` finds it. `also` may queue more commands on the same pipeline.
    """
    name, function = (IMAGES, generate_images) if kind == "images" else (BUILDS, build_site)
    q = queue(connection, name)
    job = q.create_job(
        function,
        args=(version_id,),
        job_id=build_job_id(version_id),
        description=description,
        timeout=BUILD_TIMEOUT,
        result_ttl=24 * 3600,
        failure_ttl=7 * 24 * 3600,
        on_failure=Callback(on_build_failure),
        retry=Retry(max=BUILD_RETRIES),
    )
    try:
        with connection.pipeline() as pipe:
            q.enqueue_job(job, pipeline=pipe)  # first: it switches the pipeline to MULTI, before any command
            if also is not None:
                also(pipe)
            pipe.lpos(q.key, job.id, rank=-1)  # from the tail, where it was just pushed: not a scan of the queue
            position = pipe.execute()[-1]
    except redis.RedisError as exc:
        raise ServiceUnavailable("Redis", type(exc).__name__) from exc
    return JobRef(job_id=job.id, queue=name, position=position if isinstance(position, int) else None)


def cancel_build(connection: redis.Redis, version_id: int) -> None:
    """Take a queued build off the queue, or stop it if a worker is running it (best effort: the caller
    records the cancellation in Postgres, which the job checks before it records anything)."""
    job_id = build_job_id(version_id)
    try:
        job = Job.fetch(job_id, connection=connection, serializer=JSONSerializer)
    except NoSuchJobError:
        return
    except redis.RedisError as exc:
        raise ServiceUnavailable("Redis", type(exc).__name__) from exc
    status = job.get_status()
    if status == JobStatus.STARTED:
        try:
            send_stop_job_command(connection, job_id, serializer=JSONSerializer)
        except InvalidJobOperation:
            pass
    elif status in (JobStatus.QUEUED, JobStatus.DEFERRED, JobStatus.SCHEDULED):
        job.cancel()


def enqueue_health_check(connection: redis.Redis, name: str, token: str) -> Job:
    return queue(connection, name).enqueue(
        health_check, token, description=f"health check on {name}", result_ttl=300, job_timeout=30
    )
