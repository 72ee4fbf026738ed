"""Redis connections with short timeouts, so an outage is reported in seconds, not hung on."""

from __future__ import annotations

import redis
import redis.asyncio as aioredis

from storage.errors import ServiceUnavailable


def connect(url: str, *, decode: bool = False) -> redis.Redis:
    """A client for `url`. RQ needs raw bytes (`decode=False`); the cache and rate limiter use either."""
    return redis.Redis.from_url(
        url,
        decode_responses=decode,
        socket_connect_timeout=3,
        socket_timeout=10,
        health_check_interval=30,
    )


def db_number(client: redis.Redis | aioredis.Redis) -> int:
    """The database a client (sync or asyncio) talks to; it namespaces the pub/sub channels (see keys.py)."""
    return int(client.connection_pool.connection_kwargs.get("db", 0) or 0)


def ping(client: redis.Redis) -> None:
    try:
        client.ping()
    except redis.RedisError as exc:
        raise ServiceUnavailable("Redis", type(exc).__name__) from exc
