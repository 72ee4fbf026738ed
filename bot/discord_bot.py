"""The Discord adapter: a discord.py client with the app command group `/autoweb`, @mentions and buttons.

Every interaction is deferred first (type 5, "AutoWebIQ is thinking…"), before any database or Redis work; the
service's reply then edits that original response. That, and ephemeral follow-ups in the same second, are the
only uses of the interaction token: the project's thread, the relay's status message, milestones and the final
embed are bot-token channel messages, so the 15-minute token never matters. Rate limits (per-route buckets,
429 `retry_after`) are discord.py's; a wait longer than MAX_RATELIMIT_WAIT comes back to the relay as
`RateLimited`. A replayed interaction is refused by Discord at the defer (already acknowledged), and the
service's idempotency on the interaction id covers the rest: never a second job.
"""

from __future__ import annotations

import asyncio
import re
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, cast

import aiohttp
import discord
import redis
import redis.asyncio as aioredis
import structlog
import yarl
from discord import app_commands
from discord.http import Route

from bot import attachments, chat_text, commands, delivery, messages, metrics
from bot.chat_sink import Ambiguous, ChatUnavailable, Outgoing, RateLimited, ThreadRef
from bot.commands import Actor
from bot.errors import UserError
from bot.relay import Relay, spawn
from bot.service import SERVICE_THREADS, CommandService, Reply
from bot.settings import BotSettings
from jobs.brief import MAX_PROMPT
from storage import keys, projects

log = structlog.get_logger(__name__)
PLATFORM = "discord"
BUTTON_PREFIX = "autoweb:"
"""custom_id of a command button: the prefix, then the command line it runs (e.g. `autoweb:cancel #42`)."""
MAX_RATELIMIT_WAIT = 30.0
"""discord.py waits out shorter 429s itself (30 s is the least it allows); longer ones go back to the relay's own
retry loop. A status edit waiting in discord.py is cancelled as soon as a newer state supersedes it."""
DEFER_DEADLINE = 3.0
"""Seconds Discord allows for an interaction's first response."""
UNKNOWN_INTERACTION = 10062
"""Discord's code for an interaction that can no longer be answered (too late)."""
THREAD_EXISTS = 160004
"""Discord's code for "a thread has already been created for this message"."""
PRIVATE_VERBS = ("help", "projects", "credits", "grant", "templates")
COLOUR = 0x2E7D32
INVITE_PERMISSIONS = discord.Permissions(
    view_channel=True,  # see the channels it is asked in
    send_messages=True,  # the reply that a project's thread starts from
    create_public_threads=True,  # a thread per project
    send_messages_in_threads=True,  # status, milestones and the final message, in that thread
    embed_links=True,  # the final message is an embed with the preview link
    read_message_history=True,  # earlier messages in the channel and thread, e.g. the one a thread starts from
)
"""What the bot asks for in its invite URL (docs/DISCORD.md shows the integer and its arithmetic)."""
INVITE_SCOPES = ("bot", "applications.commands")
MENTION = re.compile(r"<@!?\d+>")
NO_MENTIONS = discord.AllowedMentions.none()
"""On every message the bot sends or edits: nothing in it may ping (`@everyone`, `<@id>`, `<@&role>` in a name)."""


def fit(text: str, limit: int) -> str:
    return chat_text.cut(text, limit)


def render_text(text: str, limit: int = 2000) -> str:
    """Any text we show on Discord (content, embeds, follow-ups): user parts escaped, at most `limit` long."""
    return fit(chat_text.for_discord(text), limit)


def render(message: Outgoing) -> dict[str, Any]:
    """Content (≤ 2,000 characters), or an embed when the message carries links (the final message), plus
    buttons: links open a URL, the others carry their command in the custom_id."""
    buttons: list[dict[str, Any]] = []
    for b in message.buttons:
        button: dict[str, Any] = {"type": 2, "label": fit(chat_text.plain(b.label), 80)}
        button.update({"style": 5, "url": b.url} if b.url else {"style": 2, "custom_id": f"{BUTTON_PREFIX}{b.command}"})
        buttons.append(button)
    rows = [{"type": 1, "components": buttons[i : i + 5]} for i in range(0, len(buttons), 5)][:5]
    link = next((b.url for b in message.buttons if b.url), None)
    mentions = NO_MENTIONS.to_dict()
    if link is None:
        return {"content": render_text(message.text), "embeds": [], "components": rows, "allowed_mentions": mentions}
    title, _, rest = message.text.partition("\n")
    embed = {"title": render_text(title, 256), "description": render_text(rest, 4096), "url": link, "color": COLOUR}
    return {"content": "", "embeds": [embed], "components": rows, "allowed_mentions": mentions}


class DiscordSink:
    """`ChatSink` over bot-token REST calls. A thread's id is its channel id: posts go there. A message with a key
    is created with it as its nonce and `enforce_nonce`: Discord answers a repeat (discord.py retries 5xx on its
    own) with the message it made the first time."""

    platform = PLATFORM

    def __init__(self, http: discord.http.HTTPClient) -> None:
        self.http = http

    async def send(self, channel_id: str, message: Outgoing) -> str:
        route = Route("POST", "/channels/{channel_id}/messages", channel_id=channel_id)
        payload = render(message)
        if message.key:
            payload.update(nonce=message.key, enforce_nonce=True)
        return str((await self._call(route, payload))["id"])

    async def start_thread(self, team_id: str, channel_id: str, message_id: str, name: str) -> ThreadRef:
        route = Route(
            "POST", "/channels/{channel_id}/messages/{message_id}/threads", channel_id=channel_id, message_id=message_id
        )
        try:
            thread = await self._call(route, {"name": fit(name, 100), "auto_archive_duration": 10080})
        except discord.HTTPException as exc:
            if exc.code != THREAD_EXISTS:
                raise
            thread = {"id": message_id}  # a retry after the first attempt made it: a thread's id is its message's
        return ThreadRef(platform=PLATFORM, team_id=team_id, channel_id=channel_id, thread_id=str(thread["id"]))

    async def open_thread(self, team_id: str, channel_id: str, message: Outgoing) -> ThreadRef:
        message_id = await self.send(channel_id, message)
        title = chat_text.plain(message.text).partition("\n")[0]
        return await self.start_thread(team_id, channel_id, message_id, title)

    async def post(self, where: ThreadRef, message: Outgoing) -> str:
        return await self.send(where.thread_id or where.channel_id, message)

    async def edit(self, where: ThreadRef, message_id: str, message: Outgoing) -> None:
        channel = where.thread_id or where.channel_id
        route = Route(
            "PATCH", "/channels/{channel_id}/messages/{message_id}", channel_id=channel, message_id=message_id
        )
        await self._call(route, render(message))

    async def _call(self, route: Route, payload: dict[str, Any]) -> dict[str, Any]:
        try:
            return cast(dict[str, Any], await self.http.request(route, json=payload))
        except discord.RateLimited as exc:
            raise RateLimited(exc.retry_after) from None
        except discord.DiscordServerError as exc:  # after discord.py's own retries: it may have been done
            raise Ambiguous(f"{route.method} {route.path}: HTTP {exc.status}") from None
        except discord.HTTPException as exc:
            if exc.status == 429:  # discord.py retried it 5 times already
                raise RateLimited(float(exc.response.headers.get("Retry-After", 1))) from None
            raise
        except aiohttp.ClientConnectorError as exc:  # never reached Discord
            raise ChatUnavailable(f"{route.method} {route.path}: {type(exc).__name__}") from exc
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:  # sent, no answer: it may have been done
            raise Ambiguous(f"{route.method} {route.path}: {type(exc).__name__}") from exc


def point_at(settings: BotSettings) -> None:
    """Aim discord.py at DISCORD_API_URL / DISCORD_GATEWAY_URL (class attributes: the whole process)."""
    Route.BASE = settings.discord_api_url.rstrip("/")
    if settings.discord_gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


class AutowebClient(discord.Client):
    def __init__(self, adapter: DiscordAdapter) -> None:
        intents = discord.Intents.default()
        # Plain replies in a project's thread carry their text only with the privileged MESSAGE_CONTENT intent
        # (enable it in the developer portal too); without it, "@bot <change>" in the thread still works.
        intents.message_content = adapter.settings.discord_message_content
        super().__init__(
            intents=intents,
            max_ratelimit_timeout=MAX_RATELIMIT_WAIT,
            http_trace=metrics.rate_limit_trace(PLATFORM),
            allowed_mentions=NO_MENTIONS,  # discord.py's default for every send and edit it makes
        )
        self.adapter = adapter
        self.tree = app_commands.CommandTree(self)
        self.tree.add_command(AutowebCommands())

    async def setup_hook(self) -> None:
        """No command sync here: it is rate limited and the commands change only with a release, so it is
        `autoweb discord sync-commands`, run once per release (discord.py's maintainers advise the same)."""
        await self.adapter.start()

    async def on_message(self, message: discord.Message) -> None:
        await self.adapter.on_message(message)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        await self.adapter.on_button(interaction)


class DiscordAdapter:
    """The discord.py client, the command service's thread pool and the progress relay."""

    def __init__(self, service: CommandService, settings: BotSettings, *, redis_url: str) -> None:
        self.service, self.settings, self.redis_url = service, settings, redis_url
        self.pool = ThreadPoolExecutor(max_workers=SERVICE_THREADS, thread_name_prefix="discord-service")
        self.tasks: set[asyncio.Task[None]] = set()
        point_at(settings)
        self.client = AutowebClient(self)
        self.sink = DiscordSink(self.client.http)

    async def start(self) -> None:
        self.redis = aioredis.Redis.from_url(self.redis_url, decode_responses=True)
        self.relay = Relay(self.sink, self.service.ctx, self.redis, self.pool, self.service.history)
        spawn(self.tasks, self.relay.run())
        await asyncio.wait_for(self.relay.ready.wait(), 10)

    async def run(self, stop: asyncio.Event) -> None:
        """Log in and connect to the gateway; until `stop` is set or the client fails."""
        assert self.settings.discord_bot_token is not None
        client = asyncio.create_task(self.client.start(self.settings.discord_bot_token.get_secret_value()))
        stopped = asyncio.create_task(stop.wait())
        try:
            await asyncio.wait({client, stopped}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if hasattr(self, "relay"):  # posts in flight finish while the HTTP session is still open
                await self.relay.close()
            for task in list(self.tasks):
                task.cancel()
            await asyncio.gather(*self.tasks, return_exceptions=True)
            if hasattr(self, "redis"):
                await self.redis.aclose()
            await self.client.close()
            stopped.cancel()
            await asyncio.gather(client, return_exceptions=True)
            self.pool.shutdown(wait=False, cancel_futures=True)
        if client.done() and not client.cancelled() and client.exception():
            raise cast(BaseException, client.exception())

    # --- events ---------------------------------------------------------------------------------------------------
    async def command(self, interaction: discord.Interaction, text: str) -> None:
        """A slash command: defer at once, run it, and edit the original response with the reply."""
        accepted, private = time.time(), _private(text)
        if not await self._defer(interaction, text, ephemeral=private, thinking=True):
            return
        metrics.ACK_LATENCY.labels(PLATFORM).observe(time.time() - accepted)
        actor = self._actor(interaction, f"interaction:{interaction.id}")
        reply = await self.handle(actor, text)
        if reply.ephemeral and not private:  # the "thinking…" placeholder is public: swap it for a private note
            await interaction.delete_original_response()
            await interaction.followup.send(render_text(reply.text), ephemeral=True, allowed_mentions=NO_MENTIONS)
        elif reply.ephemeral:
            await interaction.edit_original_response(content=render_text(reply.text), allowed_mentions=NO_MENTIONS)
        else:
            embed = discord.Embed(description=render_text(reply.text, 4096), colour=COLOUR)
            shown = await interaction.edit_original_response(embed=embed, allowed_mentions=NO_MENTIONS)
            try:
                await self.deliver(actor, reply, str(shown.id), accepted)
            except discord.Forbidden:
                notice = messages.discord_cannot_start_thread(reply.project_id)
                await interaction.followup.send(render_text(notice), ephemeral=True, allowed_mentions=NO_MENTIONS)

    async def on_button(self, interaction: discord.Interaction) -> None:
        """Roll back / Cancel. The id is the click's own (the interaction's): a second click later acts again."""
        data: dict[str, Any] = dict(interaction.data or {})
        custom_id = str(data.get("custom_id", ""))
        if interaction.type is not discord.InteractionType.component or not custom_id.startswith(BUTTON_PREFIX):
            return
        accepted = time.time()
        if not await self._defer(interaction, custom_id.removeprefix(BUTTON_PREFIX)):  # type 6: the click shows nothing
            return
        actor = self._actor(interaction, f"button:{interaction.id}")  # per click: a replay repeats the id
        reply = await self.handle(actor, custom_id.removeprefix(BUTTON_PREFIX))
        if reply.ephemeral or reply.version_id is None or await self.relay.is_open(reply.version_id):
            await interaction.followup.send(render_text(reply.text), ephemeral=True, allowed_mentions=NO_MENTIONS)
        else:
            await self.deliver(actor, reply, None, accepted)

    async def on_message(self, message: discord.Message) -> None:
        """`@bot <grammar>` anywhere; in a project's thread, any other message (readable: a mention, or with the
        message-content intent) is an edit of that project."""
        me = self.client.user
        if message.author.bot or message.guild is None or me is None:
            return
        mentioned = me.id in message.raw_mentions
        channel: Any = message.channel
        if isinstance(channel, discord.PartialMessageable):  # not in the cache: ask Discord
            channel = await self.client.fetch_channel(channel.id)
        thread = channel if isinstance(channel, discord.Thread) else None
        if not (mentioned or thread):
            return
        accepted, text = time.time(), MENTION.sub(" ", message.content).strip()
        actor = self._actor_of(message.author, message.guild.id, channel, f"message:{message.id}")
        project = await self.relay.project_in_thread(self._where(actor)) if thread else None
        if project is not None and message.attachments:
            await self.take_attachments(actor, project, message, text, accepted)
            return
        if project is not None and text and text.split()[0].lower() not in commands.VERBS:
            text = f"edit #{project} {text}"
        elif not mentioned:
            return
        reply = await self.handle(actor, text)
        if reply.ephemeral and reply.project_id and reply.text == messages.duplicate_request(reply.project_id):
            return  # a replayed MESSAGE_CREATE: the first delivery was answered already
        shown = Outgoing(
            text=reply.text if thread else messages.thread_root(f"<@{actor.user_id}>", reply.text),
            key=delivery.message_key("re", message.id),
        )
        anchor = await delivery.deliver(lambda: self.sink.send(str(channel.id), shown), deadline=60.0)
        if not reply.ephemeral:
            await self.deliver(actor, reply, anchor, accepted)

    async def take_attachments(
        self, actor: Actor, project: int, message: discord.Message, hint: str, accepted: float
    ) -> None:
        """Attachments in a project's thread become its photos: fetched from Discord's CDN only, handed to the
        service with the message as the hint; the reply in the thread says where each went."""
        files = [(a.filename, a.url, a.size) for a in message.attachments]
        allowed = attachments.allowed_origins(attachments.DISCORD_FILE_HOSTS, self.settings.discord_api_url)
        async with aiohttp.ClientSession() as session:
            incoming = await attachments.fetch_all(session, files, allowed)
        command = f"images #{project} {hint[:MAX_PROMPT]}"
        reply = await self._sync(lambda: self.service.handle_files(actor, command, incoming))
        if reply.ephemeral and reply.project_id and reply.text == messages.duplicate_request(reply.project_id):
            return  # a replayed MESSAGE_CREATE: the first delivery was answered already
        anchor = await self.sink.send(str(message.channel.id), Outgoing(text=reply.text))
        if not reply.ephemeral:
            await self.deliver(actor, reply, anchor, accepted)

    # --- interactions that came too late ---------------------------------------------------------------------------
    async def _defer(self, interaction: discord.Interaction, command: str, **how: bool) -> bool:
        """Acknowledge an interaction; False when it cannot be answered any more: a replay (40060) says nothing, one
        more than DEFER_DEADLINE seconds old (10062; e.g. delivered on RESUME after an outage) gets `missed`."""
        age = (discord.utils.utcnow() - interaction.created_at).total_seconds()
        try:
            if age > DEFER_DEADLINE:
                raise _TooLate
            await interaction.response.defer(**how)
            return True
        except _TooLate:
            log.warning("an interaction came too late to answer", age=round(age, 1))
        except discord.HTTPException as exc:
            log.warning("could not defer an interaction", status=exc.status, code=exc.code)
            if exc.code != UNKNOWN_INTERACTION:
                return False
        await self.missed(interaction, command)
        return False

    async def missed(self, interaction: discord.Interaction, command: str) -> None:
        """Tell the channel once that a command was missed: one message per interaction id, whatever replays it
        (a Redis mark across processes, and the message's nonce)."""
        try:
            first = await self.redis.set(f"{keys.PREFIX}:discord:missed:{interaction.id}", "1", nx=True, ex=86400)
        except (redis.RedisError, OSError):
            first = True  # the nonce still makes a repeat within minutes the same message
        if not first:
            return
        words = command.split()
        verb = words[0].lower() if words and words[0].lower() in commands.VERBS else ""
        text = messages.discord_missed_interaction(f"<@{interaction.user.id}>", verb)
        note = Outgoing(text=text, key=delivery.message_key("miss", interaction.id))
        channel = str(interaction.channel_id)
        await delivery.deliver(lambda: self.sink.send(channel, note), deadline=60.0)

    # --- shared steps ---------------------------------------------------------------------------------------------
    async def handle(self, actor: Actor, text: str) -> Reply:
        return await asyncio.get_running_loop().run_in_executor(self.pool, self.service.handle, actor, text)

    async def deliver(self, actor: Actor, reply: Reply, anchor: str | None, accepted: float) -> None:
        """After the reply is shown (at `anchor`, a message in the actor's channel or thread; None: nowhere yet),
        a new version gets a thread — the actor's, the project's, or one started from `anchor` — and the relay
        its status message there."""
        if reply.version_id is None or reply.project_id is None or await self.relay.is_open(reply.version_id):
            return
        where = self._where(actor) if actor.thread_id else await self.relay.project_thread(reply.project_id)
        if where is not None and where.channel_id != actor.channel_id:
            where = None  # the project's thread is in another channel: start one here
        if where is None and anchor is not None:
            name = await self._sync(lambda: self._project_name(reply.project_id or 0))
            where = await self.sink.start_thread(actor.team_id, actor.channel_id, anchor, name)
        elif where is None:
            root = Outgoing(text=reply.text, key=delivery.message_key("th", actor.event_id))
            where = await delivery.deliver(
                lambda: self.sink.open_thread(actor.team_id, actor.channel_id, root), deadline=60.0
            )
        elif anchor is None or where.thread_id != actor.thread_id:  # the reply is not in that thread yet
            there, line = where, Outgoing(text=reply.text, key=delivery.message_key("th", actor.event_id))
            await delivery.deliver(lambda: self.sink.post(there, line), deadline=60.0)
        await self.relay.open(actor, where, reply, accepted_at=accepted)

    async def project_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[int]]:
        actor = self._actor(interaction, None)
        rows = await self._sync(lambda: self.service.project_choices(actor))
        wanted = current.strip().lstrip("#").lower()
        return [
            app_commands.Choice(name=fit(f"#{pid} {chat_text.clean(name)}", 100), value=pid)
            for pid, name in rows
            if wanted in f"{pid} {name}".lower()
        ][:25]

    def _project_name(self, project_id: int) -> str:
        with self.service.ctx.db.session() as s:
            return messages.discord_thread_name(project_id, projects.get_project(s, project_id).name)

    async def _sync(self, fn: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.pool, fn)

    def _actor(self, interaction: discord.Interaction, event_id: str | None) -> Actor:
        return self._actor_of(interaction.user, interaction.guild_id, interaction.channel, event_id)

    @staticmethod
    def _actor_of(user: discord.abc.User, guild_id: int | None, channel: Any, event_id: str | None) -> Actor:
        """Discord's team is the guild; a thread is (its parent channel, its own id)."""
        thread = channel if isinstance(channel, discord.Thread) else None
        channel_id = thread.parent_id if thread else getattr(channel, "id", 0)
        return Actor(
            platform=PLATFORM,
            team_id=str(guild_id or ""),
            user_id=str(user.id),
            user_name=user.name,
            channel_id=str(channel_id),
            thread_id=str(thread.id) if thread else "",
            event_id=event_id,
        )

    @staticmethod
    def _where(actor: Actor) -> ThreadRef:
        return ThreadRef(
            platform=PLATFORM, team_id=actor.team_id, channel_id=actor.channel_id, thread_id=actor.thread_id
        )


class _TooLate(Exception):
    """An interaction older than DEFER_DEADLINE: deferring it would only earn a 10062."""


def _private(text: str) -> bool:
    """Answered only to the sender: errors and personal listings. Parsing is pure and takes microseconds."""
    try:
        return commands.parse(text).name in PRIVATE_VERBS
    except UserError:
        return True


def _adapter(interaction: discord.Interaction) -> DiscordAdapter:
    return cast(AutowebClient, interaction.client).adapter


async def _projects(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[int]]:
    return await _adapter(interaction).project_choices(interaction, current)


def _run(interaction: discord.Interaction, *words: object) -> Any:
    return _adapter(interaction).command(interaction, " ".join(str(w) for w in words if w not in (None, "")))


D = messages.discord_command
O = messages.discord_option  # noqa: E741 - read as "option"
Project = app_commands.Range[int, 1]


class AutowebCommands(app_commands.Group, name="autoweb", description=D("autoweb"), guild_only=True):
    """The chat grammar as typed subcommands; each becomes the same command line the other platforms send."""

    @app_commands.command(description=D("build"))
    @app_commands.describe(prompt=O("prompt"))
    async def build(self, interaction: discord.Interaction, prompt: str) -> None:
        await _run(interaction, "build", prompt)

    @app_commands.command(description=D("edit"))
    @app_commands.describe(project=O("project"), instruction=O("instruction"))
    @app_commands.autocomplete(project=_projects)
    async def edit(self, interaction: discord.Interaction, project: Project, instruction: str) -> None:
        await _run(interaction, "edit", f"#{project}", instruction)

    @app_commands.command(description=D("images"))
    @app_commands.describe(project=O("project"), n=O("n"), prompt=O("image_prompt"))
    @app_commands.autocomplete(project=_projects)
    async def images(
        self, interaction: discord.Interaction, project: Project, n: int | None = None, prompt: str | None = None
    ) -> None:
        await _run(interaction, "images", f"#{project}", n, prompt)

    @app_commands.command(description=D("status"))
    @app_commands.describe(project=O("project"))
    @app_commands.autocomplete(project=_projects)
    async def status(self, interaction: discord.Interaction, project: Project | None = None) -> None:
        await _run(interaction, "status", f"#{project}" if project else None)

    @app_commands.command(description=D("projects"))
    async def projects(self, interaction: discord.Interaction) -> None:
        await _run(interaction, "projects")

    @app_commands.command(description=D("history"))
    @app_commands.describe(project=O("project"))
    @app_commands.autocomplete(project=_projects)
    async def history(self, interaction: discord.Interaction, project: Project) -> None:
        await _run(interaction, "history", f"#{project}")

    @app_commands.command(description=D("rollback"))
    @app_commands.describe(project=O("project"), version=O("version"))
    @app_commands.autocomplete(project=_projects)
    async def rollback(self, interaction: discord.Interaction, project: Project, version: int) -> None:
        await _run(interaction, "rollback", f"#{project}", f"v{version}")

    @app_commands.command(description=D("cancel"))
    @app_commands.describe(project=O("project"))
    @app_commands.autocomplete(project=_projects)
    async def cancel(self, interaction: discord.Interaction, project: Project) -> None:
        await _run(interaction, "cancel", f"#{project}")

    @app_commands.command(description=D("credits"))
    async def credits(self, interaction: discord.Interaction) -> None:
        await _run(interaction, "credits")

    @app_commands.command(name="credits-grant", description=D("credits-grant"))
    @app_commands.describe(user=O("user"), amount=O("amount"))
    async def credits_grant(self, interaction: discord.Interaction, user: discord.User, amount: int) -> None:
        await _run(interaction, "credits grant", user.id, amount)

    @app_commands.command(description=D("templates"))
    @app_commands.describe(category=O("category"))
    async def templates(self, interaction: discord.Interaction, category: str | None = None) -> None:
        await _run(interaction, "templates", category)

    @app_commands.command(name="help", description=D("help"))
    async def help_(self, interaction: discord.Interaction) -> None:
        await _run(interaction, "help")


async def sync_commands(
    settings: BotSettings, guild_id: int | None = None
) -> tuple[list[app_commands.AppCommand], str]:
    """Replace the application's commands with `/autoweb` and its subcommands: globally, or in one guild (shown at
    once there; for trying a change). REST only: logs in with the bot token, never connects to the gateway.
    Returns the synced commands and the bot's invite URL."""
    assert settings.discord_bot_token is not None
    point_at(settings)
    client = discord.Client(intents=discord.Intents.none(), max_ratelimit_timeout=MAX_RATELIMIT_WAIT)
    tree = app_commands.CommandTree(client)
    tree.add_command(AutowebCommands())
    async with client:
        await client.login(settings.discord_bot_token.get_secret_value())
        invite = discord.utils.oauth_url(
            client.application_id or 0, permissions=INVITE_PERMISSIONS, scopes=INVITE_SCOPES
        )
        if guild_id is None:
            return await tree.sync(), invite
        guild = discord.Object(guild_id)
        tree.copy_global_to(guild=guild)
        return await tree.sync(guild=guild), invite


async def serve(adapter: DiscordAdapter, stop: asyncio.Event) -> None:
    log.info("discord adapter starting", api=adapter.settings.discord_api_url)
    await adapter.run(stop)
