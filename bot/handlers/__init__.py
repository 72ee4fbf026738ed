"""One handler per verb of the chat grammar, grouped by what they do (as slack-bolt's listeners).

`builds` makes or changes versions, `reads` only reads, `credits` shows the ledger, `admin` is for ADMIN_IDS.
`routes()` maps every `CommandName` of `bot.commands` to its handler and refuses to start with a verb missing, so
a new command is: its grammar in `bot/commands.py`, its text in `bot/messages.py`, a function here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import get_args

from bot.commands import CommandName
from bot.handlers import admin, builds, credits, reads
from bot.reply import Reply
from bot.request import Request

__all__ = ["Handler", "Route", "routes"]

Handler = Callable[[Request], Reply]


@dataclass(frozen=True)
class Route:
    handler: Handler
    middleware: bool = True
    """False for a command that needs nothing of the sender (help): no rate limit, no account, no history."""


def routes() -> dict[CommandName, Route]:
    table: dict[CommandName, Route] = {
        "build": Route(builds.build),
        "edit": Route(builds.edit),
        "images": Route(builds.images),
        "rollback": Route(builds.rollback),
        "cancel": Route(builds.cancel),
        "status": Route(reads.status),
        "projects": Route(reads.projects_),
        "history": Route(reads.history),
        "templates": Route(reads.templates),
        "help": Route(reads.help_, middleware=False),
        "credits": Route(credits.credits),
        "grant": Route(admin.grant),
    }
    missing = set(get_args(CommandName)) - set(table)
    if missing:
        raise RuntimeError(f"verbs without a handler: {sorted(missing)}")
    return table
