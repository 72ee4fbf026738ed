"""The Slack adapter end to end: signed HTTP requests → Bolt → service → real worker → relay → fake Web API.

Everything but Slack itself is real: Postgres, Redis, the MongoDB-wire catalog, the RQ worker (in process), the
aiohttp server of the adapter. Slack is `tests/fakes/slack_api.py`, reached through SLACK_API_URL.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

import pymongo
import pytest
from pydantic import SecretStr
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from bot import messages
from bot.service import CommandService
from bot.settings import BotSettings
from bot.slack import RATE_LIMIT_RETRIES, SlackAdapter, render_text, serve_http, serve_socket_mode
from jobs.brief import MAX_PROMPT
from jobs.queue import BUILDS, queue
from storage import legacy
from storage.catalog import database_name
from storage.db import Database
from storage.models import CreditTransaction, Project, ProjectMessage, ProjectVersion, UserSession
from tests.fakes.slack_api import (
    BOT_USER_ID,
    SIGNING_SECRET,
    FakeSlackApi,
    action_body,
    blocks_of,
    command_body,
    event_body,
    signed_headers,
    text_of,
)

SECRET = SIGNING_SECRET
PROMPT = "a landing page for Sweet Crumbs, a bakery in Leeds, with a menu and contact page"
FORM = "application/x-www-form-urlencoded"


class RunningAdapter:
    """The real adapter served by aiohttp on port 0, in a thread with its own event loop."""

    def __init__(
        self,
        service: CommandService,
        settings: BotSettings,
        redis_url: str,
        database_url: str,
        *,
        socket_mode: bool = False,
    ) -> None:
        self.adapter = SlackAdapter(service, settings, redis_url=redis_url, database_url=database_url)
        self.socket_mode = socket_mode
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        assert self.ready.wait(15) and (self.adapter.port or socket_mode), "the adapter did not start"
        self.url = f"http://127.0.0.1:{self.adapter.port}/slack/events"

    def _run(self) -> None:
        async def main() -> None:
            self.loop = asyncio.get_running_loop()
            self.stop_event = asyncio.Event()
            serve = (
                serve_socket_mode(self.adapter, self.stop_event)
                if self.socket_mode
                else serve_http(self.adapter, "127.0.0.1", 0, self.stop_event)
            )
            server = asyncio.create_task(serve)
            while not (self.adapter.port or self.socket_mode and hasattr(self.adapter, "relay")) and not server.done():
                await asyncio.sleep(0.01)
            self.ready.set()
            await server

        asyncio.run(main())

    def stop(self) -> None:
        """As `autoweb` stops: the adapter first, then the service writes the history still queued."""
        self.loop.call_soon_threadsafe(self.stop_event.set)
        self.thread.join(15)
        self.adapter.service.close()

    def send(
        self, body: str, content_type: str, *, timestamp: int | None = None, headers: dict[str, str] | None = None
    ):
        all_headers = {**signed_headers(SECRET, body, content_type, timestamp=timestamp), **(headers or {})}
        request = urllib.request.Request(self.url, data=body.encode(), headers=all_headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def command(self, text: str, **kwargs: Any):
        return self.send(command_body(text, **kwargs), FORM)

    def event(self, event: dict[str, Any], event_id: str, **kwargs: Any):
        return self.send(event_body(event, event_id=event_id), "application/json", **kwargs)

    def click(self, **kwargs: Any):
        return self.send(action_body(**kwargs), FORM)


@pytest.fixture
def slack(ctx, slack_settings, redis_url, database_url) -> Iterator[RunningAdapter]:
    running = RunningAdapter(CommandService(ctx, slack_settings), slack_settings, redis_url, database_url)
    yield running
    running.stop()


def root_of(fake: FakeSlackApi, channel: str = "C1") -> Any:
    """The first channel-level post (the thread's root)."""
    roots = [c for c in fake.of("chat.postMessage") if c.args.get("channel") == channel and "thread_ts" not in c.args]
    return roots[0] if roots else None


def final_in(fake: FakeSlackApi, thread_ts: str, marker: str) -> Any:
    posts = [c for c in fake.thread("C1", thread_ts) if marker in text_of(c)]
    return posts[-1] if posts else None


def count(ctx, model: Any, *where: Any) -> int:
    with ctx.db.session() as s:
        return int(s.execute(select(func.count()).select_from(model).where(*where)).scalar_one())


def test_a_build_gets_a_thread_with_a_live_status_milestones_and_a_final_message(slack, fake_slack, ctx, run_jobs):
    started = time.perf_counter()
    status, body = slack.command(f"build {PROMPT}")
    assert status == 200 and body == ""  # acked at once; the reply goes to the channel as the thread's root
    assert time.perf_counter() - started < 3

    root = fake_slack.wait_for(lambda: root_of(fake_slack))
    project = _only(ctx, Project)
    assert text_of(root) == messages.thread_root("<@U1>", messages.build_accepted("Sweet Crumbs", project.id, 1, 0, 10))
    thread_ts = root.ts
    status_post = fake_slack.wait_for(lambda: fake_slack.thread("C1", thread_ts))[0]
    assert text_of(status_post) == messages.status_queued(0)
    assert [b["text"]["text"] for b in blocks_of(status_post)[1]["elements"]] == ["Cancel"]
    fake_slack.wait_for(lambda: count(ctx, UserSession, UserSession.thread_id == thread_ts))

    assert run_jobs()
    final = fake_slack.wait_for(lambda: final_in(fake_slack, thread_ts, "is live"))
    posts = [text_of(c) for c in fake_slack.thread("C1", thread_ts)]
    assert posts[0] == messages.status_queued(0)
    assert posts[1].startswith("✓ Template: ")  # the milestone the job reports (event.detail)
    assert posts[-1] == text_of(final) and len(posts) == 3
    assert "10 credits charged · 40 left" in text_of(final) and messages.THREAD_HINT in text_of(final)
    buttons = blocks_of(final)[1]["elements"]
    preview = f"https://preview.example.com/p/{project.preview_token}/"
    assert [(b["text"]["text"], b.get("url")) for b in buttons] == [
        ("Open preview", preview),
        ("Download zip", f"{preview}v1.zip"),
    ]
    # One status message, edited in place up to its final state.
    status_ts = status_post.ts
    updates = fake_slack.wait_for(
        lambda: [c for c in fake_slack.of("chat.update") if "done in" in text_of(c)] and fake_slack.of("chat.update")
    )
    assert {c.args["ts"] for c in updates} == {status_ts}
    assert text_of(updates[-1]).startswith(f"{messages.progress_bar(100)} 100 % · done in")
    assert "actions" not in [b["type"] for b in blocks_of(updates[-1])]  # no Cancel once finished

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
    fake_slack.wait_for(lambda: count(ctx, ProjectMessage, ProjectMessage.thread_id == thread_ts) == 2)
    site = ctx.settings.sites_dir / str(project.id) / "v1"
    assert (site / "index.html").is_file() and (site.parent / "v1.zip").is_file()


def test_a_reply_in_the_thread_is_an_edit_and_roll_back_survives_a_double_click(slack, fake_slack, ctx, run_jobs):
    slack.command(f"build {PROMPT}")
    thread_ts = fake_slack.wait_for(lambda: root_of(fake_slack)).ts
    fake_slack.wait_for(lambda: count(ctx, UserSession, UserSession.thread_id == thread_ts))
    run_jobs()
    fake_slack.wait_for(lambda: final_in(fake_slack, thread_ts, "v1 is live"))

    reply = {"type": "message", "user": "U1", "channel": "C1", "text": "add a pricing page", "ts": "1700000100.000001"}
    assert slack.event({**reply, "thread_ts": thread_ts}, "EvEdit")[0] == 200
    fake_slack.wait_for(lambda: any("v2" in text_of(c) for c in fake_slack.thread("C1", thread_ts)))
    run_jobs()
    final = fake_slack.wait_for(lambda: final_in(fake_slack, thread_ts, "v2 is live"))
    rollback = blocks_of(final)[1]["elements"][2]
    assert (rollback["text"]["text"], rollback["value"]) == (
        "Roll back to v1",
        f"rollback #{_only(ctx, Project).id} v1",
    )

    click = {"action_id": rollback["action_id"], "value": rollback["value"], "thread_ts": thread_ts}
    click["message_ts"] = final.ts
    assert slack.click(**click)[0] == 200
    assert slack.click(**click)[0] == 200

    def posted() -> list[str]:
        return [text_of(c) for c in fake_slack.of("chat.postMessage")]

    fake_slack.wait_for(lambda: any("already live" in t for t in posted()))
    assert sum("v1 is live again" in t for t in posted()) == 1  # the second click changes nothing
    with ctx.db.session() as s:
        kinds = [v.kind for v in s.execute(select(ProjectVersion).order_by(ProjectVersion.number)).scalars()]
    assert kinds == ["build", "edit"]  # a rollback builds nothing: v1 is live again at once
    assert count(ctx, CreditTransaction, CreditTransaction.type == "hold") == 2  # and charges nothing
    fake_slack.wait_for(lambda: _only(ctx, Project).current_version == 1)


def test_forged_and_stale_signatures_get_401_and_change_nothing(slack, fake_slack, ctx):
    body = command_body(f"build {PROMPT}")
    forged = signed_headers("not-the-secret", body, FORM)
    request = urllib.request.Request(slack.url, data=body.encode(), headers=forged, method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 401
    assert slack.send(body, FORM, timestamp=int(time.time()) - 6 * 60)[0] == 401
    time.sleep(0.2)
    assert count(ctx, ProjectVersion) == 0 and count(ctx, CreditTransaction) == 0
    assert fake_slack.of("chat.postMessage") == []


def test_a_redelivered_event_makes_no_second_job(slack, fake_slack, ctx):
    mention = {"type": "app_mention", "user": "U1", "channel": "C1", "ts": "1700000200.000001"}
    mention["text"] = f"<@{BOT_USER_ID}> build {PROMPT}"
    assert slack.event(mention, "EvOnce")[0] == 200
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    assert slack.event(mention, "EvOnce", headers=retry)[0] == 200
    fake_slack.wait_for(lambda: fake_slack.thread("C1", "1700000200.000001"))
    assert queue(ctx.redis, BUILDS).count == 1
    assert count(ctx, ProjectVersion) == 1 and count(ctx, CreditTransaction, CreditTransaction.type == "hold") == 1
    first = fake_slack.thread("C1", "1700000200.000001")[0]
    assert "project #" in text_of(first)  # the mention's own thread carries the reply
    time.sleep(0.2)
    assert fake_slack.of("chat.postEphemeral") == []  # the retry is not answered with "Already on it"


def test_rate_limited_calls_are_waited_out_and_the_final_message_still_arrives(slack, fake_slack, ctx, run_jobs):
    slack.command(f"build {PROMPT}")
    thread_ts = fake_slack.wait_for(lambda: root_of(fake_slack)).ts
    fake_slack.wait_for(lambda: count(ctx, UserSession, UserSession.thread_id == thread_ts))
    fake_slack.rate_limit("chat.update", times=2, retry_after=1)
    # More refusals than the Web API client retries on its own: the relay's loop has to carry the final message.
    fake_slack.rate_limit("chat.postMessage", times=RATE_LIMIT_RETRIES + 1, retry_after=1, text="is live")
    run_jobs()
    final = fake_slack.wait_for(lambda: final_in(fake_slack, thread_ts, "is live"), timeout=30)
    done = fake_slack.wait_for(lambda: [c for c in fake_slack.of("chat.update") if "done in" in text_of(c)], timeout=30)
    refused = [c for c in fake_slack.calls if c.status == 429]
    refused_posts = [c for c in refused if c.method == "chat.postMessage"]
    assert [c.method for c in refused].count("chat.update") == 2 and len(refused_posts) == RATE_LIMIT_RETRIES + 1
    assert final.at - refused_posts[0].at >= RATE_LIMIT_RETRIES + 1  # every Retry-After was honoured
    assert done[-1].at - refused[0].at >= 1.0
    texts = [text_of(c) for c in fake_slack.thread("C1", thread_ts)]
    assert len(texts) == 3 and texts[-1] == text_of(final)  # nothing dropped, nothing doubled


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("build", messages.empty_prompt("build")),
        ("frobnicate the site", messages.unknown_command("frobnicate", None)),
        ("buld a bakery site", messages.unknown_command("buld", "build")),
        ("build " + "x" * (MAX_PROMPT + 1), messages.prompt_too_long(MAX_PROMPT + 1, MAX_PROMPT)),
    ],
)
def test_bad_input_gets_an_ephemeral_one_liner_and_writes_nothing(slack, fake_slack, ctx, text, expected):
    status, body = slack.command(text)
    assert status == 200
    assert json.loads(body) == {"text": expected, "response_type": "ephemeral"}
    assert count(ctx, Project) == 0 and count(ctx, CreditTransaction) == 0
    assert queue(ctx.redis, BUILDS).count == 0 and fake_slack.of("chat.postMessage") == []


def test_help_and_credits_answer_only_the_sender(slack, ctx):
    help_text = render_text(messages.help_text())  # its `<what you want>` placeholders go out as entities
    assert json.loads(slack.command("help")[1]) == {"text": help_text, "response_type": "ephemeral"}
    credits = json.loads(slack.command("credits")[1])
    assert credits["response_type"] == "ephemeral" and credits["text"].startswith("You have 50 credits available")


def test_cancel_button_ends_the_thread_and_gives_the_credits_back(slack, fake_slack, ctx):
    slack.command(f"build {PROMPT}")
    thread_ts = fake_slack.wait_for(lambda: root_of(fake_slack)).ts
    status_post = fake_slack.wait_for(lambda: fake_slack.thread("C1", thread_ts))[0]
    fake_slack.wait_for(lambda: count(ctx, UserSession, UserSession.thread_id == thread_ts))
    cancel = blocks_of(status_post)[1]["elements"][0]
    message_ts = status_post.ts
    assert (
        slack.click(action_id=cancel["action_id"], value=cancel["value"], message_ts=message_ts, thread_ts=thread_ts)[0]
        == 200
    )
    final = fake_slack.wait_for(lambda: final_in(fake_slack, thread_ts, "was cancelled"))
    assert "Your 10 credits are back" in text_of(final)
    fake_slack.wait_for(lambda: fake_slack.of("chat.postEphemeral"))
    assert text_of(fake_slack.of("chat.postEphemeral")[0]).startswith("Cancelling #")
    assert count(ctx, CreditTransaction, CreditTransaction.type == "release") == 1


def test_two_relays_on_one_redis_post_each_event_once(
    slack, fake_slack, ctx, slack_settings, redis_url, database_url, run_jobs
):
    second = RunningAdapter(CommandService(ctx, slack_settings), slack_settings, redis_url, database_url)
    try:
        slack.command(f"build {PROMPT}")
        thread_ts = fake_slack.wait_for(lambda: root_of(fake_slack)).ts
        fake_slack.wait_for(lambda: count(ctx, UserSession, UserSession.thread_id == thread_ts))
        run_jobs()
        fake_slack.wait_for(lambda: final_in(fake_slack, thread_ts, "is live"))
        fake_slack.wait_for(lambda: any("done in" in text_of(c) for c in fake_slack.of("chat.update")))
        time.sleep(1.5)  # a duplicate would arrive within the coalescing interval
        posts = [text_of(c) for c in fake_slack.thread("C1", thread_ts)]
        assert len(posts) == 3 and len(set(posts)) == 3
        assert sum("done in" in text_of(c) for c in fake_slack.of("chat.update")) == 1
    finally:
        second.stop()


def test_a_channel_the_bot_cannot_post_in_gets_the_reply_through_the_response_url(slack, fake_slack, ctx):
    respond_to = fake_slack.response_url_base + "cmd1"
    assert slack.command(f"build {PROMPT}", channel="CNOTIN1", response_url=respond_to) == (200, "")
    answer = fake_slack.wait_for(lambda: fake_slack.of("response_url"))[0]
    project = _only(ctx, Project)
    accepted = messages.build_accepted("Sweet Crumbs", project.id, 1, 0, 10)
    assert answer.args == {"text": messages.cannot_post_here(accepted, project.id), "response_type": "ephemeral"}


def test_socket_mode_acks_over_the_websocket_and_builds_the_same_thread(
    ctx, slack_settings, fake_slack, redis_url, database_url
):
    settings = slack_settings.model_copy(update={"slack_app_token": SecretStr("xapp-test")})
    running = RunningAdapter(CommandService(ctx, settings), settings, redis_url, database_url, socket_mode=True)
    try:
        assert fake_slack.socket_connected.wait(10)
        command = dict(urllib.parse.parse_qsl(command_body("help")))
        fake_slack.socket_send("slash_commands", command, "env-help")
        help_ack = fake_slack.wait_for(lambda: [a for a in fake_slack.socket_acks if a["envelope_id"] == "env-help"])
        assert help_ack[0]["payload"] == {"text": render_text(messages.help_text()), "response_type": "ephemeral"}
        fake_slack.socket_send("slash_commands", dict(urllib.parse.parse_qsl(command_body(f"build {PROMPT}"))), "e2")
        assert "Sweet Crumbs" in text_of(fake_slack.wait_for(lambda: root_of(fake_slack)))
        build_ack = fake_slack.wait_for(lambda: [a for a in fake_slack.socket_acks if a["envelope_id"] == "e2"])
        assert build_ack[0].get("payload") is None  # an accepted build is acked empty; the thread says the rest
        opened = fake_slack.of("apps.connections.open")[0]
        assert opened.token == "xapp-test"
    finally:
        running.stop()


def test_the_bots_own_messages_and_unknown_threads_are_ignored(slack, fake_slack, ctx):
    own = {"type": "message", "bot_id": "BBOT", "user": BOT_USER_ID, "channel": "C1", "text": "hi"}
    stranger = {"type": "message", "user": "U2", "channel": "C1", "text": "make it blue"}
    assert slack.event({**own, "ts": "1.2", "thread_ts": "1.1"}, "EvOwn")[0] == 200
    assert slack.event({**stranger, "ts": "2.2", "thread_ts": "2.1"}, "EvStranger")[0] == 200
    time.sleep(0.2)
    assert count(ctx, ProjectVersion) == 0 and fake_slack.of("chat.postMessage") == []


# --- helpers ----------------------------------------------------------------------------------------------------
def _only(ctx, model: Any) -> Any:
    with ctx.db.session() as s:
        return s.execute(select(model)).scalar_one()


def test_multi_workspace_mode_installs_and_answers_each_workspace_with_its_own_token(
    ctx, bot_settings, fake_slack, redis_url, database_url
):
    settings = bot_settings.model_copy(
        update={
            "slack_client_id": "111.222",
            "slack_client_secret": SecretStr("client-secret"),
            "slack_signing_secret": SecretStr(SECRET),
            "slack_api_url": fake_slack.url,
        }
    )
    asyncio.run(_install_workspace(database_url, team="T2", token="xoxb-team-two"))
    running = RunningAdapter(CommandService(ctx, settings), settings, redis_url, database_url)
    try:
        page = urllib.request.urlopen(running.url.replace("/slack/events", "/slack/install"), timeout=10)
        assert page.status == 200 and "client_id=111.222" in page.read().decode()
        assert running.command(f"build {PROMPT}", team="T2")[0] == 200
        root = fake_slack.wait_for(lambda: root_of(fake_slack))
        assert root.token == "xoxb-team-two"
    finally:
        running.stop()


async def _install_workspace(database_url: str, *, team: str, token: str) -> None:
    """What a finished OAuth install leaves behind (the tables come from migration 0003, as in a deployment)."""
    engine = create_async_engine(database_url)
    store = AsyncSQLAlchemyInstallationStore(client_id="111.222", engine=engine)
    await store.async_save(
        Installation(app_id="A1", team_id=team, bot_token=token, bot_id="B2", bot_user_id="UB2", user_id="U9")
    )
    await engine.dispose()


def test_a_migrated_user_claims_their_account_by_their_verified_slack_email(slack, fake_slack, ctx, mongo_url):
    """Issue 7: a person whose Slack email (confirmed, from users.info) is a migrated account's email uses that
    account from their first command on; nobody else does."""
    source: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(mongo_url)
    source[database_name(mongo_url)].users.insert_one({"id": "legacy-ann", "email": "Ann@Example.com", "credits": 30})
    source.close()
    db = Database(ctx.db.url, pool_size=1)
    assert legacy.migrate(mongo_url, db).ok
    db.dispose()

    fake_slack.emails["U7"] = "ann@example.com"
    claimed = json.loads(slack.command("credits", user="U7")[1])
    assert claimed["text"].startswith("You have 30 credits available"), claimed
    stranger = json.loads(slack.command("credits", user="U8")[1])
    assert stranger["text"].startswith("You have 50 credits available")  # a new account with signup credits
    assert len(fake_slack.of("users.info")) == 2
    slack.command("credits", user="U7")
    assert len(fake_slack.of("users.info")) == 2  # looked up once per person and process
    # as another adapter process would: it has not seen them, but they have accounts
    slack.adapter.service.identity.seen.clear()
    slack.command("credits", user="U7")
    slack.command("credits", user="U8")
    assert len(fake_slack.of("users.info")) == 2  # only a newcomer is looked up
