"""Finding: `/metrics` was public on the preview and Slack ports, and each scrape summed the whole ledger (60 ms
at 500k rows). Metrics live on their own port (`--metrics-port` / METRICS_PORT for `serve` and `slack` too), and
the money figures are kept incrementally: after the first pass a scrape reads only the rows written since."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select

from jobs.metrics import CreditCollector
from storage.embedded import free_port
from storage.models import CreditTransaction, User
from storage.stats import CreditTally
from tests.helpers import actor
from tests.ops.http import get
from tests.ops.test_metrics import value
from tests.security.preview_client import PROMPT

ROOT = Path(__file__).resolve().parent.parent.parent


def test_serve_puts_metrics_on_their_own_port_and_none_on_the_public_one(service_env, tmp_path):
    port, metrics_port = free_port(), free_port()
    command = [str(Path(sys.executable).parent / "autoweb"), "serve", "--port", str(port)]
    with open(tmp_path / "serve.log", "wb") as out:
        proc = subprocess.Popen(
            [*command, "--metrics-port", str(metrics_port)], env=service_env, stdout=out, stderr=out, cwd=ROOT
        )
    try:
        deadline = time.monotonic() + 30
        while get_or_none(f"http://127.0.0.1:{port}/healthz") is None:
            assert proc.poll() is None and time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            time.sleep(0.2)
        public = get(f"http://127.0.0.1:{port}/metrics")
        private = get(f"http://127.0.0.1:{metrics_port}/metrics")
    finally:
        proc.terminate()
        proc.wait(15)
    assert public[0] == 404
    assert private[0] == 200 and value(private[1], "autoweb_ledger_scrape_ok") == 1


def get_or_none(url: str) -> tuple[int, str] | None:
    try:
        return get(url, timeout=2)
    except OSError:
        return None


def statements(ctx: Any) -> list[str]:
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(ctx.db.engine, "before_cursor_execute", record)
    return seen


def test_money_gauges_are_incremental_and_exact(service, ctx, run_jobs):
    for i in range(3):
        service.handle(actor(f"u{i}"), f"build {PROMPT}")
    collector = CreditCollector(ctx.db)
    collector.tally.SETTLE_LAG = timedelta(0)  # everything written so far counts as settled at once
    first = {m.name: m.samples[0].value for m in collector.collect()}
    assert first["autoweb_credits_held"] == 30 and first["autoweb_credits_on_hold"] == 30
    settled_at = collector.tally.settled_id
    assert settled_at > 0

    seen = statements(ctx)
    assert run_jobs()  # three captures
    seen.clear()
    after = {m.name: m.samples[0].value for m in collector.collect()}
    assert after["autoweb_credits_captured"] == 30 and after["autoweb_credits_on_hold"] == 0
    ledger_reads = [s for s in seen if "credit_transactions" in s]
    assert ledger_reads and all("credit_transactions.id >" in s for s in ledger_reads), ledger_reads
    assert not [s for s in seen if "FROM users" in s]  # no sum over every user either
    assert collector.tally.settled_id > settled_at

    with ctx.db.session() as s:  # the running tally matches a full pass, also with a lag (young rows in the tail)
        full = CreditTally().refresh(s)
        on_hold = s.execute(select(func.coalesce(func.sum(User.held), 0))).scalar_one()
        count = s.execute(select(func.count()).select_from(CreditTransaction)).scalar_one()
        lagging = CreditTally()
        assert lagging.refresh(s) == full and lagging.settled_id < count  # default lag: all rows are young
    assert (full.held, full.captured, full.released, full.on_hold) == (30, 30, 0, on_hold)


def test_each_slack_process_serves_metrics_on_its_own_port(slack_env, tmp_path):
    port, metrics_port = free_port(), free_port()
    while get_or_none(f"http://127.0.0.1:{metrics_port + 1}/") is not None:  # both ports must be free
        metrics_port = free_port()
    command = [str(Path(sys.executable).parent / "autoweb"), "slack", "--port", str(port), "--processes", "2"]
    with open(tmp_path / "slack.log", "wb") as out:
        proc = subprocess.Popen(
            [*command, "--metrics-port", str(metrics_port)], env=slack_env, stdout=out, stderr=out, cwd=ROOT
        )
    try:
        deadline = time.monotonic() + 30
        urls = [f"http://127.0.0.1:{p}/metrics" for p in (metrics_port, metrics_port + 1)]
        while any(get_or_none(u) is None for u in urls) or get_or_none(f"http://127.0.0.1:{port}/healthz") is None:
            assert proc.poll() is None and time.monotonic() < deadline, (tmp_path / "slack.log").read_text()
            time.sleep(0.2)
        public = get(f"http://127.0.0.1:{port}/metrics")
        scrapes = [get(u) for u in urls]
    finally:
        proc.terminate()
        proc.wait(20)
    assert public[0] == 404
    assert all(status == 200 and "autoweb_ack_latency_seconds" in body for status, body in scrapes)
