"""The relay's status message when a build's events and its thread race: real Redis and Postgres, fake Web API."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor

import redis.asyncio as aioredis
from slack_sdk.web.async_client import AsyncWebClient

from bot import messages
from bot.chat_sink import ThreadRef
from bot.relay import Relay
from bot.service import CommandService, Reply
from bot.slack import SlackSink
from jobs.events import ProgressEvent
from tests.fakes.slack_api import FakeSlackApi, text_of
from tests.helpers import actor

PROMPT = "a landing page for Sweet Crumbs, a bakery in Leeds, with a menu and contact page"
WHERE = ThreadRef(platform="slack", team_id="T1", channel_id="C1", thread_id="1700000000.000100")


def run_relay(
    redis_url: str, service: CommandService, fake: FakeSlackApi, body: Callable[[Relay], Awaitable[None]]
) -> None:
    async def main() -> None:
        client = AsyncWebClient(token="xoxb-test", base_url=fake.url)

        async def client_for(team: str) -> AsyncWebClient:
            return client

        redis_client = aioredis.Redis.from_url(redis_url, decode_responses=True)
        pool = ThreadPoolExecutor(2)
        relay = Relay(SlackSink(client_for), service.ctx, redis_client, pool, service.history, mapping_wait=0.2)
        try:
            await body(relay)
            await asyncio.sleep(0.3)  # a refresh the relay should not have started would have run by now
        finally:
            await redis_client.aclose()
            pool.shutdown()

    asyncio.run(main())


def accepted(service: CommandService) -> Reply:
    reply = service.handle(actor("dana", platform="slack", team="T1", channel="C1"), f"build {PROMPT}")
    assert reply.project_id is not None and reply.version_id is not None
    return reply


def step(reply: Reply) -> ProgressEvent:
    assert reply.project_id is not None and reply.version_id is not None
    return ProgressEvent(
        project_id=reply.project_id,
        version_id=reply.version_id,
        version=1,
        kind="step",
        step="Rendering pages",
        progress=40,
    )


def test_an_event_handled_before_the_status_message_is_shown_once_it_exists(service, redis_url, fake_slack):
    """A worker took the build before its status message was posted: the event found no thread, so `open`
    brings the status message up to it."""
    reply = accepted(service)

    async def body(relay: Relay) -> None:
        await relay._on_event(step(reply))  # no thread yet: it gives up after mapping_wait
        assert fake_slack.of("chat.update") == []
        await relay.open(
            actor("dana", platform="slack", team="T1", channel="C1"), WHERE, reply, accepted_at=time.time()
        )
        await asyncio.wait_for(asyncio.to_thread(fake_slack.wait_for, lambda: fake_slack.of("chat.update")), 5)

    run_relay(redis_url, service, fake_slack, body)
    (status,) = fake_slack.of("chat.postMessage")
    (update,) = fake_slack.of("chat.update")
    assert update.ts == status.ts
    assert "40 %" in text_of(update) and "rendering pages" in text_of(update)


def test_a_status_message_with_no_events_yet_is_left_as_posted_until_one_comes(service, redis_url, fake_slack):
    reply = accepted(service)

    async def body(relay: Relay) -> None:
        await relay.open(
            actor("dana", platform="slack", team="T1", channel="C1"), WHERE, reply, accepted_at=time.time()
        )
        await asyncio.sleep(0.3)
        assert fake_slack.of("chat.update") == []  # nothing to show yet: no edit
        await relay._on_event(step(reply))
        await asyncio.wait_for(asyncio.to_thread(fake_slack.wait_for, lambda: fake_slack.of("chat.update")), 5)

    run_relay(redis_url, service, fake_slack, body)
    (status,) = fake_slack.of("chat.postMessage")
    assert text_of(status) == messages.status_queued(0)
    (update,) = fake_slack.of("chat.update")
    assert update.ts == status.ts
