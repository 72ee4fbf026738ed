"""`autoweb doctor`: check every configured service and say how to fix what fails."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console
from rich.table import Table
from rq import Worker
from sqlalchemy import text

from bot import chat_checks
from bot.settings import BotSettings
from jobs.queue import QUEUE_NAMES, queue
from jobs.settings import JobSettings
from storage import sites
from storage.catalog import Catalog
from storage.db import Database, schema_is_current
from storage.redis_client import connect
from storage.settings import StorageSettings

Check = chat_checks.Check


def _guard(name: str, fix: str, probe: Callable[[], tuple[bool, str]]) -> Check:
    try:
        ok, detail = probe()
    except Exception as exc:  # any failure is a finding, reported with its fix
        return name, False, f"{type(exc).__name__}. {fix}"
    return name, ok, detail if ok else f"{detail}. {fix}"


def _postgres(url: str) -> list[Check]:
    db = Database(url, pool_size=1)

    def reach() -> tuple[bool, str]:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True, "reachable"

    try:
        checks = [_guard("PostgreSQL", "Start it or fix DATABASE_URL.", reach)]
        if checks[0][1]:
            checks.append(
                _guard(
                    "Schema",
                    "Run `autoweb db upgrade`.",
                    lambda: (schema_is_current(db), "at the newest migration"),
                )
            )
        return checks
    finally:
        db.dispose()


def _redis(url: str) -> list[Check]:
    client = connect(url)
    checks = [_guard("Redis", "Start it or fix REDIS_URL.", lambda: (bool(client.ping()), "reachable"))]
    if checks[0][1]:
        for name in QUEUE_NAMES:

            def workers(name: str = name) -> tuple[bool, str]:
                count = len(Worker.all(queue=queue(client, name)))
                depth = queue(client, name).count
                return count > 0, f"{count} worker(s), {depth} queued"

            checks.append(_guard(f"Workers on {name}", "Start `autoweb worker`.", workers))
    client.close()
    return checks


def _mongo(url: str) -> list[Check]:
    catalog = Catalog(url, timeout_ms=2000)
    try:

        def seeded() -> tuple[bool, str]:
            n = catalog.db["templates"].count_documents({})
            return n > 0, f"{n} templates"

        def reach() -> tuple[bool, str]:
            catalog.ping()
            return True, "reachable"

        checks = [_guard("MongoDB", "Start it or fix MONGO_URL.", reach)]
        if checks[0][1]:
            checks.append(_guard("Catalog", "Run `autoweb catalog seed`.", seeded))
        return checks
    finally:
        catalog.close()


STORE_FIX = "Fix SITES_URL, S3_ENDPOINT_URL or the AWS_* credentials, or create the bucket."


def _site_store(jobs: JobSettings | None) -> Check:
    """Write, read and delete a probe object in the site store (`storage.sites.probe`); `jobs` None: the
    settings could not be read."""
    try:
        store = (jobs or JobSettings()).site_store
        return "Site store", True, sites.probe(store)
    except ValueError as exc:  # a SITES_URL we cannot use (pydantic's ValidationError is one)
        return "Site store", False, f"SITES_URL must be file:///path or s3://bucket/prefix ({type(exc).__name__})"
    except sites.StoreUnavailable as exc:
        return "Site store", False, f"{exc.problem}. {STORE_FIX}"


def collect(storage: StorageSettings, bot: BotSettings, jobs: JobSettings | None = None) -> list[Check]:
    checks: list[Check] = []
    for name, url, probe in (
        ("PostgreSQL", storage.database_url, _postgres),
        ("Redis", storage.redis_url, _redis),
        ("MongoDB", storage.mongo_url, _mongo),
    ):
        if url is None:
            checks.append((name, False, f"not configured: set {_env(name)}"))
        else:
            checks += probe(url)
    checks.append(_site_store(jobs))
    checks.append(chat_checks.slack(bot))
    checks.append(chat_checks.discord(bot))
    return checks


def _env(name: str) -> str:
    return {"PostgreSQL": "DATABASE_URL", "Redis": "REDIS_URL", "MongoDB": "MONGO_URL"}[name]


def run(storage: StorageSettings, bot: BotSettings, out: Console, jobs: JobSettings | None = None) -> bool:
    checks = collect(storage, bot, jobs)
    table = Table("Check", "", "Detail")
    for name, ok, detail in checks:
        table.add_row(name, "✅" if ok else "❌", detail)
    out.print(table)
    return all(ok for _, ok, _ in checks)
