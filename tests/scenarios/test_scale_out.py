"""Scale-out: 4 `autoweb worker` processes and 2 `autoweb slack` processes against one Postgres, Redis and Mongo.

Builds are sent, correctly signed, to both adapters. Every job must run once (one execution across all workers,
counted by the workers' own metrics and by their logs, one hold and one capture each), and every progress update
and final message must reach the (fake) chat once, not once per adapter process: both relays see every event.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from storage.embedded import free_port
from storage.models import CreditTransaction, ProjectVersion
from tests.fakes.slack_api import SIGNING_SECRET, command_body, signed_headers, text_of

ROOT = Path(__file__).resolve().parent.parent.parent
AUTOWEB = str(Path(sys.executable).parent / "autoweb")
SECRET = SIGNING_SECRET
PROMPT = "a landing page for Sweet Crumbs, a bakery in Leeds, with a menu and contact page"
WORKERS, ADAPTERS, BUILDS = 4, 2, 8
ANSI = re.compile(r"\x1b\[[0-9;]*m")
TAKEN = re.compile(r": builds: (build-\d+)$")
"""RQ's line when a worker takes a job off the queue."""


class Processes:
    """Child processes with their logs; every one is killed at the end, whatever happened."""

    def __init__(self, logs: Path) -> None:
        self.logs, self.procs = logs, []  # type: ignore[var-annotated]
        logs.mkdir(parents=True, exist_ok=True)

    def start(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        with open(self.logs / f"{name}.log", "wb") as out:
            proc = subprocess.Popen([AUTOWEB, *args], env=env, stdout=out, stderr=out, cwd=ROOT)
        self.procs.append((name, proc))
        return proc

    def log(self, name: str) -> str:
        return ANSI.sub("", (self.logs / f"{name}.log").read_text(errors="replace"))

    def events(self, name: str) -> list[str]:
        """The `event` of each JSON log line (every line a process logs is one JSON object)."""
        return [str(json.loads(line)["event"]) for line in self.log(name).splitlines() if line.startswith("{")]

    def check_alive(self) -> None:
        for name, proc in self.procs:
            assert proc.poll() is None, f"{name} exited:\n{self.log(name)[-3000:]}"

    def stop(self) -> None:
        for _, proc in self.procs:
            proc.terminate()
        for _, proc in self.procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    running = Processes(tmp_path / "logs")
    yield running
    running.stop()


def wait_until(check: Any, timeout: float, processes: Processes, every: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := check():
            return value
        processes.check_alive()
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s")


def get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return str(response.read().decode())
    except OSError:
        return None


def send_build(port: int, user: str, channel: str) -> None:
    body = command_body(f"build {PROMPT}", user=user, channel=channel, trigger=f"trigger-{user}")
    headers = signed_headers(SECRET, body, "application/x-www-form-urlencoded")
    request = urllib.request.Request(f"http://127.0.0.1:{port}/slack/events", body.encode(), headers, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200 and response.read() == b""  # accepted: no ephemeral refusal


def executions(text: str) -> float:
    return sum(
        s.value
        for f in text_string_to_metric_families(text)
        for s in f.samples
        if s.name == "autoweb_job_duration_seconds_count" and s.labels.get("job") == "build_site"
    )


def test_four_workers_and_two_adapters_run_each_job_once_and_post_each_message_once(
    ctx, slack_env, fake_slack, processes
):
    started = time.monotonic()
    env = slack_env
    metric_ports = [free_port() for _ in range(WORKERS)]
    for n, port in enumerate(metric_ports):
        processes.start(f"worker{n}", ["worker", "--metrics-port", str(port)], env)
    adapter_ports = [free_port() for _ in range(ADAPTERS)]
    for n, port in enumerate(adapter_ports):
        processes.start(f"slack{n}", ["slack", "--port", str(port)], env)
    for port in adapter_ports:  # ready: Postgres at head, Redis, and the relay subscribed
        wait_until(lambda port=port: get(f"http://127.0.0.1:{port}/readyz"), 30, processes)
    for port in metric_ports:
        wait_until(lambda port=port: get(f"http://127.0.0.1:{port}/metrics"), 30, processes)

    for i in range(BUILDS):
        send_build(adapter_ports[i % ADAPTERS], user=f"U{i}", channel=f"C{i}")

    def finals() -> list[Any] | None:
        done = [c for c in fake_slack.of("chat.postMessage") if "is live" in text_of(c)]
        return done if len(done) >= BUILDS else None

    wait_until(finals, 45, processes)
    time.sleep(1.5)  # longer than the status throttle: a duplicate post or edit would show up by now

    # Every job ran once: one execution across all workers, by their metrics and by their logs.
    runs = sum(executions(get(f"http://127.0.0.1:{port}/metrics") or "") for port in metric_ports)
    assert runs == BUILDS
    dequeued = {
        n: [m.group(1) for e in processes.events(f"worker{n}") if (m := TAKEN.search(e))] for n in range(WORKERS)
    }
    taken = Counter(job for jobs in dequeued.values() for job in jobs)
    assert len(taken) == BUILDS and set(taken.values()) == {1}, taken
    busy = [n for n, jobs in dequeued.items() if jobs]
    assert len(busy) >= 2, "the builds were not spread over the workers"
    with ctx.db.session() as s:
        versions = s.execute(select(ProjectVersion)).scalars().all()
        ledger = Counter(t.type for t in s.execute(select(CreditTransaction)).scalars())
    assert len(versions) == BUILDS and {v.status for v in versions} == {"succeeded"}
    assert ledger["hold"] == BUILDS and ledger["capture"] == BUILDS and ledger["release"] == 0

    # Every message reached the chat once, whichever adapter accepted the command.
    for i in range(BUILDS):
        roots = [c for c in fake_slack.of("chat.postMessage") if c.args.get("channel") == f"C{i}"]
        root = [c for c in roots if "thread_ts" not in c.args]
        assert len(root) == 1, [text_of(c) for c in root]
        thread = [c for c in roots if c.args.get("thread_ts") == root[0].ts]
        posts = [text_of(c) for c in thread]
        assert len(posts) == len(set(posts)), posts  # no milestone or final posted twice
        assert sum("is live" in p for p in posts) == 1 and sum(p.startswith("✓ Template") for p in posts) == 1
        # One status message (the thread's first post), edited in place; nothing else in the channel is edited.
        edited = [c for c in fake_slack.of("chat.update") if c.args.get("channel") == f"C{i}"]
        assert {c.ts for c in edited} == {thread[0].ts}
        edits = [text_of(c) for c in edited]
        assert "done in" in edits[-1]
        assert all(a != b for a, b in zip(edits, edits[1:], strict=False)), edits  # no state shown twice
    assert fake_slack.of("chat.postEphemeral") == []
    assert time.monotonic() - started < 60
