"""Chat history written behind the command: rows go to a queue and one thread inserts them in batches.

Every command and every reply is kept in `project_messages` (Slack's own history API is rate-limited to 1 call a
minute for most apps, so ours is the source of truth). Writing it is not something the sender should wait for:
before a Slack ack it cost a second transaction per command. The writer batches whatever has queued up into one
INSERT, so it costs a fraction of a transaction per command. `flush()` waits until everything queued so
far is written; `close()` flushes and stops. A batch that fails (Postgres down) is logged and dropped, as the
synchronous write was: the reply has been sent by then. Rows carry the time they were queued, so history is read
in order of `created_at` (ids follow the order of writing, which a batch delays).
"""

from __future__ import annotations

import queue
import threading
import time
from datetime import UTC, datetime
from typing import Any

import structlog

from storage import projects
from storage.db import Database

log = structlog.get_logger(__name__)
BATCH = 500
"""Most rows in one INSERT."""
LINGER = 0.2
"""Seconds the writer keeps collecting after the first row of a batch: at a few commands a second, one
transaction per command cost as much CPU as all the work after a Slack ack; this makes it one per 0.2 s."""


class HistoryWriter:
    def __init__(self, db: Database, *, linger: float = LINGER) -> None:
        self.db, self.linger = db, linger
        self._rows: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def add(self, rows: list[dict[str, Any]]) -> None:
        """Queue rows (ProjectMessage's columns) for the writer thread, starting it on first use."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="history-writer", daemon=True)
                self._thread.start()
        now = datetime.now(UTC)  # when it was said, not when the batch is written: history reads by created_at
        for row in rows:
            self._rows.put({"created_at": now, **row})

    def flush(self) -> None:
        """Block until every row queued before this call is written (or its batch has failed)."""
        self._rows.join()

    def close(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            self._rows.put(None)
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            batch = [self._rows.get()]
            until = time.monotonic() + self.linger
            while len(batch) < BATCH and batch[-1] is not None:
                try:
                    batch.append(self._rows.get(timeout=max(0.0, until - time.monotonic())))
                except queue.Empty:
                    break
            rows = [r for r in batch if r is not None]
            try:
                if rows:
                    with self.db.session() as s:
                        projects.add_messages(s, rows)
            except Exception:
                log.warning("could not record chat history", rows=len(rows), exc_info=True)
            finally:
                for _ in batch:
                    self._rows.task_done()
            if len(rows) < len(batch):  # close() was called
                return
