"""The service process an adapter runs: its database connections."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import event
from sqlalchemy.pool import QueuePool

from bot.commands import Actor
from bot.runtime import open_service
from bot.service import DATABASE_CONNECTIONS, SERVICE_THREADS
from storage.settings import StorageSettings


def test_busy_service_threads_reuse_their_connections(storage_settings: StorageSettings) -> None:
    """Every service thread and the history writer at work at once: each keeps one connection, none is opened per
    transaction (a pool smaller than the threads opened and closed a Postgres session per command)."""
    with open_service(storage_settings) as service:
        opened: list[Any] = []
        replies: list[str] = []
        event.listen(service.ctx.db.engine, "connect", lambda *args: opened.append(args))

        def user(n: int) -> None:
            actor = Actor(platform="console", team_id=f"t{n}", user_id=f"u{n}")
            for _ in range(2):
                replies.append(service.handle(actor, "projects").text)
                replies.append(service.handle(actor, "credits").text)

        with ThreadPoolExecutor(SERVICE_THREADS) as pool:
            list(pool.map(user, range(4 * SERVICE_THREADS)))
        service.history.flush()
        assert set(replies) == {
            "No projects yet. Start one with `/autoweb build …`.",
            "You have 50 credits available (50 balance, 0 held).\nRecent:\n• +50 granted",
        }
        assert 0 < len(opened) <= DATABASE_CONNECTIONS
        connections = service.ctx.db.engine.pool
        assert isinstance(connections, QueuePool) and connections.checkedout() == 0  # every one came back
