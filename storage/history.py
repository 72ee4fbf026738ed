"""Chat history and thread bindings written behind the conversation: they go to a queue and one thread writes
them in batches.

Every command, every reply and every progress message is kept in `project_messages` (Slack's own history API is
rate-limited to 1 call a minute for most apps, so ours is the source of truth), and every build's thread is bound
to its project in `user_sessions`. Nobody waits for these writes: before a Slack ack the history cost a second
transaction per command, and after it the binding and each progress message one more each. The writer batches
whatever has queued up into one transaction (one INSERT for the messages), so they cost a fraction of a
transaction each. `flush()` waits until everything queued so far is written; `close()` flushes and stops. A batch
that fails for a passing reason (Postgres down or restarting, a deadlock, a lock timeout) is retried with backoff
until it is written (for up to RETRY_WINDOW; after `close()`, CLOSE_GRACE); one that Postgres refuses for what it
holds (a row whose project is gone) is written row by row, so only the row that cannot be stored is left out, with
an error in the log. Rows carry the time they were queued, so history is read in order of `created_at` (ids
follow the order of writing, which a batch delays).
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import structlog
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session

from storage import accounts, projects
from storage.db import Database

log = structlog.get_logger(__name__)
BATCH = 500
"""Most rows in one INSERT."""
OPTIONAL = {"project_id": None, "user_id": None, "channel_id": "", "thread_id": ""}
"""Columns a queued message may leave out: one INSERT of many rows needs the same columns in every row."""
LINGER = 0.2
"""Seconds the writer keeps collecting after the first row of a batch: at a few commands a second, one
transaction per command cost as much CPU as all the work after a Slack ack; this makes it one per 0.2 s."""
RETRY_FIRST, RETRY_MAX = 0.1, 5.0
"""Seconds before the first retry of a batch that failed for a passing reason, and the most between two."""
RETRY_WINDOW, CLOSE_GRACE = 300.0, 5.0
"""Seconds a batch is retried (a Postgres restart or failover fits), or, once `close()` was called, at most."""


@dataclass(frozen=True)
class ThreadBinding:
    """A chat thread mapped to a project (`projects.bind_threads`). Without `user_id`, the account is the one behind
    the chat identity `external_id` (nothing is bound when there is none)."""

    platform: str
    team_id: str
    channel_id: str
    thread_id: str
    project_id: int
    user_id: int | None = None
    external_id: str = ""

    def row(self, session: Session) -> dict[str, Any] | None:
        """The `projects.bind_threads` row, None when there is no account to bind."""
        user_id = self.user_id
        if user_id is None and (user := accounts.find_user(session, self.platform, self.team_id, self.external_id)):
            user_id = user.id
        if user_id is None:
            return None
        thread = asdict(self)
        del thread["external_id"]
        return {**thread, "user_id": user_id}


class HistoryWriter:
    def __init__(self, db: Database, *, linger: float = LINGER) -> None:
        self.db, self.linger = db, linger
        self._rows: queue.Queue[dict[str, Any] | ThreadBinding | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._closing = False

    def add(self, rows: list[dict[str, Any]]) -> None:
        """Queue messages (ProjectMessage's columns) for the writer thread."""
        self._start()
        now = datetime.now(UTC)  # when it was said, not when the batch is written: history reads by created_at
        for row in rows:
            self._rows.put({**OPTIONAL, "created_at": now, **row})

    def bind(self, binding: ThreadBinding) -> None:
        """Queue a thread binding; it is written after the messages queued with it."""
        self._start()
        self._rows.put(binding)

    def _start(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="history-writer", daemon=True)
                self._thread.start()

    def flush(self) -> None:
        """Block until every row queued before this call is written (or its batch has failed)."""
        self._rows.join()

    def close(self) -> None:
        self._closing = True
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
            try:
                self._write([r for r in batch if r is not None])
            finally:
                for _ in batch:
                    self._rows.task_done()
            if batch[-1] is None:  # close() was called
                return

    def _write(self, items: list[dict[str, Any] | ThreadBinding]) -> None:
        """Write `items` in one transaction, retrying passing failures; split a batch Postgres refuses."""
        delay, started = RETRY_FIRST, time.monotonic()
        while items:
            try:
                with self.db.session() as s:
                    projects.add_messages(s, [r for r in items if isinstance(r, dict)])
                    bindings = [b for b in items if isinstance(b, ThreadBinding)]
                    projects.bind_threads(s, [r for b in bindings if (r := b.row(s)) is not None])
                return
            except Exception as exc:
                waited = time.monotonic() - started
                if _passing(exc) and waited < (CLOSE_GRACE if self._closing else RETRY_WINDOW):
                    log.warning(
                        "could not record chat history yet; retrying", rows=len(items), error=type(exc).__name__
                    )
                    time.sleep(delay)
                    delay = min(delay * 2, RETRY_MAX)
                elif _passing(exc):
                    log.error("gave up recording chat history", rows=len(items), seconds=round(waited), exc_info=True)
                    return
                elif len(items) > 1:
                    for item in items:
                        self._write([item])
                    return
                else:
                    log.error("left a chat history row out: Postgres refused it", exc_info=True)
                    return


def _passing(exc: Exception) -> bool:
    """A failure that the same write can get past later: lost connection, deadlock, lock or statement timeout."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, OperationalError | InterfaceError)
