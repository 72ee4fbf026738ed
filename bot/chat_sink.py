"""What the progress relay needs from a chat platform: post into a thread, edit a message. Slack implements it
in `bot/slack.py` (Discord will, too); the relay never sees a platform payload.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.errors import BotError


@dataclass(frozen=True, kw_only=True)
class ThreadRef:
    """Where a project's conversation happens."""

    platform: str
    team_id: str
    channel_id: str
    thread_id: str
    """Slack: the `ts` of the thread's root message. Discord: the thread's channel id."""


@dataclass(frozen=True, kw_only=True)
class Button:
    label: str
    url: str | None = None
    """Opens this link."""
    command: str | None = None
    """Runs this command line (e.g. `cancel #42`) as the person who clicks."""


@dataclass(frozen=True, kw_only=True)
class Outgoing:
    """One message as the relay means it; each platform renders it its own way (Block Kit, embeds, text)."""

    text: str
    buttons: tuple[Button, ...] = ()
    key: str | None = None
    """Names the event this message comes from (`bot.delivery.message_key`, at most 25 characters): a retried
    create of the same key shows one message (Discord: the nonce; Slack: message metadata looked up after an
    ambiguous failure). None: a create that is not retried."""


class RateLimited(BotError):
    """The platform refused a call for now; try again after `retry_after` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited for {retry_after} s")
        self.retry_after = retry_after


class ChatUnavailable(BotError):
    """The platform failed for now (network, server error): the same call may succeed later."""


class Ambiguous(ChatUnavailable):
    """The call reached the platform and failed without a clear answer (5xx, timeout, connection lost after the
    request was sent): it may have taken effect. A create is retried under the same key only."""


class ChatSink(Protocol):
    """Raise `RateLimited` or `ChatUnavailable` for failures worth retrying; anything else is final."""

    platform: str

    async def open_thread(self, team_id: str, channel_id: str, message: Outgoing) -> ThreadRef:
        """Post `message` in the channel and return the thread that hangs off it."""
        ...

    async def post(self, where: ThreadRef, message: Outgoing) -> str:
        """Post a reply in the thread; returns the new message's id."""
        ...

    async def edit(self, where: ThreadRef, message_id: str, message: Outgoing) -> None:
        """Replace the content of a message the bot posted."""
        ...
