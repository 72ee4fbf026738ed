"""The preview server: current and numbered versions, zips, and nothing outside SITES_DIR."""

from __future__ import annotations

import asyncio

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.preview import make_app
from tests.helpers import actor

PROMPT = "a landing page for Sweet Crumbs, a bakery in Leeds, with a menu and contact page"


def fetch(app: web.Application, *paths: str) -> list[tuple[int, bytes, str]]:
    async def go() -> list[tuple[int, bytes, str]]:
        async with TestClient(TestServer(app)) as client:
            out = []
            for path in paths:
                resp = await client.get(path, allow_redirects=False)
                out.append((resp.status, await resp.read(), resp.headers.get("Content-Type", "")))
            return out

    return asyncio.run(go())


def test_serves_current_and_numbered_versions_and_zips(service, ctx, run_jobs, storage_settings, job_settings):
    reply = service.handle(actor(), f"build {PROMPT}")
    run_jobs()
    pid = reply.project_id
    app = make_app(storage_settings, job_settings)
    (current, v1, menu, archive, css, missing, escape, dotdot, healthz, none) = fetch(
        app,
        f"/p/{pid}/",
        f"/p/{pid}/v1/",
        f"/p/{pid}/menu.html",
        f"/p/{pid}/v1.zip",
        f"/p/{pid}/styles.css",
        f"/p/{pid}/v9/",
        f"/p/{pid}/%2e%2e/%2e%2e/etc/passwd",
        f"/p/{pid}/v1/../../../../etc/passwd",
        "/healthz",
        "/p/999999/",
    )
    assert current[0] == 200 and b"Sweet Crumbs" in current[1] and current[2].startswith("text/html")
    assert v1[1] == current[1]
    assert menu[0] == 200 and b"Menu" in menu[1]
    assert archive[0] == 200 and archive[1][:2] == b"PK" and archive[2] == "application/zip"
    assert css[0] == 200 and css[2].startswith("text/css")
    assert (missing[0], escape[0], dotdot[0], none[0]) == (404, 404, 404, 404)
    assert healthz == (200, b"ok", "text/plain; charset=utf-8")
