"""`autoweb doctor` checks the chat tokens it is given: Slack's with auth.test and the granted scopes
(`x-oauth-scopes`), Discord's with GET /users/@me, both against the local fakes; no token is ever printed."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from bot import chat_checks, slack_app
from bot.settings import BotSettings
from storage.embedded import free_port
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.slack_api import FakeSlackApi

ROOT = Path(__file__).resolve().parent.parent.parent
SLACK_TOKEN = "xoxb-1111-2222-doctortoken"
DISCORD_TOKEN = "discord-doctor-token-7f3k"


@pytest.fixture
def fake_slack() -> Iterator[FakeSlackApi]:
    api = FakeSlackApi().start()
    yield api
    api.stop()


@pytest.fixture
def fake_discord() -> Iterator[FakeDiscord]:
    api = FakeDiscord(token=DISCORD_TOKEN).start()
    yield api
    api.stop()


def slack_settings(fake: FakeSlackApi, **extra: Any) -> BotSettings:
    values: dict[str, Any] = {
        "slack_bot_token": SecretStr(SLACK_TOKEN),
        "slack_signing_secret": SecretStr("signing"),
        "slack_api_url": fake.url,
    }
    return BotSettings(_env_file=None, **{**values, **extra})


def discord_settings(fake: FakeDiscord, token: str = DISCORD_TOKEN, **extra: Any) -> BotSettings:
    return BotSettings(_env_file=None, discord_bot_token=SecretStr(token), discord_api_url=fake.url, **extra)


def test_a_slack_token_with_every_scope_passes(fake_slack):
    name, ok, detail = chat_checks.slack(slack_settings(fake_slack))
    assert (name, ok) == ("Slack", True) and "@autoweb" in detail
    (call,) = fake_slack.of("auth.test")
    assert call.token == SLACK_TOKEN


def test_a_slack_token_missing_scopes_names_them_and_the_fix(fake_slack):
    fake_slack.scopes = [s for s in slack_app.bot_scopes() if s not in ("users:read.email", "files:read")]
    name, ok, detail = chat_checks.slack(slack_settings(fake_slack))
    assert not ok and "lacks files:read, users:read.email" in detail and "reinstall" in detail
    assert SLACK_TOKEN not in detail


def test_a_revoked_slack_token_or_a_missing_signing_secret_fails(fake_slack):
    fake_slack.revoked.add(SLACK_TOKEN)
    _, ok, detail = chat_checks.slack(slack_settings(fake_slack))
    assert not ok and "invalid_auth" in detail and SLACK_TOKEN not in detail
    _, ok, detail = chat_checks.slack(slack_settings(fake_slack, slack_signing_secret=None))
    assert not ok and "SLACK_SIGNING_SECRET" in detail
    assert chat_checks.slack(BotSettings(_env_file=None))[1:] == (True, "not configured (optional)")


def test_a_discord_token_is_checked_with_users_me(fake_discord):
    _, ok, detail = chat_checks.discord(discord_settings(fake_discord))
    assert ok and "AutoWebIQ" in detail
    assert [c.route for c in fake_discord.calls] == ["users.me"]
    _, ok, detail = chat_checks.discord(discord_settings(fake_discord, token="discord-wrong-token-1234"))
    assert not ok and "401" in detail and "developer portal" in detail and "wrong" not in detail


def test_the_message_content_intent_is_checked_when_asked_for(fake_discord):
    _, ok, detail = chat_checks.discord(discord_settings(fake_discord, discord_message_content=True))
    assert not ok and "Message Content Intent" in detail
    fake_discord.app_flags = 1 << 19  # GATEWAY_MESSAGE_CONTENT_LIMITED: the portal's switch is on
    assert chat_checks.discord(discord_settings(fake_discord, discord_message_content=True))[1]


def test_an_unreachable_api_is_one_line():
    dead = f"http://127.0.0.1:{free_port()}"
    settings = BotSettings(
        _env_file=None,
        discord_bot_token=SecretStr(DISCORD_TOKEN),
        discord_api_url=f"{dead}/api/v10",
        slack_bot_token=SecretStr(SLACK_TOKEN),
        slack_signing_secret=SecretStr("signing"),
        slack_api_url=f"{dead}/api/",
    )
    assert chat_checks.discord(settings)[1:] == (False, "Discord API unreachable (URLError). Check DISCORD_API_URL.")
    _, ok, detail = chat_checks.slack(settings)
    assert not ok and "unreachable" in detail


def test_autoweb_doctor_shows_both_platforms(fake_slack, fake_discord, database_url, redis_url, mongo_url):
    fake_slack.scopes = ["commands", "chat:write"]
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "MONGO_URL": mongo_url,
        "SLACK_BOT_TOKEN": SLACK_TOKEN,
        "SLACK_SIGNING_SECRET": "signing",
        "SLACK_API_URL": fake_slack.url,
        "DISCORD_BOT_TOKEN": DISCORD_TOKEN,
        "DISCORD_API_URL": fake_discord.url,
        "COLUMNS": "400",
    }
    run = subprocess.run(
        [str(Path(sys.executable).parent / "autoweb"), "doctor"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    output = run.stdout + run.stderr
    assert run.returncode == 1, output  # the Slack token lacks scopes (and no worker runs)
    slack_row = next(line for line in output.splitlines() if "Slack" in line)
    discord_row = next(line for line in output.splitlines() if "Discord" in line)
    assert "❌" in slack_row and "users:read.email" in slack_row
    assert "✅" in discord_row and "token accepted" in discord_row
    assert SLACK_TOKEN not in output and DISCORD_TOKEN not in output
