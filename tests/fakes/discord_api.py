"""A local fake of Discord's REST API and gateway (aiohttp, port 0, own thread), reached through
DISCORD_API_URL (`<url>/api/v10`) and DISCORD_GATEWAY_URL (`<ws url>/gateway`).

REST: GET /gateway/bot, /users/@me, /oauth2/applications/@me, /channels/{id}; PUT application commands, global
and per guild (bulk overwrite); the interaction callback (POST …/callback?with_response=1; a second callback for
the same interaction is refused with code 40060, as Discord does); the original response (PATCH/DELETE
…/messages/@original) and follow-ups; channel messages (POST, PATCH); threads from a message. Every answer is
`Content-Type: application/json` exactly and carries X-RateLimit-* headers; `rate_limit(route, n)` answers the next
n calls of a route with 429, a `Via` header and a JSON `retry_after` (without `Via`, discord.py would take it for
a Cloudflare ban).

Gateway: HELLO → IDENTIFY → READY (user, guilds, session_id, resume_gateway_url, application) → GUILD_CREATE;
heartbeats (op 1 → op 11); THREAD_CREATE when a thread is started; `dispatch(event, data)` sends any event
(INTERACTION_CREATE, MESSAGE_CREATE) on demand. Every REST call is recorded with its arrival time.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes.files import FileShelf

APP_ID = "1100000000000000001"
BOT_ID = APP_ID
GUILD_ID = "1100000000000000002"
CHANNEL_ID = "1100000000000000003"
COMMAND_ID = "1100000000000000004"
USER_ID = "1100000000000000010"
NOW = "2026-11-01T12:00:00.000000+00:00"
BOT_USER = {"id": BOT_ID, "username": "AutoWebIQ", "discriminator": "0", "avatar": None, "bot": True}
ROUTES = {
    ("GET", "gateway/bot"): "gateway.bot",
    ("GET", "users/@me"): "users.me",
    ("GET", "oauth2/applications/@me"): "application",
    ("PUT", "applications/{app}/commands"): "commands.put",
    ("PUT", "applications/{app}/guilds/{guild}/commands"): "guild_commands.put",
    ("POST", "interactions/{id}/{token}/callback"): "callback",
    ("PATCH", "webhooks/{app}/{token}/messages/@original"): "original.edit",
    ("DELETE", "webhooks/{app}/{token}/messages/@original"): "original.delete",
    ("POST", "webhooks/{app}/{token}"): "followup",
    ("GET", "channels/{channel}"): "channel.get",
    ("POST", "channels/{channel}/messages"): "message.post",
    ("PATCH", "channels/{channel}/messages/{message}"): "message.edit",
    ("POST", "channels/{channel}/messages/{message}/threads"): "thread.start",
}


@dataclass
class Call:
    route: str
    """A name from ROUTES, e.g. `message.post`."""
    path: dict[str, str]
    body: Any
    at: float
    """time.time() when the request arrived."""
    status: int = 200
    query: dict[str, str] = field(default_factory=dict)
    result: Any = None
    """What the fake answered (the message, thread or callback response)."""

    @property
    def channel(self) -> str:
        return self.path.get("channel", "")


@dataclass
class FakeDiscord:
    calls: list[Call] = field(default_factory=list)
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)
    threads: dict[str, dict[str, Any]] = field(default_factory=dict)
    commands: list[dict[str, Any]] = field(default_factory=list)
    guild_commands: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    identified: threading.Event = field(default_factory=threading.Event)
    token: str = ""
    """When set, REST calls with another bot token are refused with 401, as Discord does."""
    app_flags: int = 0
    """The application's flags (e.g. 1 << 19: the message-content intent is enabled)."""
    identify: dict[str, Any] = field(default_factory=dict)
    heartbeats: int = 0
    dispatched: dict[str, float] = field(default_factory=dict)
    """Interaction / message id → time.time() when it was sent to the client."""
    reject_repeated_callbacks: bool = True
    url: str = ""
    """REST base, like https://discord.com/api/v10."""
    gateway_url: str = ""
    _fail: dict[str, list[float]] = field(default_factory=dict)
    _acked: dict[str, str] = field(default_factory=dict)
    """Interaction token → the id of its original response message."""
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1_200_000_000_000_000_000))
    _seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _channel_of_token: dict[str, str] = field(default_factory=dict)
    _ws: web.WebSocketResponse | None = None
    shelf: FileShelf = field(default_factory=FileShelf)
    """Attachments, served at /files/<name> (the CDN's part)."""

    # --- control -----------------------------------------------------------------------------------------------
    def rate_limit(self, route: str, times: int = 1, retry_after: float = 1.0) -> None:
        """Answer the next `times` calls of `route` (a name from ROUTES) with 429 and a JSON retry_after."""
        with self._lock:
            self._fail.setdefault(route, []).extend([retry_after] * times)

    def of(self, route: str, *, ok_only: bool = True) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.route == route and (c.status < 300 or not ok_only)]

    def in_channel(self, channel: str) -> list[dict[str, Any]]:
        """Messages in a channel or thread as they are now (after edits), oldest first."""
        with self._lock:
            return [m for m in self.messages.values() if m["channel_id"] == channel]

    def wait_for(self, check: Callable[[], Any], timeout: float = 10.0, every: float = 0.005) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if value := check():
                return value
            time.sleep(every)
        last = [(c.route, c.status, str(c.body)[:100]) for c in self.calls[-8:]]
        raise AssertionError(f"timed out after {timeout} s; {len(self.calls)} calls, the last: {last}")

    def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a gateway DISPATCH (op 0) to the connected client."""
        assert self._ws is not None, "no client connected"
        if event == "INTERACTION_CREATE":  # its original response will live in the channel it came from
            self._channel_of_token[data["token"]] = data["channel_id"]
        self.dispatched[str(data.get("id"))] = time.time()
        frame = {"op": 0, "t": event, "s": next(self._seq), "d": data}
        asyncio.run_coroutine_threadsafe(self._ws.send_str(json.dumps(frame)), self._loop).result(5)

    # --- REST ----------------------------------------------------------------------------------------------------
    def _json(self, data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
        limits = {"X-RateLimit-Limit": "50", "X-RateLimit-Remaining": "49", "X-RateLimit-Reset-After": "1.0"}
        all_headers = {"Content-Type": "application/json", **limits, **(headers or {})}
        return web.Response(status=status, body=json.dumps(data).encode(), headers=all_headers)

    def _route(self, name: str) -> Callable[[web.Request], Any]:
        async def handle(request: web.Request) -> web.StreamResponse:
            if self.token and request.headers.get("Authorization") != f"Bot {self.token}":
                return self._json({"message": "401: Unauthorized", "code": 0}, 401)
            body = await request.json() if request.can_read_body else None
            call = Call(name, dict(request.match_info), body, time.time(), query=dict(request.query))
            with self._lock:
                self.calls.append(call)
                pending = self._fail.get(name)
                retry_after = pending.pop(0) if pending else None
            if retry_after is not None:
                call.status = 429
                answer = {"message": "You are being rate limited.", "retry_after": retry_after, "global": False}
                return self._json(answer, 429, {"Via": "1.1 google", "Retry-After": str(retry_after)})
            status, result = self._answer(call)
            call.status, call.result = status, copy.deepcopy(result)  # as answered, not as later edited
            if status == 204:
                return web.Response(status=204)
            return self._json(result, status)

        return handle

    def _answer(self, call: Call) -> tuple[int, Any]:  # noqa: C901 - one branch per route, flat
        p, body = call.path, call.body or {}
        if call.route == "gateway.bot":
            limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
            return 200, {"url": self.gateway_url, "shards": 1, "session_start_limit": limit}
        if call.route == "users.me":
            return 200, {**BOT_USER, "verified": True, "mfa_enabled": False, "flags": 0}
        if call.route == "application":
            return 200, {**application(), "flags": self.app_flags}
        if call.route == "commands.put":
            with self._lock:
                self.commands = [
                    {**c, "id": str(next(self._ids)), "application_id": APP_ID, "version": "1"} for c in body
                ]
            return 200, self.commands
        if call.route == "guild_commands.put":
            synced = [{**c, "id": str(next(self._ids)), "application_id": APP_ID, "guild_id": p["guild"]} for c in body]
            with self._lock:
                self.guild_commands[p["guild"]] = synced
            return 200, synced
        if call.route == "callback":
            return self._callback(p["id"], p["token"], body)
        if call.route in ("original.edit", "original.delete"):
            original = self._acked.get(p["token"])
            if original is None or original not in self.messages:
                return 404, {"message": "Unknown Message", "code": 10008}
            if call.route == "original.delete":
                with self._lock:
                    self.messages.pop(original)
                return 204, None
            return 200, self._update(original, body)
        if call.route == "followup":
            channel = self.messages.get(self._acked.get(p["token"], ""), {}).get("channel_id", CHANNEL_ID)
            return 200, self._new_message(channel, body)
        if call.route == "channel.get":
            thread = self.threads.get(p["channel"])
            return (200, thread) if thread else (200, text_channel(p["channel"]))
        if call.route == "message.post":
            return 200, self._new_message(p["channel"], body)
        if call.route == "message.edit":
            if p["message"] not in self.messages:
                return 404, {"message": "Unknown Message", "code": 10008}
            return 200, self._update(p["message"], body)
        if call.route == "thread.start":
            return self._start_thread(p["channel"], p["message"], body)
        return 404, {"message": "404: Not Found", "code": 0}

    def _callback(self, interaction_id: str, token: str, body: dict[str, Any]) -> tuple[int, Any]:
        if token in self._acked and self.reject_repeated_callbacks:
            return 400, {"message": "Interaction has already been acknowledged.", "code": 40060}
        kind = body.get("type")
        data = body.get("data") or {}
        ephemeral = bool(int(data.get("flags", 0)) & 64)
        answer: dict[str, Any] = {"interaction": {"id": interaction_id, "type": 2}}
        if kind in (4, 5):  # a message (or the "thinking…" placeholder) becomes the original response
            channel = self._channel_of_token.get(token, CHANNEL_ID)
            loading = {"content": "", "flags": (128 if kind == 5 else 0) | (64 if ephemeral else 0)}
            message = self._new_message(channel, {**data, **loading} if kind == 5 else data)
            self._acked[token] = message["id"]
            answer["interaction"].update(
                response_message_id=message["id"],
                response_message_loading=kind == 5,
                response_message_ephemeral=ephemeral,
            )
            answer["resource"] = {"type": kind, "message": message}
        else:
            self._acked[token] = ""
        return 200, answer

    def _new_message(self, channel: str, body: dict[str, Any]) -> dict[str, Any]:
        message = message_payload(str(next(self._ids)), channel, **_message_fields(body))
        with self._lock:
            self.messages[message["id"]] = message
        return message

    def _update(self, message_id: str, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            message = self.messages[message_id]
            message.update(_message_fields(body), edited_timestamp=NOW)
            message["flags"] = int(message.get("flags", 0)) & ~128  # no longer "thinking"
            return dict(message)

    def _start_thread(self, channel: str, message_id: str, body: dict[str, Any]) -> tuple[int, Any]:
        if message_id in self.threads:
            return 400, {"message": "A thread has already been created for this message", "code": 160004}
        if self.messages.get(message_id, {}).get("channel_id") != channel:
            return 404, {"message": "Unknown Message", "code": 10008}
        thread = thread_channel(message_id, channel, str(body.get("name", "")))
        with self._lock:
            self.threads[message_id] = thread
        if self._ws is not None:
            frame = {"op": 0, "t": "THREAD_CREATE", "s": next(self._seq), "d": {**thread, "newly_created": True}}
            asyncio.ensure_future(self._ws.send_str(json.dumps(frame)))
        return 201, thread

    # --- gateway -------------------------------------------------------------------------------------------------
    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None})
        async for frame in ws:
            if frame.type is not WSMsgType.TEXT:
                continue
            message = json.loads(frame.data)
            if message["op"] == 1:
                self.heartbeats += 1
                await ws.send_json({"op": 11, "d": None, "s": None, "t": None})
            elif message["op"] in (2, 6):  # IDENTIFY (or RESUME: answered as a fresh session)
                self.identify = message["d"]
                self._ws = ws
                ready = {
                    "v": 10,
                    "user": BOT_USER,
                    "guilds": [{"id": GUILD_ID, "unavailable": True}],
                    "session_id": "fake-session",
                    "resume_gateway_url": self.gateway_url,
                    "application": {"id": APP_ID, "flags": 0},
                    "shard": [0, 1],
                }
                await ws.send_json({"op": 0, "t": "READY", "s": next(self._seq), "d": ready})
                await ws.send_json({"op": 0, "t": "GUILD_CREATE", "s": next(self._seq), "d": guild()})
                self.identified.set()
        return ws

    # --- lifecycle -----------------------------------------------------------------------------------------------
    def start(self) -> FakeDiscord:
        started = threading.Event()

        def serve() -> None:
            self._loop = asyncio.new_event_loop()
            app = web.Application()
            app.router.add_get("/gateway", self._gateway)
            self.shelf.add_routes(app)
            for (method, path), name in ROUTES.items():
                app.router.add_route(method, "/api/v10/" + path, self._route(name))
            self._runner = web.AppRunner(app, access_log=None)
            self._loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            self._loop.run_until_complete(site.start())
            port = self._runner.addresses[0][1]
            self.url = f"http://127.0.0.1:{port}/api/v10"
            self.gateway_url = f"ws://127.0.0.1:{port}/gateway"
            self.shelf.started(f"http://127.0.0.1:{port}")
            started.set()
            self._loop.run_forever()
            self._loop.run_until_complete(self._runner.cleanup())
            self._loop.close()

        self._thread = threading.Thread(target=serve, name="fake-discord", daemon=True)
        self._thread.start()
        assert started.wait(10), "the fake Discord did not start"
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


def _message_fields(body: dict[str, Any]) -> dict[str, Any]:
    return {k: body[k] for k in ("content", "embeds", "components", "flags") if k in body}


# --- payloads ------------------------------------------------------------------------------------------------------
def application() -> dict[str, Any]:
    return {
        "id": APP_ID,
        "name": "AutoWebIQ",
        "description": "",
        "icon": None,
        "bot_public": True,
        "bot_require_code_grant": False,
        "owner": {"id": USER_ID, "username": "owner", "discriminator": "0", "avatar": None},
        "verify_key": "0" * 64,
        "flags": 0,
        "interactions_endpoint_url": None,
    }


def user(user_id: str = USER_ID, name: str = "alice") -> dict[str, Any]:
    return {"id": user_id, "username": name, "discriminator": "0", "global_name": name.title(), "avatar": None}


def member(user_id: str = USER_ID, name: str = "alice") -> dict[str, Any]:
    return {
        "user": user(user_id, name),
        "roles": [],
        "joined_at": NOW,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "permissions": "2248473465835073",
    }


def text_channel(channel_id: str = CHANNEL_ID) -> dict[str, Any]:
    return {
        "id": channel_id,
        "type": 0,
        "guild_id": GUILD_ID,
        "name": "marketing",
        "position": 0,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None,
        "rate_limit_per_user": 0,
    }


def thread_channel(thread_id: str, parent: str, name: str) -> dict[str, Any]:
    return {
        "id": thread_id,
        "type": 11,
        "guild_id": GUILD_ID,
        "parent_id": parent,
        "owner_id": BOT_ID,
        "name": name,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "message_count": 0,
        "member_count": 1,
        "flags": 0,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": 10080,
            "archive_timestamp": NOW,
            "locked": False,
        },
    }


def guild() -> dict[str, Any]:
    return {
        "id": GUILD_ID,
        "name": "Sweet Crumbs",
        "unavailable": False,
        "member_count": 2,
        "owner_id": USER_ID,
        "roles": [{"id": GUILD_ID, "name": "@everyone", "permissions": "2248473465835073", "position": 0, "color": 0}],
        "channels": [text_channel()],
        "threads": [],
        "members": [member(BOT_ID, "AutoWebIQ")],
        "features": [],
    }


def message_payload(
    message_id: str,
    channel: str,
    *,
    content: str = "",
    author: dict[str, Any] | None = None,
    embeds: list[dict[str, Any]] | None = None,
    components: list[dict[str, Any]] | None = None,
    flags: int = 0,
    mentions: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "id": message_id,
        "channel_id": channel,
        "guild_id": GUILD_ID,
        "type": 0,
        "content": content,
        "author": author or BOT_USER,
        "timestamp": NOW,
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": mentions or [],
        "mention_roles": [],
        "attachments": [],
        "embeds": embeds or [],
        "components": components or [],
        "pinned": False,
        "flags": flags,
    }


@dataclass(frozen=True)
class UserOption:
    """A USER option (type 6): its value is the id, and the user comes in `resolved`."""

    id: str
    name: str = "bob"


def _option(name: str, value: Any, focused: bool) -> dict[str, Any]:
    if isinstance(value, UserOption):
        kind, value = 6, value.id
    else:
        kind = 5 if isinstance(value, bool) else 4 if isinstance(value, int) else 3
    return {"name": name, "type": kind, "value": value, **({"focused": True} if focused else {})}


_interaction_ids = itertools.count(1_300_000_000_000_000_000)


def interaction(
    kind: int,
    data: dict[str, Any],
    *,
    interaction_id: str | None = None,
    channel: dict[str, Any] | None = None,
    by: str = USER_ID,
    message: dict[str, Any] | None = None,
) -> dict[str, Any]:
    iid = interaction_id or str(next(_interaction_ids))
    where = channel or text_channel()
    payload = {
        "id": iid,
        "application_id": APP_ID,
        "type": kind,
        "data": data,
        "guild_id": GUILD_ID,
        "guild": {"id": GUILD_ID, "locale": "en-US", "features": []},
        "channel": where,
        "channel_id": where["id"],
        "member": member(by),
        "token": f"token-{iid}",
        "version": 1,
        "app_permissions": "2248473465835073",
        "locale": "en-GB",
        "guild_locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": {"0": GUILD_ID},
        "context": 0,
        "attachment_size_limit": 26214400,
    }
    if message is not None:
        payload["message"] = message
    return payload


def slash(
    sub: str, options: dict[str, Any] | None = None, *, focused: str | None = None, **kwargs: Any
) -> dict[str, Any]:
    """`/autoweb <sub> option:value …` (type 2), or its autocomplete request (type 4) when `focused` names one."""
    opts = [_option(k, v, k == focused) for k, v in (options or {}).items()]
    users = {v.id: user(v.id, v.name) for v in (options or {}).values() if isinstance(v, UserOption)}
    data: dict[str, Any] = {
        "id": COMMAND_ID,
        "name": "autoweb",
        "type": 1,
        "options": [{"name": sub, "type": 1, "options": opts}],
    }
    if users:
        data["resolved"] = {"users": users}
    return interaction(4 if focused else 2, data, **kwargs)


def click(custom_id: str, message: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """A button press (type 3) on `message` (as the fake holds it)."""
    return interaction(3, {"custom_id": custom_id, "component_type": 2}, message=message, **kwargs)


_message_ids = itertools.count(1_400_000_000_000_000_000)


def user_message(text: str, channel: str = CHANNEL_ID, *, mention: bool = False, by: str = USER_ID) -> dict[str, Any]:
    """MESSAGE_CREATE from a person; with `mention`, the text starts with the bot's mention."""
    content = f"<@{BOT_ID}> {text}" if mention else text
    payload = message_payload(
        str(next(_message_ids)), channel, content=content, author=user(by), mentions=[BOT_USER] if mention else []
    )
    return {**payload, "member": {k: v for k, v in member(by).items() if k != "user"}}
