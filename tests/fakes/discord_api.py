"""A local fake of Discord's REST API and gateway (aiohttp, port 0, own thread), reached through
DISCORD_API_URL (`<url>/api/v10`) and DISCORD_GATEWAY_URL (`<ws url>/gateway`).

REST: GET /gateway/bot, /users/@me, /oauth2/applications/@me, /channels/{id}; PUT application commands, global
and per guild (bulk overwrite); the interaction callback (POST …/callback?with_response=1; a second callback for
the same interaction is refused with code 40060, as Discord does); the original response (PATCH/DELETE
…/messages/@original) and follow-ups; channel messages (POST, PATCH); threads from a message. Every answer is
`Content-Type: application/json` exactly and carries X-RateLimit-* headers; `rate_limit(route, n)` answers the next
n calls of a route with 429, a `Via` header and a JSON `retry_after` (without `Via`, discord.py would take it for
a Cloudflare ban); `fail(route, mode, n)` fails them otherwise: a 5xx before doing anything (`error`), a 5xx
after doing it (`after`: create-then-502) or a connection dropped after doing it (`drop`). A message POST with
`nonce` and `enforce_nonce` whose nonce the bot used in the last NONCE_WINDOW seconds answers the message made then,
as Discord does. An interaction callback more than 3 s after the interaction's id was minted is refused with 10062
(Unknown interaction); interaction ids are snowflakes of their creation time (`interaction(..., age=4)` is 4 s old).

Gateway: HELLO → IDENTIFY → READY (user, guilds, session_id, resume_gateway_url, application) → GUILD_CREATE;
heartbeats (op 1 → op 11); THREAD_CREATE when a thread is started; `dispatch(event, data)` sends any event
(INTERACTION_CREATE, MESSAGE_CREATE) on demand, or keeps it for the session's RESUME while no client is connected
(RESUME replays what was kept, then RESUMED; an unknown session gets INVALID_SESSION). Faults: `reconnect()`
(op 7), `invalidate(resumable)` (op 9), `close(code)` (4000 as a close frame, 1006 as a dropped connection),
`outage(seconds)` (drops the connection and refuses new ones until it ends). Every REST call is recorded with
its arrival time.
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
DISCORD_EPOCH_MS = 1_420_070_400_000
NONCE_WINDOW = 300.0
"""Seconds Discord checks an enforced nonce for uniqueness ("the past few minutes")."""
INTERACTION_DEADLINE = 3.0
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
    interaction_deadline: float = INTERACTION_DEADLINE
    """Seconds after an interaction's creation its callback is still taken (lower it to play a clock skew)."""
    url: str = ""
    """REST base, like https://discord.com/api/v10."""
    gateway_url: str = ""
    _fail: dict[str, list[tuple[str, float, str]]] = field(default_factory=dict)
    _nonces: dict[str, tuple[float, str]] = field(default_factory=dict)
    """nonce → (time.time() when used, the message made)."""
    session_id: str = ""
    _session: int = 0
    _kept: list[dict[str, Any]] = field(default_factory=list)
    """Frames dispatched while no client was connected: replayed on RESUME."""
    _transports: dict[int, Any] = field(default_factory=dict)
    down_until: float = 0.0
    """time.time() until which the gateway refuses connections (an outage)."""
    connects: list[tuple[float, int]] = field(default_factory=list)
    """(time.time(), op) of each IDENTIFY (2) and RESUME (6) the gateway accepted."""
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
        self.fail(route, "rate", times, retry_after)

    def fail(self, route: str, mode: str, times: int = 1, value: float = 502, *, text: str = "") -> None:
        """Fail the next `times` calls of `route` whose JSON body contains `text`: `rate` (429, `value` =
        retry_after), `error` (HTTP `value`, nothing done), `after` (done, then HTTP `value`), `drop` (done, then
        the connection closes unanswered)."""
        with self._lock:
            self._fail.setdefault(route, []).extend([(mode, value, text)] * times)

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
        """Send a gateway DISPATCH (op 0) to the connected client, or keep it for its RESUME while none is."""
        if event == "INTERACTION_CREATE":  # its original response will live in the channel it came from
            self._channel_of_token[data["token"]] = data["channel_id"]
        frame = {"op": 0, "t": event, "s": next(self._seq), "d": data}
        ws = self._ws
        if ws is None or ws.closed:
            with self._lock:
                self._kept.append(frame)
            return
        self.dispatched[str(data.get("id"))] = time.time()
        asyncio.run_coroutine_threadsafe(ws.send_str(json.dumps(frame)), self._loop).result(5)

    # --- gateway faults ------------------------------------------------------------------------------------------
    def _on_loop(self, coro: Any) -> None:
        asyncio.run_coroutine_threadsafe(coro, self._loop).result(5)

    def reconnect(self) -> None:
        """op 7 RECONNECT: the client closes and RESUMEs."""
        assert self._ws is not None
        self._on_loop(self._ws.send_json({"op": 7, "d": None, "s": None, "t": None}))

    def invalidate(self, resumable: bool = False) -> None:
        """op 9 INVALID_SESSION: not resumable → the client IDENTIFYs afresh (what was kept is lost)."""
        assert self._ws is not None
        if not resumable:
            self.session_id = ""
        self._on_loop(self._ws.send_json({"op": 9, "d": resumable, "s": None, "t": None}))

    def close(self, code: int = 4000) -> None:
        """Close the gateway connection: with a close frame (`code`), or — 1006 — by dropping it unannounced."""
        ws = self._ws
        assert ws is not None
        self._ws = None

        async def shut() -> None:
            if code == 1006:
                transport = self._transports.get(id(ws))
                if transport is not None:
                    transport.abort()
            else:
                await ws.close(code=code)

        self._on_loop(shut())

    def outage(self, seconds: float) -> None:
        """Drop the connection and refuse new ones for `seconds`."""
        self.down_until = time.time() + seconds
        if self._ws is not None:
            self.close(1006)

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
                pending = self._fail.get(name, [])
                shown = json.dumps(body, ensure_ascii=False)
                match = next((i for i, f in enumerate(pending) if f[2] in shown), None)
                mode, value, _ = pending.pop(match) if match is not None else ("", 0.0, "")
            if mode == "rate":
                call.status = 429
                answer = {"message": "You are being rate limited.", "retry_after": value, "global": False}
                return self._json(answer, 429, {"Via": "1.1 google", "Retry-After": str(value)})
            if mode == "error":
                call.status = int(value)
                return self._json({"message": "Server error", "code": 0}, int(value))
            status, result = self._answer(call)
            call.status, call.result = status, copy.deepcopy(result)  # as answered, not as later edited
            if mode == "drop":
                call.status = 599  # done, unanswered
                assert request.transport is not None
                request.transport.abort()
                return web.Response(status=500)
            if mode == "after":
                call.status = int(value)
                return self._json({"message": "Server error", "code": 0}, int(value))
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
            return 200, self._post_once(p["channel"], body)
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
        if time.time() - snowflake_time(interaction_id) > self.interaction_deadline:
            return 404, {"message": "Unknown interaction", "code": 10062}
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

    def _post_once(self, channel: str, body: dict[str, Any]) -> dict[str, Any]:
        """A channel message; with `nonce` + `enforce_nonce`, a nonce used in the last NONCE_WINDOW seconds
        answers the message made then (Discord: "the message will be returned and no new message created")."""
        nonce = body.get("nonce")
        if nonce is None or not body.get("enforce_nonce"):
            return self._new_message(channel, body)
        with self._lock:
            used = self._nonces.get(str(nonce))
            if used is not None and time.time() - used[0] < NONCE_WINDOW and used[1] in self.messages:
                return dict(self.messages[used[1]])
        message = self._new_message(channel, body)
        with self._lock:
            self._nonces[str(nonce)] = (time.time(), message["id"])
        return message

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
    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        if time.time() < self.down_until:  # an outage: no connection
            return web.Response(status=503, text="gateway unavailable")
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._transports[id(ws)] = request.transport
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None})
        async for frame in ws:
            if frame.type is not WSMsgType.TEXT:
                continue
            message = json.loads(frame.data)
            if message["op"] == 1:
                self.heartbeats += 1
                await ws.send_json({"op": 11, "d": None, "s": None, "t": None})
            elif message["op"] == 2:
                await self._identify(ws, message["d"])
            elif message["op"] == 6:
                await self._resume(ws, message["d"])
        return ws

    async def _identify(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> None:
        self.identify = data
        self._session += 1
        self.session_id = f"fake-session-{self._session}"
        with self._lock:
            self._kept.clear()  # a new session: what the old one missed is gone
            self.connects.append((time.time(), 2))
        self._ws = ws
        ready = {
            "v": 10,
            "user": BOT_USER,
            "guilds": [{"id": GUILD_ID, "unavailable": True}],
            "session_id": self.session_id,
            "resume_gateway_url": self.gateway_url,
            "application": {"id": APP_ID, "flags": 0},
            "shard": [0, 1],
        }
        await ws.send_json({"op": 0, "t": "READY", "s": next(self._seq), "d": ready})
        await ws.send_json({"op": 0, "t": "GUILD_CREATE", "s": next(self._seq), "d": guild()})
        self.identified.set()

    async def _resume(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> None:
        """Replay what the session missed, then RESUMED; an unknown session must IDENTIFY again."""
        if not self.session_id or data.get("session_id") != self.session_id:
            await ws.send_json({"op": 9, "d": False, "s": None, "t": None})
            return
        with self._lock:
            kept, self._kept = self._kept, []
            self.connects.append((time.time(), 6))
        self._ws = ws
        for frame in kept:
            self.dispatched[str(frame["d"].get("id"))] = time.time()
            await ws.send_json(frame)
        await ws.send_json({"op": 0, "t": "RESUMED", "s": next(self._seq), "d": {}})

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
    return {k: body[k] for k in ("content", "embeds", "components", "flags", "nonce") if k in body}


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
    nonce: str | int | None = None,
) -> dict[str, Any]:
    return {
        **({"nonce": nonce} if nonce is not None else {}),
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


_increment = itertools.count(1)


def snowflake(at: float | None = None) -> str:
    """A Discord id minted at `at` (time.time(); now by default)."""
    ms = int((time.time() if at is None else at) * 1000) - DISCORD_EPOCH_MS
    return str((ms << 22) | (next(_increment) & 0x3FFFFF))


def snowflake_time(snowflake_id: str) -> float:
    return ((int(snowflake_id) >> 22) + DISCORD_EPOCH_MS) / 1000


def interaction(
    kind: int,
    data: dict[str, Any],
    *,
    interaction_id: str | None = None,
    channel: dict[str, Any] | None = None,
    by: str = USER_ID,
    message: dict[str, Any] | None = None,
    age: float = 0.0,
) -> dict[str, Any]:
    """An interaction created `age` seconds ago."""
    iid = interaction_id or snowflake(time.time() - age)
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
