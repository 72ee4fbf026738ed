"""The migration's verification report: what the legacy database holds, what Postgres holds, and the difference.

Everything except `run` is recomputed from the two databases (not from what one run remembers), so a resumed
run, a re-run and `--verify-only` all describe the same final state, and a second run's report equals the first's
apart from `run`. `ok` is false when anything is unexplained: a legacy document neither migrated nor rejected, a
user whose legacy ledger rows do not add up to their legacy credits, or a `users.balance` that is not its ledger's
sum.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, computed_field
from sqlalchemy import text
from sqlalchemy.orm import Session

from storage.legacy.balances import expected_balances_sql
from storage.legacy.documents import VALUE_LOST

COLLECTIONS = ("users", "projects", "credit_transactions")
MIGRATED_SQL = {
    "users": "SELECT count(*) FROM legacy_users",
    "projects": "SELECT count(*) FROM projects WHERE legacy_id IS NOT NULL",
    "credit_transactions": "SELECT count(*) FROM credit_transactions WHERE idempotency_key LIKE 'legacy:tx:%'",
}
BalanceStatus = Literal["matches", "adjusted", "no credits field", "negative credits", "mismatch", "mirror broken"]
EXPLAINED: frozenset[str] = frozenset({"matches", "adjusted", "no credits field"})


class CollectionCount(BaseModel):
    collection: str
    source: int
    """Documents in the legacy collection."""
    migrated: int
    """Documents now in Postgres (for users: legacy user documents, merged duplicates included)."""
    rejected: int
    reasons: dict[str, int] = Field(default_factory=dict)
    """Rejected documents per reason code."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def missing(self) -> int:
        """Documents neither migrated nor rejected: unexplained."""
        return self.source - self.migrated - self.rejected


class RejectedDocument(BaseModel):
    collection: str
    id: str
    source_id: str
    code: str
    reason: str


class MergedUser(BaseModel):
    user_id: int
    email: str
    kept: str
    """The legacy id of the first document (by `_id`), whose user the others were merged into."""
    merged: list[str]


class BalanceCheck(BaseModel):
    user_id: int
    legacy_ids: list[str]
    legacy_credits: int | None
    """Σ `credits` of the user's legacy documents (None when none has the field)."""
    expected: int
    """The balance the legacy data says (see `balances.expected_balances_sql`)."""
    transactions: int
    """Σ migrated legacy transactions."""
    adjustments: int
    """Σ adjustment rows the migration booked (covers and reconciliation)."""
    ledger: int
    """Σ the user's legacy ledger rows: must equal `expected`."""
    balance: int
    """users.balance now (differs from `ledger` once the user has used the bot)."""
    status: BalanceStatus

    @property
    def explained(self) -> bool:
        return self.status in EXPLAINED


class RunStats(BaseModel):
    """What this run did, and where its time went; the only part of the report that differs between runs."""

    mode: Literal["migrate", "dry-run", "verify"]
    scanned: dict[str, int] = Field(default_factory=dict)
    """Documents read by a scan that began at the collection's start (a run with no checkpoint yet): the exact
    source count, so the report need not count the collection again (on SecantusDB a count is a full scan)."""
    written: dict[str, int] = Field(default_factory=dict)
    rejected: dict[str, int] = Field(default_factory=dict)
    adjustments: int = 0
    batches: int = 0
    read_seconds: float = 0.0
    """Time the reader thread spent in MongoDB (overlaps the writes)."""
    read_wait_seconds: float = 0.0
    """Time the writer waited for the reader: the part of the MongoDB time that did not overlap."""
    write_seconds: float = 0.0
    """Parsing documents and writing Postgres batches (commit included)."""
    report_seconds: float = 0.0
    seconds: float = 0.0

    @property
    def documents(self) -> int:
        return sum(self.written.values()) + sum(self.rejected.values())


class Report(BaseModel):
    collections: list[CollectionCount]
    messages: int
    """Project messages migrated (embedded in legacy projects, never rejected on their own)."""
    rejected: list[RejectedDocument]
    merged: list[MergedUser]
    balances: list[BalanceCheck]
    problems: list[str]
    run: RunStats

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def orphans(self) -> list[RejectedDocument]:
        """Projects whose owner is not in the legacy users collection."""
        return [r for r in self.rejected if r.collection == "projects" and r.code == "orphan"]

    def collection(self, name: str) -> CollectionCount:
        return next(c for c in self.collections if c.collection == name)

    def skipped(self, name: str) -> int:
        """Documents already in Postgres before this run."""
        return self.collection(name).migrated - self.run.written.get(name, 0)

    def render(self) -> str:
        """The report as a plain-text table for a terminal or a ticket."""
        return "\n".join(_render(self)) + "\n"


def build_report(session: Session, source: Any, run: RunStats) -> Report:
    """The report for the legacy database `source` (a pymongo Database) and Postgres as `session` sees it."""
    collections = [_count(session, source, name, run.scanned.get(name)) for name in COLLECTIONS]
    rejected = [
        RejectedDocument(collection=r.collection, id=r.legacy_id, source_id=r.source_id, code=r.code, reason=r.reason)
        for r in session.execute(
            text(
                "SELECT collection, legacy_id, source_id, code, reason FROM legacy_rejections "
                "ORDER BY collection, source_id"
            )
        )
    ]
    balances = _balances(session)
    report = Report(
        collections=collections,
        messages=int(
            session.execute(
                text(
                    "SELECT count(*) FROM project_messages m JOIN projects p ON p.id = m.project_id "
                    "WHERE p.legacy_id IS NOT NULL AND m.platform = 'legacy'"
                )
            ).scalar_one()
        ),  # fmt: skip
        rejected=rejected,
        merged=_merged(session),
        balances=balances,
        problems=_problems(collections, balances),
        run=run,
    )
    return report


def _count(session: Session, source: Any, name: str, scanned: int | None) -> CollectionCount:
    reasons = {
        str(code): int(n)
        for code, n in session.execute(
            text("SELECT code, count(*) FROM legacy_rejections WHERE collection = :c GROUP BY code ORDER BY code"),
            {"c": name},
        )
    }
    return CollectionCount(
        collection=name,
        source=scanned if scanned is not None else int(source[name].count_documents({})),
        migrated=int(session.execute(text(MIGRATED_SQL[name])).scalar_one()),
        rejected=sum(reasons.values()),
        reasons=reasons,
    )


def _merged(session: Session) -> list[MergedUser]:
    rows = session.execute(
        text(
            "SELECT user_id, min(email) AS email, array_agg(legacy_id ORDER BY merged, source_id) AS ids "
            "FROM legacy_users GROUP BY user_id HAVING count(*) > 1 ORDER BY user_id"
        )
    )
    return [MergedUser(user_id=r.user_id, email=r.email or "", kept=r.ids[0], merged=list(r.ids[1:])) for r in rows]


BALANCES_SQL = f"""
WITH expected AS ({expected_balances_sql()}
), booked AS (
    SELECT user_id,
           sum(amount) FILTER (WHERE idempotency_key LIKE 'legacy:%') AS legacy,
           sum(amount) FILTER (WHERE idempotency_key LIKE 'legacy:cover:%'
                                  OR idempotency_key LIKE 'legacy:adjust:%') AS adjustments,
           sum(amount) AS total
    FROM credit_transactions GROUP BY user_id
)
SELECT e.*, coalesce(b.legacy, 0) AS legacy, coalesce(b.adjustments, 0) AS adjustments,
       coalesce(b.total, 0) AS total, u.balance
FROM expected e JOIN users u ON u.id = e.user_id LEFT JOIN booked b ON b.user_id = e.user_id
ORDER BY e.user_id
"""


def _balances(session: Session) -> list[BalanceCheck]:
    checks = []
    for r in session.execute(text(BALANCES_SQL)):
        if int(r.legacy) != int(r.expected):
            status: BalanceStatus = "mismatch"
        elif int(r.total) != int(r.balance):
            status = "mirror broken"
        elif r.negative:
            status = "negative credits"
        elif r.missing:
            status = "no credits field"
        elif int(r.adjustments):
            status = "adjusted"
        else:
            status = "matches"
        checks.append(
            BalanceCheck(
                user_id=r.user_id,
                legacy_ids=list(r.legacy_ids),
                legacy_credits=None if r.credits is None else int(r.credits),
                expected=int(r.expected),
                transactions=int(r.transactions),
                adjustments=int(r.adjustments),
                ledger=int(r.legacy),
                balance=int(r.balance),
                status=status,
            )
        )
    return checks


def _problems(collections: list[CollectionCount], balances: list[BalanceCheck]) -> list[str]:
    users = next((c for c in collections if c.collection == "users"), None)
    lost = [
        f"users {code}: {n} document(s) with credits that could not be migrated (listed under rejected)"
        for code, n in (users.reasons.items() if users else ())
        if code in VALUE_LOST
    ]
    problems = lost + [
        f"{c.collection}: {c.missing} document(s) neither migrated nor rejected"
        if c.missing > 0
        else f"{c.collection}: {-c.missing} more row(s) in Postgres than documents in MongoDB"
        for c in collections
        if c.missing != 0
    ]
    for check in balances:
        if not check.explained:
            problems.append(
                f"user {check.user_id} ({', '.join(check.legacy_ids)}): {check.status}, legacy balance "
                f"{check.expected}, legacy ledger rows {check.ledger}, users.balance {check.balance}"
            )
    return problems


# --- rendering ------------------------------------------------------------------------------------------------


def _table(header: tuple[str, ...], rows: list[tuple[object, ...]]) -> list[str]:
    cells = [header, *[tuple(str(c) for c in row) for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    return ["  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]


def _render(report: Report) -> list[str]:
    run = report.run
    lines = [f"Legacy migration report ({run.mode})", ""]
    lines += _table(
        ("collection", "source", "migrated", "written", "skipped", "rejected", "missing"),
        [
            (c.collection, c.source, c.migrated, run.written.get(c.collection, 0), report.skipped(c.collection),
             c.rejected, c.missing)
            for c in report.collections
        ],
    )  # fmt: skip
    lines.append(f"  project messages migrated: {report.messages}")
    if run.mode != "verify":
        rate = run.documents / run.seconds if run.seconds else 0.0
        lines.append(
            f"  this run: {run.documents} documents in {run.seconds:.1f} s ({rate:,.0f} docs/s; MongoDB reads "
            f"{run.read_seconds:.1f} s of which {run.read_wait_seconds:.1f} s not overlapped, Postgres writes "
            f"{run.write_seconds:.1f} s, report {run.report_seconds:.1f} s)"
        )
    lines += ["", f"Rejected documents ({len(report.rejected)}):"]
    for c in report.collections:
        for code, n in c.reasons.items():
            lines.append(f"  {c.collection} {code}: {n}")
    if report.rejected:
        lines += _table(("collection", "id", "reason"), [(r.collection, r.id, r.reason) for r in report.rejected])
    lines += ["", f"Orphan projects (owner deleted): {len(report.orphans)}"]
    lines += ["", f"Duplicate users merged (same email, any case): {len(report.merged)}"]
    if report.merged:
        lines += _table(
            ("user", "email", "kept", "merged"),
            [(m.user_id, m.email, m.kept, ", ".join(m.merged)) for m in report.merged],
        )
    lines += ["", *_render_balances(report.balances)]
    lines += ["", "Result: OK" if report.ok else f"Result: NOT OK ({len(report.problems)} unexplained)"]
    lines += [f"  - {p}" for p in report.problems]
    return lines


def _render_balances(balances: list[BalanceCheck]) -> list[str]:
    by_status: dict[str, int] = {}
    for check in balances:
        by_status[check.status] = by_status.get(check.status, 0) + 1
    summary = ", ".join(f"{n} {status}" for status, n in sorted(by_status.items())) or "none"
    lines = [f"Balances: {len(balances)} users checked against legacy credits: {summary}"]
    shown = [c for c in balances if c.status != "matches"]
    if shown:
        lines += _table(
            ("user", "legacy ids", "credits", "transactions", "adjustments", "ledger", "status"),
            [
                (c.user_id, ", ".join(c.legacy_ids), "-" if c.legacy_credits is None else c.legacy_credits,
                 c.transactions, c.adjustments, c.ledger, c.status)
                for c in shown
            ],
        )  # fmt: skip
    return lines
