"""Connection settings for the storage layer, read once from the environment and `.env`."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

POSTGRES_DRIVER = "postgresql+psycopg"
"""The driver every engine uses (psycopg 3). Hosting platforms hand out `postgres://` and `postgresql://`."""
_POSTGRES_SCHEMES = {"postgres", "postgresql", POSTGRES_DRIVER}
_REDIS_SCHEMES = {"redis", "rediss", "unix"}
_MONGO_SCHEMES = {"mongodb", "mongodb+srv"}


def normalise_database_url(url: str) -> str:
    """`url` with the psycopg 3 driver, in whichever of the usual forms it came; ValueError says what is wrong."""
    url = url.strip()
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise ValueError("not a database URL; expected postgresql://user@host:5432/dbname") from None
    if parsed.drivername not in _POSTGRES_SCHEMES:
        raise ValueError(f"unsupported scheme {parsed.drivername!r}; expected postgresql://user@host:5432/dbname")
    if parsed.drivername == POSTGRES_DRIVER:
        return url  # already in our form: keep it byte for byte (a socket path in `?host=` stays readable)
    return parsed.set(drivername=POSTGRES_DRIVER).render_as_string(hide_password=False)


def _check_scheme(url: str, schemes: set[str], example: str) -> str:
    url = url.strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise ValueError(f"not a valid URL; expected {example}") from None
    if parts.scheme not in schemes or not (parts.netloc or parts.path):
        raise ValueError(f"expected {example}")
    return url


class StorageSettings(BaseSettings):
    """Where our own services live.

    Each URL may be unset: `autoweb demo` then starts embedded servers under `./var/` and fills them in
    (see `storage.embedded`). Every other entry point requires them.
    """

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_ignore_empty=True)

    database_url: str | None = None
    """SQLAlchemy URL, `postgresql+psycopg://user@host:5432/db`; `postgres://` and `postgresql://` are accepted."""
    redis_url: str | None = None
    """`redis://host:6379/0` (or `rediss://` for TLS): RQ queues, cache, rate limits and pub/sub."""
    mongo_url: str | None = None
    """`mongodb://host:27017/autoweb`: the database name is taken from the path."""

    @field_validator("database_url")
    @classmethod
    def _database(cls, value: str | None) -> str | None:
        return None if value is None else normalise_database_url(value)

    @field_validator("redis_url")
    @classmethod
    def _redis(cls, value: str | None) -> str | None:
        return None if value is None else _check_scheme(value, _REDIS_SCHEMES, "redis://host:6379/0 or rediss://…")

    @field_validator("mongo_url")
    @classmethod
    def _mongo(cls, value: str | None) -> str | None:
        return None if value is None else _check_scheme(value, _MONGO_SCHEMES, "mongodb://host:27017/dbname")
