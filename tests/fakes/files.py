"""A file host for the Slack and Discord stand-ins: `GET /files/<name>` serves what a test put on the shelf.

`shelf.put(name, data)` serves bytes (with `token` set, only to `Authorization: Bearer <token>`, as
files.slack.com does); `shelf.redirect(name, url)` answers with a 302 to `url`; `shelf.slow(name)` never
finishes. Every request is recorded with the Authorization header it carried.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field

from aiohttp import web


@dataclass
class FileShelf:
    files: dict[str, bytes] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)
    stalled: set[str] = field(default_factory=set)
    token: str = ""
    requests: list[tuple[str, str]] = field(default_factory=list)
    """(name, Authorization header) of every request."""
    base: str = ""
    """URL prefix of the shelf once its server started (ends with /files/)."""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def put(self, name: str, data: bytes) -> str:
        self.files[name] = data
        return self.base + name

    def redirect(self, name: str, url: str) -> str:
        self.redirects[name] = url
        return self.base + name

    def slow(self, name: str) -> str:
        self.stalled.add(name)
        return self.base + name

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/files/{name}", self._serve)

    def started(self, origin: str) -> None:
        self.base = f"{origin}/files/"

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        auth = request.headers.get("Authorization", "")
        with self._lock:
            self.requests.append((name, auth))
        if name in self.redirects:
            raise web.HTTPFound(self.redirects[name])
        if name in self.stalled:
            await asyncio.sleep(3600)
        if self.token and auth != f"Bearer {self.token}":
            return web.Response(status=403, text="not_authed")
        if name not in self.files:
            return web.Response(status=404)
        return web.Response(body=self.files[name], content_type="application/octet-stream")
