"""Log plumbing shared by every process: one JSON line per record, whoever logs it, with secrets blanked.
`LOG_FORMAT=console` renders the same records as readable lines instead; `LOG_LEVEL` sets the level.

structlog renders our own lines; the standard library's records (RQ, Bolt, aiohttp, discord.py) go through the
same processors via `ProcessorFormatter`, so they are JSON too and carry the context bound with structlog's
contextvars: job id, project id, platform and user (see `jobs.log_context` and `bound_to_actor`).

`redact_secrets` runs on every record just before rendering. It blanks each configured secret value (tokens,
signing secret, client secret, LLM key, and the passwords in the service URLs) wherever it appears, plus anything
shaped like a Slack token, a Discord bot token, a bearer token or a password in a URL.
"""

from __future__ import annotations

import functools
import logging
import re
import sys
from collections.abc import Callable, Iterable, MutableMapping
from typing import Any, TypeVar
from urllib.parse import urlsplit

import structlog
from pydantic import SecretStr
from structlog.typing import EventDict, Processor, WrappedLogger

from bot.commands import Actor
from bot.settings import BotSettings
from jobs.settings import JobSettings
from storage.settings import StorageSettings

MASK = "***"
PATTERNS = (
    re.compile(r"\bxox[a-z]-[A-Za-z0-9-]{8,}"),  # Slack bot/user tokens
    re.compile(r"\bxapp-[A-Za-z0-9-]{8,}"),  # Slack app-level tokens
    re.compile(r"\b[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}"),  # Discord bot tokens
    re.compile(r"(?i)(?<=bearer )[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(r"(?<=://)[^/\s:@]*:[^@\s/]+(?=@)"),  # user:password@ in any URL
)
S = TypeVar("S")
R = TypeVar("R")


def configured_secrets() -> list[str]:
    """Every secret value in this process's settings (empty and very short values are skipped)."""
    values: list[str] = []
    for settings in (BotSettings(), JobSettings()):
        for name in type(settings).model_fields:
            value = getattr(settings, name)
            if isinstance(value, SecretStr):
                values.append(value.get_secret_value())
    for url in StorageSettings().model_dump().values():
        if isinstance(url, str) and (password := urlsplit(url).password):
            values.append(password)
    return sorted({v for v in values if len(v) >= 6}, key=len, reverse=True)


def redactor(secrets: Iterable[str]) -> Processor:
    known = [re.compile(re.escape(s)) for s in secrets]

    def scrub(value: Any) -> Any:
        if isinstance(value, str):
            for pattern in (*known, *PATTERNS):
                value = pattern.sub(MASK, value)
            return value
        if isinstance(value, dict):
            return {k: scrub(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [scrub(v) for v in value]
        return value

    def redact_secrets(logger: WrappedLogger, method: str, event: EventDict) -> EventDict:
        for key, value in list(event.items()):
            event[key] = scrub(value)
        return event

    return redact_secrets


def renderer(fmt: str) -> Processor:
    """`json`: one object per line; `console`: structlog's readable lines (coloured on a terminal)."""
    if fmt == "console":
        return structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    return structlog.processors.JSONRenderer()


def configure(level: str, secrets: Iterable[str], fmt: str = "json") -> None:
    """structlog and the standard library's logging, both rendered (JSON lines, or `console` lines) on stderr,
    redacted."""
    redact = redactor(secrets)
    render = renderer(fmt)
    context: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso"),
    ]
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*context, structlog.stdlib.add_logger_name],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                redact,
                render,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    structlog.configure(
        processors=[*context, structlog.processors.format_exc_info, redact, render],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
    )


def actor_fields(actor: Actor) -> MutableMapping[str, Any]:
    return {"platform": actor.platform, "team_id": actor.team_id, "user": actor.qualified_id}


def bound_to_actor(handle: Callable[[S, Actor, str], R]) -> Callable[[S, Actor, str], R]:
    """Decorate `handle(self, actor, text)`: every line logged while it runs carries the platform and the user."""

    @functools.wraps(handle)
    def bound(self: S, actor: Actor, text: str) -> R:
        with structlog.contextvars.bound_contextvars(**actor_fields(actor)):
            return handle(self, actor, text)

    return bound
