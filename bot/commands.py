"""The chat grammar, the same on every platform: text in, a validated `Command` out (or a UserError)."""

from __future__ import annotations

import difflib
import re
import unicodedata
from typing import Literal, get_args

from pydantic import BaseModel, Field

from bot import messages
from bot.errors import UserError
from jobs.brief import MAX_PROMPT

CommandName = Literal[
    "build",
    "edit",
    "images",
    "status",
    "projects",
    "history",
    "rollback",
    "cancel",
    "credits",
    "grant",
    "templates",
    "help",
]
"""Every command, each with one handler in `bot.handlers` (`grant` is typed as `credits grant`)."""
VERBS: tuple[str, ...] = tuple(name for name in get_args(CommandName) if name != "grant")
"""The words a command line starts with (what "did you mean" suggests from)."""
MAX_IMAGES = 8
MAX_GRANT = 100_000


class Actor(BaseModel):
    """Who sent a command, and where: enough to reply in the right place and to dedupe redeliveries."""

    platform: str
    team_id: str
    user_id: str
    user_name: str = ""
    channel_id: str = ""
    thread_id: str = ""
    event_id: str | None = None
    """The platform's id for this delivery (Slack event_id, Discord interaction id): a redelivery repeats it."""

    @property
    def qualified_id(self) -> str:
        return f"{self.platform}:{self.team_id}:{self.user_id}"


class Command(BaseModel):
    name: CommandName
    prompt: str = ""
    """The build prompt, edit instruction or image prompt."""
    project: int | None = None
    version: int | None = None
    count: int | None = Field(None, ge=1, le=MAX_IMAGES)
    target_user: str | None = None
    amount: int | None = None
    category: str | None = None


_PROJECT = re.compile(r"^#?(\d{1,12})$", re.ASCII)
_VERSION = re.compile(r"^v?(\d{1,6})$", re.I | re.ASCII)
_COUNT = re.compile(r"-?\d+", re.ASCII)


def _clean(text: str) -> str:
    """Drop control characters (keeping newlines as spaces) and normalise whitespace."""
    kept = "".join(" " if ch in "\r\n\t" else ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\r\n\t")
    return " ".join(kept.split())


def _edit_lines(text: str) -> str:
    """An edit's instruction with its line breaks kept (each line may be a request of its own), other control
    characters dropped and spaces normalised within each line."""
    lines = [_clean(line) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    body = "\n".join(line for line in lines if line)
    return re.sub(r"^\S+\s+\S+\s*", "", body, count=1) if re.match(r"^\S+\s+\S+\s+\S", body) else ""


def _project(token: str | None, verb: str) -> int:
    if token is None or not (m := _PROJECT.match(token)):
        raise UserError(messages.needs_project(verb))
    return int(m.group(1))


def parse(text: str) -> Command:
    """Parse one command line (without the `/autoweb` or mention prefix)."""
    line = _clean(text)
    if not line:
        return Command(name="help")
    verb, _, rest = line.partition(" ")
    verb = verb.lower()
    args = rest.split()
    if verb == "build":
        return Command(name="build", prompt=_prompt(rest, "build"))
    if verb == "edit":
        project = _project(args[0] if args else None, "edit")
        return Command(name="edit", project=project, prompt=_prompt(_edit_lines(text), "edit"))
    if verb == "images":
        return _images(args)
    if verb in ("status", "cancel", "history") and (args or verb != "status"):
        return Command(name=verb, project=_project(args[0] if args else None, verb))
    if verb == "rollback":
        project = _project(args[0] if args else None, verb)
        if len(args) < 2 or not (m := _VERSION.match(args[1])):
            raise UserError(messages.needs_version())
        return Command(name="rollback", project=project, version=int(m.group(1)))
    if verb == "credits" and args[:1] and args[0].lower() == "grant":
        return _grant(args[1:])
    if verb in ("status", "projects", "credits", "help"):
        return Command(name=verb)
    if verb == "templates":
        return Command(name="templates", category=args[0].lower()[:40] if args else None)
    suggestion = difflib.get_close_matches(verb, VERBS, n=1, cutoff=0.6)
    raise UserError(messages.unknown_command(verb[:30], suggestion[0] if suggestion else None))


def _prompt(rest: str, verb: str) -> str:
    prompt = rest.strip()
    if not prompt:
        raise UserError(messages.empty_prompt(verb))
    if len(prompt) > MAX_PROMPT:
        raise UserError(messages.prompt_too_long(len(prompt), MAX_PROMPT))
    return prompt


def _images(args: list[str]) -> Command:
    project = _project(args[0] if args else None, "images")
    count = 1
    rest = args[1:]
    if rest and _COUNT.fullmatch(rest[0]):
        count = int(rest[0]) if len(rest[0]) <= 6 else 0  # a huge number is refused like 0, never converted
        if not 1 <= count <= MAX_IMAGES:
            raise UserError(messages.bad_image_count(MAX_IMAGES))
        rest = rest[1:]
    prompt = " ".join(rest)
    if len(prompt) > MAX_PROMPT:
        raise UserError(messages.prompt_too_long(len(prompt), MAX_PROMPT))
    return Command(name="images", project=project, count=count, prompt=prompt)


def _grant(args: list[str]) -> Command:
    if len(args) != 2:
        raise UserError(messages.grant_usage())
    user, amount = args[0].strip("<@>").split("|")[0][:64], args[1]  # <@U1|bob>: an escaped mention
    if not user:
        raise UserError(messages.grant_usage())
    if not re.fullmatch(r"-?\d{1,9}", amount, re.ASCII):  # ASCII only: int() would read "٣" as 3
        raise UserError(messages.grant_bad_amount(MAX_GRANT))
    value = int(amount)
    if not 1 <= value <= MAX_GRANT:
        raise UserError(messages.grant_bad_amount(MAX_GRANT))
    return Command(name="grant", target_user=user, amount=value)
