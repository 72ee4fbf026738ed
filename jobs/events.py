"""Typed progress events: what a job tells the chat while it runs, over Redis pub/sub."""

from __future__ import annotations

import time
import uuid
from typing import Literal

import redis
from pydantic import BaseModel, Field

from storage import keys
from storage.redis_client import db_number

EventKind = Literal["queued", "started", "step", "succeeded", "failed", "cancelled"]
TERMINAL_KINDS = ("succeeded", "failed", "cancelled")


class ProgressEvent(BaseModel):
    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    """Unique per event: relays in several processes claim it once before posting it to a chat."""
    project_id: int
    version_id: int
    version: int
    kind: EventKind
    step: str = ""
    """Human name of the current step, e.g. "Rendering pages"."""
    progress: int = Field(0, ge=0, le=100)
    done: int | None = None
    total: int | None = None
    detail: str = ""
    """A milestone line, e.g. "Template: Artisan Bakery (food · warm)"."""
    project_name: str = ""
    preview_url: str | None = None
    download_url: str | None = None
    site_path: str | None = None
    zip_path: str | None = None
    pages: int | None = None
    credits: int | None = None
    """Credits charged on success, or given back on failure."""
    balance: int | None = None
    error: str | None = None
    ts: float = Field(default_factory=time.time)

    @property
    def terminal(self) -> bool:
        return self.kind in TERMINAL_KINDS


def publish(client: redis.Redis, event: ProgressEvent) -> None:
    """Best effort: pub/sub carries live progress only; the durable state is the version row in Postgres."""
    try:
        client.publish(keys.progress_channel(event.project_id, db_number(client)), event.model_dump_json())
    except redis.RedisError:
        pass


def publish_with_status(client: redis.Redis, event: ProgressEvent, *, meta: tuple[str, bytes] | None = None) -> None:
    """Publish `event` and keep it as the version's job status (what `status` shows while the build runs), and with
    `meta` (an RQ job's key and serialized meta) update that too: one pipeline, one round trip. Best effort, as
    `publish`."""
    raw = event.model_dump_json()
    try:
        with client.pipeline(transaction=False) as pipe:
            pipe.publish(keys.progress_channel(event.project_id, db_number(client)), raw)
            pipe.set(keys.job_status_key(event.version_id), raw, ex=keys.JOB_STATUS_TTL)
            if meta is not None:
                pipe.hset(meta[0], "meta", meta[1])
            pipe.execute()
    except redis.RedisError:
        pass


def parse(raw: bytes | str) -> ProgressEvent:
    return ProgressEvent.model_validate_json(raw)
