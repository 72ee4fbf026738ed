"""`GET /readyz` for the HTTP processes: 200 only when everything the process needs to do its work answers.

`/healthz` says the process runs; `/readyz` says a load balancer may send it traffic: PostgreSQL reachable and at
the newest migration, Redis answering, and whatever the process adds (the Slack adapter: its relay subscribed to
progress events). Otherwise 503 with `{"ready": false, "reason": "<first failing check>"}`. The checks block (a
database round trip), so they run off the event loop, each bounded by `TIMEOUT`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

import redis
from aiohttp import web

from storage.db import Database, schema_is_current

TIMEOUT = 3.0
"""Seconds a check may take before it counts as failed."""
Check = tuple[str, Callable[[], str | None]]
"""(name, probe): the probe returns None when ready, or a short reason; raising counts as unreachable."""


def postgres_check(db: Database) -> Check:
    return "postgres", lambda: None if schema_is_current(db) else "schema is not at the newest migration"


def redis_check(client: redis.Redis) -> Check:
    return "redis", lambda: None if client.ping() else "no answer to PING"


def flag_check(name: str, is_set: Callable[[], bool], reason: str) -> Check:
    return name, lambda: None if is_set() else reason


async def first_failure(checks: Sequence[Check]) -> str | None:
    """Run every check concurrently on the default executor; the first failure in order, as `name: reason`."""
    loop = asyncio.get_running_loop()

    async def run(name: str, probe: Callable[[], str | None]) -> str | None:
        try:
            reason = await asyncio.wait_for(loop.run_in_executor(None, probe), TIMEOUT)
        except TimeoutError:
            reason = f"no answer within {TIMEOUT:g} s"
        except Exception as exc:  # any failure to answer is the finding
            reason = f"unreachable ({type(exc).__name__})"
        return f"{name}: {reason}" if reason else None

    results = await asyncio.gather(*(run(name, probe) for name, probe in checks))
    return next((r for r in results if r), None)


def add_readyz_route(app: web.Application, checks: Sequence[Check]) -> None:
    async def readyz(request: web.Request) -> web.Response:
        reason = await first_failure(checks)
        if reason:
            return web.json_response({"ready": False, "reason": reason}, status=503)
        return web.json_response({"ready": True})

    app.router.add_get("/readyz", readyz)
