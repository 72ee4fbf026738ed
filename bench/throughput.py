"""Throughput benchmark (issue 20): what a build costs in CPU in-process and through real `autoweb worker`s.

    DATABASE_URL=postgresql+psycopg://... REDIS_URL=redis://127.0.0.1:6379/6 python bench/throughput.py \
        [--rounds 3] [--builds 40] [--inproc-builds 30] [--latency-builds 40] [--rate 2] [--drift-builds 1000]

Needs PostgreSQL and Redis servers (a scratch database is created and dropped; the Redis db of REDIS_URL, 6 unless
--redis-db says, is flushed); MongoDB is an embedded SecantusDB. Interleaved, `--rounds` times each, it measures:
1. the build job in a loop in this process (`build_site(version_id)`, as bench/build.py): core-ms per build (this
   thread's CPU time) and builds/s; every build is of the same business, so its images come from the image cache
   after the first: a third as many builds with the cache emptied before each give a new business's cost;
2. the same builds through 1 and 2 `autoweb worker` processes (warm and `--fork` where the checkout has the flag,
   else its only, forking, mode), with the CPU of the workers and their horses, the database's Postgres backends,
   redis-server, the Mongo server and this process (bench/procstats.py), per build, and builds/s;
3. command → "site ready" (service.handle to the succeeded event) at `--rate` builds/s, open loop, 2 workers;
then once, the RSS drift of one worker of the default mode after `--drift-builds` builds vs after 50.
Prints min and median over the rounds, and last the `throughput:` line of issue 20 (medians, default mode).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit, urlunsplit

import psutil
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness  # noqa: E402
from bench.procstats import GROUPS, CpuMeter, wait_until  # noqa: E402
from bench.scratch import scratch_database  # noqa: E402
from bot.commands import Actor  # noqa: E402
from bot.service import CommandService  # noqa: E402
from bot.settings import BotSettings  # noqa: E402
from jobs import context, images  # noqa: E402
from jobs.build_site import build_site  # noqa: E402
from jobs.context import JobContext  # noqa: E402
from jobs.settings import JobSettings  # noqa: E402
from storage.embedded import EmbeddedServices  # noqa: E402
from storage.models import ProjectVersion  # noqa: E402
from storage.settings import StorageSettings  # noqa: E402

PROMPT = "a site for Sweet Crumbs, a bakery in Leeds, with a menu, about and contact page"
Results = dict[str, list[float]]


@dataclass
class Bench:
    ctx: JobContext
    service: CommandService
    finals: harness.FinalEvents
    env: dict[str, str]
    logs: Path
    db_name: str
    redis_pid: int | None
    mongo_pids: list[int]
    modes: dict[str, list[str]]
    """Worker modes of this checkout: label → `autoweb worker` options; the first is the default."""

    def command(self) -> tuple[float, int]:
        """One build command, as a chat user sends it: (monotonic start, version id)."""
        started = time.monotonic()
        actor = Actor(platform="bench", team_id="T", user_id="U", event_id=uuid.uuid4().hex)
        reply = self.service.handle(actor, f"build {PROMPT}")
        if reply.version_id is None:
            raise RuntimeError(f"build refused: {reply.text}")
        return started, reply.version_id

    def meter(self, workers: harness.Workers | None = None) -> CpuMeter:
        fixed = dict.fromkeys(self.mongo_pids, "mongo") | dict.fromkeys(workers.pids if workers else [], "workers")
        return CpuMeter(self.db_name, self.redis_pid, fixed, [self.finals.clock])

    def await_builds(self, versions: list[int], timeout: float) -> None:
        """Wait for every version's final event (checked in Postgres if an event was lost) and require success."""
        self.finals.wait(versions, timeout)
        with self.ctx.db.session() as s:
            rows = s.query(ProjectVersion.status).filter(ProjectVersion.id.in_(versions)).all()
        failed = [status for (status,) in rows if status != "succeeded"]
        if failed or len(rows) != len(versions):
            raise RuntimeError(
                f"{len(failed)} of {len(versions)} builds did not succeed ({set(failed)}); see {self.logs}"
            )


def _redis_url(url: str, db: int) -> str:
    if db == 0 or db >= 9:
        raise SystemExit("Redis db 0 and 9-15 belong to others: choose another --redis-db")
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{db}"))


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


# --- measures -------------------------------------------------------------------------------------------------


def in_process(b: Bench, builds: int, out: Results) -> None:
    """The limit: `build_site` called in this thread, the queue left to nobody."""
    for _ in range(2):  # warm imports, pools and caches
        _, version = b.command()
        b.ctx.redis.delete("rq:queue:builds")
        build_site(version)
    cpu = wall = 0.0
    meter = b.meter()
    meter.start()
    for _ in range(builds):
        _, version = b.command()
        b.ctx.redis.delete("rq:queue:builds")  # this process plays the worker: run the job directly
        started, started_cpu = time.perf_counter(), time.thread_time()
        result = build_site(version)
        cpu += time.thread_time() - started_cpu
        wall += time.perf_counter() - started
        if result["status"] != "succeeded":
            raise RuntimeError(f"in-process build failed: {result}")
    totals = meter.stop()
    out["inproc job core-ms/build"].append(cpu / builds * 1000)
    out["inproc builds/s (1 core)"].append(builds / wall)
    out["inproc with command+servers ms/build"].append(sum(totals.values()) / builds * 1000)
    out["inproc job, empty image cache, core-ms"].append(_first_images(b, max(builds // 3, 1)))


def _first_images(b: Bench, builds: int) -> float:
    """The job's core-ms when its images are not in the cache yet (a new business): the cache emptied first."""
    cache_dir = getattr(images, "cache_dir", None)  # None in a checkout from before the image cache
    cpu = 0.0
    for _ in range(builds):
        _, version = b.command()
        b.ctx.redis.delete("rq:queue:builds")
        if cache_dir is not None:
            shutil.rmtree(cache_dir(b.ctx.settings.sites_dir), ignore_errors=True)
        started_cpu = time.thread_time()
        build_site(version)
        cpu += time.thread_time() - started_cpu
    return cpu / builds * 1000


def through_workers(b: Bench, workers: harness.Workers, builds: int, label: str, out: Results) -> None:
    """`builds` commands at once; CPU of every process and builds/s until the last one is ready."""
    meter = b.meter(workers)
    meter.start()
    started = time.monotonic()
    versions = [b.command()[1] for _ in range(builds)]
    b.finals.wait(versions, 60 + builds * 3)
    elapsed = max(b.finals.arrived[v][0] for v in versions if v in b.finals.arrived) - started
    wait_until(workers.idle, 10, 0.02)
    time.sleep(0.1)  # the workers' bookkeeping after the final event
    totals = meter.stop()
    b.await_builds(versions, 1)
    out[f"{label} CPU ms/build"].append(sum(totals.values()) / builds * 1000)
    out[f"{label} builds/s"].append(builds / elapsed)
    for group in GROUPS:
        out[f"{label}   {group} ms/build"].append(totals[group] / builds * 1000)
    out[f"{label}   (meter, not counted) ms/build"].append(meter.overhead / builds * 1000)


def latency(b: Bench, builds: int, rate: float, label: str, out: Results) -> None:
    """Open loop: a command every 1/rate s whatever the previous ones are doing; command → succeeded event."""
    t0 = time.monotonic()
    sent: list[tuple[float, int]] = []
    for i in range(builds):
        delay = t0 + i / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        sent.append(b.command())
    b.await_builds([v for _, v in sent], 60 + builds * 3)
    ms = [(b.finals.arrived[v][0] - start) * 1000 for start, v in sent]
    out[f"{label} p50 ms"].append(statistics.median(ms))
    out[f"{label} p99 ms"].append(_percentile(ms, 0.99))


def warm_up(b: Bench, workers: harness.Workers) -> None:
    versions = [b.command()[1] for _ in range(3 * len(workers.procs))]
    b.await_builds(versions, 120)


def one_round(b: Bench, args: argparse.Namespace, out: Results) -> None:
    in_process(b, args.inproc_builds, out)
    for mode, options in b.modes.items():
        for count in (1, 2):
            with harness.running(b.env, b.logs, count, options, b.ctx.redis) as workers:
                warm_up(b, workers)
                through_workers(b, workers, args.builds, f"{mode} x{count}", out)
                if count == 2:
                    latency(b, args.latency_builds, args.rate, f"{mode} x2 latency", out)
    out["load (1 min)"].append(os.getloadavg()[0])


def rss_drift(b: Bench, builds: int) -> tuple[float, list[tuple[int, float]]]:
    """RSS of one worker of the default mode after `builds` builds vs after 50: (ratio - 1, the RSS series)."""
    series: list[tuple[int, float]] = []
    with harness.running(b.env, b.logs, 1, next(iter(b.modes.values())), b.ctx.redis) as workers:
        done = 0
        while done < builds:
            batch = min(50, builds - done)
            b.await_builds([b.command()[1] for _ in range(batch)], 60 + batch * 3)
            done += batch
            wait_until(workers.idle, 10, 0.02)
            series.append((done, workers.rss() / 2**20))
    base = next(mb for n, mb in series if n >= 50)
    return series[-1][1] / base - 1, series


def report(b: Bench, out: Results, drift: float, series: list[tuple[int, float]]) -> None:
    print(f"{'measure':<44}{'min':>10}{'median':>10}")
    for name, values in out.items():
        print(f"{name:<44}{min(values):>10.1f}{statistics.median(values):>10.1f}")
    whose = "one warm worker" if "warm" in b.modes else "one forking worker's parent (jobs run in horses)"
    print(f"RSS of {whose}, MB after n builds: " + ", ".join(f"{n}: {mb:.1f}" for n, mb in series))
    med = {name: statistics.median(values) for name, values in out.items()}
    default = next(iter(b.modes))
    job = med["inproc job core-ms/build"]
    cpu_ratio = med[f"{default} x2 CPU ms/build"] / job
    builds_ratio = med[f"{default} x2 builds/s"] / (2 / (job / 1000))
    print(f"default mode: {default}; load average at end {_load()}")
    print(
        f"throughput: cpu_ratio={cpu_ratio:.2f} builds_ratio={builds_ratio:.2f} "
        f"p50_ms={med[f'{default} x2 latency p50 ms']:.0f} p99_ms={med[f'{default} x2 latency p99 ms']:.0f} "
        f"job_ms={job:.1f} rss_drift={drift:.3f}"
    )


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


@contextmanager
def _bench(db_url: str, redis_url: str, mongo_url: str, tmp: Path) -> Iterator[Bench]:
    """The load generator's context and command service, and the workers' environment; Redis flushed after."""
    sites, logs = tmp / "sites", tmp / "logs"
    sites.mkdir()
    logs.mkdir()
    storage = StorageSettings(database_url=db_url, redis_url=redis_url, mongo_url=mongo_url)
    ctx = JobContext.from_settings(storage, JobSettings(_env_file=None, sites_dir=sites, build_cost=0))
    try:
        ctx.redis.flushdb()
        ctx.catalog.seed()
        context.install(ctx)
        limits = BotSettings(_env_file=None, user_rate_per_minute=1_000_000, team_rate_per_minute=1_000_000)
        service = CommandService(ctx, limits)
        finals = harness.FinalEvents(ctx.redis)
        me = psutil.Process()
        mongo = [p.pid for p in me.children(recursive=True) if "secantus" in " ".join(p.cmdline())]
        modes = {"warm": [], "fork": ["--fork"]} if harness.has_fork_flag() else {"fork": []}
        urls = {"DATABASE_URL": db_url, "REDIS_URL": redis_url, "MONGO_URL": mongo_url}
        redis_pid = int(ctx.redis.info("server")["process_id"])
        try:
            yield Bench(
                ctx,
                service,
                finals,
                harness.worker_env(urls, sites),
                logs,
                make_url(db_url).database or "",
                redis_pid,
                mongo,
                modes,
            )
        finally:
            finals.close()
            service.history.close()
    finally:
        ctx.redis.flushdb()
        ctx.close()


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--builds", type=int, default=40, help="builds per worker measure")
    parser.add_argument("--inproc-builds", type=int, default=30)
    parser.add_argument("--latency-builds", type=int, default=40)
    parser.add_argument("--rate", type=float, default=2.0, help="builds/s of the latency measure")
    parser.add_argument(
        "--drift-builds", type=int, default=1000, help="builds of the RSS drift measure (issue 20: 1000)"
    )
    parser.add_argument("--redis-db", type=int, default=6)
    return parser.parse_args()


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds: workers stopped, scratch database dropped


def main() -> None:
    args = _args()
    env = StorageSettings()
    if env.database_url is None or env.redis_url is None:
        raise SystemExit("Set DATABASE_URL and REDIS_URL (PostgreSQL and Redis servers).")
    signal.signal(signal.SIGTERM, _terminate)
    print(f"throughput benchmark at {time.strftime('%H:%M:%S')}: {os.cpu_count()} cores, load average {_load()}")
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-throughput-")))
        emb = EmbeddedServices(tmp / "servers", postgres=False, redis=False)
        stack.callback(emb.stop)
        emb.start()
        db_url = stack.enter_context(scratch_database(env.database_url, "bench_throughput"))
        b = stack.enter_context(_bench(db_url, _redis_url(env.redis_url, args.redis_db), emb.urls["MONGO_URL"], tmp))
        try:
            out: Results = defaultdict(list)
            for n in range(args.rounds):
                one_round(b, args, out)
                print(f"round {n + 1}/{args.rounds} done at {time.strftime('%H:%M:%S')}, load average {_load()}")
            drift, series = rss_drift(b, args.drift_builds)
        except BaseException:
            _print_logs(b.logs)
            raise
    report(b, out, drift, series)


def _print_logs(logs: Path) -> None:
    for log in sorted(logs.glob("*.log")):
        tail = log.read_text(errors="replace").splitlines()[-15:]
        print(f"--- {log.name} (last lines)", *tail, sep="\n", file=sys.stderr)


if __name__ == "__main__":
    main()
