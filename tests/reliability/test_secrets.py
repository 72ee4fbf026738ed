"""Promise 6: secrets (Slack bot token and signing secret, the database password in DATABASE_URL, the Discord
token) never appear in logs, chat messages, HTTP replies or error output — across a failing build, a Redis
outage, a PostgreSQL outage, bad signatures and `autoweb doctor` with everything down."""

from __future__ import annotations

import io
import logging
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
import structlog
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot import messages
from bot.service import CommandService
from jobs import context
from jobs.context import JobContext
from jobs.settings import JobSettings
from jobs.worker import run_burst
from storage.embedded import free_port
from storage.models import CreditTransaction, ProjectVersion
from storage.settings import StorageSettings
from tests.bot.test_slack import FORM, PROMPT, RunningAdapter
from tests.fakes.slack_api import FakeSlackApi, command_body, signed_headers, text_of
from tests.helpers import actor
from tests.reliability.processes import AUTOWEB, ThrowAwayRedis, worker_env

BOT_TOKEN = "xoxb-SECRET-bot-token-4242"
SIGNING = "SECRET-signing-4242"
DB_PASSWORD = "SECRET-db-password-4242"
DISCORD = "SECRET-discord-token-4242"
SECRETS = (BOT_TOKEN, SIGNING, DB_PASSWORD, DISCORD)


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """Everything logged through structlog and the standard logging module, rendered as JSON lines."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.DEBUG)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
        logger_factory=structlog.PrintLoggerFactory(out),
    )
    yield out
    structlog.reset_defaults()
    root.removeHandler(handler)
    root.setLevel(old_level)


def _leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


@pytest.mark.timeout(180)
def test_no_secret_reaches_logs_chat_or_replies_through_failures_and_outages(
    captured, bot_settings, database_url, mongo_url, tmp_path
):
    fake = FakeSlackApi().start()
    redis_server = ThrowAwayRedis(tmp_path / "redis").start()
    settings = bot_settings.model_copy(
        update={
            "slack_bot_token": SecretStr(BOT_TOKEN),
            "slack_signing_secret": SecretStr(SIGNING),
            "discord_bot_token": SecretStr(DISCORD),
            "slack_api_url": fake.url,
        }
    )
    with_password = make_url(database_url).set(password=DB_PASSWORD).render_as_string(hide_password=False)
    (tmp_path / "not-a-directory").write_text("")  # SITES_DIR is a file: every build fails while rendering
    jobs = JobSettings(_env_file=None, sites_dir=tmp_path / "not-a-directory", build_cost=10)
    storage = StorageSettings(database_url=with_password, redis_url=redis_server.url, mongo_url=mongo_url)
    ctx = JobContext.from_settings(storage, jobs)
    ctx.catalog.seed()
    context.install(ctx)
    slack = RunningAdapter(CommandService(ctx, settings), settings, redis_server.url, with_password)
    replies: list[str] = []

    def send(body: str, secret: str = SIGNING) -> None:
        status, reply = _post(slack.url, body, secret)
        replies.append(f"{status} {reply}")

    try:
        send(command_body(f"build {PROMPT}"))
        fake.wait_for(lambda: len(fake.of("chat.postMessage")) >= 2)  # the thread and its status message
        assert run_burst(ctx.redis)  # the build fails (and is logged) while rendering
        fake.wait_for(lambda: [c for c in fake.of("chat.postMessage") if "failed while" in text_of(c)], 15)
        send(command_body("credits"), secret="a-guess")  # refused: nothing about the secret in the answer
        redis_server.stop()  # Redis outage: the command is refused with a reference
        send(command_body(f"build {PROMPT}"))
        redis_server.start()
        time.sleep(1.5)
    finally:
        slack.stop()
        fake.stop()
        ctx.close()
        redis_server.stop()

    down = CommandService(
        JobContext.from_settings(
            StorageSettings(
                database_url=f"postgresql+psycopg://postgres:{DB_PASSWORD}@127.0.0.1:{free_port()}/gone",
                redis_url=f"redis://127.0.0.1:{free_port()}/0",
                mongo_url=mongo_url,
            ),
            jobs,
        ),
        settings,
    )
    replies.append(down.handle(actor("pg-down"), f"build {PROMPT}").text)  # PostgreSQL (and Redis) outage
    down.ctx.close()

    doctor = subprocess.run(
        [AUTOWEB, "doctor"],
        env=worker_env(
            {
                "DATABASE_URL": f"postgresql+psycopg://postgres:{DB_PASSWORD}@127.0.0.1:{free_port()}/gone",
                "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
                "MONGO_URL": f"mongodb://127.0.0.1:{free_port()}/gone",
            },
            tmp_path,
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SIGNING,
            DISCORD_BOT_TOKEN=DISCORD,
            SLACK_API_URL=fake.url,  # the doctor checks the token and its scopes there
            DISCORD_API_URL=f"http://127.0.0.1:{free_port()}/api/v10",
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    logs = captured.getvalue()
    chat = "\n".join(f"{c.method} {c.args}" for c in fake.calls)
    assert "failed while" in chat and "build failed" in logs and "service unavailable" in logs
    assert any("try again" in r.lower() or "retry" in r.lower() for r in replies), replies
    assert doctor.returncode != 0
    for where, text in {
        "logs": logs,
        "chat": chat,
        "replies": "\n".join(replies),
        "doctor": doctor.stdout + doctor.stderr,
    }.items():
        assert _leaks(text) == [], f"{where} leaks {_leaks(text)}"
    assert {c.token for c in fake.calls if c.method != "response_url"} == {BOT_TOKEN}  # it was in use all along


def _post(url: str, body: str, secret: str) -> tuple[int, str]:
    headers = signed_headers(secret, body, FORM)
    try:
        with urllib.request.urlopen(urllib.request.Request(url, body.encode(), headers), timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_only_owners_and_their_team_reach_a_project_and_only_admins_grant(service, ctx, run_jobs):
    """The other half of promise 6, through the service every adapter calls (tests/bot/test_service.py has the
    full matrix): a stranger's command on a project neither runs nor tells them the project exists."""
    built = service.handle(actor("owner", team="T1", platform="slack"), f"build {PROMPT}")
    assert built.project_id is not None and run_jobs()
    p = built.project_id
    teammate = actor("mate", team="T1", platform="slack")
    assert service.handle(teammate, f"status #{p}").text != messages.no_such_project(p)
    for stranger in (actor("eve", team="T2", platform="slack"), actor("owner", team="T1", platform="discord")):
        for command in (
            f"status #{p}",
            f"history #{p}",
            f"edit #{p} make it green",
            f"rollback #{p} v1",
            f"cancel #{p}",
        ):
            assert service.handle(stranger, command).text == messages.no_such_project(p), (stranger, command)
        assert service.handle(stranger, "credits grant owner 1000").text == messages.not_admin()
    with ctx.db.session() as s:
        versions = s.execute(select(func.count()).select_from(ProjectVersion)).scalar_one()
        grants = s.execute(select(func.count()).where(CreditTransaction.type == "grant")).scalar_one()
    assert versions == 1 and grants == 4  # one build; the signup credits of the four identities, nothing granted
