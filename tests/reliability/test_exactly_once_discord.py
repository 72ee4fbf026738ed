"""Issue 24 on Discord: every message exactly once, through REST failures after a create and gateway faults.

The real adapter (discord.py client, service, relay) against the fake REST API and gateway; a real worker builds
in this process. Each scenario counts, for the project, every REST call by route and status and every message
that exists by its nonce: each nonce once, one status message, one milestone, one final. Figures are printed
(`-s` shows them): calls, messages, and the time from the fault's end to the thread (or the session) being
current again.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from bot import delivery, messages
from bot.discord_bot import MAX_RATELIMIT_WAIT
from jobs.queue import BUILDS, queue
from storage.models import Project, ProjectVersion
from tests.bot import test_discord
from tests.bot.test_discord import build, content
from tests.fakes.discord_api import CHANNEL_ID, USER_ID, FakeDiscord, click, slash, snowflake

# The real adapter against the fakes, as tests/bot/test_discord.py runs it.
fake_discord, discord_settings, bot = test_discord.fake_discord, test_discord.discord_settings, test_discord.bot
FINAL, MILESTONE, STATUS = "is live", "✓ ", messages.status_queued(0)
Faults = Callable[[FakeDiscord], None]


def burst_of_5xx(fake: FakeDiscord) -> None:
    """On every post: two 503s (nothing made; discord.py gives them back at once), then a 502 after making it
    (discord.py retries it itself, with the same nonce); 5xx on the status edits too."""
    for text in (STATUS, MILESTONE, FINAL):
        fake.fail("message.post", "error", 2, 503, text=text)
        fake.fail("message.post", "after", 1, 502, text=text)
    fake.fail("message.edit", "error", 3, 503)


SCENARIOS: dict[str, Faults] = {
    "final: created, then 502": lambda f: f.fail("message.post", "after", text=FINAL),
    "milestone: created, then 502": lambda f: f.fail("message.post", "after", text=MILESTONE),
    "status message: created, then 502": lambda f: f.fail("message.post", "after", text=STATUS),
    "final: connection dropped after create": lambda f: f.fail("message.post", "drop", text=FINAL),
    "milestone: connection dropped after create": lambda f: f.fail("message.post", "drop", text=MILESTONE),
    "burst of 5xx": burst_of_5xx,
}


def count(ctx: Any, model: Any) -> int:
    with ctx.db.session() as s:
        return int(s.execute(select(func.count()).select_from(model)).scalar_one())


def finish(fake: FakeDiscord, thread: str, run_jobs: Any) -> None:
    assert run_jobs()
    fake.wait_for(lambda: [m for m in fake.in_channel(thread) if FINAL in content(m)], 90)
    fake.wait_for(lambda: "done in" in content(fake.in_channel(thread)[0]), 60)
    time.sleep(1.5)  # anything late (a stale edit, a second post) would arrive by now


def check_exactly_once(fake: FakeDiscord, thread: str, scenario: str, fault_end: float | None = None) -> dict[str, Any]:
    made = fake.in_channel(thread)
    nonces = Counter(m.get("nonce") for m in made)
    assert None not in nonces, "every message is created with a nonce"
    assert set(nonces.values()) == {1}, f"a nonce made twice: {nonces}"
    texts = [content(m) for m in made]
    assert len(made) == 3 and texts.count(STATUS) == 0  # the status message shows its outcome by now
    assert sum(t.startswith(MILESTONE) for t in texts) == 1 and sum(FINAL in t for t in texts) == 1
    status = made[0]
    edits = [c for c in fake.of("message.edit") if c.path["message"] == status["id"]]
    first_final = next(i for i, c in enumerate(edits) if "done in" in content(c.result))
    assert all("done in" in content(c.result) for c in edits[first_final:]), [content(c.result)[:30] for c in edits]
    final_post = next(c for c in fake.calls if c.route == "message.post" and c.result and FINAL in content(c.result))
    current_at = max(final_post.at, edits[first_final].at)
    faulted = [c for c in fake.calls if c.status >= 300 and c.route != "callback"]
    end = fault_end if fault_end is not None else max((c.at for c in faulted), default=current_at)
    figures = {
        "scenario": scenario,
        "calls": dict(sorted(Counter(f"{c.route} {c.status}" for c in fake.calls).items())),
        "messages per nonce": max(nonces.values()),
        "messages in thread": len(made),
        "current after fault end (s)": round(max(current_at - end, 0.0), 2),
    }
    print(figures)
    return figures


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_one_message_per_event_under_ambiguous_failures(bot, fake_discord, ctx, run_jobs, scenario):
    SCENARIOS[scenario](fake_discord)
    _, thread = build(fake_discord, ctx)
    finish(fake_discord, thread, run_jobs)
    check_exactly_once(fake_discord, thread, scenario)
    assert [c for c in fake_discord.calls if c.route == "message.post" and c.status >= 500]  # the fault happened


def test_a_thread_created_then_502_is_the_same_thread(bot, fake_discord, ctx, run_jobs):
    fake_discord.fail("thread.start", "after")  # discord.py retries: "already created" (160004) is the thread
    fake_discord.dispatch("INTERACTION_CREATE", slash("build", {"prompt": test_discord.PROMPT}))
    (thread,) = fake_discord.wait_for(lambda: list(fake_discord.threads))
    fake_discord.wait_for(lambda: fake_discord.in_channel(thread))
    finish(fake_discord, thread, run_jobs)
    check_exactly_once(fake_discord, thread, "thread: created, then 502")
    assert len(fake_discord.threads) == 1 and [c.status for c in fake_discord.of("thread.start", ok_only=False)] == [
        502,
        400,
    ]


def test_a_status_edit_sleeping_in_discord_py_retries_never_lands_after_the_final(bot, fake_discord, ctx, run_jobs):
    """discord.py sleeps 1, 3, 5, 7 s between its retries of a 502: an edit of an old state sleeping there is
    cancelled once a newer state is stored, so after the final message only the outcome is shown."""
    _, thread = build(fake_discord, ctx)
    fake_discord.fail("message.edit", "error", 4, 502)
    finish(fake_discord, thread, run_jobs)
    figures = check_exactly_once(fake_discord, thread, "status edits: 4 × 502 (discord.py retry sleeps)")
    final_post = next(c for c in fake_discord.of("message.post") if FINAL in content(c.result))
    status_id = fake_discord.in_channel(thread)[0]["id"]
    late = [c for c in fake_discord.of("message.edit") if c.path["message"] == status_id and c.at > final_post.at]
    assert late and all("done in" in content(c.result) for c in late)
    assert len([c for c in fake_discord.calls if c.route == "message.edit" and c.status == 502]) == 4
    assert figures["messages per nonce"] == 1


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_429_over_the_cap_never_delays_the_status_past_a_newer_state(bot, fake_discord, ctx, run_jobs):
    """Retry-After longer than discord.py waits itself (MAX_RATELIMIT_WAIT) comes back to the relay: the final
    waits it out; the status edits never sleep past a newer state, and show the outcome within the relay's cap."""
    over = MAX_RATELIMIT_WAIT + 1
    _, thread = build(fake_discord, ctx)
    fake_discord.rate_limit("message.edit", 2, over)
    fake_discord.fail("message.post", "rate", 1, over, text=FINAL)
    finish(fake_discord, thread, run_jobs)
    figures = check_exactly_once(fake_discord, thread, "429 with Retry-After over the cap")
    refused = [c for c in fake_discord.calls if c.status == 429]
    final_post = next(c for c in fake_discord.of("message.post") if FINAL in content(c.result))
    assert final_post.at - refused[-1].at >= over - 1
    assert figures["messages per nonce"] == 1


def reconnected(fake: FakeDiscord, before: int) -> float:
    fake.wait_for(lambda: len(fake.connects) > before, 60)
    return fake.connects[-1][0]


def still_answers(fake: FakeDiscord) -> None:
    """A command after the fault is deferred and answered."""
    help_call = slash("help")
    fake.dispatch("INTERACTION_CREATE", help_call)
    fake.wait_for(lambda: [c for c in fake.of("original.edit") if c.path["token"] == help_call["token"]], 30)


GATEWAY: dict[str, Callable[[FakeDiscord], None]] = {
    "RECONNECT (op 7)": lambda f: f.reconnect(),
    "INVALID_SESSION, not resumable (op 9)": lambda f: f.invalidate(False),
    "INVALID_SESSION, resumable (op 9)": lambda f: f.invalidate(True),
    "close 4000": lambda f: f.close(4000),
    "abrupt close 1006": lambda f: f.close(1006),
}


@pytest.mark.parametrize("fault", list(GATEWAY))
def test_gateway_faults_mid_build_keep_one_message_per_event(bot, fake_discord, ctx, run_jobs, fault):
    _, thread = build(fake_discord, ctx)
    before, at = len(fake_discord.connects), time.time()
    GATEWAY[fault](fake_discord)
    back = reconnected(fake_discord, before)
    finish(fake_discord, thread, run_jobs)
    figures = check_exactly_once(fake_discord, thread, f"gateway {fault}", fault_end=back)
    still_answers(fake_discord)
    print({"scenario": f"gateway {fault}", "session back after (s)": round(back - at, 2), **figures})
    assert count(ctx, ProjectVersion) == 1 and queue(ctx.redis, BUILDS).count == 0


def missed_notes(fake: FakeDiscord) -> list[dict[str, Any]]:
    return [m for m in fake.in_channel(CHANNEL_ID) if "I missed your" in content(m)]


def test_an_interaction_4_s_late_gets_one_missed_message_and_does_nothing(bot, fake_discord, ctx):
    late = slash("build", {"prompt": "a landing page for Sweet Crumbs"}, age=4)
    fake_discord.dispatch("INTERACTION_CREATE", late)
    (note,) = fake_discord.wait_for(lambda: missed_notes(fake_discord))
    assert content(note) == messages.discord_missed_interaction(f"<@{USER_ID}>", "build")
    fake_discord.dispatch("INTERACTION_CREATE", late)  # replayed (another RESUME, another process)
    time.sleep(1.0)
    assert len(missed_notes(fake_discord)) == 1
    assert fake_discord.of("callback", ok_only=False) == []  # a defer that could only fail is not tried
    assert count(ctx, Project) == 0 and count(ctx, ProjectVersion) == 0 and queue(ctx.redis, BUILDS).count == 0
    print({"scenario": "interaction 4 s late", "missed messages": 1, "calls": len(fake_discord.calls)})


def test_a_late_click_with_a_forged_command_is_missed_without_echoing_it(bot, fake_discord, ctx):
    """The notice names a verb of the grammar only, never text from the payload."""
    status = fake_discord._new_message(CHANNEL_ID, {"content": "status"})
    fake_discord.dispatch("INTERACTION_CREATE", click("autoweb:@everyone <script>x</script>", status, age=5))
    (note,) = fake_discord.wait_for(lambda: missed_notes(fake_discord))
    assert content(note) == messages.discord_missed_interaction(f"<@{USER_ID}>", "")
    assert "@everyone" not in content(note) and "script" not in content(note)
    assert fake_discord.of("callback", ok_only=False) == [] and count(ctx, Project) == 0


def test_a_late_defer_refused_by_discord_also_gets_the_missed_message(bot, fake_discord, ctx):
    """The bot's clock may run behind Discord's: Discord's 10062 (Unknown interaction) says it was too late."""
    fake_discord.interaction_deadline = 0.0  # Discord's clock says it is too late; the bot's says it has time
    fake_discord.dispatch("INTERACTION_CREATE", slash("status"))
    (note,) = fake_discord.wait_for(lambda: missed_notes(fake_discord))
    assert content(note) == messages.discord_missed_interaction(f"<@{USER_ID}>", "status")
    assert [c.status for c in fake_discord.of("callback", ok_only=False)] == [404]


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_a_20_s_gateway_outage_mid_build_with_an_interaction_replayed_on_resume(bot, fake_discord, ctx, run_jobs):
    """The gateway refuses connections for 20 s; REST works, so the relay keeps the thread current meanwhile. A
    command sent during the outage is replayed on RESUME, too late to answer: one missed message, no job."""
    _, thread = build(fake_discord, ctx)
    before = len(fake_discord.connects)
    fake_discord.outage(20)
    outage_end = fake_discord.down_until
    during = slash("build", {"prompt": "a landing page for Leeds Lattes"})
    fake_discord.dispatch("INTERACTION_CREATE", during)  # kept for the RESUME
    finish(fake_discord, thread, run_jobs)
    figures = check_exactly_once(fake_discord, thread, "gateway outage 20 s", fault_end=outage_end)
    back = reconnected(fake_discord, before)
    assert fake_discord.connects[-1][1] == 6  # resumed, not a new session: the kept event was replayed
    (note,) = fake_discord.wait_for(lambda: missed_notes(fake_discord), 30)
    noted = time.time()
    assert content(note) == messages.discord_missed_interaction(f"<@{USER_ID}>", "build")
    still_answers(fake_discord)
    assert count(ctx, ProjectVersion) == 1 and len(missed_notes(fake_discord)) == 1
    print(
        {
            **figures,
            "session back after outage end (s)": round(back - outage_end, 2),
            "missed message after outage end (s)": round(noted - outage_end, 2),
        }
    )


def test_message_keys_fit_a_discord_nonce_and_stay_distinct():
    ids = [1, 10**6, 10**12, 2**63 - 1]
    keys = [delivery.message_key(kind, i, extra) for kind in ("st", "ms", "fin") for i in ids for extra in ("a", "b")]
    keys += [delivery.message_key("miss", snowflake()), delivery.message_key("re", "command:" + "x" * 200)]
    assert all(len(k) <= delivery.MAX_KEY for k in keys) and len(set(keys)) == len(keys)
    assert delivery.message_key("st", 42) == delivery.message_key("st", 42)  # stable: a retry finds its message
