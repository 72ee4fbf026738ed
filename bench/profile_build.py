"""Where an in-process build's CPU goes: cProfile over `--runs` builds of the same prompt (issue 20).

    DATABASE_URL=... REDIS_URL=redis://127.0.0.1:6379/7 python bench/profile_build.py [--runs 30] [--top 25] \
        [--fresh-images | --through-worker]

A scratch database and the Redis db of REDIS_URL (flushed) are used; MongoDB is an embedded SecantusDB. Prints the
job's mean CPU (this thread) per build, its Postgres transactions per build, and the top functions by cumulative
and by own time. The builds share the image cache (same business, same images) unless `--fresh-images` empties it
before each build: that is a first build's cost.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scratch import scratch_database  # noqa: E402
from bot.commands import Actor  # noqa: E402
from bot.service import CommandService  # noqa: E402
from bot.settings import BotSettings  # noqa: E402
from jobs import context, images  # noqa: E402
from jobs.build_site import build_site  # noqa: E402
from jobs.context import JobContext  # noqa: E402
from jobs.settings import JobSettings  # noqa: E402
from jobs.worker import make_worker  # noqa: E402
from storage.embedded import EmbeddedServices  # noqa: E402
from storage.settings import StorageSettings  # noqa: E402

PROMPT = "a site for Sweet Crumbs, a bakery in Leeds, with a menu, about and contact page"


def run(ctx: JobContext, service: CommandService, runs: int, top: int, fresh_images: bool) -> None:
    commits = [0]
    me = threading.get_ident()  # the chat history writer's thread commits too: not the build's

    def count(conn: object) -> None:
        if threading.get_ident() == me:
            commits[0] += 1

    event.listen(ctx.db.engine, "commit", count)
    profile = cProfile.Profile(time.thread_time)  # CPU, not wall time: the machine is shared
    cpu = 0.0
    for i in range(runs + 2):  # two to warm imports, pools and caches
        actor = Actor(platform="bench", team_id="T", user_id="U", event_id=uuid.uuid4().hex)
        reply = service.handle(actor, f"build {PROMPT}")
        assert reply.version_id is not None, reply.text
        ctx.redis.delete("rq:queue:builds")  # this process plays the worker
        if fresh_images:
            shutil.rmtree(images.cache_dir(ctx.settings.sites_dir), ignore_errors=True)
        before, started = commits[0], time.thread_time()
        if i >= 2:
            profile.enable()
        result = build_site(reply.version_id)
        profile.disable()
        if i >= 2:
            cpu += time.thread_time() - started
        assert result["status"] == "succeeded", result
    cache = "empty image cache" if fresh_images else "image cache shared"
    print(
        f"job: {cpu / runs * 1000:.1f} core-ms/build under cProfile ({cache}), {commits[0] - before} Postgres commits"
    )
    stats = pstats.Stats(profile)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def through_worker(ctx: JobContext, service: CommandService, runs: int, top: int) -> None:
    """The same builds run by a warm `autoweb worker` (WarmWorker, burst) in this process: the job plus RQ's
    per-job bookkeeping (dequeue, status, heartbeats, result), all threads' CPU."""
    for _ in range(2):  # warm
        service.handle(Actor(platform="bench", team_id="T", user_id="U", event_id=uuid.uuid4().hex), f"build {PROMPT}")
    make_worker(ctx.redis, ("builds",)).work(burst=True, logging_level="WARNING")
    for _ in range(runs):
        reply = service.handle(
            Actor(platform="bench", team_id="T", user_id="U", event_id=uuid.uuid4().hex), f"build {PROMPT}"
        )
        assert reply.version_id is not None, reply.text
    profile = cProfile.Profile(time.thread_time)  # CPU, not wall time: the machine is shared
    started = time.process_time()
    profile.enable()
    make_worker(ctx.redis, ("builds",)).work(burst=True, logging_level="WARNING")
    profile.disable()
    print(f"worker: {(time.process_time() - started) / runs * 1000:.1f} core-ms/build under cProfile (all threads)")
    stats = pstats.Stats(profile)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--fresh-images", action="store_true", help="empty the image cache before each build")
    parser.add_argument("--through-worker", action="store_true", help="run the builds through a warm RQ worker")
    args = parser.parse_args()
    env = StorageSettings()
    if env.database_url is None or env.redis_url is None:
        raise SystemExit("Set DATABASE_URL and REDIS_URL (PostgreSQL and Redis servers).")
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        with EmbeddedServices(Path(tmp) / "servers", postgres=False, redis=False) as emb:
            with scratch_database(env.database_url, "bench_profile") as db_url:
                storage = StorageSettings(database_url=db_url, redis_url=env.redis_url, mongo_url=emb.urls["MONGO_URL"])
                jobs = JobSettings(_env_file=None, sites_dir=Path(tmp) / "sites", build_cost=0)
                ctx = JobContext.from_settings(storage, jobs)
                try:
                    ctx.redis.flushdb()
                    ctx.catalog.seed()
                    context.install(ctx)
                    limits = BotSettings(_env_file=None, user_rate_per_minute=10**6, team_rate_per_minute=10**6)
                    service = CommandService(ctx, limits)
                    try:
                        if args.through_worker:
                            through_worker(ctx, service, args.runs, args.top)
                        else:
                            run(ctx, service, args.runs, args.top, args.fresh_images)
                    finally:
                        service.history.close()  # its writer thread, before the database goes
                finally:
                    ctx.redis.flushdb()
                    ctx.close()


if __name__ == "__main__":
    main()
