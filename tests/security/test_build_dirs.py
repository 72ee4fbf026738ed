"""Finding: a cancelled build's temporary directory (`.v1.tmp-<pid>`) stayed on disk forever (and was served
through any project). It is removed on cancel and on failure, and the reconciler sweeps stale ones."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from jobs.queue import BUILDS, build_job_id
from jobs.reconcile import reconcile
from storage import projects
from tests.helpers import actor
from tests.reliability.processes import start_worker, stop, wait_until, worker_env
from tests.security.preview_client import PROMPT
from tests.security.stand_in import StandInApi, stall, unavailable


def leftovers(sites: Path) -> list[str]:
    return sorted(str(p) for p in sites.glob("*/.v*.tmp-*"))


@pytest.mark.timeout(120)
def test_a_cancelled_build_leaves_no_temporary_directory(service, ctx, storage_settings, tmp_path):
    sites = tmp_path / "sites"
    urls = {k: str(getattr(storage_settings, k.lower())) for k in ("DATABASE_URL", "REDIS_URL", "MONGO_URL")}
    # Copy fails fast (local copy is used), the hero picture hangs: the build is cancelled mid-render, while its
    # pages sit in the temporary directory.
    with StandInApi({"/chat/completions": unavailable, "/images/generations": stall}) as api:
        env = worker_env(urls, sites, LLM_API_URL=api.url, LLM_API_KEY="sk-security")
        worker = start_worker(env, tmp_path / "worker.log", BUILDS)
        try:
            reply = service.handle(actor(), f"build {PROMPT}")
            assert reply.version_id is not None
            wait_until(lambda: "/images/generations" in api.calls, 60)
            assert leftovers(sites)  # mid-build: the pages are in `.v1.tmp-<pid>`
            service.handle(actor(), f"cancel #{reply.project_id}")
            job = Job.fetch(build_job_id(reply.version_id), connection=ctx.redis, serializer=JSONSerializer)
            wait_until(lambda: job.get_status() == JobStatus.STOPPED, 30)
            wait_until(lambda: not leftovers(sites), 10)
        finally:
            stop(worker)
    assert leftovers(sites) == []


def test_a_failed_build_leaves_no_temporary_directory(service, ctx, run_jobs):
    reply = service.handle(actor(), f"build {PROMPT}")
    project_dir = ctx.settings.sites_dir / str(reply.project_id)
    project_dir.mkdir(parents=True)
    (project_dir / "v1").write_text("in the way")  # the rename into place fails: packaging fails
    run_jobs()
    with ctx.db.session() as s:
        assert projects.get_version(s, reply.version_id).status == "failed"
    assert leftovers(ctx.settings.sites_dir) == []


def test_the_reconciler_sweeps_stale_temporary_directories_only(ctx):
    stale = ctx.settings.sites_dir / "7" / ".v3.tmp-4242"
    fresh = ctx.settings.sites_dir / "8" / ".v1.tmp-4343"
    site = ctx.settings.sites_dir / "7" / "v2"
    for d in (stale, fresh, site):
        d.mkdir(parents=True)
        (d / "index.html").write_text("x")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    os.utime(site, (old, old))
    result = reconcile(ctx, grace=timedelta(minutes=5))
    assert result.swept == 1
    assert not stale.exists() and fresh.exists() and (site / "index.html").exists()
