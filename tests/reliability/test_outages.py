"""Promise 4: outages on throw-away servers (never the shared ones). Redis or PostgreSQL down when a command
arrives → the user is told to retry and nothing is held or written; MongoDB down → builds use the cached catalog,
or fail cleanly with a refund. Each recovers without a restart once its server is back."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot import messages
from bot.service import CommandService
from jobs import context
from jobs.context import JobContext
from jobs.worker import run_burst
from storage import projects
from storage.db import upgrade
from storage.embedded import EmbeddedServices
from storage.models import CreditTransaction, ProjectVersion
from storage.settings import StorageSettings
from tests.helpers import actor, assert_ledger_consistent
from tests.reliability.processes import ThrowAwayMongo, ThrowAwayRedis

ROOT = Path(__file__).resolve().parents[2]
PROMPT = "a landing page for Sweet Crumbs, a bakery in Leeds, with a menu and contact page"


def _count(ctx: JobContext, model: type) -> int:
    with ctx.db.session() as s:
        return int(s.execute(select(func.count()).select_from(model)).scalar_one())


def _status(ctx: JobContext, version_id: int | None) -> str:
    assert version_id is not None
    with ctx.db.session() as s:
        return projects.get_version(s, version_id).status


def _refused(text: str, down: str) -> bool:
    ref = text.rsplit("(ref ", 1)[-1].rstrip(").")
    return text == (messages.queue_unavailable if down == "Redis" else messages.database_unavailable)(ref)


def test_redis_down_when_a_command_arrives_nothing_is_held_and_it_recovers(
    database_url, mongo_url, job_settings, bot_settings, tmp_path
):
    redis_server = ThrowAwayRedis(tmp_path / "redis").start()
    ctx = JobContext.from_settings(
        StorageSettings(database_url=database_url, redis_url=redis_server.url, mongo_url=mongo_url), job_settings
    )
    ctx.catalog.seed()
    context.install(ctx)
    service = CommandService(ctx, bot_settings)
    try:
        redis_server.stop()
        reply = service.handle(actor(), f"build {PROMPT}")
        assert _refused(reply.text, "Redis") and reply.ephemeral, reply.text
        assert _count(ctx, ProjectVersion) == 0 and _count(ctx, CreditTransaction) == 0
        redis_server.start()  # the same process, no restart
        reply = service.handle(actor(), f"build {PROMPT}")
        assert reply.version_id is not None, reply.text
        assert run_burst(ctx.redis)
        assert _status(ctx, reply.version_id) == "succeeded"
        assert_ledger_consistent(ctx.db)
    finally:
        ctx.catalog.client.drop_database(ctx.catalog.db.name)
        ctx.close()
        redis_server.stop()


@pytest.mark.timeout(180)
def test_postgres_down_when_a_command_arrives_nothing_is_held_and_it_recovers(
    redis_url, mongo_url, job_settings, bot_settings, run_jobs
):
    root = ROOT / "var" / f"pg-outage-{uuid.uuid4().hex[:8]}"
    try:
        with EmbeddedServices(root, redis=False, mongo=False) as first:
            url = first.urls["DATABASE_URL"]
            upgrade(url)
            ctx = JobContext.from_settings(
                StorageSettings(database_url=url, redis_url=redis_url, mongo_url=mongo_url), job_settings
            )
            ctx.catalog.seed()
            context.install(ctx)
            service = CommandService(ctx, bot_settings)
            assert service.handle(actor(), "credits").text.startswith("You have 50 credits")
        # PostgreSQL is stopped; the service keeps running.
        reply = service.handle(actor(), f"build {PROMPT}")
        assert _refused(reply.text, "PostgreSQL") and reply.ephemeral, reply.text
        assert not run_jobs()  # nothing was queued
        with EmbeddedServices(root, redis=False, mongo=False) as again:
            assert again.urls["DATABASE_URL"] == url
            replies = [service.handle(actor(), f"build {PROMPT}") for _ in range(2)]  # one may meet the old pool
            accepted = [r for r in replies if r.version_id is not None]
            assert accepted and all(_refused(r.text, "PostgreSQL") for r in replies if r.version_id is None)
            assert run_jobs()
            assert _count(ctx, ProjectVersion) == len(accepted)  # the refused commands wrote nothing
            with ctx.db.session() as s:
                holds = s.execute(select(func.count()).where(CreditTransaction.type == "hold")).scalar_one()
            assert holds == len(accepted)
            assert_ledger_consistent(ctx.db)
            ctx.catalog.client.drop_database(ctx.catalog.db.name)
            ctx.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.timeout(180)
def test_mongo_down_builds_use_the_cached_catalog_or_fail_with_a_refund_and_recover(
    database_url, redis_url, job_settings, bot_settings, run_jobs, tmp_path
):
    mongo = ThrowAwayMongo(tmp_path / "mongo").start()
    ctx = JobContext.from_settings(
        StorageSettings(database_url=database_url, redis_url=redis_url, mongo_url=mongo.url), job_settings
    )
    ctx.catalog.seed()
    context.install(ctx)
    service = CommandService(ctx, bot_settings)
    try:
        warm = service.handle(actor(), f"build {PROMPT}")
        assert run_jobs()  # the catalog the build read is now cached in Redis
        mongo.stop()
        cached = service.handle(actor(), f"build {PROMPT}")
        assert run_jobs()
        ctx.cache.invalidate_catalog()  # nothing cached any more, and MongoDB still down
        cold = service.handle(actor(), "build a portfolio for Ada Lovelace, a photographer in London")
        assert run_jobs()
        mongo.start()  # the same process, no restart
        back = service.handle(actor(), "build a portfolio for Ada Lovelace, a photographer in London")
        assert run_jobs()
        with ctx.db.session() as s:
            released = s.execute(select(func.count()).where(CreditTransaction.type == "release")).scalar_one()
        assert [_status(ctx, r.version_id) for r in (warm, cached, cold, back)] == [
            "succeeded",
            "succeeded",
            "failed",
            "succeeded",
        ]
        assert released == 1  # the failed build's hold, given back once
        assert_ledger_consistent(ctx.db)
    finally:
        ctx.close()
        mongo.stop()
