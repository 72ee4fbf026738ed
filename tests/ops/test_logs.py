"""Structured logs: every line is JSON, a job's lines carry its job, project, version, platform and user, a
request's lines carry the platform and user, and no secret (tokens, signing secret, DB password) is ever written."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy.engine import make_url

from bot.relay import Relay
from bot.service import CommandService
from jobs.context import JobContext
from jobs.events import ProgressEvent
from jobs.queue import BUILDS, enqueue_health_check
from storage.embedded import free_port
from tests.bot.test_relay import run_relay
from tests.helpers import actor

ROOT = Path(__file__).resolve().parent.parent.parent
PROMPT = "a landing page for Sweet Crumbs, a bakery in Leeds, with a menu and contact page"
SECRETS = {
    "SLACK_BOT_TOKEN": "xoxb-1111-2222-secretbottoken",
    "SLACK_SIGNING_SECRET": "signing-secret-5f3a9c",
    "SLACK_CLIENT_SECRET": "client-secret-77aa01",
    "DISCORD_BOT_TOKEN": "discord-bot-token-9k2m",
    "LLM_API_KEY": "sk-llm-secret-4412",
}
DB_PASSWORD = "db-pass-8c1e0f"


def secret_env(storage_settings, job_settings) -> dict[str, str]:
    """The environment of a deployment: secrets set, and a password in DATABASE_URL (trust auth ignores it)."""
    assert storage_settings.database_url
    with_password = make_url(storage_settings.database_url).set(password=DB_PASSWORD)
    env = {k: v for k, v in os.environ.items() if k not in ("LLM_API_URL", "METRICS_PORT")}
    return {
        **env,
        **SECRETS,
        "DATABASE_URL": with_password.render_as_string(hide_password=False),
        "REDIS_URL": storage_settings.redis_url or "",
        "MONGO_URL": storage_settings.mongo_url or "",
        "SITES_DIR": str(job_settings.sites_dir),
        "BUILD_COST": str(job_settings.build_cost),
    }


def assert_no_secret(output: str) -> None:
    for value in (*SECRETS.values(), DB_PASSWORD):
        assert value not in output


def json_lines(output: str) -> list[dict[str, object]]:
    lines = [line for line in output.splitlines() if line.strip()]
    parsed = [json.loads(line) for line in lines]  # every line, ours or RQ's, is one JSON object
    assert all(isinstance(p, dict) and "event" in p and "level" in p and "timestamp" in p for p in parsed)
    return parsed


def test_a_jobs_log_lines_carry_its_context_and_no_secret(service, ctx, storage_settings, job_settings):
    reply = service.handle(actor("alice"), f"build {PROMPT}")
    assert reply.version_id is not None and reply.project_id is not None
    health = enqueue_health_check(ctx.redis, BUILDS, "token-1")
    worker = subprocess.run(
        [str(Path(sys.executable).parent / "autoweb"), "worker", "--burst", BUILDS],
        env=secret_env(storage_settings, job_settings),
        cwd=ROOT,
        capture_output=True,
        timeout=90,
    )
    output = (worker.stdout + worker.stderr).decode()
    assert worker.returncode == 0, output[-3000:]
    assert_no_secret(output)
    lines = json_lines(output)

    with ctx.db.session() as s:
        from storage.accounts import find_user

        user = find_user(s, "console", "local", "alice")
    assert user is not None
    build = [line for line in lines if line.get("job_id") == f"build-{reply.version_id}"]
    context = {
        "version_id": reply.version_id,
        "project_id": reply.project_id,
        "platform": "console",
        "user_id": user.id,
    }
    in_horse = [line for line in build if "version_id" in line]
    assert in_horse and all({k: line.get(k) for k in context} == context for line in in_horse)
    events = " | ".join(str(line["event"]) for line in build)
    assert f"Successfully completed job build-{reply.version_id}" in events  # RQ's own line, as JSON with context
    checks = [line for line in lines if line.get("job_id") == health.id]
    assert checks and all("project_id" not in line for line in checks)  # not a version's job: its id only


def test_secrets_are_blanked_even_when_code_logs_them(storage_settings, job_settings):
    """What a careless line would leak: the DB URL, a token in a library's message, a bearer header."""
    env = secret_env(storage_settings, job_settings)
    script = (
        "import logging, os, structlog\n"
        "from bot.runtime import configure_logging\n"
        "configure_logging('INFO')\n"
        "structlog.get_logger('t').info('connecting', url=os.environ['DATABASE_URL'])\n"
        "logging.getLogger('slack_bolt').warning('bad token %s', os.environ['SLACK_BOT_TOKEN'])\n"
        "logging.getLogger('aiohttp').warning('header Authorization: Bearer %s', os.environ['LLM_API_KEY'])\n"
        "structlog.get_logger('t').info('signing', secret=os.environ['SLACK_SIGNING_SECRET'], "
        "other=['xoxb-9999-8888-not-configured', 'postgresql://u:elsewhere@db/x'])\n"
    )
    run = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, timeout=60)
    output = run.stderr.decode()
    assert run.returncode == 0, output
    assert_no_secret(output)
    lines = json_lines(output)
    assert len(lines) == 4
    assert "***" in str(lines[0]["url"]) and str(lines[0]["url"]).startswith("postgresql+psycopg://")
    assert lines[1]["logger"] == "slack_bolt" and lines[1]["event"] == "bad token ***"
    assert "xoxb" not in output and "elsewhere" not in output


def test_a_requests_log_lines_carry_platform_and_user(storage_settings, job_settings, bot_settings):
    """Redis down when a command arrives: the warning the service logs says who and where."""
    down = storage_settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{free_port()}/0"})
    ctx = JobContext.from_settings(down, job_settings)
    try:
        with structlog.testing.capture_logs(processors=[structlog.contextvars.merge_contextvars]) as logged:
            reply = CommandService(ctx, bot_settings).handle(actor("bob", platform="slack", team="T9"), "credits")
    finally:
        ctx.close()
    assert reply.ephemeral and "ref" in reply.text
    warnings = [e for e in logged if e["event"] == "service unavailable"]
    assert warnings and warnings[0]["user"] == "slack:T9:bob" and warnings[0]["platform"] == "slack"
    assert structlog.contextvars.get_contextvars() == {}  # unbound after the request


def test_a_relays_log_lines_name_the_project_version_and_platform(service, redis_url, fake_slack):
    """A milestone for a build whose thread never appears: the relay's warning says which build it was."""
    reply = service.handle(actor("carol", platform="slack", team="T1"), f"build {PROMPT}")
    assert reply.project_id is not None and reply.version_id is not None
    logged: list[Any] = []

    async def body(relay: Relay) -> None:
        event = ProgressEvent(
            project_id=reply.project_id, version_id=reply.version_id, version=1, kind="step", detail="Template: x"
        )
        with structlog.testing.capture_logs(processors=[structlog.contextvars.merge_contextvars]) as captured:
            await asyncio.get_running_loop().create_task(relay._on_event(event))
        logged.extend(captured)

    run_relay(redis_url, service, fake_slack, body)
    warning = next(e for e in logged if e["event"] == "no thread for a build's progress")
    expected = {"project_id": reply.project_id, "version_id": reply.version_id, "platform": "slack"}
    assert {k: warning.get(k) for k in expected} == expected
    assert structlog.contextvars.get_contextvars() == {}  # bound in the event's own task only
