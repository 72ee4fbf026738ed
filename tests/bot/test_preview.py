"""The preview server: current and numbered versions, zips, and nothing outside SITES_DIR."""

from __future__ import annotations

import asyncio

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.preview import make_app
from tests.helpers import actor, preview_token

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
    token = preview_token(ctx.db, pid)
    app = make_app(storage_settings, job_settings)
    (current, v1, menu, archive, css, missing, escape, dotdot, healthz, none, by_id) = fetch(
        app,
        f"/p/{token}/",
        f"/p/{token}/v1/",
        f"/p/{token}/menu.html",
        f"/p/{token}/v1.zip",
        f"/p/{token}/styles.css",
        f"/p/{token}/v9/",
        f"/p/{token}/%2e%2e/%2e%2e/etc/passwd",
        f"/p/{token}/v1/../../../../etc/passwd",
        "/healthz",
        f"/p/{'A' * 32}/",
        f"/p/{pid}/",
    )
    assert current[0] == 200 and b"Sweet Crumbs" in current[1] and current[2].startswith("text/html")
    assert v1[1] == current[1]
    assert menu[0] == 200 and b"Menu" in menu[1]
    assert archive[0] == 200 and archive[1][:2] == b"PK" and archive[2] == "application/zip"
    assert css[0] == 200 and css[2].startswith("text/css")
    assert missing[0] == none[0] == by_id[0] == 404
    assert escape[0] in (400, 404) and dotdot[0] in (400, 404)
    assert healthz == (200, b"ok", "text/plain; charset=utf-8")
