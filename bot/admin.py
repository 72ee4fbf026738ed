"""What admins see with `status`: the queues, their live workers, and the newest failed builds."""

from __future__ import annotations

from datetime import UTC, datetime

import redis

from bot import messages
from jobs.context import JobContext
from jobs.overview import queue_states
from storage.errors import ServiceUnavailable
from storage.stats import recent_failures

RECENT_FAILURES = 5


def operations_status(ctx: JobContext) -> str:
    try:
        queues = queue_states(ctx.redis)
    except redis.RedisError as exc:
        raise ServiceUnavailable("Redis", type(exc).__name__) from exc
    with ctx.db.session() as s:
        failures = recent_failures(s, RECENT_FAILURES)
    return messages.admin_status(queues, failures, datetime.now(UTC))
