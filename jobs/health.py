"""The `health_check` job: proves a worker takes jobs from a queue and can reach Postgres, Redis and Mongo."""

from __future__ import annotations

import os
import time
from typing import Any

from sqlalchemy import text

from jobs import context


def health_check(token: str) -> dict[str, Any]:
    ctx = context.current()
    with ctx.db.session() as s:
        s.execute(text("SELECT 1"))
    ctx.redis.ping()
    ctx.catalog.ping()
    return {"token": token, "pid": os.getpid(), "at": time.time()}
