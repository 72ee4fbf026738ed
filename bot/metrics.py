"""Prometheus metrics of the chat side and the `/metrics` endpoints of every process.

Chat-side metrics are observed in the process where they happen: ack latency (Slack: the HTTP request that
carries the ack; Discord: receipt to defer), relay latency (the event's publish time to the chat platform
accepting the post or edit) and HTTP 429s received from each platform (an aiohttp trace on the platform's
client session, so 429s the client libraries wait out themselves are counted too). Queue, job and credit
figures come from the scrape-time collectors in `jobs.metrics`.

Every process serves `GET /metrics` on a port of its own, METRICS_PORT or `--metrics-port` (`serve` below), never
on the ports the public reaches (the preview server's, the Slack app's).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from types import SimpleNamespace
from wsgiref.simple_server import WSGIServer

import aiohttp
import redis
from aiohttp import web
from aiohttp.typedefs import Middleware
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram
from prometheus_client import start_http_server as _start_http_server

from jobs.metrics import CreditCollector, QueueCollector
from storage.db import Database

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)
ACK_LATENCY = Histogram(
    "autoweb_ack_latency_seconds",
    "From receiving a chat command or event to acknowledging it to the platform.",
    ["platform"],
    buckets=LATENCY_BUCKETS,
)
RELAY_LATENCY = Histogram(
    "autoweb_relay_latency_seconds",
    "From a progress event's publication by a worker to the chat platform accepting the post or edit it caused.",
    ["platform", "kind"],
    buckets=LATENCY_BUCKETS,
)
RATE_LIMITED = Counter(
    "autoweb_rate_limited",
    "HTTP 429 responses received from a chat platform's API (each one, also those retried automatically).",
    ["platform"],
)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def observe_relay(platform: str, kind: str, published_at: float) -> None:
    """A relay's post (`milestone`, `final`) or status edit (`status`) of an event published at `published_at`."""
    RELAY_LATENCY.labels(platform, kind).observe(max(time.time() - published_at, 0.0))


def rate_limit_trace(platform: str) -> aiohttp.TraceConfig:
    """Counts the 429s a client session receives; pass it in `trace_configs` (Slack) or `http_trace` (Discord)."""

    async def on_end(session: aiohttp.ClientSession, context: SimpleNamespace, params: object) -> None:
        if isinstance(params, aiohttp.TraceRequestEndParams) and params.response.status == 429:
            RATE_LIMITED.labels(platform).inc()

    trace = aiohttp.TraceConfig()
    trace.on_request_end.append(on_end)
    return trace


def registry_for(*, client: redis.Redis | None = None, db: Database | None = None) -> CollectorRegistry:
    """This process's own metrics, plus the queue collector (with Redis) and the credit collector (with Postgres)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(REGISTRY)
    if client is not None:
        registry.register(QueueCollector(client))
    if db is not None:
        registry.register(CreditCollector(db))
    return registry


def ack_timer(platform: str, path: str) -> Middleware:
    """aiohttp middleware: the time to answer a POST to `path` is the ack latency (with Bolt's
    `process_before_response`, the HTTP response is the ack)."""

    @web.middleware
    async def timer(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.method != "POST" or request.path != path:
            return await handler(request)
        started = time.perf_counter()
        try:
            return await handler(request)
        finally:
            ACK_LATENCY.labels(platform).observe(time.perf_counter() - started)

    return timer


def serve(port: int, registry: CollectorRegistry, host: str = "0.0.0.0") -> WSGIServer:
    """`GET /metrics` on `port` from a daemon thread; returns the server. Collectors that query Redis or
    Postgres run in that thread, never on an event loop."""
    server, _thread = _start_http_server(port, addr=host, registry=registry)
    return server
