"""Per-process resources for jobs: built lazily in the process that runs the job, never shared across a fork."""

from __future__ import annotations

import os
from dataclasses import dataclass

import redis

from jobs.settings import JobSettings
from storage.cache import Cache
from storage.catalog import Catalog
from storage.db import Database
from storage.errors import ServiceUnavailable
from storage.redis_client import connect
from storage.settings import StorageSettings


@dataclass
class JobContext:
    settings: JobSettings
    db: Database
    redis: redis.Redis
    cache: Cache
    catalog: Catalog

    @classmethod
    def from_settings(cls, storage: StorageSettings, settings: JobSettings, *, pool_size: int = 2) -> JobContext:
        """`pool_size`: Postgres connections kept open; give every thread that uses the database at once its own
        (connections beyond it are opened and closed per transaction, which costs more than the transaction)."""
        missing = [n for n in ("database_url", "redis_url", "mongo_url") if getattr(storage, n) is None]
        if missing:
            raise ServiceUnavailable("configuration", "set " + ", ".join(m.upper() for m in missing))
        assert storage.database_url and storage.redis_url and storage.mongo_url
        client = connect(storage.redis_url)
        cache = Cache(client)
        db = Database(storage.database_url, pool_size=pool_size)
        db.after_commit.append(cache.after_commit)
        return cls(settings=settings, db=db, redis=client, cache=cache, catalog=Catalog(storage.mongo_url, cache))

    def close(self) -> None:
        self.db.dispose()
        self.catalog.close()
        self.redis.close()


_current: tuple[int, JobContext] | None = None


def current() -> JobContext:
    """The context of this process, created from the environment on first use after a fork."""
    global _current
    if _current is None or _current[0] != os.getpid():
        _current = (os.getpid(), JobContext.from_settings(StorageSettings(), JobSettings()))
    return _current[1]


def install(ctx: JobContext) -> None:
    """Use `ctx` for jobs run by this process (in-process workers: the demo, tests, benchmarks)."""
    global _current
    _current = (os.getpid(), ctx)
