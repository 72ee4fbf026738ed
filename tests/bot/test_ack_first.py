"""`AckFirst`: work queued after an ack waits while requests are being answered, but never longer than max_wait."""

from __future__ import annotations

import asyncio
import time

import structlog
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from bot.slack import AckFirst


async def _run(ack_first: AckFirst, request_seconds: float, max_wait: float) -> tuple[float, float]:
    """One request takes `request_seconds` to answer; work queued when it starts. Returns when each finished."""
    ack_first.max_wait = max_wait
    tasks: set[asyncio.Task[None]] = set()
    ack_first.start(tasks)
    finished: dict[str, float] = {}
    started = time.monotonic()

    async def after_ack() -> None:
        finished["work"] = time.monotonic() - started

    async def handler(request: web.Request) -> web.StreamResponse:
        ack_first.later(after_ack())
        await asyncio.sleep(request_seconds)
        finished["request"] = time.monotonic() - started
        return web.Response(text="ok")

    await ack_first.middleware(make_mocked_request("POST", "/slack/events"), handler)
    while "work" not in finished:
        await asyncio.sleep(0.01)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return finished["request"], finished["work"]


def test_work_after_an_ack_waits_for_the_requests_in_flight():
    request, work = asyncio.run(_run(AckFirst(workers=2), request_seconds=0.3, max_wait=5))
    assert request <= work < request + 0.2


def test_work_after_an_ack_is_never_held_longer_than_max_wait():
    request, work = asyncio.run(_run(AckFirst(workers=2), request_seconds=1.5, max_wait=0.2))
    assert 0.2 <= work < request


def test_work_never_started_is_closed_without_a_warning():
    async def scenario() -> None:
        ack_first = AckFirst()
        ran: list[str] = []

        async def never() -> None:
            ran.append("ran")

        ack_first.later(never())
        ack_first.close()
        assert ack_first.queue.empty() and ran == []

    asyncio.run(scenario())


def test_the_wait_counts_from_when_the_work_was_queued():
    """With one worker, work queued together under a steady stream of requests all runs at max_wait, not one
    max_wait after the other."""

    async def scenario() -> list[float]:
        ack_first = AckFirst(workers=1, max_wait=0.3)
        tasks: set[asyncio.Task[None]] = set()
        ack_first.start(tasks)
        started, ran = time.monotonic(), []

        async def work() -> None:
            ran.append(time.monotonic() - started)

        async def handler(request: web.Request) -> web.StreamResponse:
            for _ in range(3):
                ack_first.later(work())
            await asyncio.sleep(1.5)
            return web.Response(text="ok")

        await ack_first.middleware(make_mocked_request("POST", "/slack/events"), handler)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return ran

    ran = asyncio.run(scenario())
    assert len(ran) == 3 and all(0.3 <= t < 0.6 for t in ran), ran


def test_drain_finishes_the_work_already_queued():
    async def scenario() -> list[str]:
        ack_first = AckFirst(workers=2, max_wait=5)
        tasks: set[asyncio.Task[None]] = set()
        ack_first.start(tasks)
        ran: list[str] = []

        async def post(name: str) -> None:
            await asyncio.sleep(0.05)
            ran.append(name)

        for name in ("root", "status", "root 2"):
            ack_first.later(post(name))
        await ack_first.drain(5)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return ran

    assert sorted(asyncio.run(scenario())) == ["root", "root 2", "status"]


def test_work_runs_with_the_log_fields_of_the_request_that_queued_it():
    async def scenario() -> list[dict[str, object]]:
        ack_first = AckFirst(workers=1, max_wait=0)
        tasks: set[asyncio.Task[None]] = set()
        ack_first.start(tasks)
        seen: list[dict[str, object]] = []

        async def post() -> None:
            seen.append(dict(structlog.contextvars.get_contextvars()))

        ack_first.later(post(), platform="slack", user="slack:T1:U1")
        ack_first.later(post())
        await ack_first.drain(5)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return seen

    first, second = asyncio.run(scenario())
    assert first["user"] == "slack:T1:U1" and first["platform"] == "slack"
    assert "user" not in second  # the fields of one task do not leak into the next
