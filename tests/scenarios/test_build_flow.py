"""A chat command becomes an RQ job that builds a site: the whole path on real services."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from bot import messages
from bot.progress_feed import ProgressFeed
from jobs.queue import BUILDS, queue
from storage.models import CreditTransaction, ProjectMessage, ProjectVersion, User
from tests.helpers import actor, preview_token

PROMPT = "a landing page for Sweet Crumbs, a bakery in Leeds, with a menu and contact page"


def test_build_command_queues_a_job_and_the_worker_builds_the_site(service, ctx, run_jobs):
    feed = ProgressFeed(ctx.redis)
    reply = service.handle(actor(), f"build {PROMPT}")
    assert reply.text == messages.build_accepted("Sweet Crumbs", reply.project_id, 1, 0, 10)
    assert queue(ctx.redis, BUILDS).count == 1
    service.history.flush()  # the command and its reply are written behind it, by the history thread

    assert run_jobs()

    kinds, final = [], None
    while (event := feed.next(timeout=2)) is not None:
        kinds.append(event.kind)
        if event.terminal:
            final = event
            break
    feed.close()
    assert kinds[0] == "started" and kinds[-1] == "succeeded" and "step" in kinds
    assert final is not None and final.credits == 10 and final.balance == 40 and final.pages == 3
    assert final.preview_url == f"https://preview.example.com/p/{preview_token(ctx.db, reply.project_id)}/"

    site = Path(final.site_path or "").parent
    assert site == ctx.settings.sites_dir.resolve() / str(reply.project_id) / "v1"
    assert sorted(p.name for p in site.glob("*.html")) == ["contact.html", "index.html", "menu.html"]
    assert "Sweet Crumbs" in (site / "index.html").read_text()
    assert (site.parent / "v1.zip").is_file()

    with ctx.db.session() as s:
        version = s.execute(select(ProjectVersion)).scalar_one()
        assert (version.status, version.progress, version.template_slug) == (
            "succeeded",
            100,
            "artisan-bakery",
        )
        ledger = [
            (t.type, t.amount, t.hold_delta)
            for t in s.execute(select(CreditTransaction).order_by(CreditTransaction.id)).scalars()
        ]
        assert ledger == [("grant", 50, 0), ("hold", 0, 10), ("capture", -10, -10)]
        user = s.execute(select(User)).scalar_one()
        assert (user.balance, user.held) == (40, 0)
        roles = [
            m.role
            for m in s.execute(select(ProjectMessage).order_by(ProjectMessage.created_at, ProjectMessage.id)).scalars()
        ]
        assert roles == ["user", "bot", "progress"]
    status = json.loads(ctx.redis.get(f"autoweb:job:{version.id}"))
    assert status["kind"] == "succeeded"


def test_a_redelivered_event_makes_no_second_job_or_hold(service, ctx):
    first = service.handle(actor(event_id="Ev1"), f"build {PROMPT}")
    again = service.handle(actor(event_id="Ev1"), f"build {PROMPT}")
    assert again.text == messages.duplicate_request(first.project_id)
    assert queue(ctx.redis, BUILDS).count == 1
    with ctx.db.session() as s:
        holds = s.execute(select(func.count()).where(CreditTransaction.type == "hold")).scalar_one()
        versions = s.execute(select(func.count()).select_from(ProjectVersion)).scalar_one()
    assert (holds, versions) == (1, 1)


def test_a_failed_build_releases_the_hold_and_says_so(service, ctx, run_jobs):
    reply = service.handle(actor(), f"build {PROMPT}")
    # Break the catalog under the job: its components are gone, so rendering fails.
    ctx.catalog.db["components"].delete_many({})
    ctx.cache.invalidate_catalog()
    feed = ProgressFeed(ctx.redis)
    run_jobs()
    event = None
    while (e := feed.next(timeout=2)) is not None:
        if e.terminal:
            event = e
            break
    feed.close()
    assert event is not None and event.kind == "failed" and event.credits == 10 and event.balance == 50
    assert "failed while rendering pages" in messages.build_failed(event, "AB12")
    with ctx.db.session() as s:
        types = [t.type for t in s.execute(select(CreditTransaction).order_by(CreditTransaction.id)).scalars()]
        version = s.execute(select(ProjectVersion)).scalar_one()
    assert types == ["grant", "hold", "release"]
    assert version.status == "failed" and version.project_id == reply.project_id
