"""A local fake of the Slack Web API (aiohttp, port 0, own thread), reached through `SLACK_API_URL`.

It answers auth.test (with the granted scopes in `x-oauth-scopes`), chat.postMessage (keeping each message with
its `metadata`), chat.update, chat.postEphemeral, conversations.replies and conversations.history (oldest-first
pages of 15 at most, metadata only with `include_all_metadata`, like Slack), users.info and response_url posts,
records every call with its arrival time, and can be told to answer the next N calls of a method with HTTP 429
and a Retry-After header (`rate_limit`) or to fail them (`fail`): a 5xx before doing anything, a 5xx *after* doing
it (create-then-502), or a connection dropped after doing it. Message ts are the time they were made, as Slack's.
`wait_for` polls the record instead of sleeping.
"""

from __future__ import annotations

import asyncio
import copy
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from bot import slack_app
from tests.fakes.files import FileShelf

BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    at: float
    """time.time() when the request arrived."""
    status: int = 200
    token: str = ""
    ts: str = ""
    """The ts this call's message got (posts), or the ts it edited (updates)."""


@dataclass
class Fault:
    mode: str
    """`rate` (429 + Retry-After), `error` (5xx, nothing done), `after` (done, then 5xx), `drop` (done, then the
    connection is closed without an answer)."""
    status: int = 502
    retry_after: float = 1
    text: str = ""
    """Only calls whose text contains this."""


@dataclass
class FakeSlackApi:
    calls: list[Call] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    """Every message made (chat.postMessage), with channel, ts, thread_ts, text and metadata, as made."""
    _fail: dict[str, list[Fault]] = field(default_factory=dict)
    _last_ts: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""
    """Base URL of the Web API (ends with /api/), once started."""
    socket_acks: list[dict[str, Any]] = field(default_factory=list)
    """What Socket Mode clients answered to the envelopes sent with `socket_send`."""
    socket_connected: threading.Event = field(default_factory=threading.Event)
    response_url_base: str = ""
    emails: dict[str, str] = field(default_factory=dict)
    """users.info answers these users with a confirmed profile email (others have none)."""
    scopes: list[str] = field(default_factory=slack_app.bot_scopes)
    """What auth.test says the token was granted (its `x-oauth-scopes` header)."""
    revoked: set[str] = field(default_factory=set)
    """Tokens auth.test refuses (`invalid_auth`)."""
    shelf: FileShelf = field(default_factory=FileShelf)
    """Files shared in threads, served at /files/<name> (files.slack.com's part)."""

    # --- control -----------------------------------------------------------------------------------------------
    def rate_limit(self, method: str, times: int = 1, retry_after: float = 1, *, text: str = "") -> None:
        """Answer the next `times` calls of `method` (whose text contains `text`) with 429 and Retry-After."""
        self.fail(method, "rate", times, retry_after=retry_after, text=text)

    def fail(
        self, method: str, mode: str, times: int = 1, *, status: int = 502, retry_after: float = 1, text: str = ""
    ) -> None:
        """Fail the next `times` calls of `method` (whose text contains `text`) the way `Fault.mode` says."""
        with self._lock:
            self._fail.setdefault(method, []).extend([Fault(mode, status, retry_after, text)] * times)

    def made(self, channel: str | None = None, thread_ts: str | None = None) -> list[dict[str, Any]]:
        """Messages that exist (whatever the caller was told), in a channel and/or thread, in order."""
        with self._lock:
            return [
                m
                for m in self.messages
                if (channel is None or m["channel"] == channel)
                and (thread_ts is None or m.get("thread_ts") == thread_ts)
            ]

    def of(self, method: str, *, ok_only: bool = True) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method and (c.status == 200 or not ok_only)]

    def wait_for(self, check: Callable[[], Any], timeout: float = 10.0, every: float = 0.01) -> Any:
        """Poll until `check()` is truthy; return its value or fail after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if value := check():
                return value
            time.sleep(every)
        last = [(c.method, c.status, str(c.args.get("text", ""))[:80]) for c in self.calls[-10:]]
        raise AssertionError(f"timed out after {timeout} s; {len(self.calls)} calls, the last: {last}")

    def thread(self, channel: str, thread_ts: str) -> list[Call]:
        """Successful posts in one thread, in order."""
        return [c for c in self.of("chat.postMessage") if c.args.get("thread_ts") == thread_ts]

    # --- server --------------------------------------------------------------------------------------------------
    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            args.update(await request.json())
        elif request.can_read_body:
            args.update(await request.post())
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        with self._lock:
            pending = self._fail.get(method, [])
            match = next((i for i, f in enumerate(pending) if f.text in str(args.get("text", ""))), None)
            fault = pending.pop(match) if match is not None else None
            self._last_ts = max(time.time(), self._last_ts + 0.000001)
            ts = f"{self._last_ts:.6f}"
            refused = fault is not None and fault.mode in ("rate", "error")
            status = 200 if fault is None else 429 if fault.mode == "rate" else fault.status
            call = Call(method, args, time.time(), status, token)
            call.ts = str(args.get("ts", ts)) if method == "chat.update" else ts
            self.calls.append(call)
        if fault is not None and fault.mode == "rate":
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": str(fault.retry_after)}
            )
        if refused:
            return web.Response(status=status, text="upstream failure")
        if method == "apps.connections.open":
            return web.json_response({"ok": True, "url": self.url.replace("http:", "ws:", 1) + "socket"})
        if method == "auth.test":
            if token in self.revoked:
                return web.json_response({"ok": False, "error": "invalid_auth"})
            return web.json_response(self._answer(method, args, ts), headers={"x-oauth-scopes": ",".join(self.scopes)})
        answer = self._answer(method, args, ts)
        if method == "chat.postMessage" and answer.get("ok"):
            self._keep(args, ts)
        elif method in ("conversations.replies", "conversations.history"):
            answer = self._history(args)
        if method == "users.info" and (email := self.emails.get(str(args.get("user", "")))):
            answer["user"].update(is_email_confirmed=True, profile={"email": email})
        if fault is not None and fault.mode == "drop":  # done, and the answer never comes
            assert request.transport is not None
            request.transport.abort()
            return web.Response(status=500)
        if fault is not None:  # done, then an error instead of the answer
            return web.Response(status=fault.status, text="upstream failure")
        return web.json_response(answer)

    def _keep(self, args: dict[str, Any], ts: str) -> None:
        meta = args.get("metadata")
        meta = json.loads(meta) if isinstance(meta, str) else meta
        message = {"channel": args.get("channel"), "ts": ts, "text": args.get("text"), "bot_id": BOT_ID}
        if args.get("thread_ts"):
            message["thread_ts"] = str(args["thread_ts"])
        if meta:
            message["metadata"] = meta
        with self._lock:
            self.messages.append(message)

    def _history(self, args: dict[str, Any]) -> dict[str, Any]:
        """A thread (replies: the root's ts) or a channel, oldest first from `oldest`, `limit` (≤ 15) per page."""
        channel, thread = str(args.get("channel", "")), args.get("ts")
        oldest = float(args.get("oldest") or 0)
        with_meta = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        with self._lock:
            found = [
                m
                for m in self.messages
                if m["channel"] == channel
                and float(m["ts"]) >= oldest
                and (m.get("thread_ts") == thread or m["ts"] == thread if thread else "thread_ts" not in m)
            ]
        start = int(args.get("cursor") or 0)
        limit = min(int(args.get("limit") or 15), 15)
        page = [
            m if with_meta else {k: v for k, v in m.items() if k != "metadata"} for m in found[start : start + limit]
        ]
        more = start + limit < len(found)
        return {
            "ok": True,
            "messages": copy.deepcopy(page),
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    @staticmethod
    def _answer(method: str, args: dict[str, Any], ts: str) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "team_id": "T1", "user_id": BOT_USER_ID, "bot_id": BOT_ID, "user": "autoweb"}
        if method == "chat.postMessage" and str(args.get("channel", "")).startswith("CNOTIN"):
            return {"ok": False, "error": "not_in_channel"}
        if method == "chat.postMessage":
            return {"ok": True, "channel": args.get("channel"), "ts": ts, "message": {"text": args.get("text")}}
        if method == "chat.update":
            return {"ok": True, "channel": args.get("channel"), "ts": args.get("ts"), "text": args.get("text")}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": ts}
        if method == "users.info":
            user = args.get("user", "")
            return {"ok": True, "user": {"id": user, "name": user.lower(), "real_name": user}}
        return {"ok": False, "error": "unknown_method"}

    async def _response_url(self, request: web.Request) -> web.Response:
        with self._lock:
            self.calls.append(Call("response_url", await request.json(), time.time()))
        return web.json_response({"ok": True})

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        """Socket Mode: hello, then whatever `socket_send` pushes; the client's acks are recorded."""
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._ws = ws
        await ws.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"}})
        self.socket_connected.set()
        async for message in ws:
            with self._lock:
                self.socket_acks.append(json.loads(message.data))
        return ws

    def socket_send(self, envelope_type: str, payload: dict[str, Any], envelope_id: str) -> None:
        envelope: dict[str, Any] = {"envelope_id": envelope_id, "type": envelope_type, "payload": payload}
        envelope["accepts_response_payload"] = envelope_type == "slash_commands"
        asyncio.run_coroutine_threadsafe(self._ws.send_json(envelope), self._loop).result(5)

    def start(self) -> FakeSlackApi:
        started = threading.Event()

        def serve() -> None:
            self._loop = asyncio.new_event_loop()
            app = web.Application()
            app.router.add_get("/api/socket", self._socket)
            app.router.add_post("/api/{method}", self._api)
            app.router.add_get("/api/{method}", self._api)
            app.router.add_post("/response/{id}", self._response_url)
            self.shelf.add_routes(app)
            self._runner = web.AppRunner(app, access_log=None)
            self._loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            self._loop.run_until_complete(site.start())
            port = self._runner.addresses[0][1]
            self.url = f"http://127.0.0.1:{port}/api/"
            self.response_url_base = f"http://127.0.0.1:{port}/response/"
            self.shelf.started(f"http://127.0.0.1:{port}")
            started.set()
            self._loop.run_forever()
            self._loop.run_until_complete(self._runner.cleanup())
            self._loop.close()

        self._thread = threading.Thread(target=serve, name="fake-slack-api", daemon=True)
        self._thread.start()
        assert started.wait(10), "the fake Slack API did not start"
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


def text_of(call: Call) -> str:
    return str(call.args.get("text", ""))


def blocks_of(call: Call) -> list[dict[str, Any]]:
    blocks = call.args.get("blocks", [])
    return json.loads(blocks) if isinstance(blocks, str) else list(blocks)


# --- what Slack sends to the app: signed requests ----------------------------------------------------------------
def signed_headers(secret: str, body: str, content_type: str, *, timestamp: int | None = None) -> dict[str, str]:
    """Headers of a request signed the way Slack signs it (slack_sdk's own signature code)."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body) or ""
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature, "Content-Type": content_type}


SIGNING_SECRET = "test-signing-secret"
"""The signing secret the tests' Slack adapters are configured with (`slack_settings`, `slack_env`)."""


def command_body(
    text: str,
    *,
    user: str = "U1",
    channel: str = "C1",
    team: str = "T1",
    trigger: str = "",
    response_url: str = "https://hooks.invalid/commands/T1/1/x",
) -> str:
    return urlencode(
        {
            "token": "legacy",
            "team_id": team,
            "team_domain": "acme",
            "channel_id": channel,
            "channel_name": "marketing",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/autoweb",
            "text": text,
            "api_app_id": "A1",
            "response_url": response_url,
            "trigger_id": trigger or f"trigger-{time.monotonic_ns()}",
        }
    )


def event_body(event: dict[str, Any], *, event_id: str, team: str = "T1") -> str:
    return json.dumps(
        {
            "token": "legacy",
            "team_id": team,
            "api_app_id": "A1",
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "authorizations": [{"team_id": team, "user_id": BOT_USER_ID, "is_bot": True}],
        }
    )


def action_body(
    *, action_id: str, value: str, message_ts: str, thread_ts: str, user: str = "U1", channel: str = "C1"
) -> str:
    payload = {
        "type": "block_actions",
        "team": {"id": "T1", "domain": "acme"},
        "user": {"id": user, "team_id": "T1"},
        "api_app_id": "A1",
        "token": "legacy",
        "container": {"type": "message", "message_ts": message_ts, "channel_id": channel},
        "trigger_id": f"trigger-{time.monotonic_ns()}",
        "channel": {"id": channel, "name": "marketing"},
        "message": {"type": "message", "ts": message_ts, "thread_ts": thread_ts, "text": "", "bot_id": BOT_ID},
        "response_url": "https://hooks.invalid/actions/T1/1/x",
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "b1",
                "value": value,
                "action_ts": f"{time.time():.6f}",
                "text": {"type": "plain_text", "text": "button"},
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)})
