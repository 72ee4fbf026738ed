"""The credits ledger on real Postgres: exactly-once holds and settlements, idempotency, validation, sums.

Every test checks the same invariant at the end: for each user, `users.balance` = Σ amount and
`users.held` = Σ hold_delta over the ledger, so no call can change one without the other.
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError

from storage import accounts, ledger
from storage.db import Database
from storage.errors import InsufficientCredits, InvalidAmount, NotFound
from storage.models import ChatIdentity, CreditTransaction, User
from tests.helpers import assert_ledger_consistent


def new_user(db: Database, name: str = "alice", credits: int = 100) -> int:
    with db.session() as s:
        user, created = accounts.get_or_create_user(s, "console", "local", name, signup_credits=credits)
        assert created
        return user.id


def balance(db: Database, user_id: int) -> tuple[int, int]:
    with db.session() as s:
        b = ledger.balance_of(s, user_id)
    return b.balance, b.held


def rows(db: Database, user_id: int | None = None) -> list[tuple[str, int, int]]:
    with db.session() as s:
        query = select(CreditTransaction).order_by(CreditTransaction.id)
        if user_id is not None:
            query = query.where(CreditTransaction.user_id == user_id)
        return [(t.type, t.amount, t.hold_delta) for t in s.execute(query).scalars()]


# --- holds, captures, releases: each exactly once ---------------------------------------------------------


def test_hold_then_capture_charges_once(db):
    uid = new_user(db)
    with db.session() as s:
        hold_id = ledger.place_hold(s, uid, 30, key="hold:1", reference="version:1").id
    assert balance(db, uid) == (100, 30)
    with db.session() as s:
        first = ledger.capture(s, hold_id)
        first_id = first.id
        assert (first.type, first.amount, first.hold_delta, first.hold_id) == ("capture", -30, -30, hold_id)
        assert first.reference == "version:1"  # inherited from the hold
    with db.session() as s:
        again = ledger.capture(s, hold_id)
        assert again.id == first_id
        assert ledger.is_settled(s, hold_id)
    assert balance(db, uid) == (70, 0)
    assert rows(db, uid) == [("grant", 100, 0), ("hold", 0, 30), ("capture", -30, -30)]
    assert_ledger_consistent(db)


def test_release_after_capture_returns_the_capture_and_changes_nothing(db):
    uid = new_user(db)
    with db.session() as s:
        hold_id = ledger.place_hold(s, uid, 30, key="hold:1", reference="version:1").id
        captured_id = ledger.capture(s, hold_id).id
    with db.session() as s:
        row = ledger.release(s, hold_id, note="worker retried on_failure")
        assert (row.id, row.type) == (captured_id, "capture")
    assert balance(db, uid) == (70, 0)
    assert [t for t, _, _ in rows(db, uid)] == ["grant", "hold", "capture"]
    assert_ledger_consistent(db)


def test_capture_after_release_returns_the_release_and_charges_nothing(db):
    uid = new_user(db)
    with db.session() as s:
        hold_id = ledger.place_hold(s, uid, 30, key="hold:1", reference="version:1").id
    with db.session() as s:
        released = ledger.release(s, hold_id)
        released_id = released.id
        assert (released.type, released.amount, released.hold_delta) == ("release", 0, -30)
    with db.session() as s:
        assert ledger.release(s, hold_id).id == released_id
        row = ledger.capture(s, hold_id)
        assert (row.id, row.type) == (released_id, "release")
    assert balance(db, uid) == (100, 0)
    assert [t for t, _, _ in rows(db, uid)] == ["grant", "hold", "release"]
    assert_ledger_consistent(db)


def test_settling_something_that_is_not_a_hold_is_refused(db):
    uid = new_user(db)
    with db.session() as s:
        grant_id = ledger.recent(s, uid)[0].id
    with pytest.raises(NotFound), db.session() as s:
        ledger.capture(s, grant_id)
    with pytest.raises(NotFound), db.session() as s:
        ledger.release(s, 999_999)
    assert rows(db, uid) == [("grant", 100, 0)]


def test_concurrent_settlements_of_one_hold_write_one_row(db):
    """A worker's success path and RQ's on_failure racing on the same hold: one wins, the other sees it."""
    uid = new_user(db)
    with db.session() as s:
        hold_id = ledger.place_hold(s, uid, 30, key="hold:1", reference="version:1").id
    barrier = threading.Barrier(8)
    results: list[int] = []
    lock = threading.Lock()

    def settle(i: int) -> None:
        barrier.wait()
        with db.session() as s:
            row = (ledger.capture if i % 2 else ledger.release)(s, hold_id)
            with lock:
                results.append(row.id)

    threads = [threading.Thread(target=settle, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 8 and len(set(results)) == 1
    with db.session() as s:
        settlements = s.execute(select(func.count()).where(CreditTransaction.hold_id == hold_id)).scalar_one()
    assert settlements == 1
    assert balance(db, uid) in ((70, 0), (100, 0))
    assert_ledger_consistent(db)


# --- idempotency keys -------------------------------------------------------------------------------------


def test_the_same_hold_key_twice_writes_one_row(db):
    uid = new_user(db)
    with db.session() as s:
        first = ledger.place_hold(s, uid, 30, key="hold:console:local:Ev1", reference="version:1").id
    with db.session() as s:
        again = ledger.place_hold(s, uid, 30, key="hold:console:local:Ev1", reference="version:1").id
    assert again == first
    assert balance(db, uid) == (100, 30)
    assert rows(db, uid) == [("grant", 100, 0), ("hold", 0, 30)]


def test_a_repeated_hold_key_is_answered_even_when_the_credit_is_used_up(db):
    """A redelivered event must get the original hold back, not 'insufficient credits'."""
    uid = new_user(db, credits=30)
    with db.session() as s:
        first = ledger.place_hold(s, uid, 30, key="hold:Ev1", reference="version:1").id
    with db.session() as s:
        assert ledger.place_hold(s, uid, 30, key="hold:Ev1", reference="version:1").id == first
    assert balance(db, uid) == (30, 30)


def test_the_same_credit_key_twice_writes_one_row(db):
    uid = new_user(db)
    with db.session() as s:
        first = ledger.credit(s, uid, 25, key="grant:Ev9", actor="console:local:admin").id
    with db.session() as s:
        assert ledger.credit(s, uid, 25, key="grant:Ev9", actor="console:local:admin").id == first
    assert balance(db, uid) == (125, 0)
    assert rows(db, uid) == [("grant", 100, 0), ("grant", 25, 0)]
    assert_ledger_consistent(db)


def test_concurrent_calls_with_one_key_write_one_row(db):
    uid = new_user(db)
    barrier = threading.Barrier(10)
    ids: list[int] = []
    lock = threading.Lock()

    def hold() -> None:
        barrier.wait()
        with db.session() as s:
            row_id = ledger.place_hold(s, uid, 5, key="hold:redelivered", reference="version:1").id
        with lock:
            ids.append(row_id)

    threads = [threading.Thread(target=hold) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(ids) == 10 and len(set(ids)) == 1
    assert balance(db, uid) == (100, 5)
    assert_ledger_consistent(db)


# --- never negative ---------------------------------------------------------------------------------------


def test_a_hold_beyond_the_available_credit_raises_and_writes_nothing(db):
    uid = new_user(db, credits=50)
    with db.session() as s:
        ledger.place_hold(s, uid, 40, key="hold:1", reference="version:1")
    with pytest.raises(InsufficientCredits) as refused, db.session() as s:
        ledger.place_hold(s, uid, 11, key="hold:2", reference="version:2")
    assert (refused.value.needed, refused.value.available) == (11, 10)
    assert balance(db, uid) == (50, 40)
    assert rows(db, uid) == [("grant", 50, 0), ("hold", 0, 40)]
    with db.session() as s:  # exactly the rest still fits
        ledger.place_hold(s, uid, 10, key="hold:3", reference="version:3")
    assert balance(db, uid) == (50, 50)
    assert_ledger_consistent(db)


def test_a_negative_adjustment_cannot_take_the_balance_below_the_open_holds(db):
    uid = new_user(db, credits=50)
    with db.session() as s:
        ledger.place_hold(s, uid, 40, key="hold:1", reference="version:1")
    with pytest.raises(InsufficientCredits), db.session() as s:
        ledger.credit(s, uid, -11, key="adj:1", type="adjustment", actor="ops")
    with db.session() as s:
        ledger.credit(s, uid, -10, key="adj:2", type="adjustment", actor="ops")
    assert balance(db, uid) == (40, 40)
    assert_ledger_consistent(db)


def test_the_database_refuses_a_negative_balance_even_if_code_tried(db):
    """The CHECK constraints are the last line: a direct UPDATE that would overdraw fails."""
    uid = new_user(db, credits=10)
    with pytest.raises(IntegrityError), db.session() as s:
        s.execute(update(User).where(User.id == uid).values(balance=-1))
    with pytest.raises(IntegrityError), db.session() as s:
        s.execute(update(User).where(User.id == uid).values(held=11))
    assert balance(db, uid) == (10, 0)


def test_the_lock_reads_fresh_values_even_when_the_session_already_holds_the_user(db):
    """A hold committed by someone else between our first read and our lock must not be lost.

    Regression: the row lock used to hand back the session's cached `User`, so a caller that had read the user
    earlier in its transaction (as `get_or_create_user` + `credit` do) overwrote a concurrent hold.
    """
    uid = new_user(db, credits=100)
    with db.session() as mine:
        seen = mine.get(User, uid)
        assert seen is not None and (seen.balance, seen.held) == (100, 0)
        with db.session() as other:
            ledger.place_hold(other, uid, 50, key="hold:other", reference="version:1")
        with pytest.raises(InsufficientCredits):
            ledger.place_hold(mine, uid, 60, key="hold:mine", reference="version:2")
        ledger.credit(mine, uid, 5, key="grant:mine")
        assert (seen.balance, seen.held) == (105, 50)
    assert balance(db, uid) == (105, 50)
    assert_ledger_consistent(db)


# --- credit() validation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "type"),
    [
        (0, "grant"),
        (-5, "grant"),
        (-5, "refund"),
        (-5, "purchase"),
        (ledger.MAX_GRANT + 1, "grant"),
        (-(ledger.MAX_GRANT + 1), "adjustment"),
        (0, "adjustment"),
        (10, "hold"),
        (10, "capture"),
    ],
)
def test_invalid_credits_are_refused_and_nothing_is_written(db, amount, type):
    uid = new_user(db)
    with pytest.raises(InvalidAmount), db.session() as s:
        ledger.credit(s, uid, amount, key="grant:bad", type=type)
    assert rows(db, uid) == [("grant", 100, 0)]
    assert balance(db, uid) == (100, 0)


def test_the_largest_grant_and_a_negative_adjustment_are_accepted(db):
    uid = new_user(db)
    with db.session() as s:
        ledger.credit(s, uid, ledger.MAX_GRANT, key="grant:big", actor="console:local:admin")
        ledger.credit(s, uid, -100, key="adj:1", type="adjustment", actor="ops", note="chargeback")
    assert balance(db, uid) == (ledger.MAX_GRANT, 0)
    assert_ledger_consistent(db)


def test_invalid_holds_and_unknown_users_are_refused(db):
    uid = new_user(db)
    with pytest.raises(InvalidAmount), db.session() as s:
        ledger.place_hold(s, uid, -1, key="hold:neg", reference="")
    with pytest.raises(NotFound), db.session() as s:
        ledger.place_hold(s, 424242, 1, key="hold:nobody", reference="")
    with pytest.raises(NotFound), db.session() as s:
        ledger.credit(s, 424242, 1, key="grant:nobody")
    assert rows(db) == [("grant", 100, 0)]


def test_a_failed_transaction_leaves_no_ledger_row(db):
    """The caller's transaction decides: a hold written before an error in the same transaction is gone."""
    uid = new_user(db)
    with pytest.raises(RuntimeError), db.session() as s:
        ledger.place_hold(s, uid, 30, key="hold:1", reference="version:1")
        raise RuntimeError("enqueue failed")
    assert balance(db, uid) == (100, 0)
    assert rows(db, uid) == [("grant", 100, 0)]


def test_recent_lists_the_last_transactions_newest_first(db):
    uid = new_user(db)
    with db.session() as s:
        for i in range(7):
            ledger.credit(s, uid, i + 1, key=f"grant:{i}")
    with db.session() as s:
        assert [t.amount for t in ledger.recent(s, uid)] == [7, 6, 5, 4, 3]


def test_ledger_sums_equal_users_after_a_mixed_history(db):
    a, b = new_user(db, "alice", 100), new_user(db, "bob", 20)
    with db.session() as s:
        h1 = ledger.place_hold(s, a, 30, key="h1", reference="v1").id
        h2 = ledger.place_hold(s, a, 20, key="h2", reference="v2").id
        h3 = ledger.place_hold(s, b, 20, key="h3", reference="v3").id
    with db.session() as s:
        ledger.capture(s, h1)
        ledger.release(s, h2)
        ledger.capture(s, h3)
        ledger.credit(s, b, 5, key="refund:1", type="refund")
        ledger.credit(s, a, 12, key="buy:1", type="purchase")
    assert balance(db, a) == (82, 0)
    assert balance(db, b) == (5, 0)
    assert_ledger_consistent(db)


# --- accounts ---------------------------------------------------------------------------------------------


def test_get_or_create_user_grants_signup_credits_once(db):
    with db.session() as s:
        user, created = accounts.get_or_create_user(s, "slack", "T1", "U1", display_name="Ann", signup_credits=50)
        first = user.id
    with db.session() as s:
        user, created = accounts.get_or_create_user(s, "slack", "T1", "U1", display_name="Ann", signup_credits=50)
        assert (user.id, created) == (first, False)
    with db.session() as s:  # the same user id on another team or platform is another person
        other, created = accounts.get_or_create_user(s, "slack", "T2", "U1", signup_credits=50)
        assert created and other.id != first
    assert rows(db, first) == [("grant", 50, 0)]
    assert balance(db, first) == (50, 0)


def test_a_signup_without_credits_writes_no_ledger_row(db):
    with db.session() as s:
        user, created = accounts.get_or_create_user(s, "discord", "G1", "123", signup_credits=0)
        assert created
    assert rows(db) == []


def test_two_first_commands_racing_create_one_user_and_one_signup_grant(db):
    """The second thread inserts while the first's transaction is still open; it blocks, then reads the winner."""
    first_inserted = threading.Event()
    results: dict[str, tuple[int, bool]] = {}

    def first() -> None:
        with db.session() as s:
            user, created = accounts.get_or_create_user(s, "slack", "T1", "U1", signup_credits=50)
            results["first"] = (user.id, created)
            first_inserted.set()
            wait_for_a_blocked_session(db)  # commit only once the second is stuck on our identity row

    def second() -> None:
        first_inserted.wait(5)
        with db.session() as s:
            user, created = accounts.get_or_create_user(s, "slack", "T1", "U1", signup_credits=50)
            results["second"] = (user.id, created)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results["first"][1] is True and results["second"] == (results["first"][0], False)
    assert_one_user_with_one_signup(db)
    # The loser really took the insert path (its rolled-back user used up an id), not a late lookup.
    assert new_user(db, "carol") == results["first"][0] + 2


def wait_for_a_blocked_session(db: Database, timeout: float = 10) -> None:
    """Return once another session of this database is waiting for a lock (or fail after `timeout`)."""
    deadline = time.monotonic() + timeout
    with db.engine.connect() as conn:
        while time.monotonic() < deadline:
            waiting = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar_one()
            conn.rollback()
            if waiting:
                return
            time.sleep(0.01)
    raise AssertionError("the second session never blocked on the first one's insert")


@pytest.mark.parametrize("round", range(3))
def test_many_first_commands_racing_create_one_user_and_one_signup_grant(db, round):
    barrier = threading.Barrier(12)
    results: list[tuple[int, bool]] = []
    lock = threading.Lock()

    def first_command() -> None:
        barrier.wait()
        with db.session() as s:
            user, created = accounts.get_or_create_user(s, "discord", "G1", "42", signup_credits=50)
            with lock:
                results.append((user.id, created))

    threads = [threading.Thread(target=first_command) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 12 and len({uid for uid, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert_one_user_with_one_signup(db)


def assert_one_user_with_one_signup(db: Database) -> None:
    with db.session() as s:
        identities = s.execute(select(func.count()).select_from(ChatIdentity)).scalar_one()
        live = s.execute(select(User.id).join(ChatIdentity, ChatIdentity.user_id == User.id)).scalars().all()
        grants = s.execute(select(CreditTransaction.user_id).where(CreditTransaction.type == "grant")).all()
    assert identities == 1 and len(live) == 1
    assert grants == [(live[0],)]
    assert balance(db, live[0]) == (50, 0)
    assert_ledger_consistent(db)
