"""The moving parts of bench/throughput.py: a listener for the builds' final progress events, and real
`autoweb worker` processes of this checkout (started with this interpreter, PYTHONPATH at this repository, so
another checkout's copy of the bench measures that checkout's code)."""

from __future__ import annotations

import inspect
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import redis
from rq import Worker

from bench.procstats import ThreadClock, wait_until
from jobs import events
from storage import keys
from storage.redis_client import db_number

ROOT = Path(__file__).resolve().parent.parent


class FinalEvents:
    """Subscribes to every progress channel of the benchmark's Redis db and notes when each version's terminal
    event arrives (time.monotonic()). Only terminal events are parsed, so listening costs next to nothing."""

    def __init__(self, client: redis.Redis) -> None:
        self.clock = ThreadClock()
        self.arrived: dict[int, tuple[float, str]] = {}
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._pubsub = client.pubsub(ignore_subscribe_messages=True)
        self._pubsub.psubscribe(keys.progress_channel(0, db_number(client)).rsplit(":", 1)[0] + ":*")
        self._thread = threading.Thread(target=self._run, name="final-events", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        self.clock.start()
        while not self._stop.is_set():
            message = self._pubsub.get_message(timeout=0.2)
            if message is not None:
                data = message["data"]
                if any(f'"kind":"{k}"'.encode() in data for k in events.TERMINAL_KINDS):
                    event = events.parse(data)
                    with self._cond:
                        self.arrived[event.version_id] = (time.monotonic(), event.kind)
                        self._cond.notify_all()
            self.clock.tick()

    def wait(self, version_ids: list[int], timeout: float) -> bool:
        """Whether every version's final event arrived within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not all(v in self.arrived for v in version_ids):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 1.0))
        return True

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self._pubsub.close()


def has_fork_flag() -> bool:
    """Whether this checkout's `autoweb worker` has `--fork` (warm by default); before it, workers only forked."""
    from bot import cli

    return "fork" in inspect.signature(cli.worker).parameters


@dataclass
class Workers:
    """`autoweb worker` processes serving the builds queue."""

    env: dict[str, str]
    log_dir: Path
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.procs]

    def start(self, count: int, options: list[str], connection: redis.Redis) -> None:
        argv = [sys.executable, "-c", "from bot.cli import main; main()", "worker", "builds", *options]
        for n in range(count):
            with (self.log_dir / f"worker-{len(self.procs) + n}.log").open("ab") as log:
                self.procs.append(
                    subprocess.Popen(
                        argv,
                        env=self.env,
                        cwd=self.log_dir,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
        if not wait_until(lambda: self._registered(connection), 60, 0.1):
            raise RuntimeError(f"workers did not register within 60 s; logs in {self.log_dir}")

    def _registered(self, connection: redis.Redis) -> bool:
        dead = [p for p in self.procs if p.poll() is not None]
        if dead:
            raise RuntimeError(f"a worker exited with code {dead[0].returncode}; logs in {self.log_dir}")
        return set(self.pids) <= {w.pid for w in Worker.all(connection=connection)}

    def idle(self) -> bool:
        """No work horse left (a forking worker has waited for every horse, so their CPU is in its total)."""
        try:
            return not any(psutil.Process(pid).children() for pid in self.pids)
        except psutil.Error:
            return True

    def rss(self, index: int = 0) -> int:
        return int(psutil.Process(self.procs[index].pid).memory_info().rss)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL the whole session (worker and horse) if it has not stopped in 10 s."""
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(5)
        self.procs.clear()


@contextmanager
def running(
    env: dict[str, str], log_dir: Path, count: int, options: list[str], client: redis.Redis
) -> Iterator[Workers]:
    workers = Workers(env, log_dir)
    try:
        workers.start(count, options, client)
        yield workers
    finally:
        workers.stop()


def worker_env(urls: dict[str, str], sites: Path) -> dict[str, str]:
    """The environment of a benchmark worker: the bench's servers, free builds, no metrics port, no LLM API."""
    prefixes = ("DATABASE_", "REDIS_", "MONGO_", "LLM_", "METRICS_", "SITES_", "BUILD_", "PUBLIC_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env.update(urls, SITES_DIR=str(sites), BUILD_COST="0", PUBLIC_BASE_URL="https://preview.example.com")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    return env
