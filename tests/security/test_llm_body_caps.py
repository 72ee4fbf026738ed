"""Finding: a hostile LLM provider could send a 400 MB body and the build read it all (peak 1.47 GB). Answers are
read in chunks and reading stops past 1 MB (copy) or 8 MB (pictures); the local copy and picture are used."""

from __future__ import annotations

import tracemalloc

import pytest
from aiohttp import web
from pydantic import SecretStr

from jobs import brief, llm
from jobs.packs import Copy
from tests.security.stand_in import StandInApi

CHUNK = b"[" + b" " * (1024 * 1024 - 1)
ENDLESS = 300
"""MB the stand-in offers when nobody stops it."""


class Hose:
    """Streams an endless JSON-ish body (optionally declaring it in Content-Length) and counts what it sent."""

    def __init__(self, declare: bool) -> None:
        self.declare = declare
        self.sent = 0

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        if self.declare:
            response.content_length = ENDLESS * len(CHUNK)
        await response.prepare(request)
        try:
            for _ in range(ENDLESS):
                await response.write(CHUNK)
                self.sent += len(CHUNK)
        except (ConnectionResetError, RuntimeError):  # the client stopped reading and closed the connection
            pass
        return response


def provider(url: str) -> llm.ApiProvider:
    return llm.ApiProvider(url=url, key=SecretStr("sk-security"), model="m", timeout=30)


@pytest.mark.parametrize("declare", [False, True], ids=["chunked", "content-length"])
def test_a_huge_copy_answer_is_cut_off_and_the_local_copy_used(declare):
    hose = Hose(declare)
    local: Copy = {"hero_title": "Sweet Crumbs", "hero_text": "Fresh bread in Leeds."}
    with StandInApi({"/chat/completions": hose}) as api:
        tracemalloc.start()
        try:
            copy = provider(api.url).copy(brief.parse("a bakery in Leeds"), "food", "Sweet Crumbs", "", local)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert copy == local
    assert hose.sent < 64 * len(CHUNK)  # stopped long before the end (socket buffers hold some in flight)
    assert peak < 16 * 1024 * 1024, peak  # the answer is never held whole


def test_a_huge_picture_answer_is_cut_off():
    hose = Hose(declare=False)
    with StandInApi({"/images/generations": hose}) as api:
        assert provider(api.url).hero("Sweet Crumbs", "a bakery") is None
    assert hose.sent < 64 * len(CHUNK)
