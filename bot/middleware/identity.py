"""Who the sender is here: their user (created on first use, with the signup credits), and on a person's first
command, the migrated legacy account their platform-verified email claims.

Any platform that can vouch for an email registers a lookup (`Identity.verified_emails`; Slack's `users.info`
does, with the users:read.email scope). The first time this process sees a person without an account here, the
lookup runs and `storage.accounts.claim_by_email` links them to the migrated account with that email, before
any account could be made for them, so their commands use the credits and projects they had.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable

import structlog

from bot.commands import Actor
from bot.reply import Reply
from bot.request import Request
from bot.settings import BotSettings
from storage import accounts
from storage.db import Database
from storage.errors import ServiceUnavailable

log = structlog.get_logger(__name__)

EmailLookup = Callable[[Actor], Awaitable[str | None]]
"""A platform's verified email for a chat user, or None (unverified, not granted, not reachable)."""
EMAIL_WAIT = 10.0
"""Seconds a newcomer's first command waits for their platform to say their email (then: no claim)."""
SEEN_LIMIT = 100_000
"""People remembered as already looked at; past it the memory starts over (a lookup again costs one query)."""


class Identity:
    """Sets how the request finds its sender's user, and claims a migrated account on first sight."""

    def __init__(self, db: Database, settings: BotSettings) -> None:
        self.db = db
        self.settings = settings
        self._lookups: dict[str, tuple[EmailLookup, asyncio.AbstractEventLoop]] = {}
        self.seen: set[str] = set()
        """People this process has already looked at for a migrated account to claim."""
        """People this process has already looked at for a migrated account to claim."""
        self._lock = threading.Lock()

    def verified_emails(self, platform: str, lookup: EmailLookup | None, loop: asyncio.AbstractEventLoop) -> None:
        """Let `platform`'s newcomers claim their migrated account by the email `lookup` returns; the lookup runs
        on `loop` (the adapter's), the service waits for it on its own thread. None stops the lookup registered
        with that loop (an adapter stopping)."""
        if lookup is None:
            if platform in self._lookups and self._lookups[platform][1] is loop:
                del self._lookups[platform]
        else:
            self._lookups[platform] = (lookup, loop)

    def __call__(self, request: Request, next: Callable[[], Reply]) -> Reply:
        request.identify = self.user_id
        actor = request.actor
        if actor.platform in self._lookups and self._first_sight(actor) and not self.knows(actor):
            if email := self._verified_email(actor):
                self.claim(actor, email)
        return next()

    def user_id(self, actor: Actor) -> int:
        """The user behind the chat identity, created (with its signup credits) on first sight."""
        with self.db.session() as s:
            user, _ = accounts.get_or_create_user(
                s,
                actor.platform,
                actor.team_id,
                actor.user_id,
                display_name=actor.user_name,
                signup_credits=self.settings.signup_credits,
            )
        return user.id

    def knows(self, actor: Actor) -> bool:
        """True when the sender already has an account here (False too when Postgres cannot say)."""
        try:
            with self.db.session() as s:
                return accounts.find_user(s, actor.platform, actor.team_id, actor.user_id) is not None
        except ServiceUnavailable:
            return False

    def claim(self, actor: Actor, verified_email: str) -> bool:
        """Link a person without an account here to the migrated account with this (platform-verified) email.
        Someone who already has an account keeps it; True when the identity now points at a migrated account."""
        try:
            with self.db.session() as s:
                if accounts.find_user(s, actor.platform, actor.team_id, actor.user_id) is not None:
                    return False
                link = accounts.claim_by_email(
                    s, verified_email, platform=actor.platform, team_id=actor.team_id, external_id=actor.user_id
                )
        except ServiceUnavailable:
            return False  # the command itself will report the outage
        if link is not None:
            log.info("chat identity claimed a migrated account", platform=actor.platform, user_id=link.user_id)
        return link is not None

    def _first_sight(self, actor: Actor) -> bool:
        with self._lock:
            if actor.qualified_id in self.seen:
                return False
            if len(self.seen) >= SEEN_LIMIT:
                self.seen.clear()
            self.seen.add(actor.qualified_id)
            return True

    def _verified_email(self, actor: Actor) -> str | None:
        """Ask the platform on its loop and wait here, on a service thread (never on that loop itself)."""
        lookup, loop = self._lookups[actor.platform]
        if _running_loop() is loop:
            return None
        asked = _ask(lookup, actor)
        try:
            future = asyncio.run_coroutine_threadsafe(asked, loop)
        except RuntimeError:  # the adapter's loop has closed
            asked.close()
            return None
        try:
            return future.result(EMAIL_WAIT)
        except Exception:  # a timeout or a platform error: no claim, the command goes on
            future.cancel()
            log.warning("could not look up a verified email", platform=actor.platform, exc_info=True)
            return None


async def _ask(lookup: EmailLookup, actor: Actor) -> str | None:
    return await lookup(actor)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
