"""`status` for admins (ADMIN_IDS): queue depths, live workers per queue and recent failures; everyone else keeps
the list of their own projects."""

from __future__ import annotations

import shutil

from bot import messages
from jobs.queue import BUILDS, IMAGES, queue
from jobs.worker import make_worker
from tests.helpers import actor

PROMPT = "a landing page for Sweet Crumbs, a bakery in Leeds, with a menu and contact page"
ADMIN = actor("admin")  # bot_settings: ADMIN_IDS = console:local:admin


def test_admin_status_shows_queues_live_workers_and_recent_failures(service, ctx, run_jobs, job_settings):
    # A real failure: the sites directory cannot be created, so the worker's build fails and is recorded.
    job_settings.sites_dir.parent.mkdir(parents=True, exist_ok=True)
    job_settings.sites_dir.write_text("not a directory")
    failed = service.handle(actor("alice"), f"build {PROMPT}")
    assert failed.version_id is not None
    run_jobs()
    job_settings.sites_dir.unlink()
    waiting = service.handle(actor("bob"), f"build {PROMPT}")
    assert waiting.version_id is not None
    worker = make_worker(ctx.redis, [BUILDS])
    worker.register_birth()  # type: ignore[no-untyped-call]  # a live worker on `builds` (registered with its heartbeat key), none on `images`
    try:
        reply = service.handle(ADMIN, "status")
    finally:
        worker.register_death()  # type: ignore[no-untyped-call]

    assert reply.ephemeral
    lines = reply.text.splitlines()
    assert lines[0] == "Queues:"
    # RQ's own failed list: a build is retried, and a retry of a version already recorded as failed ends quietly
    rq_failed = queue(ctx.redis, BUILDS).failed_job_registry.get_job_count(cleanup=False)
    assert lines[1] == f"• builds: 1 waiting · 0 running · 1 worker · {rq_failed} failed"
    assert lines[2] == "• images: 0 waiting · 0 running · ⚠️ no worker · 0 failed"
    assert lines[4] == "Recent failures:"
    assert lines[5].startswith(f"• #{failed.project_id} Sweet Crumbs v1 failed while ")
    assert lines[5].endswith(" s ago")
    assert queue(ctx.redis, IMAGES).count == 0


def test_admin_status_with_nothing_failed_says_so(service):
    text = service.handle(ADMIN, "status").text
    assert "No failed builds." in text and "• builds: 0 waiting · 0 running · ⚠️ no worker · 0 failed" in text


def test_non_admins_keep_their_projects_list(service, run_jobs):
    alice = actor("alice")
    service.handle(alice, f"build {PROMPT}")
    reply = service.handle(alice, "status")
    assert reply.text == service.handle(alice, "projects").text
    assert reply.text.startswith("Your projects:") and "Queues:" not in reply.text


def test_bad_status_input_gets_the_usual_one_liner_for_admins_too(service):
    assert service.handle(ADMIN, "status abc").text == messages.needs_project("status")
    assert service.handle(ADMIN, "status #424242").text == messages.no_such_project(424242)
    assert service.handle(actor("alice"), "status #424242").text == messages.no_such_project(424242)


def test_admin_status_when_the_sites_dir_is_back_lists_the_project_once(service, run_jobs, job_settings):
    shutil.rmtree(job_settings.sites_dir, ignore_errors=True)
    ok = service.handle(actor("alice"), f"build {PROMPT}")
    run_jobs()
    text = service.handle(ADMIN, "status").text
    assert "No failed builds." in text and f"#{ok.project_id}" not in text
