"""Issue 20: a build's Postgres writes are two transactions (its start; its outcome with the ledger, the outbox
row and the version), its progress steps live in Redis only, and `status` still shows the running step."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, select

from bot.service import CommandService
from jobs import events
from jobs.build_site import build_site
from jobs.context import JobContext
from jobs.events import ProgressEvent
from storage import keys, projects
from storage.models import CreditTransaction, OutboxEntry, ProjectVersion
from tests.helpers import actor

PROMPT = "a website for Sweet Crumbs, a bakery in Leeds, with a menu and contact page"


@contextmanager
def transactions(ctx: JobContext) -> Iterator[list[str]]:
    """The Postgres transactions this thread begins meanwhile (instrumentation: a listener on the real engine;
    other threads, such as the chat history writer, are not counted)."""
    me = threading.get_ident()
    seen: list[str] = []

    def on_begin(conn: object) -> None:
        if threading.get_ident() == me:
            seen.append("begin")

    event.listen(ctx.db.engine, "begin", on_begin)
    try:
        yield seen
    finally:
        event.remove(ctx.db.engine, "begin", on_begin)


def _queued_version(service: CommandService, ctx: JobContext) -> int:
    reply = service.handle(actor(), f"build {PROMPT}")
    assert reply.version_id is not None, reply.text
    ctx.redis.delete("rq:queue:builds")  # this test plays the worker
    return reply.version_id


def test_a_build_is_two_postgres_transactions(service, ctx):
    version_id = _queued_version(service, ctx)
    pubsub = ctx.redis.pubsub()
    with ctx.db.session() as s:
        project_id = projects.get_version(s, version_id).project_id
    pubsub.subscribe(keys.progress_channel(project_id, ctx.redis.connection_pool.connection_kwargs.get("db", 0)))
    pubsub.get_message(timeout=1)  # the subscription's confirmation
    with transactions(ctx) as seen:
        result = build_site(version_id)
    assert result["status"] == "succeeded"
    assert len(seen) == 2

    published = []
    while (message := pubsub.get_message(timeout=0.2)) is not None:
        published.append(events.parse(message["data"]))
    pubsub.close()
    steps = [e.step for e in published if e.kind == "step"]
    assert {"Rendering pages", "Generating images", "Packaging"} <= set(steps)
    assert published[0].kind == "started" and published[-1].kind == "succeeded"
    status = ctx.cache.job_status(version_id)
    assert status is not None and status["kind"] == "succeeded" and status["id"] == published[-1].id

    with ctx.db.session() as s:  # the outcome transaction wrote all of it
        version = s.get(ProjectVersion, version_id)
        assert version is not None and (version.status, version.progress) == ("succeeded", 100)
        rows = s.execute(select(CreditTransaction.type).where(CreditTransaction.hold_id == version.hold_id)).all()
        assert [r.type for r in rows] == ["capture"]
        outbox = s.execute(select(OutboxEntry).where(OutboxEntry.version_id == version_id)).scalars().all()
        assert [o.event_id for o in outbox] == [published[-1].id]


def test_a_repeated_build_job_is_one_transaction_and_changes_nothing(service, ctx):
    version_id = _queued_version(service, ctx)
    assert build_site(version_id)["status"] == "succeeded"
    with transactions(ctx) as seen:
        assert build_site(version_id)["repeat"] is True
    assert len(seen) == 1


def test_status_shows_the_running_step_from_redis(service, ctx):
    """Steps are not written to Postgres any more: `status` reads a running build's step from the job status."""
    version_id = _queued_version(service, ctx)
    with ctx.db.session() as s:
        projects.record_progress(s, version_id, status="running", step="Picking template", progress=5)
        version = projects.get_version(s, version_id)
        project_id, number = version.project_id, version.number
    step = ProgressEvent(
        project_id=project_id, version_id=version_id, version=number, kind="step", step="Rendering pages", progress=40
    )
    events.publish_with_status(ctx.redis, step)
    text = service.handle(actor(), f"status #{project_id}").text
    assert "running · Rendering pages · 40 %" in text

    ctx.redis.delete(keys.job_status_key(version_id))  # Redis lost it: what Postgres has
    text = service.handle(actor(), f"status #{project_id}").text
    assert "running · Picking template · 5 %" in text


def test_a_failed_build_keeps_how_far_it_got(service, ctx):
    """The last step's percent is only in Redis while the build runs; the failure records it in Postgres and in
    its final event, and releases the hold in the same transaction."""
    from jobs.build_site import fail_version

    version_id = _queued_version(service, ctx)
    with ctx.db.session() as s:
        projects.record_progress(s, version_id, status="running", step="Picking template", progress=5)
        version = projects.get_version(s, version_id)
        project_id, number = version.project_id, version.number
    step = ProgressEvent(
        project_id=project_id, version_id=version_id, version=number, kind="step", step="Generating images", progress=65
    )
    events.publish_with_status(ctx.redis, step)
    with transactions(ctx) as seen:
        assert fail_version(ctx, version_id, step="generating images", reason="OSError")
    assert len(seen) == 1
    assert not fail_version(ctx, version_id, step="generating images", reason="OSError")  # once only
    final = ctx.cache.job_status(version_id)
    assert final is not None and (final["kind"], final["progress"]) == ("failed", 65)
    with ctx.db.session() as s:
        version = s.get(ProjectVersion, version_id)
        assert version is not None and (version.status, version.progress) == ("failed", 65)
        rows = s.execute(select(CreditTransaction.type).where(CreditTransaction.hold_id == version.hold_id)).all()
        assert [r.type for r in rows] == ["release"]
