"""A headless Chromium driven over the DevTools protocol (aiohttp's WebSocket client): load a page as a phone or
a desktop would (viewport and device scale set before the first request), sum the bytes it transferred, and
take full-page screenshots. Used by bench/images.py."""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import aiohttp

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


class Page:
    def __init__(self, ws: aiohttp.ClientWebSocketResponse, session: str) -> None:
        self.ws, self.session = ws, session
        self.ids = itertools.count(1)
        self.events: list[dict[str, Any]] = []

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        call_id = next(self.ids)
        await self.ws.send_json({"id": call_id, "method": method, "params": params, "sessionId": self.session})
        while True:
            message = json.loads((await self.ws.receive()).data)
            if message.get("id") == call_id:
                return dict(message.get("result") or {})
            self.events.append(message)

    async def idle(self, quiet: float = 1.0, limit: float = 20.0, *, loaded: bool = False) -> None:
        """Until the load event has fired (or `loaded`) and no event arrived for `quiet` seconds."""
        loop = asyncio.get_running_loop()
        end = loop.time() + limit
        while loop.time() < end:
            try:
                message = json.loads((await asyncio.wait_for(self.ws.receive(), quiet)).data)
            except TimeoutError:
                if loaded:
                    return
                continue
            self.events.append(message)
            loaded = loaded or message.get("method") == "Page.loadEventFired"


async def _open(ws: aiohttp.ClientWebSocketResponse) -> Page:
    target = await _browser_call(ws, "Target.createTarget", url="about:blank")
    attached = await _browser_call(ws, "Target.attachToTarget", targetId=target["targetId"], flatten=True)
    return Page(ws, attached["sessionId"])


async def _browser_call(ws: aiohttp.ClientWebSocketResponse, method: str, **params: Any) -> dict[str, Any]:
    await ws.send_json({"id": 10_000 + len(method), "method": method, "params": params})
    while True:
        message = json.loads((await ws.receive()).data)
        if message.get("id") == 10_000 + len(method):
            return dict(message.get("result") or {})


async def visit(url: str, width: int, height: int, scale: float, shot: Path | None = None) -> tuple[int, int]:
    """(bytes transferred, requests) loading `url` at this viewport; with `shot`, a full-page screenshot."""
    profile = tempfile.mkdtemp(prefix="chromium-")
    args = [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--remote-debugging-port=0"]
    proc = subprocess.Popen([*args, f"--user-data-dir={profile}", "about:blank"], stderr=subprocess.DEVNULL)
    try:
        port_file = Path(profile) / "DevToolsActivePort"
        for _ in range(200):
            if port_file.is_file() and port_file.read_text().count("\n") >= 1:
                break
            await asyncio.sleep(0.05)
        port, path = port_file.read_text().split("\n")[:2]
        async with (
            aiohttp.ClientSession() as http,
            http.ws_connect(f"ws://127.0.0.1:{port}{path}", max_msg_size=0) as ws,
        ):
            page = await _open(ws)
            await page.call("Network.enable")
            await page.call("Network.setCacheDisabled", cacheDisabled=True)
            await page.call("Page.enable")
            mobile = width < 600
            await page.call(
                "Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=scale, mobile=mobile
            )
            await page.call("Page.navigate", url=url)
            await page.idle()
            finished = [e for e in page.events if e.get("method") == "Network.loadingFinished"]
            total = sum(int(e["params"].get("encodedDataLength", 0)) for e in finished)
            if shot is not None:
                metrics = await page.call("Page.getLayoutMetrics")
                full = metrics["cssContentSize"]
                await page.call(
                    "Emulation.setDeviceMetricsOverride",
                    width=width,
                    height=int(full["height"]),
                    deviceScaleFactor=1,
                    mobile=mobile,
                )
                await page.call("Runtime.evaluate", expression="window.scrollTo(0, document.body.scrollHeight)")
                await page.idle(quiet=1.0, limit=8.0, loaded=True)
                data = await page.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
                shot.write_bytes(base64.b64decode(data["data"]))
            return total, len(finished)
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(profile, ignore_errors=True)
