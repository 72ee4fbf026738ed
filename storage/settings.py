"""Connection settings for the storage layer, read once from the environment and `.env`."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class StorageSettings(BaseSettings):
    """Where our own services live.

    Each URL may be unset: `autoweb demo` then starts embedded servers under `./var/` and fills them in
    (see `storage.embedded`). Every other entry point requires them.
    """

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_ignore_empty=True)

    database_url: str | None = None
    """SQLAlchemy URL, `postgresql+psycopg://user@host:5432/db`."""
    redis_url: str | None = None
    """`redis://host:6379/0`: RQ queues, cache, rate limits and pub/sub."""
    mongo_url: str | None = None
    """`mongodb://host:27017/autoweb`: the database name is taken from the path."""
