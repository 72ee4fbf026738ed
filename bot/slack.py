"""The Slack adapter: Bolt (asyncio) in HTTP mode behind aiohttp, or in Socket Mode.

Each listener turns a Slack payload into (Actor, command line), calls the neutral service on a thread pool and
acks with the reply: errors, help and credits go back as the ephemeral ack. With `process_before_response` the
ack leaves as soon as the listener returns (Bolt's default runner would poll for it every 10 ms). Work Slack
does not wait for (the thread's root message, the status message) runs as a task after the ack. Progress is
the relay's job. Request signatures (401 when forged or older than 5 minutes) are Bolt's middleware.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import re
import time
from collections.abc import Awaitable, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import aiohttp
import redis.asyncio as aioredis
import structlog
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.request.internals import parse_body
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse
from sqlalchemy.ext.asyncio import create_async_engine

from bot import attachments, chat_text, delivery, logs, messages, metrics, readiness, slack_app
from bot.chat_sink import Ambiguous, ChatUnavailable, Outgoing, RateLimited, ThreadRef
from bot.commands import Actor
from bot.relay import Relay, spawn
from bot.service import SERVICE_THREADS, CommandService, Reply
from bot.settings import BotSettings
from jobs.brief import MAX_PROMPT

log = structlog.get_logger(__name__)
PLATFORM = "slack"
SCOPES = slack_app.bot_scopes()
"""Asked for by the OAuth install; the same list as `slack/manifest.yml` (tests/ops/test_slack_manifest.py)."""
DRAIN_SECONDS = 10.0
"""At shutdown, how long the threads of builds already acked may still take to post."""
RATE_LIMIT_RETRIES = 3
"""Times the Web API client itself waits out a 429 (Retry-After) before the relay's own retry loop takes over."""
Body = dict[str, Any]
T = TypeVar("T")
DELIVER_SECONDS = 60.0
"""How long a reply or a thread's root message is retried through a Slack outage (its key makes that safe)."""


def render_text(text: str) -> str:
    """Any text we send to Slack (`text`, mrkdwn, acks): user parts escaped, `&`, `<`, `>` never raw."""
    return chat_text.for_slack(text)


def render(message: Outgoing) -> dict[str, Any]:
    """`text` plus Block Kit: a section, and an actions block for the buttons."""
    text = render_text(message.text)
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": chat_text.cut(text, 3000)}}]
    elements = []
    for i, b in enumerate(message.buttons):
        label = chat_text.cut(chat_text.plain(b.label), 75)
        button: dict[str, Any] = {"type": "button", "text": {"type": "plain_text", "text": label}}
        if b.url:
            button.update(url=b.url, action_id=f"autoweb_link:{i}")
        else:
            button.update(value=b.command or "", action_id=f"autoweb_command:{i}")
        elements.append(button)
    if elements:
        blocks.append({"type": "actions", "elements": elements})
    return {"text": chat_text.cut(text, 4000), "blocks": blocks}


class SlackSink:
    """`ChatSink` over the Web API, with the right bot token for each workspace. A message with a key is posted
    with it as metadata and, after an ambiguous failure, looked for in its thread before it is posted again."""

    platform = PLATFORM

    def __init__(self, client_for: Callable[[str], Awaitable[AsyncWebClient]]) -> None:
        self.client_for = client_for
        self.creates = delivery.CreateLedger()
        """Set its `redis` to share uncertain creates with the other processes."""

    async def open_thread(self, team_id: str, channel_id: str, message: Outgoing) -> ThreadRef:
        ts = await self._create(team_id, channel_id, None, message)
        return ThreadRef(platform=PLATFORM, team_id=team_id, channel_id=channel_id, thread_id=ts)

    async def post(self, where: ThreadRef, message: Outgoing) -> str:
        return await self._create(where.team_id, where.channel_id, where.thread_id, message)

    async def edit(self, where: ThreadRef, message_id: str, message: Outgoing) -> None:
        await self._call(where.team_id, "chat_update", channel=where.channel_id, ts=message_id, **render(message))

    async def ephemeral(self, actor: Actor, text: str) -> None:
        await self._call(
            actor.team_id,
            "chat_postEphemeral",
            channel=actor.channel_id,
            user=actor.user_id,
            text=render_text(text),
            **({"thread_ts": actor.thread_id} if actor.thread_id else {}),
        )

    async def _create(self, team_id: str, channel: str, thread: str | None, message: Outgoing) -> str:
        where: dict[str, Any] = {"channel": channel, **({"thread_ts": thread} if thread else {})}
        if message.key is None:
            return await self._call(team_id, "chat_postMessage", **where, **render(message))
        key = message.key
        post = functools.partial(
            self._call, team_id, "chat_postMessage", **where, **render(message), metadata=delivery.metadata(key)
        )
        return await self.creates.create(key, post, functools.partial(self._find, team_id, channel, thread, key))

    async def _find(self, team_id: str, channel: str, thread: str | None, key: str, oldest: float) -> str | None:
        """The ts of the bot's message created with `key` since `oldest`, in the thread (or the channel)."""
        method, args = "conversations_history", {"channel": channel}
        if thread:
            method, args = "conversations_replies", {"channel": channel, "ts": thread}
        cursor: str | None = None
        while True:
            try:
                page = await self._api(
                    team_id, method, **args, oldest=f"{oldest:.6f}", include_all_metadata=True, limit=15, cursor=cursor
                )
            except SlackApiError as exc:  # e.g. a DM (no im:history): posting again beats never posting
                log.warning("could not look for an uncertain message; posting again", error=exc.response.get("error"))
                return None
            for found in page.get("messages") or []:
                if delivery.key_of(found) == key:
                    return str(found.get("ts", ""))
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if cursor is None:
                return None

    async def _call(self, team_id: str, method: str, **kwargs: Any) -> str:
        return str((await self._api(team_id, method, **kwargs)).get("ts", ""))

    async def _api(self, team_id: str, method: str, **kwargs: Any) -> AsyncSlackResponse:
        client = await self.client_for(team_id)
        try:
            response: AsyncSlackResponse = await getattr(client, method)(**kwargs)
        except SlackApiError as exc:
            if exc.response.status_code == 429:
                raise RateLimited(float(exc.response.headers.get("retry-after", 1))) from None
            if exc.response.status_code >= 500:
                raise Ambiguous(f"{method}: HTTP {exc.response.status_code}") from None
            raise
        except aiohttp.ClientConnectorError as exc:  # never reached Slack: nothing was done
            raise ChatUnavailable(f"{method}: {type(exc).__name__}") from exc
        except (aiohttp.ClientError, TimeoutError) as exc:  # sent, and no answer: it may have been done
            raise Ambiguous(f"{method}: {type(exc).__name__}") from exc
        return response


class CappedRateLimitRetry(AsyncRateLimitErrorRetryHandler):
    """slack_sdk's 429 retry, for waits of at most `delivery.RETRY_AFTER_CAP`; a longer one comes back to the
    caller (the relay decides what to wait for)."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        wait = next((v for k, v in response.headers.items() if k.lower() == "retry-after"), ["1"])
        try:
            return float(wait[0]) <= delivery.RETRY_AFTER_CAP
        except ValueError:
            return False


class AckFirst:
    """Work that follows an ack (a thread's root message, its status message, a button's command) waits while any
    request is still waiting for its own ack, at most `max_wait` seconds after it was queued.

    Slack's 3-second clock runs on acks; thread posts have no such deadline, and Slack paces them anyway
    (`chat.postMessage` ~1/s per channel). Run in the same event loop, the ~5 ms of post-ack work per build would
    otherwise delay the acks of the requests arriving behind it. `workers` tasks run the queue.
    """

    def __init__(self, workers: int = 4, max_wait: float = 1.0) -> None:
        self.workers, self.max_wait = workers, max_wait
        self.queue: asyncio.Queue[tuple[float, Coroutine[Any, Any, object], dict[str, Any]]] = asyncio.Queue()
        self.in_flight = 0
        self.idle = asyncio.Event()
        self.idle.set()

    def start(self, tasks: set[asyncio.Task[None]]) -> None:
        for _ in range(self.workers):
            spawn(tasks, self._work())

    def later(self, coro: Coroutine[Any, Any, object], **log_fields: Any) -> None:
        """Queue `coro`; every line it logs carries `log_fields` (e.g. the platform and user it acts for)."""
        self.queue.put_nowait((time.monotonic() + self.max_wait, coro, log_fields))

    @web.middleware
    async def middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        """Count the requests being answered: while there are any, post-ack work waits."""
        self.in_flight += 1
        self.idle.clear()
        try:
            return await handler(request)
        finally:
            self.in_flight -= 1
            if not self.in_flight:
                self.idle.set()

    async def _work(self) -> None:
        while True:
            due, coro, log_fields = await self.queue.get()
            try:
                await asyncio.wait_for(self.idle.wait(), max(0.0, due - time.monotonic()))
            except TimeoutError:
                pass  # a steady stream of requests: go ahead anyway, so threads are never starved
            try:
                with structlog.contextvars.bound_contextvars(**log_fields):
                    await coro
            except Exception:
                log.exception("background chat task failed", **log_fields)
            finally:
                self.queue.task_done()

    async def drain(self, timeout: float) -> None:
        """Finish the work queued so far, for at most `timeout` seconds (at shutdown: the threads of builds that
        were acked, which nobody would post otherwise)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.queue.join(), timeout)

    def close(self) -> None:
        while not self.queue.empty():  # never started: close them, so Python does not warn they were not awaited
            self.queue.get_nowait()[1].close()


class SlackAdapter:
    """One Bolt app, its Web API clients, the command service's thread pool and the progress relay."""

    def __init__(self, service: CommandService, settings: BotSettings, *, redis_url: str, database_url: str) -> None:
        self.service, self.settings = service, settings
        self.redis_url, self.database_url = redis_url, database_url
        self.pool = ThreadPoolExecutor(max_workers=SERVICE_THREADS, thread_name_prefix="slack-service")
        self.tasks: set[asyncio.Task[None]] = set()
        self.clients: dict[str, AsyncWebClient] = {}
        self.sink = SlackSink(self.client_for)
        self.port = 0
        self.after_ack = AckFirst()

    async def start(self) -> None:
        """Build what needs the running loop: HTTP session, clients, Bolt app, relay."""
        self.session = aiohttp.ClientSession(trace_configs=[metrics.rate_limit_trace(PLATFORM)])
        self.redis = aioredis.Redis.from_url(self.redis_url, decode_responses=True)
        self.sink.creates.redis = self.redis
        self.oauth = self._oauth_settings()
        token = self.settings.slack_bot_token
        self.client = self._client(token.get_secret_value() if token and not self.oauth else None)
        assert self.settings.slack_signing_secret is not None
        self.app = AsyncApp(
            client=self.client,
            signing_secret=self.settings.slack_signing_secret.get_secret_value(),
            oauth_settings=self.oauth,
            process_before_response=True,
        )
        # Bolt logs the body of a request with a bad signature at INFO: user text stays out of our logs.
        logging.getLogger("slack_bolt.RequestVerification").setLevel(logging.WARNING)
        self.app.command("/autoweb")(self.on_command)
        self.app.event("app_mention")(self.on_mention)
        self.app.event({"type": "message", "subtype": "file_share"})(self.on_files)  # before the plain listener
        self.app.event("message")(self.on_message)
        self.app.action(re.compile(r"^autoweb_command"))(self.on_button)
        self.app.action(re.compile(r"^autoweb_link"))(self.on_link)
        # A newcomer's confirmed Slack email claims their migrated account (the service's identity middleware).
        self.service.identity.verified_emails(PLATFORM, self._verified_email, asyncio.get_running_loop())
        self.relay = Relay(self.sink, self.service.ctx, self.redis, self.pool, self.service.history)
        self.spawn(self.relay.run())
        self.after_ack.start(self.tasks)
        await asyncio.wait_for(self.relay.ready.wait(), 10)

    async def stop(self) -> None:
        self.service.identity.verified_emails(PLATFORM, None, asyncio.get_running_loop())
        await self.after_ack.drain(DRAIN_SECONDS)  # before the relay goes: posting a thread opens it there
        await self.relay.close()
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        self.after_ack.close()
        await self.session.close()
        await self.redis.aclose()
        self.pool.shutdown(wait=False, cancel_futures=True)

    def _client(self, token: str | None) -> AsyncWebClient:
        # Connection errors are retried only when the request never left (no connection): after a dropped
        # connection a chat.postMessage may have been made, and the sink looks before it posts again.
        handlers: list[AsyncRetryHandler] = [
            AsyncConnectionErrorRetryHandler(error_types=[aiohttp.ClientConnectorError]),
            CappedRateLimitRetry(max_retry_count=RATE_LIMIT_RETRIES),
        ]
        return AsyncWebClient(
            token=token, base_url=self.settings.slack_api_url, session=self.session, retry_handlers=handlers
        )

    async def client_for(self, team_id: str) -> AsyncWebClient:
        if self.oauth is None or self.oauth.installation_store is None:
            return self.client
        if team_id not in self.clients:
            bot = await self.oauth.installation_store.async_find_bot(enterprise_id=None, team_id=team_id)
            if bot is None:
                raise LookupError(f"AutoWebIQ is not installed in workspace {team_id}")
            self.clients[team_id] = self._client(bot.bot_token)
        return self.clients[team_id]

    def _oauth_settings(self) -> AsyncOAuthSettings | None:
        """Multi-workspace installs when SLACK_CLIENT_ID/SECRET are set: tokens live in our Postgres."""
        s = self.settings
        if not (s.slack_client_id and s.slack_client_secret):
            return None
        engine = create_async_engine(self.database_url, pool_size=2)
        return AsyncOAuthSettings(
            client_id=s.slack_client_id,
            client_secret=s.slack_client_secret.get_secret_value(),
            scopes=SCOPES,
            installation_store=AsyncSQLAlchemyInstallationStore(client_id=s.slack_client_id, engine=engine),
            state_store=AsyncSQLAlchemyOAuthStateStore(expiration_seconds=600, engine=engine),
        )

    # --- listeners --------------------------------------------------------------------------------------------
    async def on_command(self, ack: AsyncAck, body: Body, context: AsyncBoltContext, respond: AsyncRespond) -> None:
        accepted = time.time()
        # Slack does not redeliver slash commands; the trigger id is still a stable id for this one.
        actor = self._actor(context, user_name=body.get("user_name", ""), event_id=f"command:{body.get('trigger_id')}")
        reply = await self.handle(actor, body.get("text", ""))
        if reply.ephemeral:
            await ack(text=render_text(reply.text), response_type="ephemeral")
            return
        await ack()
        self.after_ack.later(self.deliver_command(actor, reply, accepted, respond), **logs.actor_fields(actor))

    async def deliver_command(self, actor: Actor, reply: Reply, accepted: float, respond: AsyncRespond) -> None:
        try:
            await self.deliver(actor, reply, None, accepted)
        except SlackApiError as exc:  # e.g. a private channel or DM the bot is not in: no thread possible there
            log.warning("could not post in the channel", error=exc.response.get("error"))
            notice = render_text(messages.cannot_post_here(reply.text, reply.project_id))
            await respond(text=notice, response_type="ephemeral")

    async def on_mention(self, body: Body, event: Body, context: AsyncBoltContext, request: AsyncBoltRequest) -> None:
        accepted = time.time()
        actor = self._actor(context, event.get("thread_ts") or event.get("ts", ""), event_id=body.get("event_id"))
        reply = await self.handle(actor, str(event.get("text", "")).replace(f"<@{context.bot_user_id}>", " "))
        if not _repeated(request, reply):
            self.after_ack.later(self.deliver(actor, reply, self._where(actor), accepted), **logs.actor_fields(actor))

    async def on_message(self, body: Body, event: Body, context: AsyncBoltContext, request: AsyncBoltRequest) -> None:
        """A person's reply in a project's thread is an edit of that project."""
        thread, text = event.get("thread_ts"), str(event.get("text", ""))
        if event.get("subtype") or event.get("bot_id") or not thread or thread == event.get("ts"):
            return
        if f"<@{context.bot_user_id}>" in text:  # the app_mention listener answers it
            return
        accepted = time.time()
        actor = self._actor(context, thread, event_id=body.get("event_id"))
        project = await self.relay.project_in_thread(self._where(actor))
        if project is not None:
            reply = await self.handle(actor, f"edit #{project} {text}")
            if not _repeated(request, reply):
                self.after_ack.later(
                    self.deliver(actor, reply, self._where(actor), accepted), **logs.actor_fields(actor)
                )

    async def on_files(self, body: Body, event: Body, context: AsyncBoltContext, request: AsyncBoltRequest) -> None:
        """Files shared in a project's thread become its photos; fetched after the ack (downloads take time)."""
        thread = event.get("thread_ts")
        if event.get("bot_id") or not thread or thread == event.get("ts") or not event.get("files"):
            return
        accepted = time.time()
        actor = self._actor(context, thread, event_id=body.get("event_id"))
        project = await self.relay.project_in_thread(self._where(actor))
        if project is not None:
            retry = bool(request.headers.get("x-slack-retry-num"))
            work = self.take_files(actor, project, event, accepted, retry=retry)
            self.after_ack.later(work, **logs.actor_fields(actor))

    async def take_files(self, actor: Actor, project: int, event: Body, accepted: float, *, retry: bool) -> None:
        """Download the files from Slack's file host (with this workspace's bot token), hand them to the service
        with the message as the hint, and say in the thread where each went."""
        shared = [f for f in event.get("files") or [] if isinstance(f, dict)]
        files = [
            (str(f.get("name") or "file"), str(f.get("url_private_download") or ""), int(f.get("size") or 0))
            for f in shared
        ]
        client = await self.client_for(actor.team_id)
        allowed = attachments.allowed_origins(attachments.SLACK_FILE_HOSTS, self.settings.slack_api_url)
        incoming = await attachments.fetch_all(self.session, files, allowed, token=client.token)
        hint = re.sub(r"<[@#!][^>]*>", " ", str(event.get("text", "")))[:MAX_PROMPT]  # mentions are no hint
        loop = asyncio.get_running_loop()
        reply = await loop.run_in_executor(
            self.pool, self.service.handle_files, actor, f"images #{project} {hint}", incoming
        )
        if not (retry and reply.ephemeral):
            await self.deliver(actor, reply, self._where(actor), accepted)

    async def on_button(self, ack: AsyncAck, body: Body, action: Body, context: AsyncBoltContext) -> None:
        """Roll back / Cancel. The id is the click's own (Slack's `action_ts`, else the payload's trigger id): a
        delivery of the same click twice is one request to the service, a second click later is a new one."""
        await ack()
        message = body.get("message") or {}
        click = action.get("action_ts") or body.get("trigger_id")
        button = f"button:{context.user_id}:{action.get('action_id')}:{click}" if click else None
        actor = self._actor(context, message.get("thread_ts") or message.get("ts", ""), event_id=button)
        self.after_ack.later(
            self.run_button(actor, str(action.get("value", "")), time.time()), **logs.actor_fields(actor)
        )

    async def run_button(self, actor: Actor, command: str, accepted: float) -> None:
        reply = await self.handle(actor, command)
        if reply.ephemeral and reply.project_id and reply.text == messages.duplicate_request(reply.project_id):
            return  # the same click delivered again: its first delivery was answered already
        await self.deliver(actor, reply, self._where(actor), accepted)

    async def on_link(self, ack: AsyncAck) -> None:
        await ack()  # Slack opens the URL itself; the click still has to be acknowledged

    # --- shared steps -------------------------------------------------------------------------------------------
    async def handle(self, actor: Actor, text: str) -> Reply:
        return await asyncio.get_running_loop().run_in_executor(self.pool, self.service.handle, actor, text)

    async def _verified_email(self, actor: Actor) -> str | None:
        """The person's email if Slack has confirmed it (needs the users:read.email scope; None without)."""
        try:
            info = await (await self.client_for(actor.team_id)).users_info(user=actor.user_id)
        except (SlackApiError, aiohttp.ClientError, TimeoutError, LookupError):
            return None
        user = info.get("user") or {}
        email = (user.get("profile") or {}).get("email")
        return email if isinstance(email, str) and user.get("is_email_confirmed") is True else None

    async def deliver(self, actor: Actor, reply: Reply, where: ThreadRef | None, accepted: float) -> None:
        """Show a reply after the ack: a new version gets its thread (and the relay a status message there)."""
        if reply.ephemeral or (reply.version_id is not None and await self.relay.is_open(reply.version_id)):
            await self.sink.ephemeral(actor, reply.text)  # e.g. a cancel: the relay ends the build's thread itself
            return
        if where is None and reply.project_id is not None:
            known = await self.relay.project_thread(reply.project_id)
            where = known if known is not None and known.channel_id == actor.channel_id else None
        key = delivery.message_key("re", actor.event_id) if actor.event_id else None  # one message per event
        if where is None and reply.version_id is not None:
            root = Outgoing(text=messages.thread_root(f"<@{actor.user_id}>", reply.text), key=key)
            where = await self._retried(lambda: self.sink.open_thread(actor.team_id, actor.channel_id, root), key)
        elif where is None:
            plain = Outgoing(text=reply.text, key=key)
            await self._retried(lambda: self.sink.open_thread(actor.team_id, actor.channel_id, plain), key)
            return
        else:
            there = where
            await self._retried(lambda: self.sink.post(there, Outgoing(text=reply.text, key=key)), key)
        if reply.version_id is not None:
            await self.relay.open(actor, where, reply, accepted_at=accepted)

    @staticmethod
    async def _retried(call: Callable[[], Awaitable[T]], key: str | None) -> T:
        """A post retried through outages when its key makes a repeat safe; else tried once."""
        return await (delivery.deliver(call, deadline=DELIVER_SECONDS) if key else call())

    @staticmethod
    def _actor(context: AsyncBoltContext, thread: str = "", **extra: Any) -> Actor:
        """Bolt finds team, user and channel in every kind of payload."""
        ids = {"team_id": context.team_id, "user_id": context.user_id, "channel_id": context.channel_id}
        return Actor(platform=PLATFORM, thread_id=thread, **{k: v or "" for k, v in ids.items()}, **extra)

    @staticmethod
    def _where(actor: Actor) -> ThreadRef:
        return ThreadRef(
            platform=PLATFORM, team_id=actor.team_id, channel_id=actor.channel_id, thread_id=actor.thread_id
        )

    def spawn(self, coro: Coroutine[Any, Any, object]) -> None:
        spawn(self.tasks, coro)

    # --- transports ---------------------------------------------------------------------------------------------
    def web_app(self) -> web.Application:
        """Bolt's aiohttp application: POST /slack/events for commands, events and interactivity, and the OAuth
        pages (/slack/install, /slack/oauth_redirect) when enabled; plus GET /healthz and /readyz (/metrics is on its
        own port: `autoweb slack --metrics-port`)."""

        async def healthz(request: web.Request) -> web.Response:
            return web.Response(text="ok")

        application = self.app.web_app(path="/slack/events")
        application.router.add_get("/healthz", healthz)
        application.middlewares.append(metrics.ack_timer(PLATFORM, "/slack/events"))
        application.middlewares.append(self.after_ack.middleware)
        application.middlewares.append(reject_unparsable)
        ctx = self.service.ctx
        relay_ready = readiness.flag_check("relay", self.relay.ready.is_set, "not subscribed to progress events")
        readiness.add_readyz_route(
            application, [readiness.postgres_check(ctx.db), readiness.redis_check(ctx.redis), relay_ready]
        )
        return application


def unparsable(body: bytes, content_type: str | None, timestamp: str | None) -> bool:
    """True for a request Bolt would answer with a 500: it parses the body (strict UTF-8, then JSON or a form with
    a JSON `payload`) and the timestamp before it checks the signature, and raises on what it cannot read."""
    if timestamp is not None and not timestamp.strip().isdigit():
        return True
    try:
        parsed = parse_body(body.decode(), content_type.split(";")[0] if content_type else None)
    except (ValueError, RecursionError):  # UnicodeDecodeError, JSONDecodeError; JSON nested past the stack
        return True
    return not isinstance(parsed, dict) or ("event" in parsed and not isinstance(parsed["event"], dict))


@web.middleware
async def reject_unparsable(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Answer 400 to a POST Bolt cannot parse, instead of letting it fail with a 500 (anyone can send one)."""
    if request.method == "POST" and request.path == "/slack/events":
        body = await request.read()  # aiohttp keeps it: Bolt reads the same bytes again
        if unparsable(body, request.headers.get("Content-Type"), request.headers.get("X-Slack-Request-Timestamp")):
            log.info("unparsable slack request refused", status=400, length=len(body))
            return web.Response(status=400, text="Bad request")
    return await handler(request)


def _repeated(request: AsyncBoltRequest, reply: Reply) -> bool:
    """A redelivery (Slack retries events it thinks were lost) whose first delivery was answered already: the
    service saw its event_id and changed nothing; saying "Already on it" to someone who sent it once would puzzle."""
    return bool(request.headers.get("x-slack-retry-num")) and reply.ephemeral


async def serve_http(
    adapter: SlackAdapter, host: str, port: int, stop: asyncio.Event, *, reuse_port: bool = False
) -> None:
    """Serve until `stop` is set; `adapter.port` holds the bound port (useful with port 0). With `reuse_port`,
    several processes listen on one port and the kernel spreads connections over them (SO_REUSEPORT)."""
    await adapter.start()
    runner = web.AppRunner(adapter.web_app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port, reuse_port=reuse_port or None)
    await site.start()
    adapter.port = runner.addresses[0][1]
    log.info("slack adapter listening", host=host, port=adapter.port, oauth=adapter.oauth is not None)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
        await adapter.stop()


async def serve_socket_mode(adapter: SlackAdapter, stop: asyncio.Event) -> None:
    assert adapter.settings.slack_app_token is not None
    await adapter.start()
    handler = AsyncSocketModeHandler(
        adapter.app, adapter.settings.slack_app_token.get_secret_value(), web_client=adapter.client
    )
    await handler.connect_async()  # type: ignore[no-untyped-call]
    log.info("slack adapter connected in socket mode")
    try:
        await stop.wait()
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]
        await adapter.stop()
