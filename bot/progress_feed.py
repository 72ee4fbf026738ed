"""A subscription to the progress events of every project, read on a background thread."""

from __future__ import annotations

import queue
import threading
import time

import redis
import structlog
from pydantic import ValidationError

from jobs.events import ProgressEvent, parse
from storage import keys
from storage.redis_client import db_number

log = structlog.get_logger(__name__)


class ProgressFeed:
    """Subscribes at construction (so no event published after it is missed) and queues parsed events."""

    def __init__(self, client: redis.Redis) -> None:
        self._pubsub = client.pubsub(ignore_subscribe_messages=True)
        self._pubsub.psubscribe(keys.progress_pattern(db_number(client)))
        self.events: queue.Queue[ProgressEvent] = queue.Queue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="progress-feed", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                message = self._pubsub.get_message(timeout=0.2)
            except (redis.RedisError, ValueError):
                if self._stop.is_set():
                    return
                time.sleep(0.2)
                continue
            if message is None:
                continue
            try:
                self.events.put(parse(message["data"]))
            except ValidationError:
                log.warning("ignored a malformed progress event", channel=str(message.get("channel")))

    def next(self, timeout: float) -> ProgressEvent | None:
        try:
            return self.events.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self._pubsub.close()
