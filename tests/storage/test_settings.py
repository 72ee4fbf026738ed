"""Connection URLs in the forms hosting platforms hand out are accepted; a malformed one is one clear line."""

from __future__ import annotations

import subprocess
import sys

import pytest
from pydantic import ValidationError

from storage.settings import StorageSettings


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgres://u:p@db.example.com:5432/app", "postgresql+psycopg://u:p@db.example.com:5432/app"),
        ("postgresql://u@db.example.com/app", "postgresql+psycopg://u@db.example.com/app"),
        (
            "postgresql+psycopg://postgres:@/postgres?host=/tmp/pg",
            "postgresql+psycopg://postgres:@/postgres?host=/tmp/pg",
        ),
        ("  postgres://h/app  ", "postgresql+psycopg://h/app"),
    ],
)
def test_database_urls_are_normalised_to_the_psycopg_driver(given, used):
    assert StorageSettings(_env_file=None, database_url=given).database_url == used


@pytest.mark.parametrize("url", ["redis://h:6379/0", "rediss://:secret@h:6380/1", "unix:///tmp/redis.sock"])
def test_redis_urls_in_every_usual_form_are_accepted(url):
    assert StorageSettings(_env_file=None, redis_url=url).redis_url == url


@pytest.mark.parametrize(
    ("field", "url"),
    [
        ("database_url", "mysql://u:hunter2@h/app"),
        ("database_url", "postgres://u:hunter2@h:port/app"),
        ("database_url", "::::"),
        ("redis_url", "http://u:hunter2@h:6379"),
        ("redis_url", "redis://u:hunter2@h:port/0"),
        ("mongo_url", "http://h/app"),
    ],
)
def test_a_malformed_url_is_refused(field, url):
    with pytest.raises(ValidationError):
        StorageSettings(_env_file=None, **{field: url})


def test_the_cli_names_the_bad_setting_in_one_line_without_its_value():
    env = {"DATABASE_URL": "mysql://u:hunter2@h/app", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", "from bot.cli import main; main()", "doctor"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Invalid configuration: DATABASE_URL:"), result.stderr
    assert "hunter2" not in result.stderr + result.stdout


def test_version():
    result = subprocess.run(
        [sys.executable, "-c", "from bot.cli import main; main()", "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stdout.startswith("autoweb 0."), result.stdout + result.stderr
