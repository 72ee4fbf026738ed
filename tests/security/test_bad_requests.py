"""Finding: `POST /slack/events` with 100k nested `[` raised RecursionError past the ValueError check: a 500 and a
7 KB traceback at error level. Client errors are 400 with one log line at info level."""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest
import structlog

from bot.service import CommandService
from tests.bot.test_slack import FORM, RunningAdapter

NESTED = "[" * 100_000


def post(url: str, body: bytes, content_type: str) -> int:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [(NESTED.encode(), "application/json"), (urlencode({"payload": NESTED}).encode(), FORM)],
    ids=["json", "form-payload"],
)
def test_deeply_nested_json_is_a_400_with_one_info_line(
    ctx, slack_settings, redis_url, database_url, caplog, body, content_type
):
    slack = RunningAdapter(CommandService(ctx, slack_settings), slack_settings, redis_url, database_url)
    try:
        with caplog.at_level(logging.INFO), structlog.testing.capture_logs() as logs:
            status = post(slack.url, body, content_type)
    finally:
        slack.stop()
    assert status == 400
    refused = [e for e in logs if "refused" in e["event"]]
    assert len(refused) == 1 and refused[0]["log_level"] == "info"
    assert not [e for e in logs if e["log_level"] in ("error", "critical", "exception")]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text[:500]
