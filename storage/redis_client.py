"""Redis connections with short timeouts, so an outage is reported in seconds, not hung on."""

from __future__ import annotations

import redis

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


def ping(client: redis.Redis) -> None:
    try:
        client.ping()
    except redis.RedisError as exc:
        raise ServiceUnavailable("Redis", type(exc).__name__) from exc
