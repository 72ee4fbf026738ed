"""Optional copy and hero picture from an OpenAI-compatible API, with the local generator as the floor.

The API is a nice-to-have: any failure (timeout, bad status, bad JSON, an answer that does not validate) gives
the local, deterministic copy or picture instead, so a build never fails, and never waits long, because of it.
The API may only replace known plain-text copy fields, each of bounded length; the templates escape them like
any user text, and nothing here is marked safe. The key travels only in the Authorization header: it is never
logged and never put into an exception message (only exception type names are logged).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import io
import json
from dataclasses import dataclass
from typing import Annotated, Any, Protocol

import aiohttp
import structlog
from PIL import Image, ImageOps
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SecretStr, StringConstraints

from jobs.brief import Brief
from jobs.packs import Copy
from jobs.settings import JobSettings

log = structlog.get_logger(__name__)

TIMEOUT = 8.0
"""Seconds one API call may take in total before the local generator is used instead."""
MAX_IMAGE_BYTES = 4 * 1024 * 1024
"""Largest decoded picture accepted from the API."""
MAX_IMAGE_SIDE = 2048
"""Largest width or height accepted, checked before the pixels are decoded (no decompression bombs)."""
MAX_COPY_ANSWER = 1024 * 1024
"""Largest answer body read from the copy endpoint (real answers are a few KB); reading stops past it."""
MAX_IMAGE_ANSWER = 8 * 1024 * 1024
"""Largest answer body read from the image endpoint (a base64 picture of MAX_IMAGE_BYTES, with room)."""
READ_CHUNK = 64 * 1024
HERO_SIZE = (1200, 800)
"""The size of the local hero; an API picture is cropped to it so the pages' layout does not change."""


class CopyProvider(Protocol):
    """Where the words of a new site come from. `local` is the deterministic copy, the fallback for everything."""

    def copy(self, brief: Brief, pack: str, name: str, email: str, local: Copy) -> Copy: ...


def _plain(value: str) -> str:
    """Plain text only: control characters (bar spaces) would be a sign of a confused or hostile answer."""
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise ValueError("control characters")
    return value


Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120), AfterValidator(_plain)]
Long = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), AfterValidator(_plain)]


class _Card(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")
    title: Short
    text: Long


class CopyAnswer(BaseModel):
    """What the API may change. Other keys in its answer are ignored; a wrong type or length rejects it all."""

    model_config = ConfigDict(strict=True, extra="ignore")
    hero_title: Short
    hero_text: Long
    kicker: Short | None = None
    about_title: Short | None = None
    about: list[Long] | None = Field(None, min_length=1, max_length=4)
    features_title: Short | None = None
    features: list[_Card] | None = Field(None, min_length=1, max_length=6)
    cta_title: Short | None = None
    cta_text: Long | None = None

    def merged(self, local: Copy) -> Copy:
        """The local copy with the answer's fields in it; features keep the local count and extra keys."""
        out = dict(local)
        for key, value in self.model_dump(exclude_none=True).items():
            out[key] = _merge_cards(local.get(key) or [], value) if key == "features" else value
        return out


COPY_KEYS = tuple(CopyAnswer.model_fields)


def _merge_cards(local: list[dict[str, Any]], answer: list[dict[str, str]]) -> list[dict[str, Any]]:
    return [{**card, **answer[i]} if i < len(answer) else dict(card) for i, card in enumerate(local)]


class ApiError(Exception):
    """The API answered, but not usefully. Its message never holds the key or the answer's body."""


@dataclass(frozen=True)
class ApiProvider:
    """An OpenAI-compatible API. Synchronous methods: a job is synchronous, so each call runs its own loop."""

    url: str
    key: SecretStr
    model: str
    timeout: float = TIMEOUT

    @classmethod
    def from_settings(cls, settings: JobSettings) -> ApiProvider | None:
        """The provider when both URL and key are set, else None (the local generator alone)."""
        if not settings.llm_api_url or settings.llm_api_key is None or not settings.llm_api_key.get_secret_value():
            return None
        return cls(url=settings.llm_api_url.rstrip("/"), key=settings.llm_api_key, model=settings.llm_model)

    async def _post(self, path: str, payload: dict[str, Any], limit: int) -> Any:
        headers = {"Authorization": f"Bearer {self.key.get_secret_value()}"}
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.post(f"{self.url}{path}", json=payload, headers=headers) as response,
        ):
            if response.status != 200:
                raise ApiError(f"HTTP {response.status}")
            if response.content_length is not None and response.content_length > limit:
                raise ApiError("answer too large")
            body = bytearray()
            async for chunk in response.content.iter_chunked(READ_CHUNK):
                body += chunk
                if len(body) > limit:  # stop reading: a hostile or broken provider may send without end
                    raise ApiError("answer too large")
        return json.loads(body)

    def post(self, path: str, payload: dict[str, Any], *, limit: int = MAX_COPY_ANSWER) -> Any:
        """POST `payload` and parse the JSON answer; ApiError past `limit` bytes of answer (read no further)."""
        return asyncio.run(self._post(path, payload, limit))

    def copy(self, brief: Brief, pack: str, name: str, email: str, local: Copy) -> Copy:
        """The API's words where they validate, the local copy otherwise (and for every key it may not touch)."""
        try:
            answer = self.post("/chat/completions", self._copy_request(brief, name, local))
            content = answer["choices"][0]["message"]["content"]
            if not isinstance(content, str):
                raise ApiError("content is not text")
            return CopyAnswer.model_validate(json.loads(content)).merged(local)
        except Exception as exc:  # any failure at all: the local copy is always good enough
            log.warning("llm copy failed, using local copy", error=type(exc).__name__)
            return local

    def _copy_request(self, brief: Brief, name: str, local: Copy) -> dict[str, Any]:
        draft = {key: local[key] for key in COPY_KEYS if key in local}
        facts = {"business": name, "location": brief.location, "tone": brief.tone, "request": brief.prompt}
        instructions = (
            "You write website copy for a small business. Answer with one JSON object using only these keys: "
            + ", ".join(COPY_KEYS)
            + ". Plain text, no HTML or Markdown. hero_title at most 120 characters, other texts at most 500. "
            "`about` is a list of paragraphs; `features` a list of {title, text}. Improve the draft."
        )
        return {
            "model": self.model,
            "response_format": {"type": "json_object"},
            "messages": [
                {"role": "system", "content": instructions},
                {"role": "user", "content": json.dumps({"facts": facts, "draft": draft})},
            ],
        }

    def hero(self, name: str, prompt: str) -> bytes | None:
        """A hero picture as PNG bytes at HERO_SIZE, or None (the local picture stays) on any failure."""
        try:
            answer = self.post(
                "/images/generations",
                {
                    "prompt": f"A photo for the website of {name}: {prompt}"[:1000],
                    "n": 1,
                    "response_format": "b64_json",
                },
                limit=MAX_IMAGE_ANSWER,
            )
            data = answer["data"][0]["b64_json"]
            if not isinstance(data, str):
                raise ApiError("b64_json is not text")
            return checked_png(data)
        except Exception as exc:  # any failure at all: the procedural hero is always there
            log.warning("llm image failed, using local image", error=type(exc).__name__)
            return None


def checked_png(b64: str) -> bytes:
    """Decode and re-encode a picture, so only pixels we drew ourselves (a fresh PNG) reach the site."""
    if len(b64) > MAX_IMAGE_BYTES * 4 // 3 + 4:
        raise ApiError("image too large")
    try:
        raw = base64.b64decode(b64, validate=True)
    except binascii.Error:
        raise ApiError("image is not base64") from None
    with Image.open(io.BytesIO(raw)) as img:
        if img.format not in {"PNG", "JPEG", "WEBP"}:
            raise ApiError("unexpected image format")
        if max(img.size) > MAX_IMAGE_SIDE or min(img.size) < 64:
            raise ApiError("unexpected image size")
        img.load()
        picture = ImageOps.fit(img.convert("RGB"), HERO_SIZE)
    out = io.BytesIO()
    picture.save(out, format="PNG", compress_level=6)
    return out.getvalue()
