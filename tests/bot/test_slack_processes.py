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
from contextlib import contextmanager
from pathlib import Path

import psutil
import pytest
from sqlalchemy import func, select

from storage.embedded import free_port
from storage.models import ProjectVersion
from tests.fakes.slack_api import SIGNING_SECRET, command_body, signed_headers

AUTOWEB = str(Path(sys.executable).parent / "autoweb")
FORM = "application/x-www-form-urlencoded"


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


@contextmanager
def adapter(
    env: dict[str, str], log: Path, processes: int = 2
) -> Iterator[tuple[subprocess.Popen[bytes], int, set[int]]]:
    """`autoweb slack --port P --processes N` until its N children listen; yields (parent, port, children).
    Whatever happens, nothing it started outlives the test."""
    port = free_port()
    with open(log, "wb") as out:
        command = [AUTOWEB, "slack", "--port", str(port), "--processes", str(processes)]
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=out)
    parent = psutil.Process(proc.pid)
    try:
        deadline = time.monotonic() + 30
        while len(listeners(parent, port)) < processes or not healthy(port):
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        yield proc, port, listeners(parent, port)
    finally:
        if proc.poll() is None:
            for child in parent.children():
                child.kill()
            proc.kill()
            proc.wait(5)


def gone(pid: int) -> bool:
    return not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def test_two_processes_share_the_port_answer_builds_and_stop_together(ctx, slack_env, fake_slack, tmp_path):
    with adapter(slack_env, tmp_path / "slack.log") as (proc, port, children):
        for n in range(12):  # new connections: the kernel spreads them over both processes
            body = command_body(f"build a site for bakery number {n}", user=f"U{n}", trigger=f"t-{n}")
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/slack/events", body.encode(), signed_headers(SIGNING_SECRET, body, FORM)
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.status == 200
        with ctx.db.session() as s:
            assert s.scalar(select(func.count()).select_from(ProjectVersion)) == 12
        assert fake_slack.wait_for(lambda: len(fake_slack.of("chat.postMessage")) >= 24 or None)  # root + status

        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0
        assert all(gone(pid) for pid in children)


def test_a_child_that_dies_stops_the_others_and_the_parent_fails(slack_env, tmp_path):
    with adapter(slack_env, tmp_path / "slack.log") as (proc, _, children):
        victim, other = sorted(children)
        os.kill(victim, signal.SIGKILL)
        assert proc.wait(20) != 0  # a supervisor (systemd, the Procfile runner) restarts the whole adapter
        assert gone(other)


def test_children_stop_when_the_parent_is_killed(slack_env, tmp_path):
    with adapter(slack_env, tmp_path / "slack.log") as (proc, port, children):
        proc.kill()  # SIGKILL: the parent cannot pass anything on; the kernel tells the children (PDEATHSIG)
        proc.wait(5)
        deadline = time.monotonic() + 20
        while not all(gone(pid) for pid in children):
            assert time.monotonic() < deadline, "an adapter process outlived its parent"
            time.sleep(0.1)
        assert not healthy(port)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--processes", "2", "--socket"], "--processes needs HTTP mode and a fixed --port."),
        (["--processes", "2", "--port", "0"], "--processes needs HTTP mode and a fixed --port."),
    ],
)
def test_processes_outside_http_mode_is_refused_in_one_line(slack_env, args, message):
    run = subprocess.run(
        [AUTOWEB, "slack", *args],
        env={**slack_env, "SLACK_APP_TOKEN": "xapp-1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (run.returncode, run.stderr.strip(), run.stdout) == (2, message, "")


def test_zero_processes_is_a_usage_error(slack_env):
    run = subprocess.run(
        [AUTOWEB, "slack", "--processes", "0"], env=slack_env, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 2 and "Traceback" not in run.stderr and "processes" in run.stderr
