"""Files a team sends the bot (Slack files in a thread, Discord attachments, paths in the console), fetched safely.

A file is downloaded only from its platform's file host (Slack: files.slack.com or the host of SLACK_API_URL;
Discord: its CDN hosts or the host of DISCORD_API_URL), over HTTPS unless it is the configured API's own host,
with the Slack bot token sent to that host only. A redirect is followed only to another allowed host; the size
(declared and actual) is capped at `MAX_BYTES` and the whole download at `TIMEOUT` seconds. What cannot be fetched
becomes an `Incoming` with a reason, so the reply can name it; nothing here decodes a picture (`jobs/photos.py`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
from pydantic import BaseModel
from yarl import URL

from jobs.photos import MAX_BYTES

TIMEOUT = 30.0
MAX_FILES = 10
"""Files taken from one message; the rest are named as skipped."""
MAX_REDIRECTS = 3
SLACK_FILE_HOSTS = ("files.slack.com",)
DISCORD_FILE_HOSTS = ("cdn.discordapp.com", "media.discordapp.net")


class Incoming(BaseModel):
    """One file from chat: its bytes, or why it was not fetched (`too_big`, `host`, `redirect`, `download`,
    `too_many`, `missing`)."""

    name: str
    data: bytes = b""
    refused: str = ""


class Refused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


Origin = tuple[str, str, int]


def _origin(url: str) -> Origin:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


def allowed_origins(hosts: Iterable[str], api_url: str) -> frozenset[Origin]:
    """HTTPS on the platform's file hosts, plus the origin of the configured API URL (a self-hosted or test API)."""
    return frozenset({("https", h, 443) for h in hosts} | {_origin(api_url)})


async def download(
    session: aiohttp.ClientSession,
    url: str,
    allowed: frozenset[Origin],
    *,
    token: str | None = None,
    max_bytes: int = MAX_BYTES,
    timeout: float = TIMEOUT,
) -> bytes:
    """The file at `url`, or Refused. The token goes only to allowed origins; redirects only between them."""
    try:
        async with asyncio.timeout(timeout):
            for _ in range(MAX_REDIRECTS + 1):
                if _origin(url) not in allowed:
                    raise Refused("host")
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                async with session.get(url, headers=headers, allow_redirects=False) as response:
                    if response.status in (301, 302, 303, 307, 308):
                        url = str(response.url.join(URL(response.headers.get("Location", ""))))
                        if _origin(url) not in allowed:
                            raise Refused("redirect")
                        continue
                    if response.status != 200:
                        raise Refused("download")
                    if (response.content_length or 0) > max_bytes:
                        raise Refused("too_big")
                    return await _read_capped(response, max_bytes)
            raise Refused("redirect")
    except TimeoutError as exc:
        raise Refused("download") from exc
    except aiohttp.ClientError as exc:
        raise Refused("download") from exc


async def _read_capped(response: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    chunks, size = [], 0
    async for chunk in response.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > max_bytes:
            raise Refused("too_big")
        chunks.append(chunk)
    return b"".join(chunks)


async def fetch_all(
    session: aiohttp.ClientSession,
    files: list[tuple[str, str, int]],
    allowed: frozenset[Origin],
    *,
    token: str | None = None,
) -> list[Incoming]:
    """Each (name, url, declared size) fetched, at most MAX_FILES, in order; the rest named as too many."""
    out = []
    for i, (name, url, size) in enumerate(files):
        if i >= MAX_FILES:
            out.append(Incoming(name=name, refused="too_many"))
        elif size > MAX_BYTES:
            out.append(Incoming(name=name, refused="too_big"))  # as the platform declares it: not even fetched
        else:
            try:
                out.append(Incoming(name=name, data=await download(session, url, allowed, token=token)))
            except Refused as exc:
                out.append(Incoming(name=name, refused=exc.reason))
    return out


def read_local(paths: list[str]) -> list[Incoming]:
    """Files named in the console (the person at the terminal may read their own files), capped like chat's."""
    out = []
    for i, raw in enumerate(paths):
        path = Path(raw).expanduser()
        name = path.name or raw
        if i >= MAX_FILES:
            out.append(Incoming(name=name, refused="too_many"))
        elif not path.is_file():
            out.append(Incoming(name=name, refused="missing"))
        elif path.stat().st_size > MAX_BYTES:
            out.append(Incoming(name=name, refused="too_big"))
        else:
            out.append(Incoming(name=name, data=path.read_bytes()))
    return out


def looks_like_path(token: str) -> bool:
    """A console word that names a file rather than a hint: it has a directory or a picture's extension."""
    return "/" in token or Path(token).suffix.lower() in {".jpg", ".jpeg", ".png", ".webp", ".gif", ".heic", ".svg"}
