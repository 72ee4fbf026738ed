"""`autoweb slack --port P --processes 2`: two HTTP processes share one port, and stop together.

Real subprocesses against the test Postgres, Redis and Mongo, and the fake Slack Web API.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from sqlalchemy import func, select

from storage.embedded import free_port
from storage.models import ProjectVersion
from tests.fakes.slack_api import FakeSlackApi, command_body, signed_headers

AUTOWEB = str(Path(sys.executable).parent / "autoweb")
SECRET = "processes-signing-secret"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def fake_slack() -> Iterator[FakeSlackApi]:
    fake = FakeSlackApi().start()
    yield fake
    fake.stop()


@pytest.fixture
def env(storage_settings, fake_slack) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": storage_settings.database_url or "",
        "REDIS_URL": storage_settings.redis_url or "",
        "MONGO_URL": storage_settings.mongo_url or "",
        "SLACK_BOT_TOKEN": "xoxb-processes",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake_slack.url,
        "USER_RATE_PER_MINUTE": "1000",
        "TEAM_RATE_PER_MINUTE": "1000",
    }
    for unset in ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_APP_TOKEN", "METRICS_PORT"):
        env.pop(unset, None)
    return env


def healthy(port: int) -> bool:
    try:
        body: bytes = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
    except OSError:
        return False
    return body == b"ok"


def listeners(proc: psutil.Process, port: int) -> set[int]:
    """Pids of the process's children that listen on `port`."""
    found = set()
    for child in proc.children():
        try:
            if any(c.laddr.port == port and c.status == psutil.CONN_LISTEN for c in child.net_connections("tcp")):
                found.add(child.pid)
        except psutil.Error:
            pass
    return found


def test_two_processes_share_the_port_answer_builds_and_stop_together(ctx, env, fake_slack, tmp_path):
    port = free_port()
    with open(tmp_path / "slack.log", "wb") as log:
        proc = subprocess.Popen(
            [AUTOWEB, "slack", "--port", str(port), "--processes", "2"], env=env, stdout=log, stderr=log
        )
    parent = psutil.Process(proc.pid)
    try:
        deadline = time.monotonic() + 30
        while len(listeners(parent, port)) < 2 or not healthy(port):
            assert proc.poll() is None and time.monotonic() < deadline, (tmp_path / "slack.log").read_text()
            time.sleep(0.1)
        children = listeners(parent, port)

        for n in range(12):  # new connections: the kernel spreads them over both processes
            body = command_body(f"build a site for bakery number {n}", user=f"U{n}", trigger=f"t-{n}")
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/slack/events", body.encode(), signed_headers(SECRET, body, FORM)
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.status == 200
        with ctx.db.session() as s:
            assert s.scalar(select(func.count()).select_from(ProjectVersion)) == 12
        roots = fake_slack.wait_for(lambda: len(fake_slack.of("chat.postMessage")) >= 24 or None)
        assert roots  # a root and a status message per build

        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0
        assert not any(psutil.pid_exists(pid) and psutil.Process(pid).status() != "zombie" for pid in children)
    finally:
        if proc.poll() is None:
            for child in parent.children():
                child.kill()
            proc.kill()
            proc.wait(5)


def test_a_child_that_dies_stops_the_others_and_the_parent_fails(env, tmp_path):
    port = free_port()
    with open(tmp_path / "slack.log", "wb") as log:
        proc = subprocess.Popen(
            [AUTOWEB, "slack", "--port", str(port), "--processes", "2"], env=env, stdout=log, stderr=log
        )
    parent = psutil.Process(proc.pid)
    try:
        deadline = time.monotonic() + 30
        while len(listeners(parent, port)) < 2:
            assert proc.poll() is None and time.monotonic() < deadline, (tmp_path / "slack.log").read_text()
            time.sleep(0.1)
        victim, other = sorted(listeners(parent, port))
        os.kill(victim, signal.SIGKILL)
        assert proc.wait(20) != 0  # a supervisor (systemd, the Procfile runner) restarts the whole adapter
        assert not psutil.pid_exists(other) or psutil.Process(other).status() == "zombie"
    finally:
        if proc.poll() is None:
            for child in parent.children():
                child.kill()
            proc.kill()
            proc.wait(5)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--processes", "2", "--socket"], "--processes needs HTTP mode and a fixed --port."),
        (["--processes", "2", "--port", "0"], "--processes needs HTTP mode and a fixed --port."),
    ],
)
def test_processes_outside_http_mode_is_refused_in_one_line(env, args, message):
    run = subprocess.run(
        [AUTOWEB, "slack", *args], env={**env, "SLACK_APP_TOKEN": "xapp-1"}, capture_output=True, text=True, timeout=60
    )
    assert (run.returncode, run.stderr.strip(), run.stdout) == (2, message, "")


def test_zero_processes_is_a_usage_error(env):
    run = subprocess.run([AUTOWEB, "slack", "--processes", "0"], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "Traceback" not in run.stderr and "processes" in run.stderr
