"""The optional API provider, against a local fake OpenAI-compatible server: any failure gives the local copy,
hostile text is escaped on the page, and the key goes only into the Authorization header."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import structlog
from aiohttp import web
from PIL import Image
from pydantic import SecretStr

from jobs import brief, generator, llm, packs, plan
from jobs.settings import JobSettings
from storage.catalog import load_package_data
from tests.helpers import actor

KEY = "sk-test-very-secret-1234567890"
PROMPT = "a website for Sweet Crumbs, a bakery in Leeds, email hello@sweetcrumbs.example"
TEMPLATES, COMPONENTS = load_package_data()
ALL_COMPONENTS = {c["slug"]: c for c in COMPONENTS}
TEMPLATE = next(t for t in TEMPLATES if t["slug"] == "artisan-bakery")
GOOD = {
    "hero_title": "Fresh bread, every morning",
    "hero_text": "Sourdough and pastries baked before dawn in Leeds.",
    "about": ["We bake small batches.", "Everything is made by hand."],
    "features": [{"title": "Slow dough", "text": "Forty-eight hours of proving."}],
    "cta_title": "Order for Saturday",
    "email": "evil@attacker.example",  # not a key the API may set: ignored
}


def _png(size: tuple[int, int]) -> str:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return base64.b64encode(out.getvalue()).decode()


class FakeApi:
    """An OpenAI-compatible server whose answer is chosen by `mode`; it records every request's headers."""

    def __init__(self) -> None:
        self.mode = "good"
        self.auth: list[str | None] = []
        self.bodies: list[dict[str, Any]] = []
        self.url = ""

    def _record(self, request: web.Request, body: dict[str, Any]) -> None:
        self.auth.append(request.headers.get("Authorization"))
        self.bodies.append(body)

    async def chat(self, request: web.Request) -> web.StreamResponse:
        self._record(request, await request.json())
        copy: Any = {
            "good": GOOD,
            "hostile": {**GOOD, "cta_title": "<script>alert(document.cookie)</script>", "cta_text": '"onload="x'},
            "wrong_type": {**GOOD, "hero_title": 42},
            "too_long": {**GOOD, "hero_text": "x" * 5000},
            "missing": {"cta_title": "Only this"},
            "bad_cards": {**GOOD, "features": [{"title": "No text"}]},
        }.get(self.mode)
        if self.mode == "500":
            return web.json_response({"error": "boom"}, status=500)
        if self.mode == "slow":
            await asyncio.sleep(1.0)
            copy = GOOD
        if self.mode == "bad_json":
            return web.json_response({"choices": [{"message": {"content": "{not json"}}]})
        if self.mode == "garbage":
            return web.Response(text="<html>not json at all</html>")
        return web.json_response({"choices": [{"message": {"content": json.dumps(copy)}}]})

    async def images(self, request: web.Request) -> web.StreamResponse:
        self._record(request, await request.json())
        data = {
            "good": _png((400, 300)),
            "huge": _png((3000, 64)),
            "not_base64": "%%%not base64%%%",
            "not_image": base64.b64encode(b"just some text, not a picture").decode(),
        }.get(self.mode, "")
        if self.mode == "500":
            return web.json_response({"error": "boom"}, status=500)
        return web.json_response({"data": [{"b64_json": data}]})


@pytest.fixture
def fake_api() -> Iterator[FakeApi]:
    """The fake server on a free port, in a thread with its own event loop (the provider runs its own)."""
    api = FakeApi()
    app = web.Application()
    app.router.add_post("/v1/chat/completions", api.chat)
    app.router.add_post("/v1/images/generations", api.images)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    loop = asyncio.new_event_loop()
    ready = threading.Event()

    async def start() -> None:
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        api.url = f"http://{host}:{port}/v1"
        ready.set()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(start())
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert ready.wait(5)
    yield api
    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(5)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()


def provider(api: FakeApi, timeout: float = 2.0) -> llm.ApiProvider:
    return llm.ApiProvider(url=api.url, key=SecretStr(KEY), model="test-model", timeout=timeout)


def local_copy() -> dict[str, Any]:
    b = brief.parse(PROMPT)
    pack = packs.pack_for(b.words, b.kind, TEMPLATE["pack"])
    return plan.copy_for(b, pack, plan.site_name(b, pack))


def spec_with(api: llm.ApiProvider | None) -> generator.SiteSpec:
    return plan.make_spec(brief.parse(PROMPT), TEMPLATE, copy_provider=api)


def render(spec: generator.SiteSpec, out: Path) -> str:
    generator.render_site(spec, ALL_COMPONENTS, out, base_url="https://preview.example.com/p/1/")
    return (out / "index.html").read_text()


def test_good_answer_rewords_neutral_copy_only_never_a_fact(fake_api):
    spec = spec_with(provider(fake_api))
    local = local_copy()
    assert spec.copy_text["cta_title"] == GOOD["cta_title"]  # neutral words may be reworded
    for fact in ("hero_title", "hero_text", "about", "features", "offers", "faq", "kicker"):
        assert spec.copy_text[fact] == local[fact], fact  # the brief's facts never are
    assert spec.copy_text["hero_title"] == "Sweet Crumbs" and spec.email == "hello@sweetcrumbs.example"
    assert fake_api.auth == [f"Bearer {KEY}"]
    body = fake_api.bodies[0]
    assert body["model"] == "test-model" and body["response_format"] == {"type": "json_object"}
    assert KEY not in json.dumps(body)


def test_without_a_provider_the_copy_is_the_local_one():
    assert spec_with(None).copy_text == local_copy()


@pytest.mark.parametrize(
    "mode", ["bad_json", "garbage", "500", "slow", "wrong_type", "too_long", "missing", "bad_cards"]
)
def test_any_failure_falls_back_to_the_local_copy(fake_api, mode, caplog):
    fake_api.mode = mode
    caplog.set_level(logging.DEBUG)
    with structlog.testing.capture_logs() as logs:
        spec = spec_with(provider(fake_api, timeout=0.3))
    assert spec.copy_text == local_copy()
    assert fake_api.auth == [f"Bearer {KEY}"]
    assert any(entry["log_level"] == "warning" for entry in logs)
    assert KEY not in repr(logs) and KEY not in caplog.text


def test_hostile_copy_is_escaped_on_the_page(fake_api, tmp_path):
    fake_api.mode = "hostile"
    html = render(spec_with(provider(fake_api)), tmp_path / "site")
    assert "&lt;script&gt;alert(document.cookie)&lt;/script&gt;" in html
    assert "<script" not in html.lower()
    assert '"onload=' not in html


@pytest.mark.parametrize("mode", ["500", "slow"])
def test_errors_never_carry_the_key(fake_api, mode):
    fake_api.mode = mode
    api = provider(fake_api, timeout=0.3)
    with pytest.raises(Exception) as caught:
        api.post("/chat/completions", {"messages": []})
    text = f"{caught.value!s} {caught.value!r} {caught.getrepr()!s}"
    assert KEY not in text
    assert KEY not in repr(api) and KEY not in str(api)


def test_settings_choose_the_provider():
    assert llm.ApiProvider.from_settings(JobSettings(_env_file=None)) is None
    assert llm.ApiProvider.from_settings(JobSettings(_env_file=None, llm_api_url="http://x/v1")) is None
    api = llm.ApiProvider.from_settings(JobSettings(_env_file=None, llm_api_url="http://x/v1/", llm_api_key=KEY))
    assert api is not None and api.url == "http://x/v1" and api.key.get_secret_value() == KEY


def test_a_good_picture_is_re_encoded_at_hero_size(fake_api):
    png = provider(fake_api).hero("Sweet Crumbs", PROMPT)
    assert png is not None
    with Image.open(io.BytesIO(png)) as img:
        assert (img.format, img.size) == ("PNG", llm.HERO_SIZE)
    assert fake_api.auth == [f"Bearer {KEY}"]


@pytest.mark.parametrize("mode", ["huge", "not_base64", "not_image", "500", "missing"])
def test_a_bad_picture_gives_none(fake_api, mode):
    fake_api.mode = mode
    with structlog.testing.capture_logs() as logs:
        assert provider(fake_api).hero("Sweet Crumbs", PROMPT) is None
    assert KEY not in repr(logs)


def test_a_build_uses_the_api_when_configured(fake_api, ctx, service, run_jobs):
    ctx.settings.llm_api_url = fake_api.url
    ctx.settings.llm_api_key = SecretStr(KEY)
    with structlog.testing.capture_logs() as logs:
        reply = service.handle(actor(), f"build {PROMPT}")
        assert reply.project_id is not None and run_jobs()
    site = ctx.settings.sites_dir / str(reply.project_id) / "v1"
    assert GOOD["cta_title"] in (site / "index.html").read_text()
    with Image.open(site / "images" / "hero.png") as img:
        assert img.size == llm.HERO_SIZE and img.getpixel((600, 400)) == (200, 30, 30)
    assert fake_api.auth == [f"Bearer {KEY}"] * 2
    assert KEY not in repr(logs)
