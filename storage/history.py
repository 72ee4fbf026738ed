"""Chat history written behind the command: rows go to a queue and one thread inserts them in batches.

Every command and every reply is kept in `project_messages` (Slack's own history API is rate-limited to 1 call a
minute for most apps, so ours is the source of truth). Writing it is not something the sender should wait for:
before a Slack ack it cost a second transaction per command. The writer batches whatever has queued up into one
INSERT, so under load it costs a fraction of a round trip per command. `flush()` waits until everything queued so
far is written; `close()` flushes and stops. A batch that fails (Postgres down) is logged and dropped, as the
synchronous write was: the reply has been sent by then.
"""

from __future__ import annotations

import queue
import threading
from typing import Any

import structlog

from storage import projects
from storage.db import Database

log = structlog.get_logger(__name__)
BATCH = 500
"""Most rows in one INSERT."""


class HistoryWriter:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._rows: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def add(self, rows: list[dict[str, Any]]) -> None:
        """Queue rows (ProjectMessage's columns) for the writer thread, starting it on first use."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="history-writer", daemon=True)
                self._thread.start()
        for row in rows:
            self._rows.put(row)

    def flush(self) -> None:
        """Block until every row queued before this call is written (or its batch has failed)."""
        self._rows.join()

    def close(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            self._rows.put(None)
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            first = self._rows.get()
            batch = [first]
            while len(batch) < BATCH:
                try:
                    batch.append(self._rows.get_nowait())
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
