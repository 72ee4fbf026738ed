"""Intake benchmark: the database work a chat command waits for when it queues a version, before and after
issue 23 made `storage.intake` the one path (one statement per accepted version).

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres python bench/intake.py [--n 400]

On a throw-away database, one user accepts `--n` edits of one project and `--n` builds, alternating each round
between the path as it was (edits: the ORM's lock, look-ups, `add_version` and `ledger.place_hold`, six round
trips; builds: `accept_build`, then the spec written through the ORM) and as it is (`intake.accept_version`,
`intake.accept_build(spec=…)`), so both see the same machine. Prints the median and p90 milliseconds of each
accepting transaction (commit included) and the ratio now/before. Each accepted version is marked finished
outside the timed part, so the next one is not refused as busy.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scratch import scratch_database  # noqa: E402
from storage import accounts, intake, ledger, projects  # noqa: E402
from storage.db import Database  # noqa: E402

SPEC: dict[str, object] = {"edit": {"base": 1, "operations": [{"op": "set", "path": "hero.title", "value": "Hi"}]}}


def edit_before(db: Database, user_id: int, project_id: int, key: str) -> int:
    with db.session() as s:
        project = projects.get_project(s, project_id, lock=True)
        assert projects.find_version_by_request(s, key) is None
        assert projects.active_version(s, project_id) is None
        version = projects.add_version(s, project, kind="edit", request_key=key, instruction="x", spec=SPEC)
        hold = ledger.place_hold(s, user_id, 10, key=f"hold:{key}", reference=f"version:{version.id}")
        version.hold_id, version.job_id = hold.id, f"build-{version.id}"
        return version.id


def edit_now(db: Database, user_id: int, project_id: int, key: str) -> int:
    with db.session() as s:
        accepted = intake.accept_version(
            s, project_id=project_id, user_id=user_id, kind="edit", request_key=key, instruction="x", spec=SPEC,
            cost=10, job_prefix="build-",
        )  # fmt: skip
    assert accepted.version_id is not None
    return accepted.version_id


def build_before(db: Database, user_id: int, project_id: int, key: str) -> int:
    with db.session() as s:
        accepted = _build(s, key, None)
        projects.get_version(s, accepted).spec = SPEC
    return accepted


def build_now(db: Database, user_id: int, project_id: int, key: str) -> int:
    with db.session() as s:
        return _build(s, key, SPEC)


def _build(s: object, key: str, spec: dict[str, object] | None) -> int:
    accepted = intake.accept_build(
        s,  # type: ignore[arg-type]
        platform="slack", team_id="T1", external_id="U1", request_key=key, name="Sweet Crumbs", prompt="a bakery",
        cost=10, job_prefix="build-", spec=spec,
    )  # fmt: skip
    assert accepted is not None and accepted.version_id is not None
    return accepted.version_id


Accept = Callable[[Database, int, int, str], int]


def measure(
    db: Database, n: int, pairs: dict[str, tuple[Accept, Accept]], tag: str
) -> dict[str, tuple[list[float], list[float]]]:
    with db.session() as s:
        user, _ = accounts.get_or_create_user(s, "slack", "T1", "U1", signup_credits=0)
        ledger.credit(s, user.id, 1_000_000, key="bench", type="grant")
        project = projects.create_project(s, owner_id=user.id, platform="slack", team_id="T1", name="p", prompt="p")
        user_id, project_id = user.id, project.id
    times: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in pairs}
    for i in range(n):
        for name, (before, now) in pairs.items():
            for which, accept in ((0, before), (1, now)) if i % 2 else ((1, now), (0, before)):
                begun = time.perf_counter()
                version_id = accept(db, user_id, project_id, f"{tag}:{name}:{which}:{i}")
                times[name][which].append((time.perf_counter() - begun) * 1000)
                with db.session() as s:  # finished, outside the timing: the next one is not busy
                    s.execute(text("UPDATE project_versions SET status = 'succeeded' WHERE id = :v"), {"v": version_id})
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=400, help="versions accepted per path")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        sys.exit("set DATABASE_URL (postgresql+psycopg://user@host:5432/postgres)")
    with scratch_database(os.environ["DATABASE_URL"], "bench_intake") as url:
        db = Database(url, pool_size=2)
        try:
            measure(db, 20, {"edit": (edit_before, edit_now), "build": (build_before, build_now)}, "warm-up")
            times = measure(db, args.n, {"edit": (edit_before, edit_now), "build": (build_before, build_now)}, "run")
        finally:
            db.dispose()
    print(
        f"{'accepting':<8} {'before p50':>10} {'p90':>7} {'now p50':>8} {'p90':>7} {'now/before':>10}  (ms, n={args.n})"
    )
    for name, (before, now) in times.items():
        b50, n50 = statistics.median(before), statistics.median(now)
        b90, n90 = statistics.quantiles(before, n=10)[-1], statistics.quantiles(now, n=10)[-1]
        print(f"{name:<8} {b50:>10.2f} {b90:>7.2f} {n50:>8.2f} {n90:>7.2f} {n50 / b50:>10.2f}")


if __name__ == "__main__":
    main()
