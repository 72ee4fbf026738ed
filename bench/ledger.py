"""Ledger benchmark: holds + captures per second under contention, with every invariant checked after each run.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres python bench/ledger.py \
        [--clients 50] [--users 100] [--seconds 5 | --ops N] [--runs 3] [--processes 1] [--credit 1000]

Creates a throw-away database on the server of DATABASE_URL, migrates it with `storage.db.upgrade`, and drops it
at the end. Each run starts from empty tables and 100 users with `--credit` signup credits each. `--clients`
concurrent clients (threads spread over `--processes` processes, each thread with its own pooled connection)
loop: pick a random user, place a hold of 1–5 credits (its own transaction, as the bot does on `build`), then
capture it (9 in 10) or release it (1 in 10) in another transaction (as the worker does); a client keeps up to
two holds open at once, so holds and settlements of one user interleave. Until `--seconds` have passed, or
until the clients together have attempted `--ops` holds.

"ops" counts committed ledger writes (holds, captures, releases); refused holds (no credit left) are counted
apart. After each run the ledger is checked: users.balance/held = Σ amount/Σ hold_delta, every row's
balance_after/held_after = the running sum (no lost update), 0 ≤ held ≤ balance at every row (no overdraft),
every accepted hold has exactly one settlement and matches what the clients saw. Each breach is a violation;
the script exits non-zero if there is any.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import statistics
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from sqlalchemy import select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scratch import libpq, scratch_database  # noqa: E402
from storage import accounts, ledger  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.errors import InsufficientCredits  # noqa: E402
from storage.models import CreditTransaction, User  # noqa: E402

TARGET = 2_000
"""Ledger operations per second the issue asks for."""


@dataclass
class Tally:
    """What the clients of one process did; merged across processes and checked against the ledger."""

    holds: dict[int, int] = field(default_factory=dict)
    """hold id → user id."""
    settled: dict[int, str] = field(default_factory=dict)
    refused: int = 0
    errors: list[str] = field(default_factory=list)

    def merge(self, other: Tally) -> None:
        self.holds.update(other.holds)
        self.settled.update(other.settled)
        self.refused += other.refused
        self.errors += other.errors


@dataclass(frozen=True)
class Plan:
    url: str
    user_ids: list[int]
    clients: int
    seconds: float
    ops: int | None
    """Hold attempts for the clients of this process together (None: run for `seconds`)."""
    seed: int


def client(db: Database, n: int, plan: Plan, tally: Tally, lock: threading.Lock, budget: list[int]) -> None:
    rng = random.Random(plan.seed * 1000 + n)
    deadline = time.monotonic() + plan.seconds
    open_holds: list[int] = []
    mine = Tally()

    def settle(hold_id: int) -> None:
        capture = rng.random() < 0.9
        with db.session() as s:
            row = (ledger.capture if capture else ledger.release)(s, hold_id)
            mine.settled[hold_id] = row.type

    try:
        attempt = 0
        while True:
            if plan.ops is None:
                if time.monotonic() >= deadline:
                    break
            else:
                with lock:
                    if budget[0] <= 0:
                        break
                    budget[0] -= 1
            attempt += 1
            user_id = rng.choice(plan.user_ids)
            key = f"bench:{plan.seed}:{n}:{attempt}"
            try:
                with db.session() as s:
                    hold_id = ledger.place_hold(s, user_id, rng.randint(1, 5), key=key, reference=key).id
            except InsufficientCredits:
                mine.refused += 1
            else:
                mine.holds[hold_id] = user_id
                open_holds.append(hold_id)
            if len(open_holds) > 2 or (open_holds and rng.random() < 0.5):
                settle(open_holds.pop(rng.randrange(len(open_holds))))
        for hold_id in open_holds:
            settle(hold_id)
    except Exception as exc:  # counted as a violation: the run is not trustworthy
        first_line = (str(exc).splitlines() or [""])[0]
        mine.errors.append(f"client {n}: {type(exc).__name__}: {first_line}"[:300])
    with lock:
        tally.merge(mine)


def run_clients(plan: Plan, start: object | None = None) -> Tally:
    """This process's share of the clients, each a thread. `start` is a multiprocessing barrier, if any."""
    db = Database(plan.url, pool_size=plan.clients)
    with db.engine.connect():  # open one connection before the clock starts (imports, DNS, auth)
        pass
    tally, lock = Tally(), threading.Lock()
    budget = [plan.ops or 0]
    threads = [
        threading.Thread(target=client, args=(db, n, plan, tally, lock, budget), daemon=True)
        for n in range(plan.clients)
    ]
    if start is not None:
        start.wait()  # type: ignore[attr-defined]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db.dispose()
    return tally


def _process_main(plan: Plan, start: object, results: mp.Queue[Tally]) -> None:
    results.put(run_clients(plan, start))


def reset(url: str, users: int, credit: int) -> list[int]:
    db = Database(url)
    try:
        with db.engine.begin() as conn:
            conn.execute(text("TRUNCATE credit_transactions, chat_identities, users RESTART IDENTITY CASCADE"))
        with db.session() as s:
            return [
                accounts.get_or_create_user(s, "bench", "T1", f"U{i}", signup_credits=credit)[0].id
                for i in range(users)
            ]
    finally:
        db.dispose()


def violations(url: str, tally: Tally) -> list[str]:
    """Every way the ledger could be wrong after a run, as one line each (empty: all invariants hold)."""
    found = list(tally.errors)
    db = Database(url)
    try:
        with db.session() as s:
            users = {u.id: (u.balance, u.held) for u in s.execute(select(User)).scalars()}
            running: dict[int, tuple[int, int]] = {}
            holds: dict[int, int] = {}
            settlements: Counter[int] = Counter()
            for t in s.execute(select(CreditTransaction).order_by(CreditTransaction.id)).scalars():
                balance, held = running.get(t.user_id, (0, 0))
                balance, held = balance + t.amount, held + t.hold_delta
                if (t.balance_after, t.held_after) != (balance, held):
                    found.append(f"lost update: row {t.id} says {t.balance_after}/{t.held_after}")
                if not 0 <= held <= balance:
                    found.append(f"overdraft: row {t.id} holds {held} of {balance}")
                running[t.user_id] = (balance, held)
                if t.type == "hold":
                    holds[t.id] = t.user_id
                elif t.type in ("capture", "release") and t.hold_id is not None:
                    settlements[t.hold_id] += 1
    finally:
        db.dispose()
    found += [f"user {u}: row says {v}, ledger sums {running.get(u)}" for u, v in users.items() if running.get(u) != v]
    found += [f"hold {h} settled {settlements[h]} times" for h in holds if settlements[h] != 1]
    found += [f"hold {h} was accepted but is not in the ledger" for h in tally.holds.keys() - holds.keys()]
    found += [f"hold {h} is in the ledger but no client placed it" for h in holds.keys() - tally.holds.keys()]
    found += [f"hold {h} of user {u} recorded for another user" for h, u in tally.holds.items() if holds.get(h, u) != u]
    found += [f"user {u} still has {held} held" for u, (_, held) in users.items() if held]
    return found


def one_run(url: str, args: argparse.Namespace, seed: int) -> dict[str, float]:
    user_ids = reset(url, args.users, args.credit)
    per_process = [args.clients // args.processes + (i < args.clients % args.processes) for i in range(args.processes)]
    plans = [
        Plan(
            url=url,
            user_ids=user_ids,
            clients=k,
            seconds=args.seconds,
            ops=None if args.ops is None else args.ops * k // args.clients,
            seed=seed * 100 + i,
        )
        for i, k in enumerate(per_process)
    ]
    tally = Tally()
    if args.processes == 1:
        started = time.perf_counter()
        tally = run_clients(plans[0])
        elapsed = time.perf_counter() - started
    else:
        ctx = mp.get_context("spawn")
        start = ctx.Barrier(args.processes + 1)
        results: mp.Queue[Tally] = ctx.Queue()
        procs = [ctx.Process(target=_process_main, args=(p, start, results)) for p in plans]
        for p in procs:
            p.start()
        start.wait()
        started = time.perf_counter()
        for _ in procs:
            tally.merge(results.get())
        elapsed = time.perf_counter() - started
        for p in procs:
            p.join()
    kinds = Counter(tally.settled.values())
    ops = len(tally.holds) + kinds["capture"] + kinds["release"]
    bad = violations(url, tally)
    for line in bad[:5]:
        print("  VIOLATION", line, file=sys.stderr)
    return {
        "seconds": elapsed,
        "ops": ops,
        "ops_s": ops / elapsed,
        "holds": len(tally.holds),
        "captures": kinds["capture"],
        "releases": kinds["release"],
        "refused": tally.refused,
        "violations": len(bad),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--ops", type=int, default=None, help="hold attempts per run (instead of --seconds)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--processes", type=int, default=1, help="spread the clients over this many processes")
    parser.add_argument("--credit", type=int, default=1_000, help="signup credits of each user")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        sys.exit("set DATABASE_URL (postgresql+psycopg://user@host:5432/postgres)")
    args.processes = max(1, min(args.processes, args.clients))

    with scratch_database(os.environ["DATABASE_URL"], "bench_ledger") as url:
        with psycopg.connect(libpq(url)) as conn:
            pg = str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
        limit = f"{args.ops:,} hold attempts" if args.ops else f"{args.seconds:g} s"
        print(
            f"ledger benchmark: {args.clients} clients ({args.processes} process(es)), {args.users} users "
            f"with {args.credit:,} credits, {limit} per run, PostgreSQL {pg}, {os.cpu_count()} CPUs"
        )
        header = f"{'run':>4}{'seconds':>9}{'ops':>9}{'ops/s':>9}{'holds':>8}{'capt.':>8}{'rel.':>7}{'refused':>9}"
        print(header + f"{'violations':>12}")
        results = []
        for i in range(1, args.runs + 1):
            r = one_run(url, args, seed=i)
            results.append(r)
            print(
                f"{i:>4}{r['seconds']:>9.2f}{r['ops']:>9,}{r['ops_s']:>9,.0f}{r['holds']:>8,}{r['captures']:>8,}"
                f"{r['releases']:>7,}{r['refused']:>9,}{r['violations']:>12}"
            )
    median = statistics.median(r["ops_s"] for r in results)
    total_bad = int(sum(r["violations"] for r in results))
    print("-" * (len(header) + 12))
    print(f"median {median:,.0f} ledger ops/s over {len(results)} runs · violations {total_bad} · target ≥ {TARGET:,}")
    print("PASS" if median >= TARGET and total_bad == 0 else "FAIL")
    if total_bad:
        sys.exit(1)


if __name__ == "__main__":
    main()
