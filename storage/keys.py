"""Every Redis key, pub/sub channel and TTL the project uses, in one place."""

from __future__ import annotations

PREFIX = "autoweb"

CATALOG_TTL = 2 * 60 * 60
"""Seconds a cached template or component list stays in Redis (catalog writes invalidate it sooner)."""
BALANCE_TTL = 5 * 60
"""Seconds a cached balance stays in Redis; every ledger write deletes it first."""
JOB_STATUS_TTL = 24 * 60 * 60
"""Seconds the last known state of a build stays in Redis (Postgres keeps it for good)."""

CATALOG_VERSION = f"{PREFIX}:catalog:version"
"""Counter bumped by `catalog seed`; cached catalog keys embed it, so a bump invalidates them all at once."""


def catalog_key(version: int, name: str) -> str:
    return f"{PREFIX}:catalog:v{version}:{name}"


def balance_key(user_id: int) -> str:
    return f"{PREFIX}:credits:{user_id}"


def balance_generation_key(user_id: int) -> str:
    """Counter bumped by every ledger write of the user; a cached balance is only stored if it has not moved."""
    return f"{PREFIX}:credits-gen:{user_id}"


def job_status_key(version_id: int) -> str:
    return f"{PREFIX}:job:{version_id}"


def rate_key(scope: str, ident: str) -> str:
    return f"{PREFIX}:rate:{scope}:{ident}"


def progress_channel(project_id: int, db: int) -> str:
    """Pub/sub channel carrying the live progress events of one project.

    Redis pub/sub channels are shared by every database of a server, unlike keys, so the channel names the
    database: deployments (and test runs) on one server with different databases never see each other's events.
    """
    return f"{PREFIX}:{db}:progress:{project_id}"


def progress_pattern(db: int) -> str:
    """Pattern a relay subscribes to for every project's progress in Redis database `db`."""
    return f"{PREFIX}:{db}:progress:*"
