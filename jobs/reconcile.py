"""The reconciler: no hold stays open because Redis forgot a job.

A version is queued or running in Postgres while its RQ job lives in Redis. When Redis loses its data (a restart
without persistence) or a job ends without recording its version (a work horse killed on its last attempt), the
version would wait forever with its credits held. The reconciler finds such versions — older than `GRACE`, whose
job is gone or has ended in RQ — and fails them through `fail_version`, the path every failure takes: the hold is
released exactly once, and the final outcome goes to the outbox and the chat thread.

`autoweb worker` runs it from its maintenance tasks (one worker per `INTERVAL` across the cluster, under a Redis
lock); `autoweb reconcile` runs one pass by hand.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis
import structlog
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer
from sqlalchemy import select

from jobs.build_site import TMP_GLOB, fail_version
from jobs.context import JobContext
from jobs.queue import BUILD_TIMEOUT, build_job_id
from jobs.settings import JobSettings
from storage import outbox
from storage.errors import ServiceUnavailable
from storage.models import ProjectVersion
from storage.settings import StorageSettings

log = structlog.get_logger(__name__)

GRACE = timedelta(seconds=BUILD_TIMEOUT + 30)
"""How old a version must be before a missing job counts as lost: enqueueing follows the version's commit, and a
work horse that runs on while Redis restarts finishes (or times out) within BUILD_TIMEOUT."""
INTERVAL = 60
"""Seconds between reconciler passes in `autoweb worker`; a lost job is reported within GRACE + INTERVAL."""
LOCK_KEY = "autoweb:reconcile:lock"
"""Held for INTERVAL by the worker that runs a pass, so the other workers skip theirs."""
ENDED = (JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED)
REASON = "job lost"


@dataclass
class Pass:
    """What one pass did."""

    checked: int = 0
    failed: list[int] = field(default_factory=list)
    """Versions recorded as failed by this pass (hold released, user told)."""
    pruned: int = 0
    swept: int = 0
    """Temporary build directories removed (left by work horses that were killed mid-build)."""


def lost_versions(ctx: JobContext, *, grace: timedelta = GRACE) -> tuple[int, list[int]]:
    """(how many active versions were checked, the ids of those whose job is gone or has ended in RQ)."""
    cutoff = datetime.now(UTC) - grace
    with ctx.db.session() as s:
        active = s.execute(
            select(ProjectVersion.id, ProjectVersion.job_id).where(
                ProjectVersion.status.in_(("queued", "running")), ProjectVersion.created_at < cutoff
            )
        ).all()
    lost = []
    for version_id, job_id in active:
        try:
            job = Job.fetch(job_id or build_job_id(version_id), connection=ctx.redis, serializer=JSONSerializer)
            status = job.get_status(refresh=False)
        except NoSuchJobError:
            lost.append(version_id)
            continue
        except redis.RedisError as exc:  # Redis down is not Redis empty: judge nothing this pass
            raise ServiceUnavailable("Redis", type(exc).__name__) from exc
        if status in ENDED:
            lost.append(version_id)
    return len(active), lost


def reconcile(ctx: JobContext, *, grace: timedelta = GRACE) -> Pass:
    """One pass: fail every lost version once (a version recorded meanwhile by its job is left alone)."""
    checked, lost = lost_versions(ctx, grace=grace)
    result = Pass(checked=checked)
    for version_id in lost:
        if fail_version(ctx, version_id, step="waiting for a worker", reason=REASON):
            log.warning("released the hold of a version whose job was lost", version_id=version_id)
            result.failed.append(version_id)
    with ctx.db.session() as s:
        result.pruned = outbox.prune(s)
    result.swept = sweep_build_dirs(ctx.settings.render_root, older_than=grace)
    return result


def sweep_build_dirs(sites_dir: Path, *, older_than: timedelta = GRACE) -> int:
    """Remove temporary build directories (`<project>/.v<n>.tmp-<pid>`, and their zips) untouched for
    `older_than`: no build runs that long, so their work horse is gone. Returns how many were removed."""
    cutoff = time.time() - older_than.total_seconds()
    removed = 0
    for tmp in sites_dir.glob(f"*/{TMP_GLOB}"):
        try:
            if tmp.is_symlink() or tmp.stat().st_mtime >= cutoff:
                continue
            if tmp.is_dir():
                shutil.rmtree(tmp)
                removed += 1
            elif tmp.is_file():  # its zip (`.v<n>.tmp-<pid>.zip`)
                tmp.unlink()
                removed += 1
        except OSError as exc:  # removed meanwhile, or not ours to remove: the next pass sees it again
            log.warning("could not sweep a build directory", path=str(tmp), error=type(exc).__name__)
    if removed:
        log.info("swept temporary build directories", count=removed)
    return removed


def run_if_due(connection: redis.Redis, *, interval: int = INTERVAL) -> Pass | None:
    """A pass with a context of its own (closed after), unless another process ran one less than `interval` s ago.

    Called by a worker's parent process between jobs: nothing it opens outlives the call, so no connection or
    client thread is inherited by the next forked work horse."""
    try:
        if not connection.set(LOCK_KEY, "1", nx=True, ex=interval):
            return None
        ctx = JobContext.from_settings(StorageSettings(), JobSettings())
    except (redis.RedisError, ServiceUnavailable):
        return None
    try:
        return reconcile(ctx)
    except ServiceUnavailable as exc:
        log.warning("reconciler pass skipped", service=exc.service)
        return None
    finally:
        ctx.close()
