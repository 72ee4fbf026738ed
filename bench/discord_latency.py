"""Benchmark of the Discord adapter: how fast an interaction is deferred, and how fast the relay turns a progress
event into a REST call.

It starts what it measures: a throw-away Postgres database and Redis database (DATABASE_URL / REDIS_URL, the
development services), a MongoDB-wire server, the fake Discord (REST + gateway, tests/fakes/discord_api.py) and
`autoweb discord` as a child process pointed at it, then:

1. interaction → defer: `/autoweb build` interactions dispatched over the gateway at a steady rate (open loop:
   they leave on schedule whether or not earlier ones were answered); latency from the dispatch to the fake's
   receipt of the type-5 callback. Target p99 <= 25 ms.
2. relay: milestone events PUBLISHed for one build; latency from the PUBLISH to the fake's receipt of the
   message POST in the build's thread (milestones are never held back by the coalescing of status edits, and the
   fake's rate-limit headers never exhaust a bucket). Target p99 <= 20 ms.

Each is run 3 times; the table shows each run and the median. Usage:
    .venv/bin/python -m bench.discord_latency [--interactions 300] [--rate 50] [--relay-events 200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from bench.slack_ack import cpu_seconds, percentile, publish_milestones, services, wait_until_quiet
from tests.fakes.discord_api import FakeDiscord, slash, text_channel

ROOT = Path(__file__).resolve().parent.parent
PROMPT = "a landing page for Sweet Crumbs, a bakery in Leeds, with a menu and contact page"


@contextmanager
def adapter(urls: dict[str, str], fake: FakeDiscord) -> Iterator[int]:
    env = {
        **os.environ,
        **urls,
        "DISCORD_BOT_TOKEN": "bench-token",
        "DISCORD_API_URL": fake.url,
        "DISCORD_GATEWAY_URL": fake.gateway_url,
        "SIGNUP_CREDITS": "1000000",
        "USER_RATE_PER_MINUTE": "1000000",
        "TEAM_RATE_PER_MINUTE": "1000000",
    }
    log = open(ROOT / "var" / "bench" / "discord.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([str(Path(sys.executable).parent / "autoweb"), "discord"], env=env, stdout=log, stderr=log)
    try:
        if not fake.identified.wait(30):
            raise SystemExit(f"the adapter did not connect; see {log.name}")
        fake.wait_for(lambda: fake.commands, timeout=10)
        yield proc.pid
    finally:
        proc.terminate()
        proc.wait(15)
        log.close()


def defer_latency(fake: FakeDiscord, count: int, rate: float, channel: str) -> list[float]:
    """Dispatch `count` build interactions on a fixed schedule; seconds from each dispatch to its defer."""
    start, ids = time.perf_counter() + 0.05, []
    for i in range(count):
        time.sleep(max(0.0, start + i / rate - time.perf_counter()))
        payload = slash("build", {"prompt": PROMPT}, by=str(1_500_000_000_000_000_000 + i % 50))
        payload["channel"] = text_channel(channel)
        payload["channel_id"] = channel
        fake.dispatch("INTERACTION_CREATE", payload)
        ids.append(payload["id"])

    def deferred() -> dict[str, float] | None:
        got = {c.path["id"]: c.at for c in fake.of("callback") if c.path["id"] in set(ids)}
        return got if len(got) == len(ids) else None

    arrived = fake.wait_for(deferred, timeout=60, every=0.1)
    return [arrived[i] - fake.dispatched[i] for i in ids]


def relay_latency(fake: FakeDiscord, urls: dict[str, str], events: int, rate: float) -> list[float]:
    """Publish milestone events for one accepted build; seconds until the fake gets each post in its thread."""
    marker = f"bench-{time.monotonic_ns()}"
    channel = str(1_600_000_000_000_000_000 + time.monotonic_ns() % 1_000_000)
    before = len(fake.of("thread.start"))
    defer_latency(fake, 1, 1.0, channel)
    started = fake.wait_for(lambda: fake.of("thread.start")[before:], timeout=30)[0]
    thread = started.result["id"]
    fake.wait_for(lambda: fake.in_channel(thread), timeout=30)  # its status message: the relay knows the thread
    with psycopg.connect(urls["DATABASE_URL"].replace("+psycopg", "")) as conn:
        row = conn.execute("SELECT id, number, project_id FROM project_versions ORDER BY id DESC LIMIT 1").fetchone()
    assert row is not None
    first = len(fake.calls)
    sent = publish_milestones(urls["REDIS_URL"], row[2], row[0], row[1], marker, events, rate)

    def arrived_all() -> dict[str, float] | None:
        got = {
            str(c.body.get("content", "")).removeprefix("✓ "): c.at
            for c in fake.calls[first:]
            if c.route == "message.post" and marker in str(c.body.get("content", ""))
        }
        return got if len(got) == events else None

    arrived = fake.wait_for(arrived_all, timeout=60, every=0.1)
    return [arrived[d] - sent[d] for d in sent][1:]  # the first one also looks the project up in Postgres


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactions", type=int, default=300)
    parser.add_argument("--rate", type=float, default=50.0, help="interactions per second")
    parser.add_argument("--relay-events", type=int, default=200)
    parser.add_argument("--relay-rate", type=float, default=20.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--redis-db", type=int, default=12, help="flushed before and after: pick one no test run uses")
    args = parser.parse_args()
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    fake = FakeDiscord().start()
    rows: dict[str, list[float]] = {k: [] for k in ("defer50", "defer99", "cpu", "relay50", "relay99")}
    load_before = os.getloadavg()[0]
    try:
        with services(args.redis_db) as urls, adapter(urls, fake) as pid:
            defer_latency(fake, 20, 20, "1700000000000000001")  # warm up: connections, caches, first-use imports
            wait_until_quiet(fake.calls)
            for run in range(args.runs):
                cpu = cpu_seconds(pid)
                lat = defer_latency(fake, args.interactions, args.rate, str(1_700_000_000_000_000_002 + run))
                rows["defer50"].append(percentile(lat, 50) * 1000)
                rows["defer99"].append(percentile(lat, 99) * 1000)
                wait_until_quiet(fake.calls)  # the threads of this run are started after the defers
                rows["cpu"].append((cpu_seconds(pid) - cpu) / args.interactions * 1000)
                relay = relay_latency(fake, urls, args.relay_events, args.relay_rate)
                rows["relay50"].append(percentile(relay, 50) * 1000)
                rows["relay99"].append(percentile(relay, 99) * 1000)
                print(f"run {run + 1} done", file=sys.stderr)
    finally:
        fake.stop()
    labels = {
        "defer50": (f"interaction -> defer p50 at {args.rate:g}/s, open loop (ms)", ""),
        "defer99": (f"interaction -> defer p99 at {args.rate:g}/s, open loop (ms)", "<= 25"),
        "cpu": ("adapter CPU per accepted build, incl. its thread (ms)", ""),
        "relay50": ("relay publish -> REST call p50 (ms)", ""),
        "relay99": ("relay publish -> REST call p99 (ms)", "<= 20"),
    }
    print(f"{os.cpu_count()} CPUs, load average {load_before:.1f} before and {os.getloadavg()[0]:.1f} after")
    print(f"{'metric':<52}" + "".join(f"{'run ' + str(i + 1):>9}" for i in range(args.runs)) + f"{'median':>9}  target")
    for key, (label, target) in labels.items():
        values = rows[key]
        print(f"{label:<52}{''.join(f'{v:9.1f}' for v in values)}{statistics.median(values):9.1f}  {target}")


if __name__ == "__main__":
    main()
