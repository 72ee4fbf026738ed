"""The credits ledger: append-only rows, exactly-once holds and settlements, never a negative balance.

Every write is one SQL statement (one round trip) in the common case, a chain of data-modifying CTEs:

1. `locked`: `SELECT … FROM users … FOR NO KEY UPDATE` locks the user's row and reads its newest committed
   balance/held (READ COMMITTED re-reads a row that changed while we waited for its lock), so concurrent writers for
   one user queue up behind each other and each sees the previous one's committed result. NO KEY: the ledger never
   changes the user's id, so rows that merely reference the user (chat history, projects) are not blocked by it;
   a plain FOR UPDATE made the history writer and a build's outcome deadlock on the user's row.
2. `ins`: `INSERT INTO credit_transactions … SELECT … FROM locked WHERE <enough credit> ON CONFLICT DO NOTHING`
   writes the row with balance_after/held_after computed from the locked values. The unique idempotency key
   (and, for a settlement, the one-capture-or-release-per-hold index) decides duplicates: a row with the same
   key that is committed, or in flight in another transaction (the insert waits for it to end), means no insert.
3. `upd`: `UPDATE users SET balance/held = ins.balance_after/held_after FROM ins`: the user's row only changes if
   the ledger row was written, in the same statement, so a duplicate or a refusal changes nothing.

When nothing was inserted (a repeated key, too little credit, an unknown user or hold) a second, slower query
tells which: repeating a call with the same key returns the row written the first time instead of writing
again. All functions take the caller's session and run on its connection; the caller's transaction decides
what commits together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

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


# The statements below run through `Connection.exec_driver_sql` (psycopg's `%(name)s` parameters): the same
# connection, transaction, events and error wrapping as `session.execute(text(...))`, without compiling a
# `text()` construct and building its result map on every call. psycopg prepares them server-side after a few
# uses on a connection.

# Steps 2 and 3 of every write (see the module docstring). `ok` yields one row (id, balance, held, amount,
# hold_delta, hold_id, reference) when the write may go ahead; zero rows means refuse it. Public for
# `storage.intake`, which places a build's hold in the same statement that writes its project and version.
WRITE_CTE = """
ins AS (
    INSERT INTO credit_transactions
        (user_id, type, amount, hold_delta, balance_after, held_after, hold_id, reference, idempotency_key,
         actor, note)
    SELECT w.id, CAST(%(type)s AS varchar), w.amount, w.hold_delta, w.balance + w.amount, w.held + w.hold_delta,
           w.hold_id, w.reference, CAST(%(key)s AS varchar), CAST(%(actor)s AS varchar), CAST(%(note)s AS text)
    FROM ok AS w
    ON CONFLICT DO NOTHING
    RETURNING id, user_id, reference, balance_after, held_after, created_at
),
upd AS (
    UPDATE users SET balance = ins.balance_after, held = ins.held_after
    FROM ins WHERE users.id = ins.user_id
)"""

# The result row: `id` is the new ledger row's (NULL: nothing written) and `balance`/`held` the user's after the
# write, or as read under the lock when nothing was written. Zero rows: no such user (or hold).
_RESULT = """
SELECT ins.id, ins.created_at, ins.reference, locked.id AS user_id,
       COALESCE(ins.balance_after, locked.balance) AS balance, COALESCE(ins.held_after, locked.held) AS held"""

_CREDIT = f"""
WITH locked AS MATERIALIZED (
    SELECT id, balance, held FROM users WHERE id = %(user_id)s FOR NO KEY UPDATE
),
ok AS (
    SELECT id, balance, held, CAST(%(amount)s AS bigint) AS amount, CAST(0 AS bigint) AS hold_delta,
           CAST(NULL AS bigint) AS hold_id, CAST(%(reference)s AS varchar) AS reference
    FROM locked WHERE balance + CAST(%(amount)s AS bigint) >= held
),
{WRITE_CTE}
{_RESULT}
FROM locked LEFT JOIN ins ON true
"""
"""Grant/purchase/refund/adjustment: the balance (plus a negative adjustment) must still cover the open holds."""

_HOLD = f"""
WITH locked AS MATERIALIZED (
    SELECT id, balance, held FROM users WHERE id = %(user_id)s FOR NO KEY UPDATE
),
ok AS (
    SELECT id, balance, held, CAST(0 AS bigint) AS amount, CAST(%(amount)s AS bigint) AS hold_delta,
           CAST(NULL AS bigint) AS hold_id, CAST(%(reference)s AS varchar) AS reference
    FROM locked WHERE balance - held >= CAST(%(amount)s AS bigint)
),
{WRITE_CTE}
{_RESULT}
FROM locked LEFT JOIN ins ON true
"""
"""A hold: the available credit (balance − open holds) must cover it."""

_SETTLE = f"""
WITH h AS MATERIALIZED (
    SELECT user_id, hold_delta, reference FROM credit_transactions WHERE id = %(hold_id)s AND type = 'hold'
),
locked AS MATERIALIZED (
    SELECT id, balance, held FROM users WHERE id = (SELECT user_id FROM h) FOR NO KEY UPDATE
),
ok AS (
    SELECT locked.id, locked.balance, locked.held, -CAST(%(charge)s AS bigint) * h.hold_delta AS amount,
           -h.hold_delta AS hold_delta, CAST(%(hold_id)s AS bigint) AS hold_id,
           COALESCE(NULLIF(CAST(%(reference)s AS varchar), ''), h.reference) AS reference
    FROM locked CROSS JOIN h WHERE locked.held >= h.hold_delta
),
{WRITE_CTE}
{_RESULT}, h.hold_delta AS held_amount
FROM h JOIN locked ON true LEFT JOIN ins ON true
"""
"""A capture (`charge` 1) or release (`charge` 0) of a hold, with the key `settle:<hold id>`.

`locked.held >= h.hold_delta` is true for every hold that is still open. It is false only when a concurrent
settlement of this very hold committed while we waited for the lock (our snapshot predates it): then the row we
would write breaks the ledger's CHECK constraints, which Postgres tests before the ON CONFLICT arbiter, so the
guard skips the insert and the slow path finds that settlement. Otherwise a settled hold's second settlement
conflicts on the idempotency key (or the one-settlement-per-hold index) and is not written."""


def _write(
    session: Session,
    statement: str,
    *,
    type: str,
    key: str,
    actor: str | None = None,
    note: str = "",
    **params: Any,
) -> Row[Any] | None:
    """Run one write statement on the session's connection: its single result row, or None."""
    session.flush()  # pending ORM changes first, as the autoflush of an ORM query would
    params.update(type=type, key=key, actor=actor, note=note)
    return session.connection().exec_driver_sql(statement, params).first()


def _sync_user(session: Session, user_id: int, balance: int, held: int) -> None:
    """Give a `User` the session already holds the values just read (or written) under the row lock.

    Without this a caller that read the user earlier in its transaction (e.g. `get_or_create_user`, then
    `balance_of`) would keep the balance from before our write.
    """
    user = session.identity_map.get(Session.identity_key(User, user_id))
    if user is not None:
        set_committed_value(user, "balance", balance)
        set_committed_value(user, "held", held)


def _written(
    session: Session,
    row: Row[Any],
    *,
    type: str,
    amount: int,
    hold_delta: int,
    key: str,
    hold_id: int | None = None,
    actor: str | None = None,
    note: str = "",
) -> CreditTransaction:
    """The ledger row our statement inserted, as a persistent `CreditTransaction` of the session, without a query."""
    txn = CreditTransaction(
        id=row.id,
        user_id=row.user_id,
        type=type,
        amount=amount,
        hold_delta=hold_delta,
        balance_after=row.balance,
        held_after=row.held,
        hold_id=hold_id,
        reference=row.reference,
        idempotency_key=key,
        actor=actor,
        note=note,
        created_at=row.created_at,
    )
    make_transient_to_detached(txn)  # the identity key; every attribute counts as loaded, nothing is pending
    session.add(txn)
    _sync_user(session, row.user_id, row.balance, row.held)
    changed(session, row.user_id)
    return txn


CHANGED = "ledger_users"
"""The `Session.info` key of the users whose ledger moved in the transaction."""


def changed(session: Session, *user_ids: int) -> None:
    """Note that these users' ledgers moved in this transaction: their cached balances are dropped on commit."""
    session.info.setdefault(CHANGED, set()).update(user_ids)


def take_changed(info: dict[str, Any]) -> set[int]:
    """Take the users `changed` noted out of a transaction's info: whoever takes them drops their cached balances
    (`Cache.after_commit` after the commit, or the caller in a round trip of its own)."""
    return set(info.pop(CHANGED, set()))


def _by_key(session: Session, key: str) -> CreditTransaction | None:
    return session.execute(
        select(CreditTransaction).where(CreditTransaction.idempotency_key == key)
    ).scalar_one_or_none()


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
    row = _write(
        session,
        _CREDIT,
        type=type,
        key=key,
        actor=actor,
        note=note,
        user_id=user_id,
        amount=amount,
        reference=reference,
    )
    if row is None:
        raise NotFound(f"user {user_id}")
    if row.id is not None:
        return _written(session, row, type=type, amount=amount, hold_delta=0, key=key, actor=actor, note=note)
    _sync_user(session, user_id, row.balance, row.held)
    if (done := _by_key(session, key)) is not None:
        return done
    raise InsufficientCredits(-amount, row.balance - row.held)


def place_hold(session: Session, user_id: int, amount: int, *, key: str, reference: str) -> CreditTransaction:
    """Reserve `amount` credits for a job. Raises InsufficientCredits if fewer are available."""
    if amount < 0 or amount > MAX_GRANT:
        raise InvalidAmount(f"a hold must be between 0 and {MAX_GRANT:,}")
    row = _write(session, _HOLD, type="hold", key=key, user_id=user_id, amount=amount, reference=reference)
    if row is None:
        raise NotFound(f"user {user_id}")
    if row.id is not None:
        return _written(session, row, type="hold", amount=0, hold_delta=amount, key=key)
    _sync_user(session, user_id, row.balance, row.held)
    if (done := _by_key(session, key)) is not None:
        return done
    raise InsufficientCredits(amount, row.balance - row.held)


def _settle(session: Session, hold_id: int, *, capture: bool, reference: str, note: str) -> CreditTransaction:
    type, key = ("capture" if capture else "release"), f"settle:{hold_id}"
    row = _write(
        session, _SETTLE, type=type, key=key, note=note, hold_id=hold_id, charge=int(capture), reference=reference
    )
    if row is None:
        raise NotFound(f"hold {hold_id}")
    if row.id is not None:
        n = row.held_amount
        return _written(
            session, row, type=type, amount=-n if capture else 0, hold_delta=-n, key=key, hold_id=hold_id, note=note
        )
    _sync_user(session, row.user_id, row.balance, row.held)
    settled = session.execute(
        select(CreditTransaction).where(
            CreditTransaction.hold_id == hold_id, CreditTransaction.type.in_(("capture", "release"))
        )
    ).scalar_one_or_none()
    if settled is None:  # the guard refused an open hold: held < the hold's amount, which the CHECKs rule out
        raise RuntimeError(f"hold {hold_id} is open but could not be settled: users.held is out of step")
    return settled


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


@dataclass(frozen=True)
class Operation:
    """One thing that moved credits, as a user reads it: a grant, or a hold with its capture or release."""

    kind: str
    """`grant`, `purchase`, `refund`, `adjustment`, or for a hold: `held` (open), `charged` or `released`."""
    net: int
    """Its effect on the balance (a hold: what it took, or would take if captured)."""
    reference: str


def operations(session: Session, user_id: int, limit: int = 5) -> list[Operation]:
    """The user's last `limit` operations, newest first: a hold and its settlement are one line, not two."""
    rows = list(
        session.execute(
            select(CreditTransaction)
            .where(CreditTransaction.user_id == user_id)
            .order_by(CreditTransaction.id.desc())
            .limit(limit * 2 + 1)  # at most two rows per operation
        ).scalars()
    )
    settled = {r.hold_id: r for r in rows if r.type in ("capture", "release") and r.hold_id is not None}
    holds = {r.id for r in rows if r.type == "hold"}
    found: list[Operation] = []
    for row in rows:
        if row.type in ("capture", "release"):
            if row.hold_id not in holds:  # its hold is older than this page: the settlement stands for both
                kind = "charged" if row.type == "capture" else "released"
                found.append(Operation(kind=kind, net=row.amount, reference=row.reference))
        elif row.type == "hold":
            settle = settled.get(row.id)
            kind = "held" if settle is None else ("charged" if settle.type == "capture" else "released")
            net = 0 if kind == "released" else -row.hold_delta
            found.append(Operation(kind=kind, net=net, reference=row.reference))
        else:
            found.append(Operation(kind=row.type, net=row.amount, reference=row.reference))
    return found[:limit]
