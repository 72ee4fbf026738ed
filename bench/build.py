"""Build benchmark: wall time of a 4-page build with its images, catalog warm in the Redis cache.

    python bench/build.py [--runs 15]

Uses DATABASE_URL / REDIS_URL when set (a throw-away database and Redis db 7 are used and cleaned up), embedded
servers otherwise; MongoDB is always an embedded SecantusDB. Prints the median and p90 of (a) the job itself
(`build_site`, as a worker runs it) and (b) end to end, from the chat command to the site on disk, plus the
peak RSS of this process, which plays the worker.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scratch import scratch_database
from bot.commands import Actor  # noqa: E402
from bot.service import CommandService  # noqa: E402
from bot.settings import BotSettings  # noqa: E402
from jobs import context  # noqa: E402
from jobs.build_site import build_site  # noqa: E402
from jobs.context import JobContext  # noqa: E402
from jobs.settings import JobSettings  # noqa: E402
from storage.embedded import EmbeddedServices  # noqa: E402
from storage.settings import StorageSettings  # noqa: E402

PROMPT = "a site for Sweet Crumbs, a bakery in Leeds, with a menu, about and contact page"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    env = StorageSettings()
    root = Path(__file__).resolve().parent.parent / "var" / "bench-build"
    with EmbeddedServices(root, postgres=env.database_url is None, redis=env.redis_url is None) as emb:
        pg = env.database_url or emb.urls["DATABASE_URL"]
        redis_url = env.redis_url or emb.urls["REDIS_URL"]
        with scratch_database(pg, "bench_build") as db_url:
            run(db_url, redis_url.rsplit("/", 1)[0] + "/7", emb.urls["MONGO_URL"], args.runs)


def run(db_url: str, redis_url: str, mongo_url: str, runs: int) -> None:
    with tempfile.TemporaryDirectory() as sites:
        settings = JobSettings(_env_file=None, sites_dir=Path(sites), build_cost=0)
        ctx = JobContext.from_settings(
            StorageSettings(database_url=db_url, redis_url=redis_url, mongo_url=mongo_url), settings
        )
        ctx.redis.flushdb()
        ctx.catalog.seed()
        context.install(ctx)
        service = CommandService(
            ctx, BotSettings(_env_file=None, user_rate_per_minute=10_000, team_rate_per_minute=10_000)
        )
        job_times, e2e_times, pages = [], [], 0
        for i in range(runs + 2):  # the first two warm the catalog cache and imports
            started = time.perf_counter()
            actor = Actor(platform="bench", team_id="T", user_id="U", event_id=uuid.uuid4().hex)
            reply = service.handle(actor, f"build {PROMPT}")
            assert reply.version_id is not None, reply.text
            ctx.redis.delete("rq:queue:builds")  # this process plays the worker: run the job directly
            job_started = time.perf_counter()
            result = build_site(reply.version_id)
            done = time.perf_counter()
            assert result["status"] == "succeeded", result
            pages = len(list(Path(result["site"]).glob("*.html")))
            if i >= 2:
                job_times.append(done - job_started)
                e2e_times.append(done - started)
        ctx.redis.flushdb()
        ctx.catalog.client.drop_database(ctx.catalog.db.name)
        ctx.close()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"build benchmark: {runs} runs, {pages} pages + 4 images per build (hero, logo, favicon, OG card)")
    print(f"{'measure':<34}{'median':>10}{'p90':>10}")
    for label, values in (("build_site job (worker)", job_times), ("command → site on disk", e2e_times)):
        print(f"{label:<34}{statistics.median(values) * 1000:>8.1f}ms{_percentile(values, 0.9) * 1000:>8.1f}ms")
    print(f"{'peak RSS of the worker process':<34}{rss:>8.1f}MB")
    print("target: median ≤ 250 ms")


if __name__ == "__main__":
    main()
