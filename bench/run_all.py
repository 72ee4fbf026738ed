"""The whole benchmark set in one run, printed as one table (results go to docs/BENCHMARKS.md).

    .venv/bin/python -m bench.run_all [--redis-db 14] [--builds 24] [--ack-seconds 10]

It starts what it measures on the development servers (a throw-away Postgres database and Redis database, a
MongoDB-wire server; see `bench.slack_ack.services`) and measures, in this order:

1. the machine's reference, taken in the same run: Redis PING round trip, and RQ's own no-op job throughput
   (`rq worker --burst`, forking and simple worker classes, RQ's default serializer);
2. catalog lookup: the template list through the Redis cache (warm) and straight from MongoDB, beside the PING;
3. build throughput with 1, 2 and 4 `autoweb worker` processes: builds accepted by the command service while the
   workers wait, builds/s from the first accepted to the last finished (RQ's own timestamps);
4. ledger operations/s (`bench.ledger.one_run`, 50 clients over 2 processes, 5 s);
5. the Slack adapter (`autoweb slack`, via `bench.slack_ack`): ack p50/p99 at 50 req/s open loop, capacity with
   50 concurrent senders, relay latency publish → Web API.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import redis
from rq import Queue
from rq.job import Job

from bench import ledger as ledger_bench
from bench import slack_ack
from bench.scratch import scratch_database
from bot.commands import Actor
from bot.service import CommandService
from bot.settings import BotSettings
from jobs import context
from jobs.context import JobContext
from jobs.overview import alive_workers
from jobs.queue import BUILDS, queue
from jobs.settings import JobSettings
from storage.cache import Cache
from storage.catalog import Catalog
from storage.settings import StorageSettings
from tests.fakes.slack_api import FakeSlackApi

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PROMPT = "a landing page for Sweet Crumbs, a bakery in Leeds, with a menu and contact page"
Row = tuple[str, str, str]
"""(measure, result, target)"""


def timed(fn: Callable[[], object], n: int) -> list[float]:
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return samples


def ms(samples: list[float], p: float) -> float:
    return slack_ack.percentile(samples, p) * 1000


def rq_noop(redis_url: str, jobs: int, worker_class: str) -> float:
    """No-op jobs per second through `rq worker --burst` (RQ's defaults), from RQ's job timestamps."""
    client = redis.Redis.from_url(redis_url)
    q = Queue(f"noop-{uuid.uuid4().hex[:6]}", connection=client)
    enqueued = q.enqueue_many([Queue.prepare_data("os.getpid") for _ in range(jobs)])
    subprocess.run(
        [str(BIN / "rq"), "worker", "--burst", "-q", "-u", redis_url, "-w", worker_class, q.name],
        check=True,
        capture_output=True,
        timeout=300,
    )
    fetched = [j for j in Job.fetch_many([j.id for j in enqueued], connection=client) if j is not None]
    assert len(fetched) == jobs and all(j.ended_at and j.started_at for j in fetched)
    first = min(j.started_at for j in fetched if j.started_at)
    last = max(j.ended_at for j in fetched if j.ended_at)
    return jobs / (last - first).total_seconds()


@contextmanager
def workers(count: int, env: dict[str, str], client: redis.Redis) -> Iterator[None]:
    procs = [
        subprocess.Popen(
            [str(BIN / "autoweb"), "worker", BUILDS], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        for _ in range(count)
    ]
    try:
        deadline = time.monotonic() + 60
        while alive_workers(client, queue(client, BUILDS)) < count:
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                raise SystemExit("the workers did not start")
            time.sleep(0.1)
        yield
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(20)


def build_throughput(ctx: JobContext, service: CommandService, env: dict[str, str], count: int, builds: int) -> float:
    with workers(count, env, ctx.redis):
        started = time.time()
        ids = []
        for i in range(builds):
            actor = Actor(platform="bench", team_id="T", user_id=f"W{count}-{i}", event_id=uuid.uuid4().hex)
            reply = service.handle(actor, f"build {PROMPT}")
            assert reply.version_id is not None, reply.text
            ids.append(f"build-{reply.version_id}")
        deadline = time.monotonic() + 300
        while True:
            jobs = [j for j in Job.fetch_many(ids, connection=ctx.redis) if j is not None]
            if len(jobs) == builds and all(j.ended_at for j in jobs):
                break
            if time.monotonic() > deadline:
                raise SystemExit("builds did not finish within 300 s")
            time.sleep(0.05)
    failed = [j.id for j in jobs if not j.is_finished]
    assert not failed, f"builds failed: {failed[:3]}"
    last = max(j.ended_at for j in jobs if j.ended_at)
    return builds / (last.timestamp() - started)


def ledger_ops(database_url: str) -> tuple[float, int]:
    with scratch_database(database_url, "bench_ledger") as url:
        args = argparse.Namespace(clients=50, users=100, credit=1_000, seconds=5.0, ops=None, processes=2)
        result = ledger_bench.one_run(url, args, seed=1)
    return result["ops_s"], int(result["violations"])


def reference_and_catalog(urls: dict[str, str]) -> list[Row]:
    client = redis.Redis.from_url(urls["REDIS_URL"])
    ping = timed(client.ping, 2000)
    rows: list[Row] = [("Redis PING round trip p50 / p99", f"{ms(ping, 50):.3f} / {ms(ping, 99):.3f} ms", "")]
    for label, cls in (("forking Worker", "rq.worker.Worker"), ("SimpleWorker", "rq.worker.SimpleWorker")):
        rows.append(
            (f"RQ no-op jobs, `rq worker --burst`, {label}", f"{rq_noop(urls['REDIS_URL'], 300, cls):.0f} jobs/s", "")
        )
    cached = Catalog(urls["MONGO_URL"], Cache(client))
    direct = Catalog(urls["MONGO_URL"])
    cached.seed()
    cached.templates()  # warm
    hit, mongo = timed(cached.templates, 1000), timed(direct.templates, 300)
    ping = timed(client.ping, 1000)  # again, next to the lookups
    ratio = statistics.median(hit) / statistics.median(ping)
    rows.append(("catalog: template list, Redis cache hit p50 / p99", f"{ms(hit, 50):.3f} / {ms(hit, 99):.3f} ms", ""))
    rows.append(
        ("catalog: template list, straight from MongoDB p50 / p99", f"{ms(mongo, 50):.2f} / {ms(mongo, 99):.2f} ms", "")
    )
    rows.append(("catalog cache hit / Redis PING (p50)", f"{ratio:.1f}×", "<= 3× ✓" if ratio <= 3 else "<= 3× ✗"))
    cached.close()
    direct.close()
    client.close()
    return rows


def builds_and_ledger(urls: dict[str, str], builds: int) -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as sites:
        env = {**os.environ, **urls, "SITES_DIR": sites, "BUILD_COST": "10", "METRICS_PORT": ""}
        storage = StorageSettings(
            _env_file=None, database_url=urls["DATABASE_URL"], redis_url=urls["REDIS_URL"], mongo_url=urls["MONGO_URL"]
        )
        ctx = JobContext.from_settings(storage, JobSettings(_env_file=None, sites_dir=Path(sites)))
        context.install(ctx)
        settings = BotSettings(
            _env_file=None, signup_credits=1000, user_rate_per_minute=10**6, team_rate_per_minute=10**6
        )
        service = CommandService(ctx, settings)
        try:
            for count in (1, 2, 4):
                rate = build_throughput(ctx, service, env, count, builds)
                target = ("≥ 5 ✓" if rate >= 5 else "≥ 5 ✗") if count == 2 else ""
                rows.append(
                    (f"build throughput, {count} `autoweb worker` ({builds} builds)", f"{rate:.1f} builds/s", target)
                )
        finally:
            close = getattr(service, "close", None)
            if callable(close):
                close()
            ctx.close()
    ops, bad = ledger_ops(urls["DATABASE_URL"])
    rows.append(("ledger ops/s, 50 clients over 2 processes, 5 s", f"{ops:,.0f} ops/s, {bad} violations", "≥ 2,000"))
    return rows


def slack(urls: dict[str, str], ack_seconds: float) -> list[Row]:
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    fake = FakeSlackApi().start()
    try:
        with slack_ack.adapter(urls, fake, processes=2) as (url, _pid):
            slack_ack.measure_open_loop(url, 20, 2)  # warm up
            slack_ack.wait_until_quiet(fake.calls)
            lat = slack_ack.measure_open_loop(url, 50, ack_seconds)
            slack_ack.wait_until_quiet(fake.calls)
            rate, cap = slack_ack.measure_closed_loop(url, 50, 5)
            relay = slack_ack.relay_latency(fake, urls, url, 100, 20)
    finally:
        fake.stop()
    p99 = ms(lat, 99)
    return [
        (
            "Slack ack p50 / p99 at 50 req/s, open loop",
            f"{ms(lat, 50):.1f} / {p99:.1f} ms",
            "p99 <= 10 ms " + ("✓" if p99 <= 10 else "✗"),
        ),
        (
            "Slack ack capacity, 50 senders (p99)",
            f"{rate:.0f} acks/s ({ms(cap, 99):.0f} ms)",
            "≥ 500 " + ("✓" if rate >= 500 else "✗"),
        ),
        (
            "relay publish → Web API p50 / p99",
            f"{ms(relay, 50):.1f} / {ms(relay, 99):.1f} ms",
            "p99 <= 20 ms " + ("✓" if ms(relay, 99) <= 20 else "✗"),
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis-db", type=int, default=14, help="flushed before and after: pick one no test run uses")
    parser.add_argument("--builds", type=int, default=24, help="builds per worker count")
    parser.add_argument("--ack-seconds", type=float, default=10.0)
    args = parser.parse_args()
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    started = time.monotonic()
    with slack_ack.services(args.redis_db) as urls:
        rows = reference_and_catalog(urls)
        rows += builds_and_ledger(urls, args.builds)
        rows += slack(urls, args.ack_seconds)
    load_after = Path("/proc/loadavg").read_text().split()[:3]
    print(
        f"{os.cpu_count()} CPUs; load average {' '.join(load_before)} before, {' '.join(load_after)} after; "
        f"{time.monotonic() - started:.0f} s"
    )
    width = max(len(r[0]) for r in rows) + 2
    print(f"{'measure':<{width}}{'result':<34}target")
    for measure, result, target in rows:
        print(f"{measure:<{width}}{result:<34}{target}")


if __name__ == "__main__":
    main()
