"""Messy legacy AutoWebIQ data, generated into a MongoDB database from a seed, with the answers worked out here.

Covers every mess the migration must survive: users with a UUID `id` or only an ObjectId `_id`, emails that
differ only in case, created_at as ISO text (with or without zone), a date, epoch milliseconds, garbage or
missing; missing names, emails and credits; credits given as text; `credits` that disagree with the transaction
sum; users whose history dips below zero; projects of deleted users or of none; HTML, file lists or nothing;
embedded messages with mixed timestamps and a stray non-document entry; transactions of unknown users, of no
user, with a zero, non-numeric or textual amount, an unknown or missing type, and one duplicated `id`.

`LegacyTruth` is computed from the generated documents alone, independently of the migration's code, so the
tests compare the migration against it. `snapshot`, `state` and `balance_of_legacy` read what a run wrote.
"""

from __future__ import annotations

import random
import struct
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId
from sqlalchemy import select, text

from storage.db import Database
from storage.models import User

EPOCH = datetime(2022, 1, 1, tzinfo=UTC)


@dataclass
class LegacyTruth:
    inserted: dict[str, int]
    rejected: dict[str, dict[str, str]]
    """collection → `_id` (as text) → reason code."""
    balances: dict[str, int]
    """Canonical legacy user id (first of its email) → the balance its migrated user must end with."""
    owner: dict[str, str]
    """Every legacy user id → the canonical legacy id it was merged into (itself when not merged)."""
    merged: dict[str, list[str]]
    """Canonical legacy id → the legacy ids merged into it."""
    emails: dict[str, str]
    """Canonical legacy id → its email as stored."""
    messages: int
    negative_history: set[str] = field(default_factory=set)
    """Legacy user ids whose transactions, in `_id` order, go below zero at some point."""

    def migrated(self, collection: str) -> int:
        return self.inserted[collection] - len(self.rejected[collection])


class _Ids:
    """Increasing ObjectIds from a counter, so `_id` order is creation order and identical for a seed."""

    def __init__(self, seed: int) -> None:
        self.n = seed * 1_000_000

    def next(self) -> ObjectId:
        self.n += 1
        return ObjectId(struct.pack(">IQ", int(EPOCH.timestamp()) + self.n % 10_000_000, self.n))


def _when(rng: random.Random, base: datetime) -> Any:
    at = base + timedelta(minutes=rng.randint(0, 500_000))
    shape = rng.randrange(8)
    return [
        at.isoformat().replace("+00:00", "Z"),
        at.astimezone().isoformat(),
        at.replace(tzinfo=None).isoformat(),
        at.date().isoformat(),
        at,
        None,
        "yesterday-ish",
        int(at.timestamp() * 1000),
    ][shape]


def _vary_case(rng: random.Random, email: str) -> str:
    variants = [email.upper(), email.title(), email.capitalize(), " " + email.swapcase() + " "]
    return rng.choice([v for v in variants if v.strip() != email] or [email.upper()])


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


@dataclass
class _User:
    doc: dict[str, Any]
    key: str
    refs: list[Any]


def _users(rng: random.Random, ids: _Ids, count: int) -> tuple[list[_User], dict[str, str]]:
    users: list[_User] = []
    canonical: dict[str, str] = {}
    first_by_email: dict[str, str] = {}
    for i in range(count):
        oid = ids.next()
        doc: dict[str, Any] = {"_id": oid}
        if rng.random() < 0.5:
            doc["id"] = _uuid(rng)
        key = doc.get("id", str(oid))
        with_email = [u for u in users if isinstance(u.doc.get("email"), str)]
        roll = rng.random()
        if roll < 0.08 and with_email:
            doc["email"] = _vary_case(rng, rng.choice(with_email).doc["email"])
        elif roll > 0.05:
            doc["email"] = f"Person{i}@Example.com" if i % 3 == 0 else f"person{i}@example.com"
        if rng.random() > 0.1:
            doc["name"] = f"Person {i}"
        if (created := _when(rng, EPOCH)) is not None:
            doc["created_at"] = created
        norm = doc["email"].strip().lower() if "email" in doc else None
        canonical[key] = first_by_email.setdefault(norm, key) if norm else key
        refs: list[Any] = [doc["id"]] if "id" in doc else [oid, str(oid)]
        users.append(_User(doc, key, refs))
    return users, canonical


def _amount(rng: random.Random) -> tuple[Any, str | None, int | None]:
    """(stored amount, type, the integer it means or None when unusable)."""
    roll = rng.random()
    if roll < 0.03:
        return 0, "usage", 0
    if roll < 0.05:
        return "ten", "purchase", None
    kind = rng.choice(["purchase", "signup_bonus", "usage", "usage", "usage", "refund", "admin", None])
    value = {
        "purchase": rng.choice([100, 250, 500]),
        "signup_bonus": 50,
        "refund": rng.randint(5, 30),
        "admin": rng.randint(-20, 40) or 7,
        None: rng.randint(1, 20),
    }.get(kind, -rng.randint(5, 40))
    stored: Any = value
    if rng.random() < 0.05:
        stored = str(value)
    elif rng.random() < 0.05:
        stored = float(value)
    return stored, kind, value


def _transactions(rng: random.Random, ids: _Ids, count: int, users: list[_User], ghosts: list[str], truth: LegacyTruth):
    """Transactions in `_id` order; the first takes user 0 below zero, #40 reuses the `id` of #10."""
    docs: list[dict[str, Any]] = []
    sums: dict[str, int] = defaultdict(int)
    running: dict[str, int] = defaultdict(int)
    rejected = truth.rejected["credit_transactions"]
    forced = {0: (-30, "usage", -30), 10: (100, "purchase", 100), 40: (100, "purchase", 100)}
    for k in range(count):
        doc: dict[str, Any] = {"_id": ids.next()}
        if rng.random() < 0.7 or k in forced:
            doc["id"] = docs[10]["id"] if k == 40 else _uuid(rng)
        user = users[0] if k == 0 else rng.choice(users)
        roll = 1.0 if k in forced else rng.random()
        stored, kind, value = forced[k] if k in forced else _amount(rng)
        doc["amount"] = stored
        if kind is not None:
            doc["type"] = kind
        doc["description"] = f"{kind or 'credits'} #{k}"
        if (created := _when(rng, EPOCH)) is not None:
            doc["created_at"] = created
        if roll >= 0.02:
            doc["user_id"] = rng.choice(ghosts) if roll < 0.09 else rng.choice(user.refs)
        docs.append(doc)
        # The migration's order of checks: no user, unusable amount, duplicate id, unknown user.
        source = str(doc["_id"])
        if roll < 0.02:
            rejected[source] = "no_user"
        elif value is None:
            rejected[source] = "bad_amount"
        elif value == 0:
            rejected[source] = "zero_amount"
        elif k == 40:
            rejected[source] = "duplicate_id"
        elif roll < 0.09:
            rejected[source] = "unknown_user"
        else:
            sums[user.key] += value
            running[user.key] += value
            if running[user.key] < 0:
                truth.negative_history.add(user.key)
    return docs, sums


def _messages(rng: random.Random) -> list[Any]:
    messages: list[Any] = [
        {"role": rng.choice(["user", "assistant"]), "content": f"message {j}", "timestamp": _when(rng, EPOCH)}
        for j in range(rng.randint(0, 5))
    ]
    if rng.random() < 0.03:
        messages.append("stray text entry")
    return messages


def _projects(rng: random.Random, ids: _Ids, count: int, users: list[_User], ghosts: list[str], html: int, truth):
    docs: list[dict[str, Any]] = []
    for k in range(count):
        doc: dict[str, Any] = {"_id": ids.next()}
        if rng.random() < 0.8:
            doc["id"] = _uuid(rng)
        key = str(doc["_id"])
        roll = rng.random()
        if roll < 0.02:
            truth.rejected["projects"][key] = "no_owner"
        elif roll < 0.1:
            doc["user_id"] = rng.choice(ghosts)
            truth.rejected["projects"][key] = "orphan"
        else:
            doc["user_id"] = rng.choice(rng.choice(users).refs)
        if rng.random() > 0.05:
            doc["name"] = f"Site {k}"
        if rng.random() > 0.05:
            doc["prompt"] = f"a website for shop number {k}"
        doc["status"] = rng.choice(["completed", "generating", "failed", "draft", "published", None])
        shape = rng.random()
        if shape < 0.5:
            doc["generated_html"] = "<html><body>" + "x" * html + "</body></html>"
        elif shape < 0.8:
            doc["files"] = [{"path": "index.html", "content": "<h1>hi</h1>"}, {"path": "style.css", "content": "h1{}"}]
        for field_name in ("created_at", "updated_at"):
            if (at := _when(rng, EPOCH)) is not None:
                doc[field_name] = at
        if rng.random() > 0.1:
            doc["messages"] = _messages(rng)
            if key not in truth.rejected["projects"]:
                truth.messages += len(doc["messages"])
        docs.append(doc)
    return docs


def _credits(rng: random.Random, users: list[_User], sums: dict[str, int], truth: LegacyTruth) -> None:
    """Set each user's `credits` (agreeing with the history, disagreeing, textual or missing) and the balance
    its canonical user must reach."""
    for user in users:
        history = sums.get(user.key, 0)
        roll = rng.random()
        if roll < 0.05:
            expected = max(history, 0)  # no credits field: the history is all there is
        else:
            credits = max(history, 0) if roll < 0.7 else max(0, history + rng.randint(-60, 90))
            user.doc["credits"] = str(credits) if rng.random() < 0.05 else credits
            expected = credits
        canonical = truth.owner[user.key]
        truth.balances[canonical] = truth.balances.get(canonical, 0) + expected


def generate(
    db: Any, *, users: int = 60, projects: int = 150, transactions: int = 400, seed: int = 7, html: int = 200
) -> LegacyTruth:
    """Fill the pymongo database `db` with legacy `users`, `projects` and `credit_transactions`."""
    rng = random.Random(seed)
    ids = _Ids(seed)
    people, canonical = _users(rng, ids, users)
    ghosts = [_uuid(rng) for _ in range(max(2, users // 10))] + [str(ids.next()) for _ in range(2)]
    truth = LegacyTruth(
        inserted={"users": users, "projects": projects, "credit_transactions": transactions},
        rejected={"users": {}, "projects": {}, "credit_transactions": {}},
        balances={},
        owner=canonical,
        merged=defaultdict(list),
        emails={u.key: u.doc.get("email", "") for u in people if canonical[u.key] == u.key},
        messages=0,
    )
    for key, first in canonical.items():
        if key != first:
            truth.merged[first].append(key)
    tx_docs, sums = _transactions(rng, ids, transactions, people, ghosts, truth)
    project_docs = _projects(rng, ids, projects, people, ghosts, html, truth)
    _credits(rng, people, sums, truth)
    for name, docs in (
        ("users", [u.doc for u in people]),
        ("projects", project_docs),
        ("credit_transactions", tx_docs),
    ):
        for start in range(0, len(docs), 5000):
            db[name].insert_many(docs[start : start + 5000])
    return truth


# --- comparing migrated databases ----------------------------------------------------------------------------

SNAPSHOT_QUERIES = {
    "users": "SELECT legacy_id, display_name, email, balance, held, created_at FROM users ORDER BY legacy_id",
    "legacy_users": (
        "SELECT lu.legacy_id, lu.source_id, u.legacy_id AS owner, lu.email, lu.credits, lu.merged "
        "FROM legacy_users lu JOIN users u ON u.id = lu.user_id ORDER BY lu.legacy_id"
    ),
    "projects": (
        "SELECT p.legacy_id, u.legacy_id AS owner, p.platform, p.team_id, p.name, p.prompt, p.current_version, "
        "p.created_at, p.updated_at FROM projects p JOIN users u ON u.id = p.owner_id ORDER BY p.legacy_id"
    ),
    "versions": (
        "SELECT p.legacy_id, v.number, v.kind, v.status, v.request_key, v.step, v.progress, v.error, "
        "v.spec::text, v.created_at, v.finished_at FROM project_versions v JOIN projects p ON p.id = v.project_id "
        "ORDER BY p.legacy_id"
    ),
    "messages": (
        "SELECT p.legacy_id, m.role, m.text, m.created_at, u.legacy_id FROM project_messages m "
        "JOIN projects p ON p.id = m.project_id LEFT JOIN users u ON u.id = m.user_id ORDER BY m.id"
    ),
    "ledger": (
        "SELECT u.legacy_id, c.type, c.amount, c.hold_delta, c.balance_after, c.held_after, c.reference, "
        "c.idempotency_key, c.actor, c.note, "
        "CASE WHEN c.idempotency_key LIKE 'legacy:adjust:%' THEN NULL ELSE c.created_at END "  # booked at run time
        "FROM credit_transactions c "
        "JOIN users u ON u.id = c.user_id ORDER BY c.id"
    ),
    "rejections": "SELECT collection, source_id, legacy_id, code, reason FROM legacy_rejections ORDER BY 1, 2",
    "checkpoints": "SELECT phase, last_id FROM legacy_checkpoints ORDER BY phase",
}


def snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Everything the migration wrote, without surrogate ids (a killed run leaves gaps in the sequences)."""
    with db.session() as s:
        return {name: [tuple(r) for r in s.execute(text(sql))] for name, sql in SNAPSHOT_QUERIES.items()}


def state(report: Any) -> dict[str, Any]:
    """A report's description of the data, without this run's counters or user ids."""
    data: dict[str, Any] = report.model_dump(exclude={"run"})
    for check in data["balances"]:
        check.pop("user_id")
    for merged in data["merged"]:
        merged.pop("user_id")
    return data


def balance_of_legacy(db: Database, legacy_id: str) -> int:
    with db.session() as s:
        return int(s.execute(select(User.balance).where(User.legacy_id == legacy_id)).scalar_one())


COLLECTIONS = ("users", "projects", "credit_transactions")
"""The legacy collections, in the order the migration reads them."""
