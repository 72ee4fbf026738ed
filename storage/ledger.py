"""The credits ledger: append-only rows, exactly-once holds and settlements, never a negative balance.

Every write locks the user's row (`SELECT … FOR UPDATE`) before it reads anything, so concurrent writers for one
user queue up behind each other and each sees the previous one's committed result. Every row carries a unique
idempotency key: repeating a call with the same key returns the row written the first time instead of writing
again. All functions take the caller's session; the caller's transaction decides what commits together.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.errors import InsufficientCredits, InvalidAmount, NotFound
from storage.models import CreditTransaction, User

MAX_GRANT = 1_000_000
"""Largest single grant or adjustment; a typo of a few extra zeros is refused rather than written."""


@dataclass(frozen=True)
class Balance:
    balance: int
    held: int

    @property
    def available(self) -> int:
        return self.balance - self.held


def _lock_user(session: Session, user_id: int) -> User:
    """Lock the user's row and return it with the values read under the lock.

    `populate_existing` matters: without it a `User` the session already holds (e.g. from `find_user` or
    `balance_of` earlier in the same transaction) keeps its old balance/held, the lock's fresh row is ignored and
    the next write overwrites a concurrent writer's committed change (a lost update).
    """
    user = session.execute(
        select(User).where(User.id == user_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if user is None:
        raise NotFound(f"user {user_id}")
    return user


def _by_key(session: Session, key: str) -> CreditTransaction | None:
    return session.execute(
        select(CreditTransaction).where(CreditTransaction.idempotency_key == key)
    ).scalar_one_or_none()


def _append(
    session: Session,
    user: User,
    *,
    type: str,
    amount: int,
    hold_delta: int,
    key: str,
    reference: str,
    hold_id: int | None = None,
    actor: str | None = None,
    note: str = "",
) -> CreditTransaction:
    user.balance += amount
    user.held += hold_delta
    row = CreditTransaction(
        user_id=user.id,
        type=type,
        amount=amount,
        hold_delta=hold_delta,
        balance_after=user.balance,
        held_after=user.held,
        hold_id=hold_id,
        reference=reference,
        idempotency_key=key,
        actor=actor,
        note=note,
    )
    session.add(row)
    session.flush()
    session.info.setdefault("ledger_users", set()).add(user.id)
    return row


def credit(
    session: Session,
    user_id: int,
    amount: int,
    *,
    key: str,
    type: str = "grant",
    actor: str | None = None,
    reference: str = "",
    note: str = "",
) -> CreditTransaction:
    """Add (or, for an `adjustment`, possibly remove) credits. Idempotent on `key`."""
    if type not in ("grant", "purchase", "refund", "adjustment"):
        raise InvalidAmount(f"{type} is not a crediting transaction")
    if amount == 0 or abs(amount) > MAX_GRANT or (amount < 0 and type != "adjustment"):
        raise InvalidAmount(f"amount must be between 1 and {MAX_GRANT:,}")
    user = _lock_user(session, user_id)
    if (done := _by_key(session, key)) is not None:
        return done
    if user.balance + amount < user.held:
        raise InsufficientCredits(-amount, user.balance - user.held)
    return _append(
        session,
        user,
        type=type,
        amount=amount,
        hold_delta=0,
        key=key,
        reference=reference,
        actor=actor,
        note=note,
    )


def place_hold(session: Session, user_id: int, amount: int, *, key: str, reference: str) -> CreditTransaction:
    """Reserve `amount` credits for a job. Raises InsufficientCredits if fewer are available."""
    if amount < 0 or amount > MAX_GRANT:
        raise InvalidAmount(f"a hold must be between 0 and {MAX_GRANT:,}")
    user = _lock_user(session, user_id)
    if (done := _by_key(session, key)) is not None:
        return done
    if user.balance - user.held < amount:
        raise InsufficientCredits(amount, user.balance - user.held)
    return _append(session, user, type="hold", amount=0, hold_delta=amount, key=key, reference=reference)


def _settle(session: Session, hold_id: int, *, capture: bool, reference: str, note: str) -> CreditTransaction:
    hold = session.get(CreditTransaction, hold_id)
    if hold is None or hold.type != "hold":
        raise NotFound(f"hold {hold_id}")
    user = _lock_user(session, hold.user_id)
    settled = session.execute(
        select(CreditTransaction).where(
            CreditTransaction.hold_id == hold_id, CreditTransaction.type.in_(("capture", "release"))
        )
    ).scalar_one_or_none()
    if settled is not None:
        return settled
    n = hold.hold_delta
    return _append(
        session,
        user,
        type="capture" if capture else "release",
        amount=-n if capture else 0,
        hold_delta=-n,
        key=f"settle:{hold_id}",
        reference=reference or hold.reference,
        hold_id=hold_id,
        note=note,
    )


def capture(session: Session, hold_id: int, *, reference: str = "", note: str = "") -> CreditTransaction:
    """Charge a held amount. Exactly once: a second call (or one after a release) returns the settling row."""
    return _settle(session, hold_id, capture=True, reference=reference, note=note)


def release(session: Session, hold_id: int, *, reference: str = "", note: str = "") -> CreditTransaction:
    """Give a held amount back. Exactly once: a second call (or one after a capture) returns the settling row."""
    return _settle(session, hold_id, capture=False, reference=reference, note=note)


def is_settled(session: Session, hold_id: int) -> bool:
    return (
        session.execute(
            select(CreditTransaction.id).where(
                CreditTransaction.hold_id == hold_id, CreditTransaction.type.in_(("capture", "release"))
            )
        ).first()
        is not None
    )


def balance_of(session: Session, user_id: int) -> Balance:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id}")
    return Balance(balance=user.balance, held=user.held)


def recent(session: Session, user_id: int, limit: int = 5) -> list[CreditTransaction]:
    return list(
        session.execute(
            select(CreditTransaction)
            .where(CreditTransaction.user_id == user_id)
            .order_by(CreditTransaction.id.desc())
            .limit(limit)
        ).scalars()
    )
