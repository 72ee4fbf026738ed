"""Requests to a preview app in-process (aiohttp's test server), answers with their headers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from multidict import CIMultiDict

from bot.service import CommandService
from tests.helpers import actor

PROMPT = "a landing page for Sweet Crumbs, a bakery in Leeds, with a menu and contact page"


@dataclass
class Answer:
    status: int
    body: bytes
    headers: CIMultiDict[str]


def fetch(app: web.Application, *paths: str) -> list[Answer]:
    """GET each raw path (sent as written: no client-side normalisation or re-encoding)."""

    async def go() -> list[Answer]:
        async with TestClient(TestServer(app, skip_url_asserts=True)) as client:
            out = []
            for path in paths:
                url = client.make_url("/").with_path(path, encoded=True)
                resp = await client.session.get(url, allow_redirects=False)
                out.append(Answer(resp.status, await resp.read(), CIMultiDict(resp.headers)))
            return out

    return asyncio.run(go())


def built_project(service: CommandService, run_jobs: Callable[[], bool]) -> int:
    reply = service.handle(actor(), f"build {PROMPT}")
    assert run_jobs()
    assert reply.project_id is not None
    return reply.project_id
