"""HOST, LOG_LEVEL and LOG_FORMAT: the settings an operator sets per process, checked on real processes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bot.settings import BotSettings
from jobs.settings import JobSettings
from storage.embedded import free_port
from storage.settings import StorageSettings

ROOT = Path(__file__).resolve().parent.parent.parent
AUTOWEB = str(Path(sys.executable).parent / "autoweb")
TOKEN = "xoxb-1111-2222-secretbottoken"
SCRIPT = (
    "import logging, structlog\n"
    "from bot.runtime import configure_logging\n"
    "configure_logging('INFO')\n"
    "structlog.get_logger('t').info('an info line', token='" + TOKEN + "')\n"
    "logging.getLogger('rq.worker').warning('a library warning')\n"
)


def run_logging(**env: str) -> list[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("LOG_LEVEL", "LOG_FORMAT", "SLACK_BOT_TOKEN")}
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT], env={**clean, **env}, cwd=ROOT, capture_output=True, timeout=60
    )
    output = run.stderr.decode()
    assert run.returncode == 0, output
    assert TOKEN not in output
    return [line for line in output.splitlines() if line.strip()]


def test_logs_are_json_lines_by_default():
    lines = [json.loads(line) for line in run_logging()]
    assert [(line["event"], line["level"]) for line in lines] == [
        ("an info line", "info"),
        ("a library warning", "warning"),
    ]
    assert lines[0]["token"] == "***"


def test_log_format_console_gives_readable_redacted_lines():
    lines = run_logging(LOG_FORMAT="console")
    assert len(lines) == 2
    for line in lines:
        with pytest.raises(json.JSONDecodeError):
            json.loads(line)
    assert "an info line" in lines[0] and "token=***" in lines[0] and "[info" in lines[0]
    assert "a library warning" in lines[1] and "rq.worker" in lines[1]


def test_log_level_overrides_the_commands_own_level():
    lines = run_logging(LOG_LEVEL="warning")
    assert [json.loads(line)["event"] for line in lines] == ["a library warning"]


def test_settings_refuse_an_unknown_level_or_format():
    with pytest.raises(ValueError):
        BotSettings(_env_file=None, log_level="LOUD")
    with pytest.raises(ValueError):
        BotSettings(_env_file=None, log_format="xml")
    assert BotSettings(_env_file=None).host == "127.0.0.1"


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_serve_binds_the_address_host_names(database_url):
    """HOST=127.0.0.2: the preview server answers there and not on 127.0.0.1 (the default)."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "HOST": "127.0.0.2"}
    env.pop("REDIS_URL", None)
    server = subprocess.Popen(
        [AUTOWEB, "serve", "--port", str(port)], env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                assert get(f"http://127.0.0.2:{port}/healthz") == 200
                break
            except urllib.error.URLError:
                assert server.poll() is None and time.monotonic() < deadline, "the preview server did not start"
                time.sleep(0.05)
        with pytest.raises(urllib.error.URLError):
            get(f"http://127.0.0.1:{port}/healthz")
    finally:
        server.terminate()
        server.wait(10)


def test_every_setting_is_in_env_example_with_a_comment():
    lines = (ROOT / ".env.example").read_text().splitlines()
    for cls in (BotSettings, JobSettings, StorageSettings):
        for field in cls.model_fields:
            name = field.upper()
            at = next((i for i, line in enumerate(lines) if line.startswith(f"{name}=")), None)
            assert at is not None, f"{name} is missing from .env.example"
            above = next(line for line in reversed(lines[:at]) if not re.match(r"^[A-Z_]+=", line))
            assert above.startswith("# ") and "---" not in above, f"{name} has no comment in .env.example"
