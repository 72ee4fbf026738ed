"""Fixtures for the reliability tests: the real Slack adapter against the fake Slack Web API (as in
tests/bot/test_slack.py), started and stopped as often as a test needs to stop and start its relay."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from bot.service import CommandService
from bot.settings import BotSettings
from jobs.context import JobContext
from tests.bot.test_slack import RunningAdapter


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
