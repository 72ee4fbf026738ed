"""The optional API for edits, against a local fake OpenAI-compatible server: it is asked only about the parts the
local reader did not understand, only operations on what the site has are kept, and any failure keeps the local
understanding."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp import web
from pydantic import SecretStr

from jobs import edits, llm
from jobs.edit_ops import AddSection, SetColour, SetText
from tests.jobs.test_edits import TEMPLATES, spec_for


class FakeApi:
    def __init__(self) -> None:
        self.content: Any = {}
        self.status = 200
        self.asked: list[list[str]] = []
        self.url = ""

    async def chat(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.asked.append(json.loads(body["messages"][1]["content"])["requests"])
        if self.status != 200:
            return web.json_response({"error": "boom"}, status=self.status)
        content = self.content if isinstance(self.content, str) else json.dumps(self.content)
        return web.json_response({"choices": [{"message": {"content": content}}]})


@pytest.fixture
def api() -> Iterator[FakeApi]:
    fake = FakeApi()
    app = web.Application()
    app.router.add_post("/v1/chat/completions", fake.chat)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    loop = asyncio.new_event_loop()
    ready = threading.Event()

    async def start() -> None:
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        host, port = runner.addresses[0][:2]
        fake.url = f"http://{host}:{port}/v1"
        ready.set()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(start())
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert ready.wait(5)
    yield fake
    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(5)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()


def provider(api: FakeApi) -> llm.ApiProvider:
    return llm.ApiProvider(url=api.url, key=SecretStr("sk-test"), model="test", timeout=2.0)


TEXT = "make the headline bolder and add a faq section"


def test_only_the_unclear_part_is_asked_and_its_operations_join_the_local_ones(api):
    api.content = {
        "answers": [
            {
                "text": "make the headline bolder",
                "operations": [{"op": "set_colour", "colour": "#1b2a4a", "name": "navy"}],
            }
        ]
    }
    understood = edits.understand(spec_for(), TEXT, TEMPLATES, provider(api))
    assert api.asked == [["make the headline bolder"]]
    assert understood.operations == [AddSection(kind="faq", page="index"), SetColour(colour="#1b2a4a", name="navy")]
    assert understood.sources[-1] == "make the headline bolder" and understood.unclear == []


def test_a_fully_understood_message_never_calls_the_api(api):
    edits.understand(spec_for(), "add a faq section and make it navy", TEMPLATES, provider(api))
    assert api.asked == []


@pytest.mark.parametrize(
    "operations",
    [
        [{"op": "set_text", "key": "secret_key", "value": "x"}],  # not a copy key of the site
        [{"op": "remove_page", "slug": "admin"}],  # no such page
        [{"op": "add_section", "kind": "script", "page": "index"}],  # no such section
        [{"op": "set_colour", "colour": "red; background:url(x)", "name": "red"}],
        [{"op": "set_text", "key": "hero_title", "value": "<script>alert(1)</script>"}],
        [{"op": "set_text", "key": "hero_title", "value": "x" * 5000}],
        [{"op": "set_font", "stack": "x;}</style><script>", "name": "evil"}],
    ],
)
def test_operations_on_what_the_site_does_not_have_are_dropped(api, operations):
    api.content = {"answers": [{"text": "make the headline bolder", "operations": operations}]}
    understood = edits.understand(spec_for(), TEXT, TEMPLATES, provider(api))
    assert understood.operations == [AddSection(kind="faq", page="index")]
    assert [u.text for u in understood.unclear] == ["make the headline bolder"]


@pytest.mark.parametrize(
    "content",
    ["{not json", {"answers": []}, {"answers": "x"}, {"nothing": 1}, {"answers": [{"operations": [{"op": "nope"}]}]}],
)
def test_any_bad_answer_keeps_the_local_understanding(api, content):
    api.content = content
    local = edits.understand(spec_for(), TEXT, TEMPLATES)
    assert edits.understand(spec_for(), TEXT, TEMPLATES, provider(api)) == local


def test_an_api_error_keeps_the_local_understanding(api):
    api.status = 500
    local = edits.understand(spec_for(), TEXT, TEMPLATES)
    assert edits.understand(spec_for(), TEXT, TEMPLATES, provider(api)) == local


def test_a_mapped_text_change_applies_like_a_local_one(api):
    api.content = {
        "answers": [{"text": "x", "operations": [{"op": "set_text", "key": "hero_title", "value": "Bold bread"}]}]
    }
    understood = edits.understand(spec_for(), "make the headline bolder", TEMPLATES, provider(api))
    assert understood.operations == [SetText(key="hero_title", value="Bold bread")]
    applied = edits.apply(spec_for(), understood.operations, TEMPLATES, understood.sources)
    assert applied.spec["copy_text"]["hero_title"] == "Bold bread"
