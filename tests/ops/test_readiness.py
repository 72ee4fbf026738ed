"""GET /readyz on the HTTP processes: 200 when PostgreSQL (at head), Redis and, for Slack, the relay are ready;
503 with a short JSON reason when one is not."""

from __future__ import annotations

import json
import time

import psycopg
from sqlalchemy.engine import make_url

from bot.preview import make_app
from storage.embedded import free_port
from tests.bot.test_slack import slack  # noqa: F401 - fixtures
from tests.ops.http import get, serve_app


def readyz(base: str) -> tuple[int, dict[str, object]]:
    status, body = get(f"{base}/readyz")
    return status, json.loads(body)


def test_preview_is_ready_with_postgres_at_head_and_redis(storage_settings, job_settings):
    with serve_app(make_app(storage_settings, job_settings)) as url:
        assert readyz(url) == (200, {"ready": True})
        assert get(f"{url}/healthz") == (200, "ok")


def test_preview_is_not_ready_when_redis_does_not_answer(storage_settings, job_settings):
    closed = storage_settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{free_port()}/0"})
    with serve_app(make_app(closed, job_settings)) as url:
        started = time.monotonic()
        status, body = readyz(url)
        assert time.monotonic() - started < 5
        assert status == 503 and body["ready"] is False
        assert str(body["reason"]).startswith("redis: unreachable")
        assert get(f"{url}/healthz") == (200, "ok")  # alive, just not ready


def test_preview_is_not_ready_until_the_schema_is_at_the_newest_migration(storage_settings, job_settings):
    assert storage_settings.database_url
    libpq = make_url(storage_settings.database_url).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(libpq, autocommit=True) as conn:
        (revision,) = conn.execute("SELECT version_num FROM alembic_version").fetchone() or ("",)
        conn.execute("DELETE FROM alembic_version")  # as on a database nobody has run `autoweb db upgrade` on
    with serve_app(make_app(storage_settings, job_settings)) as url:
        assert readyz(url) == (503, {"ready": False, "reason": "postgres: schema is not at the newest migration"})
        with psycopg.connect(libpq, autocommit=True) as conn:
            conn.execute("INSERT INTO alembic_version (version_num) VALUES (%s)", (revision,))
        assert readyz(url) == (200, {"ready": True})


def test_slack_is_ready_only_while_its_relay_is_subscribed(slack):  # noqa: F811
    base = slack.url.removesuffix("/slack/events")
    assert readyz(base) == (200, {"ready": True})
    slack.loop.call_soon_threadsafe(slack.adapter.relay.ready.clear)  # what a lost subscription does
    time.sleep(0.1)
    assert readyz(base) == (503, {"ready": False, "reason": "relay: not subscribed to progress events"})
    slack.loop.call_soon_threadsafe(slack.adapter.relay.ready.set)
    time.sleep(0.1)
    assert readyz(base)[0] == 200
