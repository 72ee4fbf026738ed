"""What the queues are doing right now, for operators: depth, live workers, running and failed jobs per queue."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import redis
from rq import Queue, Worker

from jobs.queue import QUEUE_NAMES, queue


@dataclass(frozen=True)
class QueueState:
    name: str
    depth: int
    """Jobs waiting."""
    workers: int
    """Workers alive (registered, with an unexpired heartbeat key) that serve this queue."""
    running: int
    failed: int
    """Jobs in RQ's failed registry (kept for the job's failure_ttl: 7 days for builds)."""


def alive_workers(client: redis.Redis, q: Queue) -> int:
    """Workers registered on `q` whose own key still exists: a worker killed without a clean shutdown drops out
    once its heartbeat TTL runs out, even before anything tidies the registration set."""
    keys = Worker.all_keys(connection=client, queue=q)
    if not keys:
        return 0
    return int(client.exists(*keys))


def queue_states(client: redis.Redis, names: Iterable[str] = QUEUE_NAMES) -> list[QueueState]:
    states = []
    for name in names:
        q = queue(client, name)
        states.append(
            QueueState(
                name=name,
                depth=q.count,
                workers=alive_workers(client, q),
                running=q.started_job_registry.get_job_count(cleanup=False),
                failed=q.failed_job_registry.get_job_count(cleanup=False),
            )
        )
    return states
