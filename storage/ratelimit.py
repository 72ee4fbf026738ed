"""Atomic token-bucket rate limits in Redis, shared by every bot process."""

from __future__ import annotations

import time
from dataclasses import dataclass

import redis

from storage import keys

# KEYS: one hash per bucket. ARGV: now, then (capacity, refill per second) per bucket.
# Takes one token from every bucket, or from none when any is empty (so a refusal by the team limit does not
# also spend the user's token). Returns the seconds until all buckets have a token again (0 = allowed).
_TOKEN_BUCKETS = """
local now = tonumber(ARGV[1])
local tokens = {}
local wait = 0
for i, key in ipairs(KEYS) do
  local capacity = tonumber(ARGV[2 * i])
  local rate = tonumber(ARGV[2 * i + 1])
  local state = redis.call('HMGET', key, 'tokens', 'ts')
  local t = tonumber(state[1]) or capacity
  local ts = tonumber(state[2]) or now
  t = math.min(capacity, t + math.max(0, now - ts) * rate)
  tokens[i] = t
  if t < 1 then wait = math.max(wait, math.ceil((1 - t) / rate)) end
end
for i, key in ipairs(KEYS) do
  local capacity = tonumber(ARGV[2 * i])
  local rate = tonumber(ARGV[2 * i + 1])
  local t = tokens[i]
  if wait == 0 then t = t - 1 end
  redis.call('HSET', key, 'tokens', tostring(t), 'ts', ARGV[1])
  redis.call('EXPIRE', key, math.ceil(capacity / rate) + 1)
end
return wait
"""


@dataclass(frozen=True)
class Limit:
    """`per_minute` commands a minute, with bursts of up to `burst`."""

    per_minute: int
    burst: int


@dataclass(frozen=True)
class Bucket:
    scope: str
    ident: str
    limit: Limit


class RateLimiter:
    def __init__(self, client: redis.Redis) -> None:
        self._script = client.register_script(_TOKEN_BUCKETS)

    def hit(self, *buckets: Bucket) -> int:
        """Take a token from every bucket at once; return 0, or the seconds to wait when any is empty.

        Redis errors propagate: the caller reports the outage rather than letting traffic through unlimited.
        """
        args: list[str | float] = [f"{time.time():.6f}"]
        for b in buckets:
            args += [b.limit.burst, b.limit.per_minute / 60.0]
        wait = self._script(keys=[keys.rate_key(b.scope, b.ident) for b in buckets], args=args)
        return int(wait)
