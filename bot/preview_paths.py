"""A preview request's raw path, checked and decoded before anything touches the disk or the database.

`/p/<token>/[v<n>/]<file…>` or `/p/<token>/v<n>.zip`. The raw path (still percent-encoded) is split on `/` first,
then each segment is decoded on its own, so an encoded separator can never make a new segment. Refused: encoded
`/` or `\\` or NUL, `..`, control characters, hidden names (`.tmp` build directories among them), undecodable
bytes (400); paths, segment counts or names longer than anything a generated site uses (414); a malformed token
(404, like an unknown one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

MAX_PATH = 1024
"""Characters in a raw preview path; generated sites' paths are a few dozen."""
MAX_SEGMENTS = 16
MAX_SEGMENT = 200
TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
_ENCODED_FORBIDDEN = re.compile(r"%(2f|5c|00)", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f\\]")
_VERSION = re.compile(r"^v([1-9]\d{0,5})$")
_ZIP = re.compile(r"^v([1-9]\d{0,5})\.zip$")


class BadPath(Exception):
    """A client error: `status` (400, 404 or 414) and a short reason for the log line."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Target:
    token: str
    version: int | None
    """None: the project's current version."""
    parts: tuple[str, ...]
    """Decoded path segments inside the version directory (empty: its index.html)."""
    archive: bool = False
    """`/p/<token>/v<n>.zip`: the whole version to download."""


def parse(raw_path: str) -> Target:
    """The target of a raw request path that starts with `/p/`, or BadPath."""
    path = raw_path.split("?", 1)[0]
    if len(path) > MAX_PATH:
        raise BadPath(414, "path too long")
    segments = path.split("/")[2:]  # "", "p", token, …
    if len(segments) > MAX_SEGMENTS + 1:
        raise BadPath(414, "too many path segments")
    if not segments or not TOKEN.match(segments[0]):
        raise BadPath(404, "malformed preview token")
    parts = [_decode(segment) for segment in segments[1:]]
    parts = [p for p in parts if p not in ("", ".")]
    if len(parts) == 1 and (m := _ZIP.match(parts[0])):
        return Target(segments[0], int(m.group(1)), (), archive=True)
    if parts and (m := _VERSION.match(parts[0])):
        return Target(segments[0], int(m.group(1)), tuple(parts[1:]))
    return Target(segments[0], None, tuple(parts))


def _decode(segment: str) -> str:
    if len(segment) > 3 * MAX_SEGMENT:
        raise BadPath(414, "path segment too long")
    if _ENCODED_FORBIDDEN.search(segment):
        raise BadPath(400, "encoded separator or NUL")
    try:
        text = unquote(segment, errors="strict")
    except UnicodeDecodeError:
        raise BadPath(400, "undecodable path") from None
    if _CONTROL.search(text) or "/" in text:
        raise BadPath(400, "control character or separator in path")
    if text == "..":
        raise BadPath(400, "parent directory in path")
    if len(text) > MAX_SEGMENT:
        raise BadPath(414, "path segment too long")
    if text.startswith(".") and text != ".":
        raise BadPath(404, "hidden name")
    return text
