"""Per-user and per-team rate limits (token buckets in Redis, `storage.ratelimit`), before anything is looked up."""

from __future__ import annotations

from collections.abc import Callable

import redis

from bot import messages
from bot.errors import UserError
from bot.reply import Reply
from bot.request import Request
from bot.settings import BotSettings
from storage.errors import ServiceUnavailable
from storage.ratelimit import Bucket, Limit, RateLimiter


class RateLimit:
    """Refuses a command while the sender or their team is over its per-minute rate; Redis down is an outage."""

    def __init__(self, limiter: RateLimiter, settings: BotSettings) -> None:
        self.limiter = limiter
        self.settings = settings

    def __call__(self, request: Request, next: Callable[[], Reply]) -> Reply:
        actor, s = request.actor, self.settings
        try:
            wait = self.limiter.hit(
                Bucket("user", actor.qualified_id, Limit(s.user_rate_per_minute, s.user_rate_per_minute)),
                Bucket(
                    "team",
                    f"{actor.platform}:{actor.team_id}",
                    Limit(s.team_rate_per_minute, s.team_rate_per_minute),
                ),
            )
        except redis.RedisError as exc:
            raise ServiceUnavailable("Redis", type(exc).__name__) from exc
        if wait:
            raise UserError(messages.rate_limited(wait))
        return next()
