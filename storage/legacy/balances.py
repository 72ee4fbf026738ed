"""Reconciliation: make each migrated user's ledger end at exactly the balance the legacy data says.

The rule (docs/MIGRATION.md, "Balances"): each legacy user document contributes its `credits`, or, without that
field, the total of its own migrated transactions. Transactions and their cover rows are booked by
`phases`; here, once they are all in, one adjustment per user books whatever difference is left.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from storage.legacy.phases import BatchResult
from storage.legacy.writer import ACTOR, LEDGER_COLUMNS, copy_rows, lock_users, set_balances


def expected_balances_sql() -> str:
    """Per migrated user: the balance the legacy data says, and its parts (for the report).

    Each legacy user document contributes its `credits`; a document without that field contributes the total of
    its migrated transactions (ledger rows `legacy:tx:*` whose reference names it), never below zero since a
    balance cannot be negative.
    """
    return """
    WITH tx AS (
        SELECT reference, sum(amount) AS total FROM credit_transactions
        WHERE idempotency_key LIKE 'legacy:tx:%' GROUP BY reference
    )
    SELECT lu.user_id,
           array_agg(lu.legacy_id ORDER BY lu.merged, lu.source_id) AS legacy_ids,
           sum(lu.credits) AS credits,
           bool_or(lu.credits IS NULL) AS missing,
           bool_or(lu.credits < 0) AS negative,
           coalesce(sum(tx.total), 0) AS transactions,
           sum(CASE WHEN lu.credits IS NULL THEN GREATEST(coalesce(tx.total, 0), 0)
                    ELSE GREATEST(lu.credits, 0) END) AS expected
    FROM legacy_users lu LEFT JOIN tx ON tx.reference = 'legacy:users:' || lu.legacy_id
    GROUP BY lu.user_id
    """


@dataclass(frozen=True, slots=True)
class Difference:
    """A migrated user whose legacy ledger rows do not (yet) add up to their legacy balance."""

    user_id: int
    legacy_id: str
    legacy_ids: list[str]
    expected: int
    booked: int
    adjustments: int
    """Reconciliation adjustments already booked for this user (numbers the next one's key)."""


def differences(session: Session) -> list[Difference]:
    """Every migrated user whose legacy rows (transactions, covers, adjustments) differ from the legacy balance.

    One pass over the ledger instead of one per batch of users. Only the migration writes `legacy:` rows and it
    holds its advisory lock throughout, so the sums cannot change before `adjust` books them.
    """
    rows = session.execute(
        text(
            f"WITH expected AS ({expected_balances_sql()}), "
            "booked AS (SELECT user_id, sum(amount) AS booked, "
            "   count(*) FILTER (WHERE idempotency_key LIKE 'legacy:adjust:%') AS adjustments "
            "   FROM credit_transactions WHERE idempotency_key LIKE 'legacy:%' GROUP BY user_id) "
            "SELECT e.user_id, u.legacy_id, e.legacy_ids, e.expected, coalesce(b.booked, 0) AS booked, "
            "   coalesce(b.adjustments, 0) AS adjustments "
            "FROM expected e JOIN users u ON u.id = e.user_id LEFT JOIN booked b ON b.user_id = e.user_id "
            "WHERE e.expected <> coalesce(b.booked, 0) ORDER BY e.user_id"
        )
    )
    return [
        Difference(
            int(r.user_id), str(r.legacy_id), list(r.legacy_ids), int(r.expected), int(r.booked), int(r.adjustments)
        )
        for r in rows
    ]


def adjust(session: Session, differences: Sequence[Difference]) -> BatchResult:
    """Book the adjustment that brings each user's legacy ledger rows to their legacy balance.

    Re-running the migration books nothing more: the difference is then zero. The key is numbered, so if the
    legacy data changed and a later run needs a second adjustment, it is a new row beside the first.
    """
    balances = lock_users(session, (d.user_id for d in differences))
    rows: list[tuple[Any, ...]] = []
    for d in differences:
        balance, held = balances[d.user_id]
        diff = d.expected - d.booked
        if balance + diff < held:
            continue  # open holds forbid it: the report shows the mismatch
        balances[d.user_id] = (balance + diff, held)
        key = f"legacy:adjust:{d.legacy_id}:{d.adjustments + 1}"
        note = f"legacy balance {d.expected}, legacy ledger rows so far {d.booked}"
        reference = ("legacy:users:" + ",".join(d.legacy_ids))[:200]
        rows.append((d.user_id, "adjustment", diff, 0, balance + diff, held, reference, key, ACTOR, note))
    copy_rows(session, "credit_transactions", LEDGER_COLUMNS[:-1], rows)
    set_balances(session, {row[0]: row[4] for row in rows})
    return BatchResult(written=len(rows), rejected=0)
