"""Real-service fixtures: PostgreSQL, Redis and a MongoDB-wire server (SecantusDB), fresh state per test.

PostgreSQL and Redis come from DATABASE_URL / REDIS_URL when set (the development and CI machines run them),
otherwise from the embedded servers `autoweb demo` uses. MongoDB is always a SecantusDB server started here.
Each test gets its own database cloned from a migrated template, a flushed Redis database, its own Mongo
database and its own SITES_DIR.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pymongo
import pytest
import redis
import structlog
from pydantic import SecretStr
from sqlalchemy.engine import make_url

from bot.service import CommandService
from bot.settings import BotSettings
from jobs import context
from jobs.context import JobContext
from jobs.settings import JobSettings
from jobs.worker import make_worker
from storage.catalog import database_name
from storage.db import Database, upgrade
from storage.embedded import EmbeddedServices
from storage.settings import StorageSettings
from tests.fakes.slack_api import SIGNING_SECRET, FakeSlackApi
from tests.s3_server import MotoServer, on_s3

ROOT = Path(__file__).resolve().parent.parent
TEST_REDIS_DB = int(os.environ.get("AUTOWEB_TEST_REDIS_DB", "9"))
"""Tests flush this Redis database, never the one the application uses by default (0). Two test runs side by
side on one Redis server need different values."""


def _libpq(url: str, database: str) -> str:
    """A psycopg (libpq) connection string for `database` on the server of a SQLAlchemy URL."""
    u = make_url(url).set(database=database, drivername="postgresql")
    return u.render_as_string(hide_password=False)


def _sqlalchemy(url: str, database: str) -> str:
    return make_url(url).set(database=database).render_as_string(hide_password=False)


@pytest.fixture(autouse=True)
def _fresh_log_context() -> Iterator[None]:
    """Each test starts with no structlog context: a job run in the test's own thread (run_jobs) binds its
    project and version there, as it does in a worker, and would otherwise colour the next test's log lines."""
    structlog.contextvars.clear_contextvars()
    yield
    structlog.contextvars.clear_contextvars()


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    env = StorageSettings(_env_file=None)
    embedded = EmbeddedServices(
        ROOT / "var" / "test-services",
        postgres=env.database_url is None,
        redis=env.redis_url is None,
        mongo=False,
    )
    mongo = EmbeddedServices(tmp_path_factory.mktemp("mongo"), postgres=False, redis=False, mongo=True)
    with embedded, mongo:
        yield {
            "DATABASE_URL": env.database_url or embedded.urls["DATABASE_URL"],
            "REDIS_URL": env.redis_url or embedded.urls["REDIS_URL"],
            "MONGO_URL": mongo.urls["MONGO_URL"],
        }


@pytest.fixture(scope="session")
def template_db(servers: dict[str, str]) -> Iterator[str]:
    """A database migrated to head once per session; each test clones it."""
    name = f"autoweb_tpl_{os.getpid()}"
    admin = _libpq(servers["DATABASE_URL"], "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    upgrade(_sqlalchemy(servers["DATABASE_URL"], name))
    yield name
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def database_url(servers: dict[str, str], template_db: str) -> Iterator[str]:
    name = f"autoweb_t_{uuid.uuid4().hex[:12]}"
    admin = _libpq(servers["DATABASE_URL"], "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    yield _sqlalchemy(servers["DATABASE_URL"], name)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def redis_url(servers: dict[str, str]) -> Iterator[str]:
    url = make_url(servers["REDIS_URL"].replace("redis://", "postgresql://", 1))  # reuse the URL parser
    target = f"redis://{url.host}:{url.port or 6379}/{TEST_REDIS_DB}"
    client = redis.Redis.from_url(target)
    client.flushdb()
    yield target
    client.flushdb()
    client.close()


@pytest.fixture
def mongo_url(servers: dict[str, str]) -> str:
    base = servers["MONGO_URL"].rsplit("/", 1)[0]
    return f"{base}/t_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """The test's PostgreSQL database, for storage tests that need no Redis or Mongo."""
    database = Database(database_url, pool_size=4)
    yield database
    database.dispose()


@pytest.fixture
def legacy_source(mongo_url: str) -> Iterator[Any]:
    """An empty legacy AutoWebIQ MongoDB database (the test's Mongo database) to migrate from; dropped after."""
    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(mongo_url)
    yield client[database_name(mongo_url)]
    client.drop_database(database_name(mongo_url))
    client.close()


@pytest.fixture
def storage_settings(database_url: str, redis_url: str, mongo_url: str) -> StorageSettings:
    return StorageSettings(database_url=database_url, redis_url=redis_url, mongo_url=mongo_url)


@pytest.fixture
def job_settings(tmp_path: Path) -> JobSettings:
    return JobSettings(
        _env_file=None,
        sites_dir=tmp_path / "sites",
        public_base_url="https://preview.example.com",
        build_cost=10,
        image_cost=2,
    )


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    """One moto S3 server for the run; each test that asks for `s3_settings` gets a bucket of its own."""
    server = MotoServer(tmp_path_factory.mktemp("moto") / "moto.log").start()
    yield server
    server.stop()


@pytest.fixture
def s3_settings(job_settings: JobSettings, s3_server: MotoServer, tmp_path: Path) -> JobSettings:
    """`job_settings` with the site store in a fresh bucket of the moto server (`SITES_URL=s3://…`)."""
    return on_s3(job_settings, s3_server.url, s3_server.new_bucket(), tmp_path / "work")


@pytest.fixture
def bot_settings() -> BotSettings:
    return BotSettings(
        _env_file=None,
        admin_ids=frozenset({"console:local:admin"}),
        signup_credits=50,
        user_rate_per_minute=30,
        team_rate_per_minute=300,
    )


@pytest.fixture
def ctx(storage_settings: StorageSettings, job_settings: JobSettings) -> Iterator[JobContext]:
    job_ctx = JobContext.from_settings(storage_settings, job_settings)
    job_ctx.catalog.seed()
    context.install(job_ctx)
    yield job_ctx
    job_ctx.catalog.client.drop_database(job_ctx.catalog.db.name)
    job_ctx.close()


@pytest.fixture
def service(ctx: JobContext, bot_settings: BotSettings) -> Iterator[CommandService]:
    service = CommandService(ctx, bot_settings)
    yield service
    service.close()


@pytest.fixture
def run_jobs(ctx: JobContext) -> Any:
    """Run every queued job now, in this process (an RQ SimpleWorker in burst mode)."""

    def run() -> bool:
        return bool(make_worker(ctx.redis, in_process=True).work(burst=True, logging_level="WARNING"))

    return run


# --- Slack: the fake Web API, and settings for an adapter in this process or an `autoweb` subprocess -------------
@pytest.fixture
def fake_slack() -> Iterator[FakeSlackApi]:
    api = FakeSlackApi().start()
    yield api
    api.stop()


@pytest.fixture
def slack_settings(bot_settings: BotSettings, fake_slack: FakeSlackApi) -> BotSettings:
    return bot_settings.model_copy(
        update={
            "slack_bot_token": SecretStr("xoxb-test"),
            "slack_signing_secret": SecretStr(SIGNING_SECRET),
            "slack_api_url": fake_slack.url,
        }
    )


@pytest.fixture
def service_env(storage_settings: StorageSettings, job_settings: JobSettings) -> dict[str, str]:
    """The environment of an `autoweb` subprocess on this test's services (no OAuth, no fixed metrics port)."""
    env = {
        **os.environ,
        "DATABASE_URL": storage_settings.database_url or "",
        "REDIS_URL": storage_settings.redis_url or "",
        "MONGO_URL": storage_settings.mongo_url or "",
        "SITES_DIR": str(job_settings.sites_dir),
        "PUBLIC_BASE_URL": job_settings.public_base_url,
        "BUILD_COST": str(job_settings.build_cost),
    }
    for unset in ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_APP_TOKEN", "METRICS_PORT"):
        env.pop(unset, None)
    return env


@pytest.fixture
def slack_env(service_env: dict[str, str], fake_slack: FakeSlackApi) -> dict[str, str]:
    """`service_env` for `autoweb slack`: the fake Web API, the tests' signing secret, generous rate limits."""
    return {
        **service_env,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake_slack.url,
        "USER_RATE_PER_MINUTE": "1000",
        "TEAM_RATE_PER_MINUTE": "1000",
    }
