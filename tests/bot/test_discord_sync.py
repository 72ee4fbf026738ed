"""`autoweb discord sync-commands`: registers /autoweb with Discord (here tests/fakes/discord_api.py, through
DISCORD_API_URL) over REST, globally or in one guild, without connecting to the gateway."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.discord_bot import sync_commands
from bot.settings import BotSettings
from tests.fakes.discord_api import APP_ID, GUILD_ID, FakeDiscord

ROOT = Path(__file__).resolve().parent.parent.parent
AUTOWEB = str(Path(sys.executable).parent / "autoweb")
TOKEN = "discord-sync-token-5h2j"
SUBCOMMANDS = {
    "build",
    "edit",
    "images",
    "status",
    "projects",
    "history",
    "rollback",
    "cancel",
    "credits",
    "credits-grant",
    "templates",
    "help",
}


@pytest.fixture
def fake_discord() -> Iterator[FakeDiscord]:
    api = FakeDiscord(token=TOKEN).start()
    yield api
    api.stop()


def sync_cli(fake: FakeDiscord, *args: str, token: str = TOKEN) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DISCORD_BOT_TOKEN": token, "DISCORD_API_URL": fake.url, "COLUMNS": "300"}
    return subprocess.run(
        [AUTOWEB, "discord", "sync-commands", *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_sync_commands_registers_the_autoweb_group_globally(fake_discord):
    run = sync_cli(fake_discord)
    assert run.returncode == 0, run.stdout + run.stderr
    (group,) = fake_discord.commands
    assert group["name"] == "autoweb" and group["dm_permission"] is False
    subcommands = {o["name"]: o for o in group["options"]}
    assert set(subcommands) == SUBCOMMANDS
    edit = {o["name"]: o for o in subcommands["edit"]["options"]}
    assert edit["project"]["type"] == 4 and edit["project"]["autocomplete"] and edit["instruction"]["type"] == 3
    assert "Synced /autoweb (build, cancel, credits" in run.stdout and "every server" in run.stdout
    assert f"client_id={APP_ID}&scope=bot+applications.commands&permissions=309237730304" in run.stdout
    assert not fake_discord.identified.is_set() and fake_discord.heartbeats == 0  # REST only: no gateway session
    assert [c.route for c in fake_discord.calls] == ["users.me", "application", "commands.put"]
    assert TOKEN not in run.stdout + run.stderr


def test_sync_commands_to_one_guild(fake_discord):
    settings = BotSettings(_env_file=None, discord_bot_token=SecretStr(TOKEN), discord_api_url=fake_discord.url)
    synced, invite = asyncio.run(sync_commands(settings, int(GUILD_ID)))
    assert [c.name for c in synced] == ["autoweb"]
    (group,) = fake_discord.guild_commands[GUILD_ID]
    assert {o["name"] for o in group["options"]} == SUBCOMMANDS
    assert fake_discord.commands == []  # the global list is untouched
    assert invite == (
        f"https://discord.com/oauth2/authorize?client_id={APP_ID}&scope=bot+applications.commands"
        "&permissions=309237730304"
    )


def test_a_refused_token_or_a_rate_limited_sync_is_one_line(fake_discord):
    run = sync_cli(fake_discord, token="discord-wrong-token-0000")
    assert run.returncode == 1 and run.stderr.strip().splitlines() == [
        "Discord refused DISCORD_BOT_TOKEN: check it in the developer portal (Bot → Token)."
    ]
    fake_discord.rate_limit("commands.put", times=10, retry_after=120)  # longer than discord.py waits by itself
    run = sync_cli(fake_discord)
    assert run.returncode == 1 and len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert "Discord rate-limits command updates: try again in 120 s." in run.stderr
    assert "Traceback" not in run.stderr and fake_discord.commands == []


def test_sync_commands_needs_a_token():
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_BOT_TOKEN"}
    run = subprocess.run(
        [AUTOWEB, "discord", "sync-commands"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 1 and "DISCORD_BOT_TOKEN" in run.stderr


def test_autoweb_discord_alone_still_starts_the_adapter():
    """`discord` is a group now; without a subcommand it is the adapter, which says what is missing."""
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_BOT_TOKEN"}
    run = subprocess.run([AUTOWEB, "discord"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    assert run.stderr.strip() == "The Discord adapter is not configured: set DISCORD_BOT_TOKEN (see .env.example)."
