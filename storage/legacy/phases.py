"""One batch of each migration phase: legacy documents in, Postgres rows out, inside the caller's transaction.

Each function is given the documents in `_id` order and only documents no earlier batch has seen (the caller
resumes after the phase's checkpoint, which commits with the batch). So a legacy id that is already in Postgres
belongs to another document: that document is rejected as a duplicate, never skipped or written twice.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.orm import Session

from storage.legacy.documents import (
    MAX_CREDITS,
    LegacyProjectDoc,
    LegacyTransactionDoc,
    LegacyUserDoc,
    Refused,
    legacy_id,
    parse_project,
    parse_transaction,
    parse_user,
    source_id,
)
from storage.legacy.writer import (
    ACTOR,
    LEDGER_COLUMNS,
    Rejection,
    allocate_ids,
    copy_rows,
    existing,
    lock_users,
    save_rejections,
    set_balances,
)
from storage.models import new_preview_token

Doc = TypeVar("Doc", LegacyUserDoc, LegacyProjectDoc, LegacyTransactionDoc)


@dataclass(frozen=True, slots=True)
class BatchResult:
    written: int
    rejected: int


def _parse(
    collection: str, docs: Sequence[dict[str, Any]], parse: Callable[[dict[str, Any], datetime], Doc], now: datetime
) -> tuple[list[Doc], list[Rejection]]:
    parsed: list[Doc] = []
    rejected: list[Rejection] = []
    for doc in docs:
        try:
            parsed.append(parse(doc, now))
        except Refused as refused:
            rejected.append(_rejection(collection, doc, refused.code, refused.reason))
    return parsed, rejected


def _rejection(collection: str, doc: dict[str, Any], code: str, reason: str) -> Rejection:
    try:
        shown = legacy_id(doc)
    except Refused:
        shown = source_id(doc["_id"])
    return Rejection(collection, source_id(doc["_id"]), shown, code, reason)


def _duplicate(collection: str, doc: LegacyUserDoc | LegacyProjectDoc | LegacyTransactionDoc) -> Rejection:
    reason = f"id {doc.legacy_id} was already migrated from another document"
    return Rejection(collection, doc.source_id, doc.legacy_id, "duplicate_id", reason)


# --- users --------------------------------------------------------------------------------------------------


def migrate_users(session: Session, docs: Sequence[dict[str, Any]], run: RunContext) -> BatchResult:
    """New users, one per distinct email (case-insensitive); a later document with a known email is merged."""
    parsed, rejected = _parse("users", docs, parse_user, run.now)
    keys = [k for u in parsed for k in (u.legacy_id, u.source_id)]
    taken = existing(
        session,
        "SELECT v.value FROM unnest(CAST(:values AS text[])) AS v(value) WHERE "
        "EXISTS (SELECT 1 FROM legacy_users WHERE legacy_id = v.value) OR "
        "EXISTS (SELECT 1 FROM legacy_users WHERE source_id = v.value)",
        keys,
    )
    # email → the user (already in Postgres) or the document (earlier in this batch) it was first seen on
    first: dict[str, int | LegacyUserDoc] = dict(_users_by_email(session, [u.email for u in parsed if u.email]))
    accepted: list[tuple[LegacyUserDoc, int | LegacyUserDoc]] = []
    for user in parsed:
        if {user.legacy_id, user.source_id} & taken:
            rejected.append(_duplicate("users", user))
            continue
        taken |= {user.legacy_id, user.source_id}
        owner = first.get(user.email) if user.email else None
        if owner is None and user.email:
            first[user.email] = user
        accepted.append((user, owner if owner is not None else user))
    accepted = _within_merged_cap(session, accepted, rejected)
    new = [user for user, owner in accepted if owner is user]
    ids = {user.legacy_id: i for user, i in zip(new, allocate_ids(session, "users", len(new)), strict=True)}
    copy_rows(
        session,
        "users",
        ("id", "display_name", "email", "balance", "held", "legacy_id", "created_at"),
        ((ids[u.legacy_id], u.name, u.display_email, 0, 0, u.legacy_id, u.created_at) for u in new),
    )
    copy_rows(
        session,
        "legacy_users",
        ("legacy_id", "source_id", "user_id", "email", "credits", "merged"),
        (
            (u.legacy_id, u.source_id, o if isinstance(o, int) else ids[o.legacy_id], u.email, u.credits, o is not u)
            for u, o in accepted
        ),
    )
    save_rejections(session, rejected)
    return BatchResult(written=len(accepted), rejected=len(rejected))


def _within_merged_cap(
    session: Session, accepted: list[tuple[LegacyUserDoc, int | LegacyUserDoc]], rejected: list[Rejection]
) -> list[tuple[LegacyUserDoc, int | LegacyUserDoc]]:
    """The accepted documents whose credits keep their user's merged total within MAX_CREDITS; a document that
    would take it past is rejected (`credits_too_large`), and the report is then not OK."""
    existing_ids = sorted({o for _, o in accepted if isinstance(o, int)})
    totals: dict[int | str, int] = {}
    if existing_ids:
        totals.update(
            (int(r.user_id), int(r.total))
            for r in session.execute(
                text(
                    "SELECT user_id, coalesce(sum(credits), 0) AS total FROM legacy_users "
                    "WHERE user_id = ANY(:ids) GROUP BY user_id"
                ),
                {"ids": existing_ids},
            )
        )
    kept = []
    for user, owner in accepted:
        key = owner if isinstance(owner, int) else owner.legacy_id
        total = totals.get(key, 0) + (user.credits or 0)
        if total > MAX_CREDITS:
            reason = (
                f"credits {user.credits:,} would bring the merged user's total to {total:,}, beyond {MAX_CREDITS:,}"
            )
            rejected.append(Rejection("users", user.source_id, user.legacy_id, "credits_too_large", reason))
            continue
        totals[key] = total
        kept.append((user, owner))
    return kept


def _users_by_email(session: Session, emails: list[str]) -> Iterable[tuple[str, int]]:
    if not emails:
        return []
    rows = session.execute(
        text(
            "SELECT DISTINCT lu.email, lu.user_id FROM unnest(CAST(:emails AS text[])) AS e(email) "
            "JOIN legacy_users lu ON lu.email = e.email"
        ),
        {"emails": emails},
    )
    return [(str(r.email), int(r.user_id)) for r in rows]


# --- owners of projects and transactions ----------------------------------------------------------------------


class Owners:
    """Legacy user reference (a user's `id` or `_id`) → (user id, that legacy user's id), remembered for the run.

    Remembering is safe: every user document is migrated before the first project or transaction is read, and
    the migration's advisory lock keeps other runs out, so the answer for a reference cannot change mid-run. It
    saves a query per batch once the references have been seen.
    """

    def __init__(self) -> None:
        self.found: dict[str, tuple[int, str]] = {}
        self.missing: dict[str, str | None] = {}
        """Reference → why its user document was rejected, or None when there is no such document."""

    def resolve(self, session: Session, refs: Iterable[str]) -> None:
        unknown = sorted({r for r in refs if r not in self.found and r not in self.missing})
        if not unknown:
            return
        # A join against the unnested references, not `= ANY(...)`: on a freshly loaded table without
        # statistics the planner may scan it and test every row against every array element.
        for r in session.execute(
            text(
                "SELECT r.ref, lu.legacy_id, lu.user_id FROM unnest(CAST(:refs AS text[])) AS r(ref) "
                "JOIN legacy_users lu ON lu.legacy_id = r.ref "
                "UNION ALL "
                "SELECT r.ref, lu.legacy_id, lu.user_id FROM unnest(CAST(:refs AS text[])) AS r(ref) "
                "JOIN legacy_users lu ON lu.source_id = r.ref"
            ),
            {"refs": unknown},
        ):
            self.found[str(r.ref)] = (int(r.user_id), str(r.legacy_id))
        absent = [r for r in unknown if r not in self.found]
        self.missing.update(dict.fromkeys(absent))
        if absent:
            for r in session.execute(
                text(
                    "SELECT legacy_id, source_id, reason FROM legacy_rejections WHERE collection = 'users' "
                    "AND (legacy_id = ANY(:refs) OR source_id = ANY(:refs))"
                ),
                {"refs": absent},
            ):  # rejected users are few: this stays small
                for ref in (str(r.legacy_id), str(r.source_id)):
                    if ref in self.missing:
                        self.missing[ref] = str(r.reason)

    def rejection(self, collection: str, doc: LegacyProjectDoc | LegacyTransactionDoc, ref: str) -> Rejection:
        """Why `doc`, whose user `ref` was not found, is refused."""
        reason = self.missing.get(ref)
        if reason is not None:
            code, why = "user_rejected", f"user {ref} was rejected: {reason}"
        elif collection == "projects":
            code, why = "orphan", f"owner {ref} is not in the legacy users collection (deleted user)"
        else:
            code, why = "unknown_user", f"user {ref} is not in the legacy users collection"
        return Rejection(collection, doc.source_id, doc.legacy_id, code, why)


@dataclass
class RunContext:
    """What every batch of one run shares."""

    now: datetime
    """The run's start: the created_at of a document with neither a date nor an ObjectId."""
    owners: Owners = field(default_factory=Owners)
    fresh: set[str] = field(default_factory=set)
    """Collections this run reads from their start (no checkpoint yet): no batch of theirs ever committed, so
    nothing of theirs was in Postgres before this run."""
    written: dict[str, set[str]] = field(default_factory=dict)
    """Per collection, the ids this run has written so far."""

    def already_written(self, session: Session, collection: str, ids: Iterable[str], sql: str) -> set[str]:
        """Which of `ids` are already in Postgres. For a fresh collection this run's own memory answers; otherwise
        the query `sql` (given the ids as `:values`) asks Postgres too."""
        mine = self.written.setdefault(collection, set())
        wanted = set(ids)
        found = wanted & mine
        return found if collection in self.fresh else found | existing(session, sql, wanted)


# --- projects -------------------------------------------------------------------------------------------------


def migrate_projects(session: Session, docs: Sequence[dict[str, Any]], run: RunContext) -> BatchResult:
    """Each project with one `legacy` version (its generated site in `spec`) and its embedded chat as messages."""
    parsed, rejected = _parse("projects", docs, parse_project, run.now)
    taken = run.already_written(
        session,
        "projects",
        (p.legacy_id for p in parsed),
        "SELECT p.legacy_id FROM unnest(CAST(:values AS text[])) AS v(value) JOIN projects p ON p.legacy_id = v.value",
    )
    run.owners.resolve(session, (p.owner_ref for p in parsed))
    accepted: list[tuple[LegacyProjectDoc, int]] = []
    for project in parsed:
        if project.legacy_id in taken:
            rejected.append(_duplicate("projects", project))
        elif project.owner_ref not in run.owners.found:
            rejected.append(run.owners.rejection("projects", project, project.owner_ref))
        else:
            accepted.append((project, run.owners.found[project.owner_ref][0]))
            taken.add(project.legacy_id)
            run.written["projects"].add(project.legacy_id)
    _write_projects(session, accepted)
    save_rejections(session, rejected)
    return BatchResult(written=len(accepted), rejected=len(rejected))


def _write_projects(session: Session, accepted: list[tuple[LegacyProjectDoc, int]]) -> None:
    """Projects get their ids first (versions and messages point at them); versions and messages take theirs
    from the column default as COPY writes them, in order."""
    rows = list(zip(accepted, allocate_ids(session, "projects", len(accepted)), strict=True))
    copy_rows(
        session,
        "projects",
        ("id", "owner_id", "platform", "team_id", "name", "prompt", "current_version", "legacy_id", "created_at",
         "updated_at", "preview_token"),
        (
            (pid, owner, "legacy", "", p.name, p.prompt, 1 if p.status == "succeeded" else None, p.legacy_id,
             p.created_at, p.updated_at, new_preview_token())
            for (p, owner), pid in rows
        ),
    )  # fmt: skip
    copy_rows(
        session,
        "project_versions",
        ("project_id", "number", "kind", "instruction", "status", "request_key", "step", "progress", "error",
         "spec", "created_at", "finished_at"),
        (
            (pid, 1, "legacy", "", p.status, f"legacy:{p.legacy_id}", "migrated",
             100 if p.status == "succeeded" else 0, None if p.status == "succeeded" else _status_note(p),
             json.dumps(p.spec), p.created_at, p.updated_at)
            for (p, _), pid in rows
        ),
    )  # fmt: skip
    copy_rows(
        session,
        "project_messages",
        ("project_id", "user_id", "role", "platform", "channel_id", "thread_id", "text", "created_at"),
        (
            (pid, owner if m.role == "user" else None, m.role, "legacy", "", "", m.text, m.created_at)
            for (p, owner), pid in rows
            for m in p.messages
        ),
    )  # fmt: skip


def _status_note(project: LegacyProjectDoc) -> str:
    return f"legacy status: {project.spec['legacy']['status'] or 'none'}"


# --- credit transactions --------------------------------------------------------------------------------------


def migrate_transactions(session: Session, docs: Sequence[dict[str, Any]], run: RunContext) -> BatchResult:
    """Ledger rows in legacy `_id` order. When a legacy debit would take a balance below zero (history the legacy
    app lost), an `adjustment` row just before it covers the shortfall; the final reconciliation takes it back
    out if the legacy `credits` say so."""
    parsed, rejected = _parse("credit_transactions", docs, parse_transaction, run.now)
    taken = run.already_written(
        session,
        "credit_transactions",
        (f"legacy:tx:{t.legacy_id}" for t in parsed),
        "SELECT c.idempotency_key FROM unnest(CAST(:values AS text[])) AS v(value) "
        "JOIN credit_transactions c ON c.idempotency_key = v.value",
    )
    run.owners.resolve(session, (t.user_ref for t in parsed))
    accepted: list[LegacyTransactionDoc] = []
    for tx in parsed:
        key = f"legacy:tx:{tx.legacy_id}"
        if key in taken:
            rejected.append(_duplicate("credit_transactions", tx))
        elif tx.user_ref not in run.owners.found:
            rejected.append(run.owners.rejection("credit_transactions", tx, tx.user_ref))
        else:
            accepted.append(tx)
            taken.add(key)
            run.written["credit_transactions"].add(key)
    _book(session, accepted, run.owners.found)
    save_rejections(session, rejected)
    return BatchResult(written=len(accepted), rejected=len(rejected))


def _book(session: Session, accepted: list[LegacyTransactionDoc], owners: dict[str, tuple[int, str]]) -> None:
    """Ledger rows for `accepted`, each user's running balance carried on from `users.balance` under its lock.
    A row's reference names the legacy user document the transaction belonged to (merged users have several)."""
    balances = lock_users(session, (owners[t.user_ref][0] for t in accepted))
    rows: list[tuple[Any, ...]] = []
    for tx in accepted:
        user_id, legacy_user = owners[tx.user_ref]
        balance, held = balances[user_id]
        reference = f"legacy:users:{legacy_user}"
        if balance + tx.amount < held:
            cover = held - balance - tx.amount
            balance += cover
            note = f"legacy history goes below zero here: covers transaction {tx.legacy_id}"
            cover_key = f"legacy:cover:{tx.legacy_id}"
            rows.append((user_id, "adjustment", cover, balance, held, reference, cover_key, note, tx.created_at))
        balance += tx.amount
        rows.append(
            (user_id, tx.type, tx.amount, balance, held, reference, f"legacy:tx:{tx.legacy_id}", tx.note, tx.created_at)
        )
        balances[user_id] = (balance, held)
    copy_rows(
        session,
        "credit_transactions",
        LEDGER_COLUMNS,
        (
            (u, type_, amount, 0, bal, held, ref, key, ACTOR, note, at)
            for u, type_, amount, bal, held, ref, key, note, at in rows
        ),
    )  # ids from the column default, in row order: the ledger's order is the order written here
    set_balances(session, {u: b for u, (b, _) in balances.items()})
