"""The platform-neutral command service: every adapter turns a chat event into (Actor, text) and calls `handle`.

`handle` parses the line with the one grammar (`bot.commands`), runs the middleware chain (`bot.middleware`:
rate limit → identity, with the legacy-account claim → history) and then the verb's handler (`bot.handlers`).
A build goes: parse → rate limit → user/identity → credit hold + project/version rows (one statement, idempotent
on the chat delivery id, `storage.intake`) → enqueue (idempotent on the version) → reply text. Bad input raises
a UserError before anything is written; an outage is reported with a reference and leaves nothing held.
"""

from __future__ import annotations

from collections.abc import Sequence

import structlog

from bot import commands, handlers, logs, messages, middleware
from bot.attachments import Incoming
from bot.commands import Actor
from bot.errors import UserError
from bot.reply import Reply, new_ref
from bot.request import Request
from bot.settings import BotSettings
from jobs.context import JobContext
from storage import projects
from storage.errors import ServiceUnavailable
from storage.history import HistoryWriter
from storage.ratelimit import RateLimiter

__all__ = ["DATABASE_CONNECTIONS", "SERVICE_THREADS", "CommandService", "Reply", "new_ref"]

log = structlog.get_logger(__name__)

SERVICE_THREADS = 8
"""Threads a chat adapter runs the (blocking) service on, its relay's database work included."""
DATABASE_CONNECTIONS = SERVICE_THREADS + 1
"""Postgres connections a service process keeps: one per service thread, plus the history writer's."""


class CommandService:
    """Parse, run the middleware and the verb's handler, turn every failure into a short reply."""

    def __init__(self, ctx: JobContext, settings: BotSettings) -> None:
        self.ctx = ctx
        self.settings = settings
        self.history = HistoryWriter(ctx.db)
        self.rate_limit = middleware.RateLimit(RateLimiter(ctx.redis), settings)
        self.identity = middleware.Identity(ctx.db, settings)
        self.middleware: list[middleware.Middleware] = [
            self.rate_limit,
            self.identity,
            middleware.History(self.history),
        ]
        self.routes = handlers.routes()

    @property
    def limiter(self) -> RateLimiter:
        return self.rate_limit.limiter

    @limiter.setter
    def limiter(self, limiter: RateLimiter) -> None:
        self.rate_limit.limiter = limiter

    @logs.bound_to_actor
    def handle(self, actor: Actor, text: str) -> Reply:
        """Run one command line and return the reply. Never raises: failures become a short reply."""
        return self._run(actor, text, None)

    def handle_files(self, actor: Actor, text: str, files: Sequence[Incoming]) -> Reply:
        """`images #<project> [hint]` with files from chat or the console: they become the project's photos and
        a new version shows them. Never raises, like `handle`."""
        with structlog.contextvars.bound_contextvars(**logs.actor_fields(actor)):
            return self._run(actor, text, list(files))

    def _run(self, actor: Actor, text: str, files: list[Incoming] | None) -> Reply:
        ref = new_ref()
        try:
            command = commands.parse(text)
            route = self.routes[command.name]
            if files is not None and command.name not in ("images", "help"):
                raise UserError(messages.photos_need_a_project())
            request = Request(actor, text, command, self.ctx, self.settings, files)
            if not route.middleware:
                return route.handler(request)
            return middleware.run(self.middleware, request, route.handler)
        except UserError as exc:
            return Reply(text=exc.message, ephemeral=True)
        except ServiceUnavailable as exc:
            log.warning("service unavailable", ref=ref, service=exc.service, platform=actor.platform)
            down = messages.queue_unavailable if exc.service == "Redis" else messages.database_unavailable
            return Reply(text=down(ref), ephemeral=True)
        except Exception:
            log.exception("command failed", ref=ref, platform=actor.platform)
            return Reply(text=messages.internal_error(ref), ephemeral=True)

    def project_choices(self, actor: Actor) -> list[tuple[int, str]]:
        """(id, name) of the projects the sender may pick, newest first (Discord's autocomplete); no account, none.
        Read-only and unmetered: it runs as the sender types."""
        with self.ctx.db.session() as s:
            return projects.choices_for(s, platform=actor.platform, team_id=actor.team_id, external_id=actor.user_id)

    def close(self) -> None:
        """Write the history still queued."""
        self.history.close()
