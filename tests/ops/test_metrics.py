"""Prometheus metrics, scraped over HTTP after real work: a forking `autoweb worker` process with its metrics port,
the metrics port of the preview and Slack processes (ack, relay latency, 429s), never their public port."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from wsgiref.simple_server import WSGIServer

from prometheus_client.parser import text_string_to_metric_families

from bot import metrics
from bot.preview import make_app
from jobs.queue import BUILDS
from storage.embedded import free_port
from tests.bot.test_discord import bot, content, discord_settings, fake_discord, with_text  # noqa: F401 - fixtures
from tests.bot.test_discord import build as discord_build
from tests.bot.test_slack import PROMPT, root_of, slack  # noqa: F401 - fixtures
from tests.fakes.slack_api import text_of
from tests.helpers import actor
from tests.ops.http import get, serve_app

ROOT = Path(__file__).resolve().parent.parent.parent


def value(text: str, name: str, **labels: str) -> float:
    """The sample `name{labels}` in a scrape (0 when absent: a labelled counter not yet incremented)."""
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    return 0.0


@contextmanager
def server_closed(server: WSGIServer) -> Iterator[None]:
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()


def scrape(url: str) -> str:
    status, body = get(url)
    assert status == 200, body
    return body


def test_worker_and_preview_metrics_after_real_builds(
    service, ctx, storage_settings, job_settings, service_env, tmp_path
):
    for i in range(3):
        assert service.handle(actor(f"user{i}"), f"build {PROMPT}").version_id is not None
    metrics_port = free_port()
    server = metrics.serve(metrics_port, metrics.registry_for(client=ctx.redis, db=ctx.db), host="127.0.0.1")
    with serve_app(make_app(storage_settings, job_settings)) as preview, server_closed(server):
        assert get(f"{preview}/metrics")[0] == 404  # not on the public port
        preview = f"http://127.0.0.1:{metrics_port}"
        before = scrape(f"{preview}/metrics")
        assert value(before, "autoweb_queue_depth", queue=BUILDS) == 3
        assert value(before, "autoweb_jobs", queue=BUILDS, status="queued") == 3
        assert value(before, "autoweb_workers", queue=BUILDS) == 0
        assert value(before, "autoweb_credits_held_total") == 30
        assert value(before, "autoweb_credits_on_hold") == 30
        assert value(before, "autoweb_credits_captured_total") == 0
        assert value(before, "autoweb_queues_scrape_ok") == 1 and value(before, "autoweb_ledger_scrape_ok") == 1

        port = free_port()
        env = service_env
        log = tmp_path / "worker.log"
        with open(log, "wb") as out:
            worker = subprocess.Popen(
                [str(Path(sys.executable).parent / "autoweb"), "worker", "--metrics-port", str(port), BUILDS],
                env=env,
                stdout=out,
                stderr=out,
                cwd=ROOT,
            )
        try:
            deadline, text = time.monotonic() + 60, ""
            while value(text, "autoweb_job_duration_seconds_count", job="build_site", status="finished") < 3:
                assert worker.poll() is None and time.monotonic() < deadline, log.read_text()[-2000:]
                time.sleep(0.2)
                try:
                    text = scrape(f"http://127.0.0.1:{port}/metrics")
                except OSError:  # not listening yet
                    continue
        finally:
            worker.terminate()
            worker.wait(15)
        # Timed in the worker's parent process: each forked job is counted once, by its final status.
        assert value(text, "autoweb_job_duration_seconds_count", job="build_site", status="finished") == 3
        assert value(text, "autoweb_job_duration_seconds_count", job="build_site", status="failed") == 0
        assert 0 < value(text, "autoweb_job_duration_seconds_sum", job="build_site", status="finished") < 60
        assert value(text, "autoweb_workers", queue=BUILDS) == 1
        assert value(text, "autoweb_jobs", queue=BUILDS, status="finished") == 3

        after = scrape(f"{preview}/metrics")
        assert value(after, "autoweb_queue_depth", queue=BUILDS) == 0
        assert value(after, "autoweb_jobs", queue=BUILDS, status="finished") == 3
        assert value(after, "autoweb_credits_held_total") == 30
        assert value(after, "autoweb_credits_captured_total") == 30
        assert value(after, "autoweb_credits_released_total") == 0
        assert value(after, "autoweb_credits_on_hold") == 0


def test_slack_metrics_count_acks_relay_latency_and_429s(slack, fake_slack, ctx, run_jobs):  # noqa: F811
    assert get(slack.url.replace("/slack/events", "/metrics"))[0] == 404  # not on the public port
    port = free_port()  # what `autoweb slack --metrics-port N` serves, in the adapter's process
    server = metrics.serve(port, metrics.registry_for(client=ctx.redis, db=ctx.db), host="127.0.0.1")
    with server_closed(server):
        _slack_metrics(f"http://127.0.0.1:{port}/metrics", fake_slack, slack, run_jobs)


def _slack_metrics(metrics_url: str, fake_slack, slack, run_jobs) -> None:  # noqa: F811
    before = scrape(metrics_url)
    fake_slack.rate_limit("chat.update", times=1, retry_after=1)
    assert slack.command(f"build {PROMPT}")[0] == 200
    assert slack.command("help")[0] == 200
    thread_ts = fake_slack.wait_for(lambda: root_of(fake_slack)).ts
    fake_slack.wait_for(lambda: fake_slack.thread("C1", thread_ts))
    time.sleep(0.2)  # the thread's mapping is written right after the status message
    assert run_jobs()
    fake_slack.wait_for(lambda: [c for c in fake_slack.thread("C1", thread_ts) if "is live" in text_of(c)])
    fake_slack.wait_for(lambda: [c for c in fake_slack.of("chat.update") if "done in" in text_of(c)], timeout=15)
    after = scrape(metrics_url)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("autoweb_ack_latency_seconds_count", platform="slack") == 2  # the build and the help command
    assert 0 < delta("autoweb_ack_latency_seconds_sum", platform="slack") < 3  # Slack's deadline
    assert delta("autoweb_relay_latency_seconds_count", platform="slack", kind="milestone") == 1
    assert delta("autoweb_relay_latency_seconds_count", platform="slack", kind="final") == 1
    assert delta("autoweb_relay_latency_seconds_count", platform="slack", kind="status") >= 1
    assert delta("autoweb_rate_limited_total", platform="slack") == 1
    assert delta("autoweb_job_duration_seconds_count", job="build_site", status="finished") == 1
    assert value(after, "autoweb_credits_captured_total") == 10
    assert value(after, "autoweb_queue_depth", queue=BUILDS) == 0
    exported = {s.name for family in text_string_to_metric_families(after) for s in family.samples}
    charted = set(re.findall(r"autoweb_\w+", (ROOT / "docs" / "grafana-dashboard.json").read_text()))
    assert charted and charted <= exported, charted - exported  # the starter dashboard charts what exists


def test_discord_metrics_served_on_the_metrics_port(bot, fake_discord, ctx, run_jobs):  # noqa: F811
    """What `autoweb discord --metrics-port N` serves: the same registry, on its own port."""
    port = free_port()
    server = metrics.serve(port, metrics.registry_for(client=ctx.redis, db=ctx.db), host="127.0.0.1")
    try:
        url = f"http://127.0.0.1:{port}/metrics"
        before = scrape(url)
        _, thread = discord_build(fake_discord, ctx)
        fake_discord.rate_limit("message.edit", times=1, retry_after=0.5)
        assert run_jobs()
        fake_discord.wait_for(lambda: with_text(fake_discord, thread, "is live"), timeout=30)
        status = fake_discord.in_channel(thread)[0]
        fake_discord.wait_for(lambda: "done in" in content(fake_discord.messages[status["id"]]), timeout=30)
        after = scrape(url)
    finally:
        server.shutdown()
        server.server_close()

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("autoweb_ack_latency_seconds_count", platform="discord") == 1  # receipt → defer
    assert 0 < delta("autoweb_ack_latency_seconds_sum", platform="discord") < 3
    assert delta("autoweb_relay_latency_seconds_count", platform="discord", kind="milestone") == 1
    assert delta("autoweb_relay_latency_seconds_count", platform="discord", kind="final") == 1
    assert delta("autoweb_rate_limited_total", platform="discord") == 1
    assert value(after, "autoweb_credits_captured_total") == 10 and value(after, "autoweb_credits_on_hold") == 0
