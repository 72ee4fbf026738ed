"""Issue 24 on Slack: every message exactly once, even when the Web API fails after it made the message.

The real adapter (Bolt, service, relay) against the fake Web API; a real worker builds in this process. Each
scenario injects its faults before the build, then counts, for the project, every Web API call by method and
status, and every message that exists (whatever the bot was told) by its metadata key: each key once. The
status message must end current (its last edit shows the outcome, and no older state lands after it). Figures
are printed (`-s` shows them): calls, messages, and the time from the fault's end to the thread being current.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
import redis.asyncio as aioredis

from bot import delivery, messages
from bot.chat_sink import Ambiguous
from tests.bot.test_slack import PROMPT, RunningAdapter
from tests.fakes.slack_api import FakeSlackApi, text_of

FINAL, MILESTONE, STATUS, ROOT = "is live", "✓ ", messages.status_queued(0), "<@U1>"
Faults = Callable[[FakeSlackApi], None]


def created_then_502(text: str) -> Faults:
    return lambda fake: fake.fail("chat.postMessage", "after", text=text)


def dropped_after_create(text: str) -> Faults:
    return lambda fake: fake.fail("chat.postMessage", "drop", text=text)


def burst_of_5xx(fake: FakeSlackApi) -> None:
    """Two 503s (nothing made), then a 500 after making it, on every post; 5xx on the status edits and on a
    lookup."""
    for text in (ROOT, STATUS, MILESTONE, FINAL):
        fake.fail("chat.postMessage", "error", 2, status=503, text=text)
        fake.fail("chat.postMessage", "after", 1, status=500, text=text)
    fake.fail("chat.update", "error", 4, status=502)
    fake.fail("conversations.replies", "error", 1, status=503)


def over_the_cap(fake: FakeSlackApi) -> None:
    """429s whose Retry-After is longer than the relay's cap, on the status edits and on the final."""
    wait = delivery.RETRY_AFTER_CAP + 4
    fake.rate_limit("chat.update", 3, retry_after=wait)
    fake.rate_limit("chat.postMessage", 1, retry_after=wait, text=FINAL)


SCENARIOS: dict[str, Faults] = {
    "final: created, then 502": created_then_502(FINAL),
    "milestone: created, then 502": created_then_502(MILESTONE),
    "status message: created, then 502": created_then_502(STATUS),
    "thread root: created, then 502": created_then_502(ROOT),
    "final: connection dropped after create": dropped_after_create(FINAL),
    "status message: connection dropped after create": dropped_after_create(STATUS),
    "burst of 5xx": burst_of_5xx,
}


def run_build(start_slack: Callable[[], RunningAdapter], fake: FakeSlackApi, run_jobs: Any) -> str:
    """`/autoweb build` up to the final message and the status message's last edit; the thread's ts."""
    slack = start_slack()
    assert slack.command(f"build {PROMPT}")[0] == 200
    root = fake.wait_for(lambda: fake.made("C1") and [m for m in fake.made("C1") if "thread_ts" not in m], 30)[0]
    thread = str(root["ts"])
    fake.wait_for(lambda: fake.made("C1", thread), 30)  # the status message
    assert run_jobs()
    fake.wait_for(lambda: [m for m in fake.made("C1", thread) if FINAL in str(m["text"])], 60)
    fake.wait_for(lambda: [c for c in fake.of("chat.update") if "done in" in text_of(c)], 60)
    time.sleep(1.5)  # anything late (a stale edit, a second post) would arrive by now
    return thread


def check_exactly_once(fake: FakeSlackApi, thread: str, scenario: str) -> dict[str, Any]:
    made = fake.made("C1")
    in_thread = [m for m in made if m.get("thread_ts") == thread]
    keys = Counter(delivery.key_of(m) for m in made)
    assert None not in keys, "every message is created with its key"
    assert set(keys.values()) == {1}, f"a key made twice: {keys}"
    texts = [str(m["text"]) for m in in_thread]
    assert len([m for m in made if "thread_ts" not in m]) == 1  # one root
    assert texts.count(STATUS) == 1 and sum(t.startswith(MILESTONE) for t in texts) == 1
    assert sum(FINAL in t for t in texts) == 1 and len(in_thread) == 3
    # The status message ends current: after its first edit to the outcome, no other state lands.
    status_ts = next(m["ts"] for m in in_thread if m["text"] == STATUS)
    edits = [c for c in fake.of("chat.update") if c.args.get("ts") == status_ts]
    first_final = next(i for i, c in enumerate(edits) if "done in" in text_of(c))
    assert all("done in" in text_of(c) for c in edits[first_final:]), [text_of(c)[:30] for c in edits]
    faulted = [c for c in fake.calls if c.status != 200]
    final_at = max(float(m["ts"]) for m in in_thread if FINAL in str(m["text"]))
    current_at = max(final_at, edits[first_final].at)
    fault_end = max((c.at for c in faulted), default=current_at)
    figures = {
        "scenario": scenario,
        "calls": dict(sorted(Counter(f"{c.method} {c.status}" for c in fake.calls).items())),
        "messages per key": max(keys.values()),
        "messages": len(made),
        "current after fault end (s)": round(max(current_at - fault_end, 0.0), 2),
    }
    print(figures)
    return figures


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_one_message_per_event_under_ambiguous_failures(start_slack, fake_slack, run_jobs, scenario):
    SCENARIOS[scenario](fake_slack)
    thread = run_build(start_slack, fake_slack, run_jobs)
    figures = check_exactly_once(fake_slack, thread, scenario)
    assert any(" 5" in k for k in figures["calls"]) or "dropped" in scenario  # the fault did happen
    assert fake_slack.of("chat.postMessage", ok_only=False) != fake_slack.of("chat.postMessage")


@pytest.mark.slow
def test_429_over_the_cap_never_delays_the_status_past_a_newer_state(start_slack, fake_slack, run_jobs):
    over_the_cap(fake_slack)
    thread = run_build(start_slack, fake_slack, run_jobs)
    figures = check_exactly_once(fake_slack, thread, "429 with Retry-After over the cap")
    refused = [c for c in fake_slack.calls if c.status == 429]
    assert {c.method for c in refused} == {"chat.update", "chat.postMessage"}
    final_post = next(c for c in fake_slack.of("chat.postMessage") if FINAL in text_of(c))
    final_refused = next(c for c in refused if FINAL in text_of(c))
    assert final_post.at - final_refused.at >= delivery.RETRY_AFTER_CAP + 3  # a create waits the Retry-After out
    # No status edit slept out a Retry-After while a newer state was ready: the outcome is shown as soon as the
    # platform takes edits again, not a whole Retry-After after the final.
    status_done = next(c for c in fake_slack.of("chat.update") if "done in" in text_of(c))
    assert status_done.at - final_post.at < delivery.RETRY_AFTER_CAP
    assert figures["messages per key"] == 1


def test_an_uncertain_create_is_looked_for_by_another_process_too(redis_url):
    """The ledger lives in Redis as well: a relay in another process (e.g. taking a final over after a restart)
    looks before it posts; a certain failure or a success leaves nothing behind."""

    async def main() -> tuple[list[str], list[float], int]:
        client = aioredis.Redis.from_url(redis_url, decode_responses=True)
        first, second = delivery.CreateLedger(client), delivery.CreateLedger(client)
        posted: list[str] = []
        looked: list[float] = []

        async def ambiguous() -> str:
            posted.append("first")
            raise Ambiguous("chat.postMessage: HTTP 502")

        async def post() -> str:
            posted.append("again")
            return "1.000002"

        async def find(oldest: float) -> str | None:
            looked.append(oldest)
            return "1.000001"

        started = time.time()
        with pytest.raises(Ambiguous):
            await first.create("fin:7:succeeded", ambiguous, find)
        found = await second.create("fin:7:succeeded", post, find)  # another process, same Redis
        assert found == "1.000001" and looked[0] <= started - delivery.LOOKBACK + 1
        assert await second.create("fin:8:succeeded", post, find) == "1.000002"  # nothing uncertain: no lookup
        left = len(await client.keys("autoweb:uncertain:*"))
        await client.aclose()
        return posted, looked, left

    posted, looked, left = asyncio.run(main())
    assert posted == ["first", "again"] and len(looked) == 1 and left == 0
