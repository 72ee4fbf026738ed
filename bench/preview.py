"""Preview benchmark: a hot page from the preview server with the local site store vs the S3 one (moto in server
mode), in the same run, and the time to publish a version (worker → store) on each.

    python bench/preview.py [--seconds 8] [--concurrency 16] [--publishes 15]

Uses DATABASE_URL / REDIS_URL when set (a throw-away database and Redis db 7), embedded servers otherwise; MongoDB
is an embedded SecantusDB. Each preview server is a real `autoweb serve` process; the load comes from this process
(aiohttp, `--concurrency` connections) on the project's current page (`/p/<token>/`: token lookup in PostgreSQL,
then the page, from the hot-file cache once served). Prints requests/s, p50 and p99 per backend and the S3/local
ratios; the target is an S3 hot-page p99 within 2× of the local one.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scratch import scratch_database  # noqa: E402
from bot.commands import Actor  # noqa: E402
from bot.service import CommandService  # noqa: E402
from bot.settings import BotSettings  # noqa: E402
from jobs import context, generator  # noqa: E402
from jobs.build_site import build_site  # noqa: E402
from jobs.context import JobContext  # noqa: E402
from jobs.settings import JobSettings  # noqa: E402
from storage.embedded import EmbeddedServices, free_port  # noqa: E402
from storage.settings import StorageSettings  # noqa: E402
from tests.helpers import preview_token  # noqa: E402
from tests.s3_server import ACCESS_KEY, SECRET_KEY, MotoServer, on_s3  # noqa: E402

PROMPT = "a site for Sweet Crumbs, a bakery in Leeds, with a menu, about and contact page"
AUTOWEB = str(Path(sys.executable).with_name("autoweb"))


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def _load(url: str, seconds: float, concurrency: int) -> tuple[float, list[float]]:
    """(requests/s, latencies in s) of `concurrency` clients fetching `url` for `seconds`."""
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def client() -> None:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                async with session.get(url) as answer:
                    await answer.read()
                    assert answer.status == 200, answer.status
                latencies.append(time.perf_counter() - started)

        began = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(concurrency)))
        return len(latencies) / (time.perf_counter() - began), latencies


def _serve(env: dict[str, str], cwd: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    proc = subprocess.Popen(
        [AUTOWEB, "serve", "--port", str(port)], env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            asyncio.run(_load(f"http://127.0.0.1:{port}/healthz", 0.01, 1))
            return proc, port
        except (OSError, aiohttp.ClientError):
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("autoweb serve did not start")


def _env(urls: dict[str, str], settings: JobSettings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SITES_", "S3_", "AWS_", "METRICS_"))}
    env.update(urls, SITES_DIR=str(settings.sites_dir), WORK_DIR=str(settings.work_dir))
    if not settings.is_local:
        env.update(
            SITES_URL=settings.sites_url or "",
            S3_ENDPOINT_URL=settings.s3_endpoint_url or "",
            AWS_ACCESS_KEY_ID=ACCESS_KEY,
            AWS_SECRET_ACCESS_KEY=SECRET_KEY,
        )
    return env


def _build(storage: StorageSettings, settings: JobSettings) -> tuple[int, str]:
    """One site built into `settings`' store: (project id, preview token)."""
    ctx = JobContext.from_settings(storage, settings)
    context.install(ctx)
    service = CommandService(ctx, BotSettings(_env_file=None, user_rate_per_minute=10_000))
    reply = service.handle(
        Actor(platform="bench", team_id="T", user_id="U", event_id=uuid.uuid4().hex), f"build {PROMPT}"
    )
    assert reply.version_id is not None and reply.project_id is not None, reply.text
    ctx.redis.delete("rq:queue:builds")  # this process plays the worker: run the job directly
    assert build_site(reply.version_id)["status"] == "succeeded"
    token = preview_token(ctx.db, reply.project_id)
    service.close()
    ctx.close()
    return reply.project_id, token


def _publish_times(settings: JobSettings, site: Path, runs: int) -> list[float]:
    """Seconds to publish a rendered version (files, zip, then live) into `settings`' store, `runs` times, each
    staged where a worker renders (beside the final place in a local store: one rename)."""
    store = settings.site_store
    archive = site.with_name("site.zip")
    generator.zip_site(site, archive)
    stage = settings.render_root / "900000"
    stage.mkdir(parents=True, exist_ok=True)
    times = []
    for number in range(1, runs + 1):
        staged = stage / f".v{number}.tmp-bench"
        subprocess.run(["cp", "-r", str(site), str(staged)], check=True)
        started = time.perf_counter()
        store.publish(900_000, number, staged, archive)
        times.append(time.perf_counter() - started)
    return times


def run(urls: dict[str, str], args: argparse.Namespace, root: Path) -> None:
    storage = StorageSettings(
        database_url=urls["DATABASE_URL"], redis_url=urls["REDIS_URL"], mongo_url=urls["MONGO_URL"]
    )
    moto = MotoServer(root / "moto.log").start()
    try:
        local = JobSettings(_env_file=None, sites_dir=root / "sites", work_dir=root / "work", build_cost=0)
        s3 = on_s3(local, moto.url, moto.new_bucket(), root / "work")
        JobContext.from_settings(storage, local).catalog.seed()
        results = {}
        for label, settings in (("local", local), ("s3", s3)):
            project_id, token = _build(storage, settings)
            server, port = _serve(_env(urls, settings), root)
            try:
                url = f"http://127.0.0.1:{port}/p/{token}/"
                asyncio.run(_load(url, 1.0, args.concurrency))  # warm: connections, pool, hot-file cache
                rate, latencies = asyncio.run(_load(url, args.seconds, args.concurrency))
            finally:
                server.terminate()
                server.wait(10)
            site = root / "rendered" / "site"  # the local build's version: the same files for both backends
            if label == "local":
                site.parent.mkdir()
                subprocess.run(["cp", "-r", str(local.sites_dir / str(project_id) / "v1"), str(site)], check=True)
            publish = _publish_times(settings, site, args.publishes)
            results[label] = (rate, latencies, publish)
    finally:
        moto.stop()
    files = sum(1 for p in (root / "rendered" / "site").rglob("*") if p.is_file())
    print(f"preview benchmark: hot page /p/<token>/, {args.concurrency} connections, {args.seconds:.0f} s per backend")
    print(f"{'backend':<10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'publish median ms':>20}{'p90 ms':>10}")
    for label, (rate, lat, pub) in results.items():
        print(
            f"{label:<10}{rate:>10.0f}{statistics.median(lat) * 1000:>10.2f}{_percentile(lat, 0.99) * 1000:>10.2f}"
            f"{statistics.median(pub) * 1000:>20.1f}{_percentile(pub, 0.9) * 1000:>10.1f}"
        )
    (lr, ll, lp), (sr, sl, sp) = results["local"], results["s3"]
    print(
        f"S3/local: req/s {sr / lr:.2f}×, p99 {_percentile(sl, 0.99) / _percentile(ll, 0.99):.2f}× (target ≤ 2×), "
        f"publish {statistics.median(sp) / statistics.median(lp):.1f}× ({files} files per version)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--publishes", type=int, default=15)
    args = parser.parse_args()
    env = StorageSettings()
    root = Path(__file__).resolve().parent.parent / "var" / "bench-preview"
    with EmbeddedServices(root, postgres=env.database_url is None, redis=env.redis_url is None) as emb:
        pg = env.database_url or emb.urls["DATABASE_URL"]
        redis_url = (env.redis_url or emb.urls["REDIS_URL"]).rsplit("/", 1)[0] + "/7"
        with scratch_database(pg, "bench_preview") as db_url, tempfile.TemporaryDirectory() as tmp:
            urls = {"DATABASE_URL": db_url, "REDIS_URL": redis_url, "MONGO_URL": emb.urls["MONGO_URL"]}
            run(urls, args, Path(tmp))


if __name__ == "__main__":
    main()
