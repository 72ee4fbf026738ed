"""The Discord adapter end to end: gateway events → discord.py → service → real worker → relay → fake REST API.

Everything but Discord itself is real: Postgres, Redis, the MongoDB-wire catalog, the RQ worker (in process) and
the discord.py client, which logs in and connects to the gateway of
`tests/fakes/discord_api.py` through DISCORD_API_URL / DISCORD_GATEWAY_URL.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from bot import messages
from bot.discord_bot import DiscordAdapter, serve
from bot.service import CommandService
from bot.settings import BotSettings
from jobs.brief import MAX_PROMPT
from jobs.queue import BUILDS, queue
from storage.models import CreditTransaction, Project, ProjectMessage, ProjectVersion, UserSession
from tests.fakes.discord_api import (
    CHANNEL_ID,
    USER_ID,
    FakeDiscord,
    UserOption,
    click,
    slash,
    thread_channel,
    user_message,
)

PROMPT = "a landing page for Sweet Crumbs, a bakery in Leeds, with a menu and contact page"


class RunningAdapter:
    """The real adapter and its discord.py client, in a thread with its own event loop."""

    def __init__(self, service: CommandService, settings: BotSettings, redis_url: str, fake: FakeDiscord) -> None:
        self.adapter = DiscordAdapter(service, settings, redis_url=redis_url)
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        assert fake.identified.wait(15), "the client did not connect to the gateway"
        assert self.ready.wait(15) and self.adapter.relay.ready.is_set(), "the relay did not start"

    def _run(self) -> None:
        async def main() -> None:
            self.loop = asyncio.get_running_loop()
            self.stop_event = asyncio.Event()
            running = asyncio.create_task(serve(self.adapter, self.stop_event))
            while not (hasattr(self.adapter, "relay") and self.adapter.relay.ready.is_set()) and not running.done():
                await asyncio.sleep(0.01)
            self.ready.set()
            await running

        asyncio.run(main())

    def stop(self) -> None:
        """As `autoweb` stops: the adapter first, then the service writes the history still queued."""
        self.loop.call_soon_threadsafe(self.stop_event.set)
        self.thread.join(15)
        self.adapter.service.close()


MESSAGE_CONTENT = 1 << 15
"""The privileged MESSAGE_CONTENT bit of the gateway's IDENTIFY intents."""


@pytest.fixture
def fake_discord() -> Iterator[FakeDiscord]:
    api = FakeDiscord().start()
    yield api
    api.stop()


@pytest.fixture
def discord_settings(bot_settings: BotSettings, fake_discord: FakeDiscord) -> BotSettings:
    return bot_settings.model_copy(
        update={
            "discord_bot_token": SecretStr("discord-test-token"),
            "discord_api_url": fake_discord.url,
            "discord_gateway_url": fake_discord.gateway_url,
        }
    )


@pytest.fixture
def bot(ctx, discord_settings, redis_url, fake_discord) -> Iterator[RunningAdapter]:
    running = RunningAdapter(CommandService(ctx, discord_settings), discord_settings, redis_url, fake_discord)
    yield running
    running.stop()


# --- helpers -----------------------------------------------------------------------------------------------------
def count(ctx, model: Any, *where: Any) -> int:
    with ctx.db.session() as s:
        return int(s.execute(select(func.count()).select_from(model).where(*where)).scalar_one())


def only(ctx, model: Any) -> Any:
    with ctx.db.session() as s:
        return s.execute(select(model)).scalar_one()


def content(message: dict[str, Any]) -> str:
    """What a message shows: its content, or its embed's title and description."""
    embeds = message.get("embeds") or []
    if embeds:
        return "\n".join(str(part) for part in (embeds[0].get("title"), embeds[0].get("description")) if part)
    return str(message.get("content", ""))


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for row in message.get("components") or [] for b in row["components"]]


def thread_of(fake: FakeDiscord) -> str:
    return str(fake.wait_for(lambda: fake.of("thread.start"))[0].result["id"])


def with_text(fake: FakeDiscord, channel: str, marker: str) -> dict[str, Any] | None:
    found = [m for m in fake.in_channel(channel) if marker in content(m)]
    return found[-1] if found else None


def build(bot_fake: FakeDiscord, ctx, **kwargs: Any) -> tuple[dict[str, Any], str]:
    """`/autoweb build`, up to the status message in its new thread (and the thread bound to the project)."""
    payload = slash("build", {"prompt": PROMPT}, **kwargs)
    bot_fake.dispatch("INTERACTION_CREATE", payload)
    thread = thread_of(bot_fake)
    bot_fake.wait_for(lambda: bot_fake.in_channel(thread))
    bot_fake.wait_for(lambda: count(ctx, UserSession, UserSession.thread_id == thread))
    return payload, thread


# --- tests -------------------------------------------------------------------------------------------------------
def test_start_connects_without_syncing_commands_and_the_gateway_session_is_alive(bot, fake_discord):
    """Commands are registered by `autoweb discord sync-commands` (tests/bot/test_discord_sync.py), not per start."""
    assert fake_discord.of("commands.put", ok_only=False) == [] and fake_discord.commands == []
    assert fake_discord.identify["token"] == "discord-test-token"
    assert not fake_discord.identify["intents"] & MESSAGE_CONTENT  # no privileged intent unless asked for
    fake_discord.wait_for(lambda: fake_discord.heartbeats >= 1)


def test_the_message_content_intent_is_requested_only_when_configured(ctx, discord_settings, redis_url, fake_discord):
    settings = discord_settings.model_copy(update={"discord_message_content": True})
    running = RunningAdapter(CommandService(ctx, settings), settings, redis_url, fake_discord)
    try:
        fake_discord.wait_for(lambda: bool(fake_discord.identify))
        assert fake_discord.identify["intents"] & MESSAGE_CONTENT
    finally:
        running.stop()


def test_a_build_is_deferred_then_gets_a_thread_a_live_status_and_a_final_embed(bot, fake_discord, ctx, run_jobs):
    payload = slash("build", {"prompt": PROMPT})
    fake_discord.dispatch("INTERACTION_CREATE", payload)
    thread = thread_of(fake_discord)
    routes = [c.route for c in fake_discord.calls if c.route in ("callback", "original.edit", "thread.start")]
    assert routes == ["callback", "original.edit", "thread.start"]  # defer first, then the reply, then the thread
    defer = fake_discord.of("callback")[0]
    assert defer.body["type"] == 5 and defer.query == {"with_response": "1"}
    assert not int((defer.body.get("data") or {}).get("flags", 0)) & 64  # public: the thread hangs off it
    assert defer.at - fake_discord.dispatched[payload["id"]] < 1.0

    project = only(ctx, Project)
    original = fake_discord.of("original.edit")[0]
    assert content(original.result) == messages.build_accepted("Sweet Crumbs", project.id, 1, 0, 10)
    started = fake_discord.of("thread.start")[0]
    assert started.channel == CHANNEL_ID and started.path["message"] == original.result["id"]
    assert started.body["name"] == messages.discord_thread_name(project.id, "Sweet Crumbs")
    status = fake_discord.wait_for(lambda: fake_discord.in_channel(thread))[0]
    assert [b["label"] for b in buttons(status)] == ["Cancel"]
    assert buttons(status)[0]["custom_id"] == f"autoweb:cancel #{project.id}"
    fake_discord.wait_for(lambda: count(ctx, UserSession, UserSession.thread_id == thread))

    assert run_jobs()
    final = fake_discord.wait_for(lambda: with_text(fake_discord, thread, "is live"))
    posts = [c for c in fake_discord.of("message.post") if c.channel == thread]
    assert [content(c.result) for c in posts][0] == messages.status_queued(0)
    assert content(posts[1].result).startswith("✓ Template: ")
    assert len(posts) == 3 and posts[-1].result["id"] == final["id"]
    embed = final["embeds"][0]
    preview = f"https://preview.example.com/p/{project.preview_token}/"
    assert embed["url"] == preview and embed["title"].startswith(f"✅ Sweet Crumbs v1 is live: {preview}")
    assert "10 credits charged · 40 left" in embed["description"] and final["content"] == ""
    assert [(b["label"], b["url"]) for b in buttons(final)] == [
        ("Open preview", preview),
        ("Download zip", f"{preview}v1.zip"),
    ]
    # One status message, edited in place up to its final state; no Cancel once finished.
    done = fake_discord.wait_for(lambda: "done in" in content(fake_discord.messages[status["id"]]))
    assert done and {c.path["message"] for c in fake_discord.of("message.edit")} == {status["id"]}
    assert fake_discord.messages[status["id"]]["components"] == []
    for call in fake_discord.of("message.post") + fake_discord.of("message.edit"):
        assert len(call.body["content"]) <= 2000

    with ctx.db.session() as s:
        ledger = [
            (t.type, t.amount) for t in s.execute(select(CreditTransaction).order_by(CreditTransaction.id)).scalars()
        ]
        history = [
            (m.role, m.text)
            for m in s.execute(select(ProjectMessage).order_by(ProjectMessage.created_at, ProjectMessage.id)).scalars()
        ]
    assert ledger == [("grant", 50), ("hold", 0), ("capture", -10)]
    assert history[0] == ("user", f"build {PROMPT}")
    fake_discord.wait_for(lambda: count(ctx, ProjectMessage, ProjectMessage.thread_id == thread) == 2)
    site = ctx.settings.sites_dir / str(project.id) / "v1"
    assert (site / "index.html").is_file() and (site.parent / "v1.zip").is_file()


def test_a_replayed_interaction_makes_no_second_job(bot, fake_discord, ctx):
    payload, thread = build(fake_discord, ctx)
    fake_discord.dispatch("INTERACTION_CREATE", payload)  # e.g. redelivered after a gateway resume
    refused = fake_discord.wait_for(lambda: fake_discord.of("callback", ok_only=False)[1:])
    assert refused[0].status == 400  # Discord: "Interaction has already been acknowledged" (40060)
    time.sleep(0.3)
    assert count(ctx, ProjectVersion) == 1 and count(ctx, CreditTransaction, CreditTransaction.type == "hold") == 1
    assert queue(ctx.redis, BUILDS).count == 1 and len(fake_discord.of("thread.start")) == 1
    assert len(fake_discord.of("original.edit")) == 1


def test_a_replay_that_reaches_the_service_is_answered_privately_and_changes_nothing(bot, fake_discord, ctx):
    fake_discord.reject_repeated_callbacks = False  # e.g. a second process got the same event
    payload, _ = build(fake_discord, ctx)
    fake_discord.dispatch("INTERACTION_CREATE", payload)
    followup = fake_discord.wait_for(lambda: fake_discord.of("followup"))[0]
    project = only(ctx, Project)
    assert followup.body["content"] == messages.duplicate_request(project.id) and followup.body["flags"] & 64
    assert len(fake_discord.of("original.delete")) == 1  # the public "thinking…" placeholder went away
    assert count(ctx, ProjectVersion) == 1 and queue(ctx.redis, BUILDS).count == 1
    assert len(fake_discord.of("thread.start")) == 1


@pytest.mark.parametrize(
    ("sub", "options", "expected"),
    [
        ("build", {"prompt": "  "}, messages.empty_prompt("build")),
        ("build", {"prompt": "x" * (MAX_PROMPT + 1)}, messages.prompt_too_long(MAX_PROMPT + 1, MAX_PROMPT)),
        ("images", {"project": 4, "n": 9}, messages.bad_image_count(8)),
        ("edit", {"project": 4, "instruction": "make it blue"}, messages.no_such_project(4)),
        ("credits-grant", {"user": None, "amount": 5}, messages.not_admin()),
    ],
)
def test_bad_input_gets_its_one_liner_only_to_the_sender_and_writes_nothing(
    bot, fake_discord, ctx, sub, options, expected
):
    if "user" in options:
        options = {**options, "user": UserOption("1100000000000000099")}
    fake_discord.dispatch("INTERACTION_CREATE", slash(sub, options))
    shown = fake_discord.wait_for(lambda: fake_discord.of("original.edit") or fake_discord.of("followup"))[0]
    assert shown.body["content"] == expected
    defer = fake_discord.of("callback")[0]
    private = defer.body["data"]["flags"] & 64 if shown.route == "original.edit" else shown.body["flags"] & 64
    assert private
    assert count(ctx, Project) == 0 and count(ctx, ProjectVersion) == 0
    assert count(ctx, CreditTransaction, CreditTransaction.type != "grant") == 0
    assert queue(ctx.redis, BUILDS).count == 0 and fake_discord.of("thread.start") == []


def test_help_is_deferred_privately_and_answered_in_place(bot, fake_discord):
    fake_discord.dispatch("INTERACTION_CREATE", slash("help"))
    shown = fake_discord.wait_for(lambda: fake_discord.of("original.edit"))[0]
    assert shown.body["content"] == messages.help_text()
    assert fake_discord.of("callback")[0].body["data"]["flags"] & 64


def test_a_rate_limited_edit_is_waited_out_and_the_final_message_still_arrives(bot, fake_discord, ctx, run_jobs):
    _, thread = build(fake_discord, ctx)
    fake_discord.rate_limit("message.edit", times=2, retry_after=0.5)
    fake_discord.rate_limit("message.post", times=1, retry_after=0.5)
    run_jobs()
    final = fake_discord.wait_for(lambda: with_text(fake_discord, thread, "is live"), timeout=30)
    status = fake_discord.in_channel(thread)[0]
    fake_discord.wait_for(lambda: "done in" in content(fake_discord.messages[status["id"]]), timeout=30)
    refused = [c for c in fake_discord.calls if c.status == 429]
    assert sorted(c.route for c in refused) == ["message.edit", "message.edit", "message.post"]
    final_call = next(c for c in fake_discord.of("message.post") if c.result["id"] == final["id"])
    assert final_call.at - refused[0].at >= 0.5  # the retry_after was honoured
    texts = [content(c.result) for c in fake_discord.of("message.post") if c.channel == thread]
    assert len(texts) == 3 and len(set(texts)) == 3  # nothing dropped, nothing doubled


def test_a_mention_builds_in_a_thread_and_a_reply_there_is_an_edit_and_roll_back_is_instant_on_a_double_click(
    bot, fake_discord, ctx, run_jobs
):
    fake_discord.dispatch("MESSAGE_CREATE", user_message(f"build {PROMPT}", mention=True))
    thread = thread_of(fake_discord)
    project = only(ctx, Project)
    root = fake_discord.of("message.post")[0]
    assert root.channel == CHANNEL_ID and content(root.result) == messages.thread_root(
        f"<@{USER_ID}>", messages.build_accepted("Sweet Crumbs", project.id, 1, 0, 10)
    )
    fake_discord.wait_for(lambda: count(ctx, UserSession, UserSession.thread_id == thread))
    run_jobs()
    fake_discord.wait_for(lambda: with_text(fake_discord, thread, "v1 is live"))

    # A plain reply in the thread (readable with the message-content intent) is an edit of the project.
    fake_discord.dispatch("MESSAGE_CREATE", user_message("add a pricing page", thread))
    fake_discord.wait_for(lambda: with_text(fake_discord, thread, "v2 ·"))
    run_jobs()
    final = fake_discord.wait_for(lambda: with_text(fake_discord, thread, "v2 is live"))
    rollback = buttons(final)[2]
    assert (rollback["label"], rollback["custom_id"]) == ("Roll back to v1", f"autoweb:rollback #{project.id} v1")

    where = thread_channel(thread, CHANNEL_ID, "t")
    fake_discord.dispatch("INTERACTION_CREATE", click(rollback["custom_id"], final, channel=where))
    fake_discord.dispatch("INTERACTION_CREATE", click(rollback["custom_id"], final, channel=where))
    replies = fake_discord.wait_for(lambda: len(fake_discord.of("followup")) >= 2 and fake_discord.of("followup"))
    texts = sorted(r.body["content"] for r in replies)
    assert any("v1 is live again" in t for t in texts) and messages.already_live(project.id, 1) in texts
    assert all(c.body["type"] == 6 for c in fake_discord.of("callback"))  # clicks are acknowledged silently
    with ctx.db.session() as s:
        kinds = [v.kind for v in s.execute(select(ProjectVersion).order_by(ProjectVersion.number)).scalars()]
        assert s.get(Project, project.id).current_version == 1  # live again at once: nothing built
    assert kinds == ["build", "edit"]
    assert count(ctx, CreditTransaction, CreditTransaction.type == "hold") == 2  # and nothing charged
    assert len(fake_discord.of("thread.start")) == 1  # one thread per project


def test_the_cancel_button_ends_the_thread_and_gives_the_credits_back(bot, fake_discord, ctx):
    _, thread = build(fake_discord, ctx)
    status = fake_discord.in_channel(thread)[0]
    where = thread_channel(thread, CHANNEL_ID, "t")
    fake_discord.dispatch("INTERACTION_CREATE", click(buttons(status)[0]["custom_id"], status, channel=where))
    final = fake_discord.wait_for(lambda: with_text(fake_discord, thread, "was cancelled"))
    assert "Your 10 credits are back" in content(final)
    followup = fake_discord.wait_for(lambda: fake_discord.of("followup"))[0]
    assert followup.body["content"].startswith("Cancelling #") and followup.body["flags"] & 64
    assert count(ctx, CreditTransaction, CreditTransaction.type == "release") == 1


def test_project_options_autocomplete_to_the_users_projects(bot, fake_discord, ctx):
    build(fake_discord, ctx)
    project = only(ctx, Project)
    fake_discord.dispatch("INTERACTION_CREATE", slash("edit", {"project": "crumbs"}, focused="project"))
    answer = fake_discord.wait_for(lambda: [c for c in fake_discord.of("callback") if c.body["type"] == 8])[0]
    assert answer.body["data"]["choices"] == [{"name": f"#{project.id} Sweet Crumbs", "value": project.id}]
