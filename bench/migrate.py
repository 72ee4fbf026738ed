"""Benchmark: legacy MongoDB → Postgres migration throughput (documents/s), and where the time goes.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/migrate.py

Starts its own SecantusDB (MongoDB wire protocol) under a temporary directory, creates and finally drops its own
Postgres database on the DATABASE_URL server, generates messy legacy data with tests/fixtures_legacy.py
(default 10,000 users, 50,000 projects, 200,000 transactions), then measures:

1. a bare read of every legacy document through pymongo in `_id` order, as the migration reads (the floor),
2. the migration itself (`storage.legacy.migrate`), split into MongoDB reads, Postgres writes and the report,
3. a second run (nothing to do) and `--verify-only`.

The target is ≥ 10,000 documents/s for the migration.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import pymongo
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event  # noqa: E402

import storage.legacy.phases  # noqa: E402
import storage.legacy.writer  # noqa: E402
from bench.scratch import scratch_database
from storage.db import Database  # noqa: E402
from storage.embedded import EmbeddedServices  # noqa: E402
from storage.legacy import migrate  # noqa: E402
from tests.fixtures_legacy import generate  # noqa: E402

COLLECTIONS = ("users", "projects", "credit_transactions")


def _bare_read(mongo_url: str, batch: int) -> tuple[int, float]:
    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(mongo_url, tz_aware=True)
    db = client[mongo_url.rsplit("/", 1)[1]]
    started = time.perf_counter()
    n = 0
    for name in COLLECTIONS:
        for _ in db[name].find({}).sort("_id", 1).hint([("_id", 1)]).batch_size(batch):
            n += 1
    elapsed = time.perf_counter() - started
    client.close()
    return n, elapsed


class StatementTimes:
    """Time spent in each kind of Postgres statement (and each COPY), for `--profile`."""

    def __init__(self, db: Database) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        event.listen(db.engine, "before_cursor_execute", self._before)
        event.listen(db.engine, "after_cursor_execute", self._after)
        original = storage.legacy.writer.copy_rows

        def timed_copy(session: Any, table: str, columns: Any, rows: Any) -> None:
            begun = time.perf_counter()
            original(session, table, columns, rows)
            self._add(f"COPY {table}", time.perf_counter() - begun)

        for module in (storage.legacy.phases, storage.legacy.writer):
            setattr(module, "copy_rows", timed_copy)  # noqa: B010 - instrumentation, this process only

    def _before(self, conn: Any, *args: Any) -> None:
        conn.info["bench_began"] = time.perf_counter()

    def _after(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self._add(" ".join(statement.split())[:80], time.perf_counter() - conn.info.pop("bench_began"))

    def _add(self, key: str, seconds: float) -> None:
        self.seconds[key] += seconds
        self.calls[key] += 1

    def print(self, top: int = 12) -> None:
        print(f"Postgres statements: {sum(self.seconds.values()):.1f} s in all; the largest:")
        for key, seconds in sorted(self.seconds.items(), key=lambda kv: -kv[1])[:top]:
            print(f"  {seconds:6.2f} s {self.calls[key]:5d}x  {key}")


class CpuMeter:
    """CPU seconds used by this process, the SecantusDB server and our Postgres backends.

    On a shared machine the wall clock mostly measures the neighbours; CPU time measures our own work. Linux
    only (reads /proc); a process that cannot be read counts as 0.
    """

    def __init__(self, database: str) -> None:
        self.database = database
        self.mongo = [p for p in _pids() if _ppid(p) == os.getpid() and "secantus" in _cmdline(p)]
        self.start = self.sample()

    def sample(self) -> dict[str, float]:
        postgres = [p for p in _pids() if "postgres" in _cmdline(p) and self.database in _cmdline(p)]
        return {
            "this process": time.process_time(),
            "SecantusDB": sum(_cpu(p) for p in self.mongo),
            "Postgres backends": sum(_cpu(p) for p in postgres),
        }

    def print(self, wall: float) -> None:
        used = {k: v - self.start[k] for k, v in self.sample().items()}
        total = sum(used.values())
        parts = ", ".join(f"{k} {v:.1f} s" for k, v in used.items())
        cpus = os.cpu_count() or 1
        print(f"CPU used: {total:.1f} s ({parts}); over {wall:.1f} s of wall time on {cpus} CPUs")


def _pids() -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit()] if os.path.isdir("/proc") else []


def _read(path: str) -> str:
    try:
        with open(path, "rb") as f:
            return f.read().decode(errors="replace")
    except OSError:
        return ""


def _cmdline(pid: int) -> str:
    return _read(f"/proc/{pid}/cmdline").replace("\0", " ")


def _stat(pid: int) -> list[str]:
    text = _read(f"/proc/{pid}/stat")
    return text.rsplit(")", 1)[1].split() if ")" in text else []


def _ppid(pid: int) -> int:
    fields = _stat(pid)
    return int(fields[1]) if fields else -1


def _cpu(pid: int) -> float:
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK") if fields else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--projects", type=int, default=50_000)
    parser.add_argument("--transactions", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--profile", action="store_true", help="also time each kind of Postgres statement")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        sys.exit("DATABASE_URL is required (postgresql+psycopg://user@host:5432/db)")
    with (
        scratch_database(database_url) as url,
        tempfile.TemporaryDirectory() as root,
        EmbeddedServices(Path(root), postgres=False, redis=False) as svc,
    ):
        _bench(url, svc.urls["MONGO_URL"].rsplit("/", 1)[0] + "/legacy_bench", args)


def _bench(url: str, mongo_url: str, args: argparse.Namespace) -> None:
    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(mongo_url)
    started = time.perf_counter()
    generate(client["legacy_bench"], users=args.users, projects=args.projects, transactions=args.transactions, seed=11)
    client.close()
    total = args.users + args.projects + args.transactions
    print(f"generated {total:,} legacy documents in {time.perf_counter() - started:.1f} s")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} (other work slows every figure)")

    n, elapsed = _bare_read(mongo_url, args.batch)
    print(f"bare MongoDB read in _id order: {n:,} docs in {elapsed:.1f} s = {n / elapsed:,.0f} docs/s")

    db = Database(url)
    times = StatementTimes(db) if args.profile else None
    cpu = CpuMeter(make_url(url).database or "")
    report = migrate(mongo_url, db, batch=args.batch)
    run = report.run
    print(report.render().split("\nRejected")[0])
    print(
        f"migration: {run.documents:,} docs in {run.seconds:.1f} s = {run.documents / run.seconds:,.0f} docs/s "
        f"(MongoDB reads {run.read_seconds:.1f} s, Postgres writes {run.write_seconds:.1f} s, "
        f"report {run.report_seconds:.1f} s, {run.batches} batches, {run.adjustments} adjustments); ok={report.ok}"
    )
    cpu.print(run.seconds)
    if times is not None:
        times.print()
    again = migrate(mongo_url, db, batch=args.batch)
    print(f"second run: wrote {again.run.documents} docs in {again.run.seconds:.1f} s; ok={again.ok}")
    verify = migrate(mongo_url, db, verify_only=True)
    print(f"verify-only: {verify.run.seconds:.1f} s; ok={verify.ok}")
    print(f"load average now {os.getloadavg()[0]:.1f}")
    db.dispose()


if __name__ == "__main__":
    main()
