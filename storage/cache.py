"""Read-through cache in Redis for the catalog, balances and job status, with invalidation on write."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

import redis
from redis.client import Pipeline

from storage import keys, ledger

T = TypeVar("T")

# SET KEYS[1] = ARGV[1] (TTL ARGV[2]) only if the generation counter KEYS[2] still reads ARGV[3] ("" = unset).
_SET_IF_GENERATION = """
local gen = redis.call('GET', KEYS[2]) or ''
if gen == ARGV[3] then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
  return 1
end
return 0
"""


DECODED_ENTRIES = 256
"""Most catalog results one process keeps decoded (each is at most the whole template list, ~34 KB)."""


class Cache:
    """JSON values in Redis. A Redis error while caching never fails the caller: it falls back to the source."""

    def __init__(self, client: redis.Redis) -> None:
        self.redis = client
        self._set_if_generation = client.register_script(_SET_IF_GENERATION)
        self._decoded: dict[str, Any] = {}
        """Catalog values already decoded in this process, by their Redis key (which names the catalog version)."""

    def get_or_load(self, key: str, ttl: int, load: Callable[[], T]) -> T:
        try:
            raw = self.redis.get(key)
        except redis.RedisError:
            return load()
        if raw is not None:
            value: T = json.loads(raw)
            return value
        value = load()
        try:
            self.redis.set(key, json.dumps(value), ex=ttl)
        except redis.RedisError:
            pass
        return value

    # --- catalog -------------------------------------------------------------------------------------------
    def catalog_version(self) -> int:
        try:
            return int(self.redis.get(keys.CATALOG_VERSION) or 0)
        except redis.RedisError:
            return -1

    def catalog(self, name: str, load: Callable[[], T]) -> T:
        """A catalog query's result: decoded in this process already, else from Redis, else `load()`'s.

        One round trip (the catalog version) on a hit: decoding the 34 KB template list costs ~3 PINGs, so the
        decoded value is kept, keyed by the version; `catalog seed` bumps it, and every process then misses.
        The value is shared between callers: read it, never change it.
        """
        version = self.catalog_version()
        if version < 0:
            return load()
        key = keys.catalog_key(version, name)
        if key in self._decoded:
            hit: T = self._decoded[key]
            return hit
        value = self.get_or_load(key, keys.CATALOG_TTL, load)
        if len(self._decoded) >= DECODED_ENTRIES:  # queries of old versions and rare word sets: start over
            self._decoded.clear()
        self._decoded[key] = value
        return value

    def invalidate_catalog(self) -> None:
        self.redis.incr(keys.CATALOG_VERSION)

    # --- balances ------------------------------------------------------------------------------------------
    def balance(self, user_id: int, load: Callable[[], dict[str, int]]) -> dict[str, int]:
        """The cached balance, or `load()`'s, cached unless a ledger write committed while it was loading.

        The generation check closes the race where a slow reader loads the old balance, a writer commits and
        drops the key, and the reader then stores the old value for five minutes.
        """
        key, gen_key = keys.balance_key(user_id), keys.balance_generation_key(user_id)
        try:
            raw, generation = self.redis.mget(key, gen_key)
        except redis.RedisError:
            return load()
        if raw is not None:
            cached: dict[str, int] = json.loads(raw)
            return cached
        value = load()
        expected = generation.decode() if isinstance(generation, bytes) else (generation or "")
        try:
            self._set_if_generation(keys=[key, gen_key], args=[json.dumps(value), keys.BALANCE_TTL, expected])
        except redis.RedisError:
            pass
        return value

    def invalidate_balances(self, user_ids: set[int], pipe: Pipeline | None = None) -> None:
        """Drop cached balances. With `pipe`, only queue the commands on it (the caller sends them, with its own,
        in one round trip)."""
        if not user_ids:
            return
        if pipe is None:
            try:
                with self.redis.pipeline() as own:
                    self.invalidate_balances(user_ids, own)
                    own.execute()
            except redis.RedisError:
                pass
            return
        for u in user_ids:
            pipe.incr(keys.balance_generation_key(u))
            pipe.expire(keys.balance_generation_key(u), 2 * keys.BALANCE_TTL)
        pipe.delete(*(keys.balance_key(u) for u in user_ids))

    def after_commit(self, info: dict[str, Any]) -> None:
        """`Database.after_commit` hook: drop the cached balance of every user whose ledger changed."""
        self.invalidate_balances(ledger.take_changed(info))

    # --- job status ----------------------------------------------------------------------------------------
    def job_status(self, version_id: int) -> dict[str, Any] | None:
        """A version's last progress event, as `jobs.events.publish_with_status` keeps it (`status` shows a
        running build's step from it, a failure records how far the build got)."""
        raw = self.redis.get(keys.job_status_key(version_id))
        return json.loads(raw) if raw is not None else None
