"""A local stand-in for the OpenAI-compatible API (a service we do not own), run on a thread: each path gets a
handler of the test's choosing."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class StandInApi:
    def __init__(self, routes: dict[str, Handler]) -> None:
        self.routes = routes
        self.calls: list[str] = []
        self.url = ""

    async def _any(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        self.calls.append(path)
        handler = self.routes.get(path)
        if handler is None:
            return web.json_response({"error": "no such route"}, status=404)
        return await handler(request)

    def __enter__(self) -> StandInApi:
        started = threading.Event()

        def serve() -> None:
            self._loop = asyncio.new_event_loop()
            app = web.Application(client_max_size=10 * 1024 * 1024)
            app.router.add_post("/v1/{tail:.*}", self._any)
            self._runner = web.AppRunner(app, access_log=None)
            self._loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            self._loop.run_until_complete(site.start())
            self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/v1"
            started.set()
            self._loop.run_forever()
            self._loop.run_until_complete(self._runner.cleanup())

        self._thread = threading.Thread(target=serve, name="stand-in-api", daemon=True)
        self._thread.start()
        assert started.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


async def unavailable(request: web.Request) -> web.Response:
    return web.json_response({"error": "unavailable"}, status=500)


async def stall(request: web.Request) -> web.Response:
    await asyncio.sleep(60)
    return web.json_response({"error": "too late"}, status=500)
