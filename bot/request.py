"""One command on its way through the service: who sent it, what it says, and what its handler may use.

The middleware fills in what it is responsible for (the identity middleware, how to find the sender's user id);
handlers read it. Nothing here touches a database by itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from bot.attachments import Incoming
from bot.commands import Actor, Command
from bot.settings import BotSettings
from jobs.context import JobContext


def _unknown(actor: Actor) -> int:
    raise RuntimeError("no identity middleware ran before a handler asked for the user")


@dataclass
class Request:
    """The sender, the parsed command (and files, for `images` with photos), and the services it runs against."""

    actor: Actor
    text: str
    command: Command
    ctx: JobContext
    settings: BotSettings
    files: list[Incoming] | None = None
    identify: Callable[[Actor], int] = field(default=_unknown)
    """Finds (or creates) the sender's user: set by the identity middleware, called on first use of `user_id`."""
    known_user_id: int | None = None

    @property
    def user_id(self) -> int:
        """The sender's user id, looked up on first use: a build finds it in the statement that accepts it,
        `templates` never needs it."""
        if self.known_user_id is None:
            self.known_user_id = self.identify(self.actor)
        return self.known_user_id

    @property
    def is_admin(self) -> bool:
        return self.actor.qualified_id in self.settings.admin_ids

    @cached_property
    def request_key(self) -> str:
        """The idempotency key of this delivery: a redelivery of the same chat event repeats it."""
        delivery = self.actor.event_id or uuid.uuid4().hex
        return f"{self.actor.platform}:{self.actor.team_id}:{delivery}"[:200]
