"""50 threads, 2,000 hold attempts, 15 users with limited credit, real Postgres: the ledger invariants hold.

Each thread has its own session per transaction (its own pooled connection). Attempts are spread evenly over
the users, so every user sees far more attempts than their credit allows and every row lock is contended.
Half the users only ever capture, which makes the number of accepted holds exact (credit // cost: captures
never give credit back, refusals never take any); the other half also release, which returns credit mid-run.
Threads repeat some holds and settlements with the same key, as a redelivered event or a retried job would.
"""

from __future__ import annotations

import random
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from storage import accounts, ledger
from storage.db import Database
from storage.errors import InsufficientCredits
from storage.models import CreditTransaction, User

THREADS = 50
ATTEMPTS = 2_000
USERS = 15
CREDIT = 60


@dataclass(frozen=True)
class Account:
    user_id: int
    cost: int
    releases: bool
    """False: every accepted hold is captured. True: about a third are released instead."""


@dataclass
class Outcome:
    """What one thread saw; merged after the run and compared with the ledger."""

    attempts: Counter[int] = field(default_factory=Counter)
    refused: Counter[int] = field(default_factory=Counter)
    holds: dict[int, int] = field(default_factory=dict)
    """hold id → user id, for every hold this thread placed."""
    settled: dict[int, str] = field(default_factory=dict)
    """hold id → "capture" | "release"."""
    errors: list[BaseException] = field(default_factory=list)


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url, pool_size=THREADS)
    yield database
    database.dispose()


def make_accounts(db: Database) -> list[Account]:
    made = []
    with db.session() as s:
        for i in range(USERS):
            user, _ = accounts.get_or_create_user(s, "slack", "T1", f"U{i}", signup_credits=CREDIT)
            made.append(Account(user_id=user.id, cost=1 + i % 3, releases=i % 2 == 1))
    return made


def client(db: Database, n: int, plan: list[Account], out: Outcome, start: threading.Barrier) -> None:
    """One bot/worker process: place holds, keep some open a while, settle each exactly once."""
    rng = random.Random(n)
    open_holds: list[tuple[Account, int]] = []

    def settle(account: Account, hold_id: int) -> None:
        capture = not account.releases or rng.random() < 0.66
        with db.session() as s:
            row = (ledger.capture if capture else ledger.release)(s, hold_id, reference=f"bench:{n}")
            row_id, row_type = row.id, row.type
        if rng.random() < 0.1:  # a retried job settles again: it must get the same row back
            with db.session() as s:
                again = (ledger.release if capture else ledger.capture)(s, hold_id)
                assert again.id == row_id
        out.settled[hold_id] = row_type

    try:
        start.wait()
        for i, account in enumerate(plan):
            out.attempts[account.user_id] += 1
            key = f"hold:{n}:{i}"
            try:
                with db.session() as s:
                    hold_id = ledger.place_hold(s, account.user_id, account.cost, key=key, reference=key).id
            except InsufficientCredits:
                out.refused[account.user_id] += 1
            else:
                out.holds[hold_id] = account.user_id
                if rng.random() < 0.1:  # a redelivered event repeats the key
                    with db.session() as s:
                        repeated = ledger.place_hold(s, account.user_id, account.cost, key=key, reference=key)
                        assert repeated.id == hold_id
                open_holds.append((account, hold_id))
            while open_holds and (len(open_holds) > 3 or rng.random() < 0.5):
                settle(*open_holds.pop(rng.randrange(len(open_holds))))
        for account, hold_id in open_holds:
            settle(account, hold_id)
    except BaseException as exc:  # reported by the test, not lost in the thread
        out.errors.append(exc)


def test_fifty_threads_two_thousand_holds_keep_every_invariant(db):
    users = make_accounts(db)
    by_id = {a.user_id: a for a in users}
    # Attempt k goes to user k % USERS: each user gets 133 or 134 attempts, far beyond 60 // cost.
    plans: list[list[Account]] = [[] for _ in range(THREADS)]
    for k in range(ATTEMPTS):
        plans[k % THREADS].append(users[k % USERS])
    for n, plan in enumerate(plans):
        random.Random(1000 + n).shuffle(plan)

    outcomes = [Outcome() for _ in range(THREADS)]
    start = threading.Barrier(THREADS)
    threads = [
        threading.Thread(target=client, args=(db, n, plans[n], outcomes[n], start), name=f"client-{n}")
        for n in range(THREADS)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a client hung (deadlock or pool exhaustion)"
    errors = [e for o in outcomes for e in o.errors]
    assert not errors, errors[:3]

    attempts: Counter[int] = sum((o.attempts for o in outcomes), Counter())
    refused: Counter[int] = sum((o.refused for o in outcomes), Counter())
    accepted = {hold: user for o in outcomes for hold, user in o.holds.items()}
    settled = {hold: kind for o in outcomes for hold, kind in o.settled.items()}
    assert sum(attempts.values()) == ATTEMPTS
    assert sum(len(o.holds) for o in outcomes) == len(accepted)  # no hold id handed to two attempts
    assert set(settled) == set(accepted)

    with db.session() as s:
        rows = list(s.execute(select(CreditTransaction).order_by(CreditTransaction.id)).scalars())
        final = {u.id: (u.balance, u.held) for u in s.execute(select(User)).scalars()}

    # No lost update, no overdraft: per user, rows in id order (= lock order) each add exactly their own
    # change to the one before, and the balance never drops below the open holds or below zero.
    running: dict[int, tuple[int, int]] = defaultdict(lambda: (0, 0))
    for t in rows:
        balance, held = running[t.user_id]
        balance, held = balance + t.amount, held + t.hold_delta
        assert (t.balance_after, t.held_after) == (balance, held), f"lost update at ledger row {t.id}"
        assert 0 <= held <= balance, f"overdraft at ledger row {t.id}"
        running[t.user_id] = (balance, held)
    assert dict(running) == final

    # Every accepted hold is in the ledger once, with exactly one settlement, of the kind the client saw.
    holds = {t.id: t for t in rows if t.type == "hold"}
    assert set(holds) == set(accepted)
    assert all(holds[h].user_id == u for h, u in accepted.items())
    settlements = Counter(t.hold_id for t in rows if t.type in ("capture", "release"))
    assert set(settlements) == set(holds) and set(settlements.values()) == {1}
    assert {t.hold_id: t.type for t in rows if t.hold_id} == settled
    assert Counter(t.type for t in rows)["grant"] == USERS

    for account in users:
        uid = account.user_id
        mine = [h for h, u in accepted.items() if u == uid]
        captured = sum(1 for h in mine if settled[h] == "capture")
        assert len(mine) + refused[uid] == attempts[uid]
        assert final[uid] == (CREDIT - captured * account.cost, 0)
        if account.releases:
            assert len(mine) >= CREDIT // account.cost
        else:  # exactly what the credit allows, no more, no fewer
            assert len(mine) == captured == CREDIT // account.cost
            assert final[uid][0] == CREDIT % account.cost
    assert len(by_id) == USERS
