"""Fixtures for the reliability tests: the real Slack adapter against the fake Slack Web API (as in
tests/bot/test_slack.py), started and stopped as often as a test needs to stop and start its relay."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from pydantic import SecretStr

from bot.service import CommandService
from bot.settings import BotSettings
from jobs.context import JobContext
from tests.bot.test_slack import SECRET, RunningAdapter
from tests.fakes.slack_api import FakeSlackApi


@pytest.fixture
def fake_slack() -> Iterator[FakeSlackApi]:
    api = FakeSlackApi().start()
    yield api
    api.stop()


@pytest.fixture
def slack_settings(bot_settings: BotSettings, fake_slack: FakeSlackApi) -> BotSettings:
    return bot_settings.model_copy(
        update={
            "slack_bot_token": SecretStr("xoxb-reliability-token"),
            "slack_signing_secret": SecretStr(SECRET),
            "slack_api_url": fake_slack.url,
        }
    )


@pytest.fixture
def start_slack(
    ctx: JobContext, slack_settings: BotSettings, redis_url: str, database_url: str
) -> Iterator[Callable[[], RunningAdapter]]:
    """Start one more Slack adapter process-alike (its own relay); every one still running is stopped after."""
    running: list[RunningAdapter] = []

    def start() -> RunningAdapter:
        adapter = RunningAdapter(CommandService(ctx, slack_settings), slack_settings, redis_url, database_url)
        running.append(adapter)
        return adapter

    yield start
    for adapter in running:
        if adapter.thread.is_alive():
            adapter.stop()
