"""Move the legacy AutoWebIQ MongoDB data (users, projects, credit history) into Postgres, and prove it.

`migrate` runs four phases: `users`, `projects` and `credit_transactions` stream their legacy collection in `_id`
order, `batch` documents per Postgres transaction, each transaction also moving that phase's checkpoint; then
`balances` books, per user, the adjustment that makes the ledger equal the legacy `credits`. A run killed
anywhere loses at most its open batch and the next run resumes after the last checkpoint; a finished run re-run
finds nothing to do. The rules for messy documents live in `storage.legacy.documents`, the rows written in
`storage.legacy.phases` and `storage.legacy.balances`, the report in `storage.legacy.report`; docs/MIGRATION.md
explains them for operators.

Migrated users claim their account from chat through `storage.accounts` (`claim_by_email` with a verified
platform email, `link_identity`): runtime code never imports the migration.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

import pymongo
from pymongo.errors import PyMongoError
from sqlalchemy import text
from sqlalchemy.orm import Session

from storage.catalog import database_name
from storage.db import Database
from storage.errors import ServiceUnavailable, StorageError
from storage.legacy.balances import adjust, differences
from storage.legacy.documents import after
from storage.legacy.phases import BatchResult, RunContext, migrate_projects, migrate_transactions, migrate_users
from storage.legacy.report import Report, RunStats, build_report
from storage.legacy.writer import load_checkpoint, save_checkpoint

__all__ = ["LOCK_KEY", "MigrationBusy", "Report", "migrate"]

LOCK_KEY = 0x6C656761637921
"""Advisory lock held for a whole run: two migrations at once would interleave their ledger rows."""

BatchWriter = Callable[[Session, Sequence[dict[str, Any]], RunContext], BatchResult]
PHASES: tuple[tuple[str, BatchWriter], ...] = (
    ("users", migrate_users),
    ("projects", migrate_projects),
    ("credit_transactions", migrate_transactions),
)
OnBatch = Callable[[str, int], None]
"""Called after each committed batch with the phase and the documents it handled (progress; tests)."""
Transaction = Callable[[], AbstractContextManager[Session]]


class MigrationBusy(StorageError):
    """Another `migrate-legacy` holds the migration lock on this database."""


def migrate(
    source_mongo_url: str,
    db: Database,
    *,
    dry_run: bool = False,
    batch: int = 1000,
    verify_only: bool = False,
    on_batch: OnBatch | None = None,
) -> Report:
    """Migrate the legacy database at `source_mongo_url` (its name in the path) into `db`, then verify.

    `dry_run` does all the work in one transaction and rolls it back, so its report shows what a real run would
    write (constraints included) while nothing changes. `verify_only` writes nothing and reads only.
    """
    if batch < 1:
        raise ValueError("batch must be at least 1")
    if not urlparse(source_mongo_url).path.strip("/"):
        # Without it pymongo's default would be read: an empty database, and an "OK" report of nothing.
        raise ValueError("put the legacy database's name in the MongoDB URL: mongodb://host:27017/<database>")
    started = time.perf_counter()
    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(
        source_mongo_url, tz_aware=True, serverSelectionTimeoutMS=5000
    )
    try:
        source = client[database_name(source_mongo_url)]
        if verify_only:
            return _verify(db, source, started)
        with _exclusive(db):
            return (
                _dry_run(db, source, batch, on_batch, started)
                if dry_run
                else _run(db, source, batch, on_batch, started)
            )
    except PyMongoError as exc:
        raise ServiceUnavailable("MongoDB", type(exc).__name__) from exc
    finally:
        client.close()


def _verify(db: Database, source: Any, started: float) -> Report:
    with db.session() as session:
        session.execute(text("SET TRANSACTION READ ONLY"))
        return _report(session, source, RunStats(mode="verify"), started)


def _run(db: Database, source: Any, batch: int, on_batch: OnBatch | None, started: float) -> Report:
    stats = RunStats(mode="migrate")
    _migrate_all(db.session, source, batch, stats, on_batch)
    with db.session() as session:
        return _report(session, source, stats, started)


def _dry_run(db: Database, source: Any, batch: int, on_batch: OnBatch | None, started: float) -> Report:
    stats = RunStats(mode="dry-run")
    with Session(db.engine) as outer:

        @contextmanager
        def savepoint() -> Iterator[Session]:
            with outer.begin_nested():
                yield outer

        try:
            _migrate_all(savepoint, source, batch, stats, on_batch)
            return _report(outer, source, stats, started)
        finally:
            outer.rollback()


def _report(session: Session, source: Any, stats: RunStats, started: float) -> Report:
    begun = time.perf_counter()
    report = build_report(session, source, stats)
    stats.report_seconds = time.perf_counter() - begun
    stats.seconds = time.perf_counter() - started
    return report


@contextmanager
def _exclusive(db: Database) -> Iterator[None]:
    """Hold the migration's advisory lock on a connection of its own; a killed run's lock dies with it."""
    with db.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        if not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY}).scalar_one():
            raise MigrationBusy("another legacy migration is running on this database; wait for it to finish")
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})


@contextmanager
def _batch(transaction: Transaction) -> Iterator[Session]:
    """One batch's transaction, committed without waiting for the WAL flush.

    Safe here: a server crash can lose only the last few committed batches, and each batch's checkpoint is in
    the same transaction, so the lost batches are simply migrated again by the next run.
    """
    with transaction() as session:
        session.execute(text("SET LOCAL synchronous_commit TO OFF"))
        yield session


def _migrate_all(transaction: Transaction, source: Any, batch: int, stats: RunStats, on_batch: OnBatch | None) -> None:
    migration = _Migration(transaction, source, batch, stats, on_batch, RunContext(now=datetime.now(UTC)))
    for collection, write in PHASES:
        migration.collection(collection, write)
    migration.reconcile()


@dataclass
class _Migration:
    """One run: where batches commit, what they read, and what is counted."""

    transaction: Transaction
    source: Any
    batch: int
    stats: RunStats
    on_batch: OnBatch | None
    context: RunContext

    def collection(self, name: str, write: BatchWriter) -> None:
        """Stream one collection after its checkpoint; each batch and the checkpoint after it commit together."""
        with self.transaction() as session:
            last = load_checkpoint(session, name)
        if last is None:
            self.context.fresh.add(name)
        # The hint makes SecantusDB walk the _id index instead of sorting the collection in memory (twice as
        # fast); MongoDB picks that plan anyway.
        query = self.source[name].find({} if last is None else after(last)).sort("_id", 1).hint([("_id", 1)])
        scanned = 0
        for docs in _chunks(query.batch_size(self.batch), self.batch, self.stats):
            scanned += len(docs)
            begun = time.perf_counter()
            with _batch(self.transaction) as session:
                result = write(session, docs, self.context)
                save_checkpoint(session, name, docs[-1]["_id"])
            self._count(name, result, begun, len(docs))
        if last is None:
            self.stats.scanned[name] = scanned

    def reconcile(self) -> None:
        """Adjust every user whose legacy ledger rows differ from their legacy balance; none on a re-run."""
        begun = time.perf_counter()
        with _batch(self.transaction) as session:
            pending = differences(session)
        self.stats.write_seconds += time.perf_counter() - begun
        for start in range(0, len(pending), self.batch):
            begun = time.perf_counter()
            with _batch(self.transaction) as session:
                result = adjust(session, pending[start : start + self.batch])
            self.stats.adjustments += result.written
            self._count("balances", result, begun, result.written)

    def _count(self, phase: str, result: BatchResult, begun: float, documents: int) -> None:
        stats = self.stats
        stats.write_seconds += time.perf_counter() - begun
        stats.batches += 1
        if phase != "balances":
            stats.written[phase] = stats.written.get(phase, 0) + result.written
            stats.rejected[phase] = stats.rejected.get(phase, 0) + result.rejected
        if self.on_batch is not None:
            self.on_batch(phase, documents)


Chunk = list[dict[str, Any]]


@dataclass
class _ReadAhead:
    """The reading side of `_chunks`: a thread that fills a queue of at most two chunks."""

    cursor: Any
    size: int
    stats: RunStats
    chunks: queue.Queue[Chunk | BaseException | None] = field(default_factory=lambda: queue.Queue(maxsize=2))
    stop: threading.Event = field(default_factory=threading.Event)

    def offer(self, item: Chunk | BaseException | None) -> bool:
        """Queue `item`, waiting for room; False when the writer has stopped listening."""
        while not self.stop.is_set():
            try:
                self.chunks.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def read(self) -> None:
        try:
            chunk: Chunk = []
            begun = time.perf_counter()
            for doc in self.cursor:
                chunk.append(doc)
                if len(chunk) == self.size:
                    self.stats.read_seconds += time.perf_counter() - begun
                    if not self.offer(chunk):
                        return
                    chunk = []
                    begun = time.perf_counter()
            self.stats.read_seconds += time.perf_counter() - begun
            if not chunk or self.offer(chunk):
                self.offer(None)
        except BaseException as exc:  # handed to the writer, which re-raises it
            self.offer(exc)
        finally:
            self.cursor.close()


def _chunks(cursor: Any, size: int, stats: RunStats) -> Iterator[Chunk]:
    """The cursor's documents `size` at a time, read ahead by a thread so MongoDB and Postgres work at once.

    The reader stays at most two chunks ahead. `stats.read_seconds` is the reader's time in MongoDB,
    `stats.read_wait_seconds` the time the writer sat waiting for it.
    """
    ahead = _ReadAhead(cursor, size, stats)
    reader = threading.Thread(target=ahead.read, name="legacy-reader", daemon=True)
    reader.start()
    try:
        while True:
            begun = time.perf_counter()
            item = ahead.chunks.get()
            stats.read_wait_seconds += time.perf_counter() - begun
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        ahead.stop.set()
        reader.join(timeout=5)
