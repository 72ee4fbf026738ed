"""`autoweb dashboard`: rq-dashboard under waitress, behind basic auth whose password comes from the environment,
never from the command line."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from jobs.queue import BUILDS, enqueue_health_check
from storage.embedded import free_port
from storage.redis_client import connect

ROOT = Path(__file__).resolve().parent.parent.parent
AUTOWEB = str(Path(sys.executable).parent / "autoweb")
PASSWORD = "dash-pass-91c2e7"


def get(url: str, auth: tuple[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url)
    if auth:
        request.add_header("Authorization", "Basic " + base64.b64encode(":".join(auth).encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


def env(redis_url: str, **extra: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("RQ_DASHBOARD_")}
    return {**clean, "REDIS_URL": redis_url, "RQ_DASHBOARD_USERNAME": "ops", **extra}


def test_the_dashboard_runs_under_waitress_behind_basic_auth(redis_url):
    client = connect(redis_url)
    enqueue_health_check(client, BUILDS, "token-1")
    port = free_port()
    server = subprocess.Popen(
        [AUTOWEB, "dashboard", "--port", str(port)],
        env=env(redis_url, RQ_DASHBOARD_PASSWORD=PASSWORD),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, headers, body = get(f"{base}/healthz")
                break
            except urllib.error.URLError:
                assert server.poll() is None and time.monotonic() < deadline, "the dashboard did not start"
                time.sleep(0.05)
        assert (status, body) == (200, "ok") and headers["Server"] == "autoweb-dashboard"  # waitress, not Werkzeug
        assert get(f"{base}/")[0] == 401
        assert get(f"{base}/", ("ops", "wrong"))[0] == 401
        status, _, page = get(f"{base}/0/data/queues.json", ("ops", PASSWORD))
        assert status == 200 and BUILDS in page
        assert PASSWORD not in Path(f"/proc/{server.pid}/cmdline").read_bytes().decode()
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0].decode()
        client.close()
    assert PASSWORD not in output


def test_the_dashboard_refuses_to_start_without_a_password(redis_url):
    run = subprocess.run(
        [AUTOWEB, "dashboard", "--port", str(free_port())],
        env=env(redis_url),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 1 and run.stderr.strip().splitlines() == [
        "Not configured: set RQ_DASHBOARD_PASSWORD (and RQ_DASHBOARD_USERNAME, default admin)."
    ]
