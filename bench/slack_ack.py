"""Benchmark of the Slack adapter in HTTP mode: how fast `/autoweb build …` is acknowledged, and how fast the
relay turns a progress event into a Web API call.

It starts what it measures: a throw-away Postgres database and Redis database (REDIS_URL / DATABASE_URL, the
development services), a MongoDB-wire server, the fake Slack Web API and `autoweb slack --port P --processes N`
(default 2, one per core) as a child process, then sends correctly signed `build` commands over HTTP, from a
separate process (the fake's thread would otherwise share the load generator's GIL):

1. latency at a steady rate (open loop: requests leave on schedule whether or not earlier ones were answered,
   latency counted from the scheduled time), target p99 <= 10 ms at 50 req/s;
2. capacity with N concurrent senders (closed loop), target >= 500 acks/s, p99 reported;
3. relay latency from `PUBLISH` of a milestone event to the fake's receipt of its `chat.postMessage`
   (milestones are never held back by the coalescing of status edits), target p99 <= 20 ms.

For the capacity runs it also reports the CPU each accepted build cost the adapter and, on the same machine, the
Postgres and Redis servers, the fake Web API and the load generator: on 2 shared cores, what those use is not
available to the adapter. Each is run 3 times; the table shows each run and the median. Usage:
    .venv/bin/python -m bench.slack_ack [--rate 50] [--seconds 10] [--senders 50] [--processes 2]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Sized
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import psutil
import psycopg
import redis

from bench.scratch import libpq, scratch_database
from jobs.events import ProgressEvent
from storage import keys
from storage.embedded import EmbeddedServices, free_port
from storage.redis_client import db_number
from tests.fakes.slack_api import FakeSlackApi, command_body, signed_headers, text_of

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-signing-secret"
PROMPT = "build a landing page for Sweet Crumbs, a bakery in Leeds, with a menu and contact page"
FORM = "application/x-www-form-urlencoded"
T = TypeVar("T")
REFUSED: list[str] = []
"""Acks that were not an accepted build (errors, refusals): reported, so a fast error is not taken for speed."""


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else float("nan")


@contextmanager
def services(redis_db: int) -> Iterator[dict[str, str]]:
    """A fresh Postgres database and Redis database on the development servers, plus a MongoDB-wire server."""
    base_pg = os.environ.get("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    base_redis = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    redis_url = base_redis.rsplit("/", 1)[0] + f"/{redis_db}"
    redis.Redis.from_url(redis_url).flushdb()
    try:
        with (
            scratch_database(base_pg) as database_url,
            EmbeddedServices(ROOT / "var" / "bench", postgres=False, redis=False, mongo=True) as mongo,
        ):
            yield {"DATABASE_URL": database_url, "REDIS_URL": redis_url, "MONGO_URL": mongo.urls["MONGO_URL"]}
    finally:
        redis.Redis.from_url(redis_url).flushdb()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process and its children (`--processes`) have used so far."""
    parent = psutil.Process(pid)
    return sum(sum(p.cpu_times()[:2]) for p in [parent, *parent.children()])


def service_cpu() -> dict[str, float]:
    """CPU time used so far by the services a build needs besides the adapter, on this machine: every PostgreSQL
    and Redis server process, and this process (the fake Slack Web API's thread)."""
    used = {"postgres": 0.0, "redis": 0.0, "fake Slack API": sum(psutil.Process().cpu_times()[:2])}
    for proc in psutil.process_iter(["name"]):
        name = {"postgres": "postgres", "redis-server": "redis"}.get(proc.info["name"] or "")
        if name:
            with contextlib.suppress(psutil.Error):
                used[name] += sum(proc.cpu_times()[:2])
    return used


@contextmanager
def adapter(urls: dict[str, str], fake: FakeSlackApi, processes: int = 1) -> Iterator[tuple[str, int]]:
    port = free_port()
    env = {
        **os.environ,
        **urls,
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.url,
        "SIGNUP_CREDITS": "1000000",
        "USER_RATE_PER_MINUTE": "1000000",
        "TEAM_RATE_PER_MINUTE": "1000000",
    }
    for unset in ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_APP_TOKEN"):
        env.pop(unset, None)
    log = open(ROOT / "var" / "bench" / "slack.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "autoweb"), "slack", "--port", str(port), "--processes", str(processes)],
        env=env,
        stdout=log,
        stderr=log,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"the adapter did not start; see {log.name}") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/slack/events", proc.pid
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


async def send(session: aiohttp.ClientSession, url: str, user: str, text: str = PROMPT) -> float:
    body = command_body(text, user=user, trigger=f"t-{time.monotonic_ns()}")
    started = time.perf_counter()
    async with session.post(url, data=body.encode(), headers=signed_headers(SECRET, body, FORM)) as response:
        answer = await response.read()
        if response.status != 200 or (answer and text == PROMPT):  # an accepted build is acked with no body
            REFUSED.append(answer.decode()[:200] or f"HTTP {response.status}")
    return time.perf_counter() - started


async def open_loop(url: str, rate: float, seconds: float) -> list[float]:
    """Requests leave on a fixed schedule; latency is measured from the scheduled instant."""
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=200)) as session:
        start = time.perf_counter() + 0.05
        latencies: list[float] = []

        async def one(i: int) -> None:
            await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
            scheduled = start + i / rate
            await send(session, url, f"U{i % 50}")
            latencies.append(time.perf_counter() - scheduled)

        await asyncio.gather(*(one(i) for i in range(int(rate * seconds))))
        return latencies


async def closed_loop(url: str, senders: int, seconds: float, text: str = PROMPT) -> tuple[float, list[float]]:
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=senders)) as session:
        stop = time.perf_counter() + seconds
        latencies: list[float] = []

        async def sender(n: int) -> None:
            while time.perf_counter() < stop:
                latencies.append(await send(session, url, f"U{n}", text))

        started = time.perf_counter()
        await asyncio.gather(*(sender(n) for n in range(senders)))
        return len(latencies) / (time.perf_counter() - started), latencies


def _open_loop_job(url: str, rate: float, seconds: float) -> tuple[list[float], list[str]]:
    return asyncio.run(open_loop(url, rate, seconds)), REFUSED


LOAD_CPU: list[float] = []
"""CPU seconds each closed-loop run cost the load generator itself (signing, HTTP client)."""


def _closed_loop_job(url: str, senders: int, seconds: float, text: str) -> tuple[float, list[float], list[str], float]:
    before = time.process_time()
    rate, latencies = asyncio.run(closed_loop(url, senders, seconds, text))
    return rate, latencies, REFUSED, time.process_time() - before


def _in_own_process(fn: Callable[..., T], *args: Any) -> T:
    """Run a load generator in a process of its own: in this one, the fake Slack API's thread would compete for
    the GIL with the client and add its waits to the latencies measured."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()


def measure_open_loop(url: str, rate: float, seconds: float) -> list[float]:
    """`open_loop`, sent from a separate process."""
    latencies, refused = _in_own_process(_open_loop_job, url, rate, seconds)
    REFUSED.extend(refused)
    return latencies


def measure_closed_loop(url: str, senders: int, seconds: float, text: str = PROMPT) -> tuple[float, list[float]]:
    """`closed_loop`, sent from a separate process."""
    rate, latencies, refused, load_cpu = _in_own_process(_closed_loop_job, url, senders, seconds, text)
    REFUSED.extend(refused)
    LOAD_CPU.append(load_cpu)
    return rate, latencies


def wait_until_quiet(calls: Sized, quiet: float = 1.0, limit: float = 120.0) -> None:
    """Wait until an adapter has posted the threads of everything accepted so far: its fake's list of recorded
    calls (which the fake appends to) has stopped growing for `quiet` seconds."""
    deadline, seen, since = time.monotonic() + limit, -1, time.monotonic()
    while time.monotonic() < deadline:
        if len(calls) != seen:
            seen, since = len(calls), time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
        time.sleep(0.1)


def publish_milestones(
    redis_url: str, project: int, version_id: int, version: int, marker: str, events: int, rate: float
) -> dict[str, float]:
    """Publish `events` milestone events at `rate` per second, as a worker would; return when each was sent."""
    client = redis.Redis.from_url(redis_url)
    sent: dict[str, float] = {}
    for k in range(events):
        detail = f"{marker} {k}"
        event = ProgressEvent(
            project_id=project,
            version_id=version_id,
            version=version,
            kind="step",
            step="Rendering pages",
            detail=detail,
        )
        sent[detail] = time.time()
        client.publish(keys.progress_channel(project, db_number(client)), event.model_dump_json())
        time.sleep(1 / rate)
    client.close()
    return sent


def relay_latency(fake: FakeSlackApi, urls: dict[str, str], url: str, events: int, rate: float) -> list[float]:
    """Publish milestone events for one build registered by the adapter; time until the fake gets each post."""
    wait_until_quiet(fake.calls)
    marker = f"bench-{time.monotonic_ns()}"
    body = command_body(PROMPT, user="URELAY", channel=f"C{marker}")
    urllib.request.urlopen(urllib.request.Request(url, body.encode(), signed_headers(SECRET, body, FORM))).read()
    root = fake.wait_for(lambda: [c for c in fake.of("chat.postMessage") if c.args.get("channel") == f"C{marker}"])
    fake.wait_for(lambda: len([c for c in fake.of("chat.postMessage") if c.args.get("channel") == f"C{marker}"]) > 1)
    project = int(re.search(r"project #(\d+)", text_of(root[0])).group(1))  # type: ignore[union-attr]
    with psycopg.connect(libpq(urls["DATABASE_URL"])) as conn:
        row = conn.execute("SELECT id, number FROM project_versions WHERE project_id = %s", (project,)).fetchone()
    assert row is not None
    first = len(fake.calls)
    sent = publish_milestones(urls["REDIS_URL"], project, row[0], row[1], marker, events, rate)

    def arrived_all() -> dict[str, float] | None:
        got = {text_of(c).removeprefix("✓ "): c.at for c in fake.calls[first:] if marker in text_of(c)}
        return got if len(got) == events else None

    arrived = fake.wait_for(arrived_all, timeout=60, every=0.1)
    return [arrived[d] - sent[d] for d in sent][1:]  # the first one also looks the project up in Postgres


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--senders", type=int, default=50)
    parser.add_argument("--processes", type=int, default=2, help="adapter processes (autoweb slack --processes)")
    parser.add_argument("--capacity-seconds", type=float, default=5.0)
    parser.add_argument("--relay-events", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--redis-db", type=int, default=11, help="flushed before and after: pick one no test run uses")
    args = parser.parse_args()
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    fake = FakeSlackApi().start()
    rows: dict[str, list[float]] = {
        k: []
        for k in (
            *("p50", "p99", "cap", "cap_p99", "cpu", "postgres", "redis", "fake Slack API", "load", "others"),
            *("help", "help_cpu", "relay50", "relay99"),
        )
    }
    load_before = os.getloadavg()[0]
    try:
        with services(args.redis_db) as urls, adapter(urls, fake, args.processes) as (url, pid):
            measure_open_loop(url, 20, 2)  # warm up: connections, caches, first-use imports
            for run in range(args.runs):
                lat = measure_open_loop(url, args.rate, args.seconds)
                rows["p50"].append(percentile(lat, 50) * 1000)
                rows["p99"].append(percentile(lat, 99) * 1000)
                time.sleep(1)
                cpu, services_before = cpu_seconds(pid), service_cpu()
                rate, lat = measure_closed_loop(url, args.senders, args.capacity_seconds)
                wait_until_quiet(fake.calls)  # the threads of the capacity run are posted after the acks
                rows["cpu"].append((cpu_seconds(pid) - cpu) / len(lat) * 1000)
                others = {k: v - services_before[k] for k, v in service_cpu().items()} | {"load": LOAD_CPU[-1]}
                for name, used in others.items():
                    rows[name].append(used / len(lat) * 1000)
                rows["others"].append(sum(others.values()) / len(lat) * 1000)
                rows["cap"].append(rate)
                rows["cap_p99"].append(percentile(lat, 99) * 1000)
                cpu = cpu_seconds(pid)
                rate, lat = measure_closed_loop(url, args.senders, 2, "help")
                rows["help_cpu"].append((cpu_seconds(pid) - cpu) / len(lat) * 1000)
                rows["help"].append(rate)
                relay = relay_latency(fake, urls, url, args.relay_events, 20)
                rows["relay50"].append(percentile(relay, 50) * 1000)
                rows["relay99"].append(percentile(relay, 99) * 1000)
                print(f"run {run + 1} done", file=sys.stderr)
    finally:
        fake.stop()
    labels = {
        "p50": (f"ack p50 at {args.rate:g} req/s, open loop (ms)", ""),
        "p99": (f"ack p99 at {args.rate:g} req/s, open loop (ms)", "<= 10"),
        "cap": (f"capacity, {args.senders} senders (acks/s)", ">= 500"),
        "cap_p99": (f"capacity p99, {args.senders} senders (ms)", ""),
        "cpu": ("adapter CPU per accepted build, incl. thread (ms)", ""),
        "postgres": ("  Postgres CPU per accepted build (ms)", ""),
        "redis": ("  Redis CPU per accepted build (ms)", ""),
        "fake Slack API": ("  fake Slack Web API CPU per accepted build (ms)", ""),
        "load": ("  load generator CPU per accepted build (ms)", ""),
        "others": ("  all but the adapter, per accepted build (ms)", ""),
        "help": (f"`help` (Bolt + HTTP, no database), {args.senders} senders (acks/s)", ""),
        "help_cpu": ("`help`: adapter CPU per ack (ms)", ""),
        "relay50": ("relay publish -> Web API p50 (ms)", ""),
        "relay99": ("relay publish -> Web API p99 (ms)", "<= 20"),
    }
    print(f"{os.cpu_count()} CPUs, load average {load_before:.1f} before and {os.getloadavg()[0]:.1f} after")
    print(f"{'metric':<58}" + "".join(f"{'run ' + str(i + 1):>9}" for i in range(args.runs)) + f"{'median':>9}  target")
    for key, (label, target) in labels.items():
        values = rows[key]
        cells = "".join(f"{v:9.1f}" for v in values)
        print(f"{label:<58}{cells}{statistics.median(values):9.1f}  {target}")
    if REFUSED:
        print(f"{len(REFUSED)} acks were not accepted builds, e.g. {REFUSED[0]!r}")


if __name__ == "__main__":
    main()
