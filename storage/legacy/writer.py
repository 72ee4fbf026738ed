"""Bulk writes for the legacy migration, all inside the caller's transaction.

Row-by-row ORM inserts manage about a thousand rows a second; the migration has hundreds of thousands. So rows go
in with `COPY` (ids, where other rows must point at them, taken first from the table's own sequence in one query):
the rows are exactly what the ORM would have written, and the batch still commits or rolls back as one
transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bson import json_util
from sqlalchemy import text
from sqlalchemy.orm import Session

from storage import ledger

ACTOR = "legacy-migration"
"""`actor` of every ledger row the migration writes."""
LEDGER_COLUMNS = (
    "user_id",
    "type",
    "amount",
    "hold_delta",
    "balance_after",
    "held_after",
    "reference",
    "idempotency_key",
    "actor",
    "note",
    "created_at",
)
"""Columns of `credit_transactions` the migration fills (`id` comes from the column default, `created_at` last so
rows booked at migration time can leave it out)."""


@dataclass(frozen=True, slots=True)
class Rejection:
    collection: str
    source_id: str
    legacy_id: str
    code: str
    reason: str


def allocate_ids(session: Session, table: str, count: int) -> list[int]:
    """`count` fresh primary keys for `table` from its own sequence, so later ORM inserts never collide."""
    if count == 0:
        return []
    rows = session.execute(
        text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"),
        {"table": table, "n": count},
    )
    return [int(r[0]) for r in rows]


def copy_rows(session: Session, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write rows with COPY on the session's own connection (same transaction, same savepoint)."""
    remaining = iter(rows)
    first = next(remaining, None)
    if first is None:
        return
    raw: Any = session.connection().connection.driver_connection
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        copy.write_row(first)
        for row in remaining:
            copy.write_row(row)


def load_checkpoint(session: Session, phase: str) -> Any | None:
    """The last `_id` (or user id) `phase` finished, decoded from extended JSON so its BSON type survives."""
    raw = session.execute(
        text("SELECT last_id FROM legacy_checkpoints WHERE phase = :phase"), {"phase": phase}
    ).scalar_one_or_none()
    return None if raw is None else json_util.loads(raw)["v"]


def save_checkpoint(session: Session, phase: str, value: Any) -> None:
    session.execute(
        text(
            "INSERT INTO legacy_checkpoints (phase, last_id) VALUES (:phase, :last) "
            "ON CONFLICT (phase) DO UPDATE SET last_id = EXCLUDED.last_id, updated_at = now()"
        ),
        {"phase": phase, "last": json_util.dumps({"v": value})},
    )


def save_rejections(session: Session, rejections: Sequence[Rejection]) -> None:
    if rejections:
        copy_rows(
            session,
            "legacy_rejections",
            ("collection", "source_id", "legacy_id", "code", "reason"),
            ((r.collection, r.source_id[:200], r.legacy_id[:200], r.code, r.reason) for r in rejections),
        )


def lock_users(session: Session, user_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """Lock the users' rows in id order (as `ledger` does, one at a time) and return their (balance, held)."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    rows = session.execute(
        text(
            "SELECT u.id, u.balance, u.held FROM users u JOIN unnest(CAST(:ids AS bigint[])) AS i(id) ON u.id = i.id "
            "ORDER BY u.id FOR UPDATE OF u"
        ),
        {"ids": ids},
    )
    return {int(r.id): (int(r.balance), int(r.held)) for r in rows}


def set_balances(session: Session, balances: dict[int, int]) -> None:
    """Mirror the new ledger sums on `users.balance` (held is untouched: the migration places no holds)."""
    if balances:
        session.execute(
            text(
                "UPDATE users SET balance = d.balance "
                "FROM unnest(CAST(:ids AS bigint[]), CAST(:balances AS bigint[])) AS d(id, balance) "
                "WHERE users.id = d.id"
            ),
            {"ids": list(balances), "balances": list(balances.values())},
        )
        ledger.changed(session, *balances)


def existing(session: Session, sql: str, values: Iterable[str]) -> set[str]:
    """Which of `values` the one-column query `sql` (given them as the text array `:values`) finds."""
    wanted = sorted(set(values))
    if not wanted:
        return set()
    return {str(v) for v in session.execute(text(sql), {"values": wanted}).scalars()}
