"""Wiring for entry points: settings → (embedded) services → checked connections → the command service."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text

from bot import logs
from bot.service import DATABASE_CONNECTIONS, CommandService
from bot.settings import BotSettings
from jobs import context
from jobs.context import JobContext
from jobs.settings import JobSettings
from storage.db import upgrade
from storage.embedded import EmbeddedServices
from storage.errors import ServiceUnavailable
from storage.redis_client import ping
from storage.settings import StorageSettings

ENV_OF = {"PostgreSQL": "DATABASE_URL", "Redis": "REDIS_URL", "MongoDB": "MONGO_URL"}


def configure_logging(level: str = "INFO") -> None:
    """JSON lines on stderr (ours and the libraries'), with whatever context (job, project, platform, user) is
    bound and every configured secret blanked (see bot/logs.py). LOG_LEVEL overrides `level`; LOG_FORMAT=console
    gives readable lines."""
    settings = BotSettings()
    logs.configure(settings.log_level or level, logs.configured_secrets(), settings.log_format)


def explain(exc: ServiceUnavailable) -> str:
    """One line for an operator: what is down, which setting points at it, what to do."""
    env = ENV_OF.get(exc.service)
    if env is None:
        return f"{exc}."
    return (
        f"{exc.service} is unreachable ({env}): {str(exc).split(': ', 1)[-1]}. "
        f"Start it or fix {env}; `autoweb demo` starts its own when {env} is unset."
    )


@contextmanager
def storage_for_demo(root: Path, say: Callable[[str], None] = print) -> Iterator[StorageSettings]:
    """The configured services, plus embedded ones under `root` for every URL left unset."""
    settings = StorageSettings()
    missing = {
        "postgres": settings.database_url is None,
        "redis": settings.redis_url is None,
        "mongo": settings.mongo_url is None,
    }
    if not any(missing.values()):
        yield settings
        return
    names = [
        n
        for n, m in (
            ("PostgreSQL", missing["postgres"]),
            ("Redis", missing["redis"]),
            ("MongoDB", missing["mongo"]),
        )
        if m
    ]
    started = time.monotonic()
    with EmbeddedServices(root, **missing) as embedded:
        say(f"Started embedded {', '.join(names)} under {root} in {time.monotonic() - started:.1f} s")
        yield settings.model_copy(
            update={
                "database_url": embedded.urls.get("DATABASE_URL", settings.database_url),
                "redis_url": embedded.urls.get("REDIS_URL", settings.redis_url),
                "mongo_url": embedded.urls.get("MONGO_URL", settings.mongo_url),
            }
        )
    say("Stopped embedded services.")


def check(ctx: JobContext) -> None:
    """Raise ServiceUnavailable naming the first of our services that does not answer."""
    with ctx.db.session() as s:
        s.execute(text("SELECT 1"))
    ping(ctx.redis)
    ctx.catalog.ping()


@contextmanager
def open_service(
    storage: StorageSettings, *, prepare: bool = False, local_admin: str | None = None
) -> Iterator[CommandService]:
    """A checked command service; with `prepare`, the schema is upgraded and the catalog seeded first.
    `local_admin` (`console:local:<user>`) may grant credits: the person at the terminal of a local deployment."""
    ctx = JobContext.from_settings(storage, JobSettings(), pool_size=DATABASE_CONNECTIONS)
    try:
        check(ctx)
        if prepare:
            upgrade(ctx.db.url)
            ctx.catalog.seed()
        context.install(ctx)  # jobs run in this process (demo, console) use these connections
        settings = BotSettings()
        if local_admin:
            settings = settings.model_copy(update={"admin_ids": settings.admin_ids | {local_admin}})
        service = CommandService(ctx, settings)
        try:
            yield service
        finally:
            service.close()
    finally:
        ctx.close()
