"""Promise 3: `cancel <project>` stops a running job on a real worker (RQ's stop-job command), releases the hold
once, and the thread's final says so. Promise 7: job payloads in Redis are JSON, never pickle."""

from __future__ import annotations

import json
import zlib

import pytest
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer
from sqlalchemy import select

from bot import messages
from jobs.queue import BUILDS, build_job_id
from storage import projects
from storage.models import CreditTransaction, OutboxEntry
from tests.helpers import actor, assert_ledger_consistent
from tests.reliability.processes import (
    WORKER_MODES,
    StallingApi,
    children,
    start_worker,
    stop,
    wait_until,
    worker_env,
)

PROMPT = "a landing page for Sweet Crumbs, a bakery in Leeds, with a menu and contact page"


@pytest.mark.timeout(120)
@pytest.mark.parametrize("mode", WORKER_MODES)
def test_cancel_stops_a_running_job_releases_the_hold_once_and_says_so(service, ctx, storage_settings, tmp_path, mode):
    api = StallingApi().start()  # the build waits on it: running, mid-flight
    urls = {k: str(getattr(storage_settings, k.lower())) for k in ("DATABASE_URL", "REDIS_URL", "MONGO_URL")}
    env = worker_env(urls, tmp_path / "sites", LLM_API_URL=api.url, LLM_API_KEY="sk-reliability")
    worker = start_worker(env, tmp_path / "worker.log", BUILDS, mode=mode)
    try:
        reply = service.handle(actor(), f"build {PROMPT}")
        assert reply.version_id is not None and reply.project_id is not None
        assert api.first_call.wait(60)
        job = Job.fetch(build_job_id(reply.version_id), connection=ctx.redis, serializer=JSONSerializer)
        assert job.get_status() == JobStatus.STARTED
        assert bool(children(worker.pid)) == (mode == "fork")  # a work horse runs it, or the worker itself

        cancelled = service.handle(actor(), f"cancel #{reply.project_id}")
        assert cancelled.text == messages.cancel_requested(reply.project_id, 1)
        wait_until(lambda: job.get_status() == JobStatus.STOPPED, 30)
        wait_until(lambda: not children(worker.pid), 30)  # the job (or its work horse) is gone, the worker lives on
        assert worker.poll() is None
    finally:
        stop(worker)
        api.stop()
    with ctx.db.session() as s:
        version = projects.get_version(s, reply.version_id)
        settles = s.execute(select(CreditTransaction.type).where(CreditTransaction.hold_id == version.hold_id)).all()
        final = s.execute(select(OutboxEntry.payload).where(OutboxEntry.version_id == version.id)).scalar_one()
    assert version.status == "cancelled" and [t for (t,) in settles] == ["release"]
    assert final["kind"] == "cancelled" and final["credits"] == 10
    assert_ledger_consistent(ctx.db)


def test_job_payloads_in_redis_are_json_not_pickle(service, ctx):
    reply = service.handle(actor(), f"build {PROMPT}")
    assert reply.version_id is not None
    raw = ctx.redis.hget(f"rq:job:{build_job_id(reply.version_id)}", "data")
    assert isinstance(raw, bytes)
    payload = json.loads(zlib.decompress(raw))  # RQ compresses the serialized call; pickle would start 0x80
    assert payload[0] == "jobs.build_site.build_site" and payload[2] == [reply.version_id]
    job = Job.fetch(build_job_id(reply.version_id), connection=ctx.redis, serializer=JSONSerializer)
    assert job.serializer is JSONSerializer or isinstance(job.serializer, type(JSONSerializer))
