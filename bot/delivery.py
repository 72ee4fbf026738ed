"""Every chat message exactly once, even when the platform fails after accepting it; status edits never late.

- Each message the bot creates carries a key naming the event it comes from (`message_key`: kind, project or
  version, sequence; at most 25 characters, Discord's nonce limit), on `Outgoing.key`.
- Discord: the key is the message's `nonce` with `enforce_nonce`, so any retry — discord.py's own 5xx retries or
  ours — within Discord's window (minutes) returns the message already made.
- Slack: chat.postMessage has no idempotency key. The key travels as message metadata (`metadata`); after an
  ambiguous failure (`Ambiguous`: 5xx, timeout, connection lost after sending) `CreateLedger` remembers the key,
  and the next attempt first looks for it in the thread (conversations.replies with include_all_metadata).
- Retry-After: the client libraries sleep a 429 of up to `RETRY_AFTER_CAP` seconds themselves and hand longer ones
  back. `deliver` (creates) waits them out; `edit_newest` (the status message) waits at most the cap at a time,
  never past the moment a newer state is ready, and cancels an edit in flight that a newer state superseded.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import redis
import redis.asyncio as aioredis
import structlog

from bot.chat_sink import Ambiguous, ChatUnavailable, RateLimited
from storage import keys

log = structlog.get_logger(__name__)
T = TypeVar("T")

MAX_KEY = 25
"""Discord's nonce limit; Slack's metadata has none, one format serves both."""
RETRY_AFTER_CAP = 5.0
"""Longest Retry-After a client library sleeps itself (longer 429s come back as `RateLimited`), and the longest a
status edit waits at a time before it tries again."""
EVENT_TYPE = "autoweb_message"
"""Slack message metadata `event_type` of every message the bot creates."""
LOOKBACK = 120.0
"""Seconds before the first uncertain attempt that a Slack lookup searches from (clock skew between us and Slack)."""
UNCERTAIN_TTL = 3600
"""Seconds an uncertain create is remembered: longer than any retry of it."""
POLL = 0.05
"""Seconds between checks for a newer state while a status edit is in flight or waiting."""


def message_key(kind: str, *parts: object) -> str:
    """`kind:part:part…` when it fits in MAX_KEY characters, else `kind:` and a digest of it. `kind` is short (≤ 4
    characters) and says what the message is (`st` status, `ms` milestone, `fin` final, `root`, `re`, `miss`)."""
    raw = ":".join([kind, *(str(p) for p in parts)])
    if len(raw) <= MAX_KEY:
        return raw
    return f"{kind}:{hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()}"[:MAX_KEY]


def metadata(key: str) -> dict[str, Any]:
    """Slack message metadata carrying a message's key."""
    return {"event_type": EVENT_TYPE, "event_payload": {"key": key}}


def key_of(message: Mapping[str, Any]) -> str | None:
    """The key a Slack message (as conversations.replies returns it with metadata) was created with, if any."""
    meta = message.get("metadata")
    if not isinstance(meta, Mapping) or meta.get("event_type") != EVENT_TYPE:
        return None
    payload = meta.get("event_payload")
    key = payload.get("key") if isinstance(payload, Mapping) else None
    return str(key) if key else None


class CreateLedger:
    """Creates whose outcome is unknown: key → when its first uncertain attempt started (epoch seconds). Kept in
    this process and, once `redis` is set, in Redis too (best effort), so a relay in another process that retries
    the same event looks before it posts as well."""

    def __init__(self, client: aioredis.Redis | None = None) -> None:
        self.redis = client
        self._since: dict[str, tuple[float, float]] = {}
        """key → (since, forget at monotonic)."""

    async def create(
        self, key: str, post: Callable[[], Awaitable[str]], find: Callable[[float], Awaitable[str | None]]
    ) -> str:
        """`post()` once it is certain that no earlier attempt under `key` made the message: after an uncertain
        attempt, `find(oldest)` first (the message's id, or None)."""
        since = await self._recall(key)
        if since is not None and (found := await find(since - LOOKBACK)) is not None:
            log.info("an uncertain create had made its message; not posting again", key=key)
            await self._forget(key)
            return found
        started = time.time()
        try:
            created = await post()
        except Ambiguous:
            await self._remember(key, started if since is None else since)
            raise
        await self._forget(key)
        return created

    def _redis_key(self, key: str) -> str:
        return f"{keys.PREFIX}:uncertain:{key}"

    async def _recall(self, key: str) -> float | None:
        now = time.monotonic()
        if len(self._since) > 1000:  # keys are forgotten once made; only creates that never succeeded linger
            self._since = {k: v for k, v in self._since.items() if v[1] > now}
        if key in self._since and self._since[key][1] > now:
            return self._since[key][0]
        if self.redis is not None:
            try:
                stored = await self.redis.get(self._redis_key(key))
            except (redis.RedisError, OSError):
                return None
            return float(stored) if stored else None
        return None

    async def _remember(self, key: str, since: float) -> None:
        self._since[key] = (since, time.monotonic() + UNCERTAIN_TTL)
        if self.redis is not None:
            try:
                await self.redis.set(self._redis_key(key), f"{since:.6f}", ex=UNCERTAIN_TTL, nx=True)
            except (redis.RedisError, OSError):
                log.warning("could not record an uncertain create in Redis", key=key)

    async def _forget(self, key: str) -> None:
        self._since.pop(key, None)
        if self.redis is not None:
            try:
                await self.redis.delete(self._redis_key(key))
            except (redis.RedisError, OSError):
                pass


async def deliver(call: Callable[[], Awaitable[T]], *, deadline: float) -> T:
    """Call the platform until it accepts: wait out rate limits, retry outages with backoff. A create is safe to
    repeat only with a key (`Outgoing.key`)."""
    give_up, backoff = time.monotonic() + deadline, 0.5
    while True:
        try:
            return await call()
        except RateLimited as exc:
            wait = exc.retry_after
        except ChatUnavailable as exc:
            log.warning("chat platform unavailable; retrying", error=str(exc), uncertain=isinstance(exc, Ambiguous))
            wait, backoff = backoff, min(backoff * 2, 30.0)
        if time.monotonic() + wait > give_up:
            raise TimeoutError(f"the chat platform did not accept a message within {deadline:.0f} s")
        await asyncio.sleep(wait)


async def edit_newest(
    call: Callable[[], Awaitable[object]], superseded: Callable[[], Awaitable[bool]], *, deadline: float
) -> bool:
    """Run an edit until the platform accepts it (True), or until `superseded()` says a newer state is ready
    (False): the edit in flight is cancelled (also while a client library sleeps in its own retries), and no wait
    lasts longer than RETRY_AFTER_CAP or past that moment. `superseded` is polled every POLL seconds only while an
    edit is slow or waiting, never for one the platform answers at once."""
    give_up, backoff = time.monotonic() + deadline, 0.5
    while True:
        attempt = asyncio.ensure_future(call())
        if not await _wait(attempt, 0.0, superseded):
            attempt.cancel()
            await asyncio.gather(attempt, return_exceptions=True)
            return False
        try:
            attempt.result()
            return True
        except RateLimited as exc:
            wait = min(exc.retry_after, RETRY_AFTER_CAP)
        except ChatUnavailable:
            wait, backoff = backoff, min(backoff * 2, 30.0)
        if time.monotonic() + wait > give_up:
            raise TimeoutError(f"the chat platform did not accept an edit within {deadline:.0f} s")
        if not await _wait(None, wait, superseded):
            return False


async def _wait(task: asyncio.Future[Any] | None, seconds: float, superseded: Callable[[], Awaitable[bool]]) -> bool:
    """Until `task` is done (or, without one, `seconds` have passed): True; False as soon as `superseded()`."""
    end = time.monotonic() + seconds
    while True:
        if task is not None:
            done, _ = await asyncio.wait({task}, timeout=POLL)
            if done:
                return True
        else:
            left = end - time.monotonic()
            if left <= 0:
                return True
            await asyncio.sleep(min(POLL, left))
        if await superseded():
            return False
