"""The outbox: each version's final outcome, durable in Postgres until a relay has delivered it to the chat.

A job writes the row (`add`) in the transaction that makes its version terminal, then publishes the same event on
pub/sub. Relays in several processes deliver each row once:

- a relay that sees the event live claims its row by event id (`claim_event`); one that starts or reconnects
  claims every undelivered row of its platform (`claim_batch`, `FOR UPDATE SKIP LOCKED`);
- a claim is a lease (`claimed_by`, `claimed_at`): a relay that died holding one leaves it to be taken again once
  the lease has run out, so a final is delivered at least once and, while relays live, exactly once;
- `mark_delivered` after the chat platform accepted the message; `release` gives the row back when it could not.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from storage.models import OutboxEntry, UserSession

CLAIM_LEASE = timedelta(minutes=15)
"""How long a claim holds: longer than a relay keeps retrying one final message (10 minutes)."""
KEEP_FOR = timedelta(days=7)
"""Rows older than this are pruned, delivered or not (a thread the bot could not reach in a week never will be)."""

ClaimState = Literal["claimed", "taken", "absent"]


def add(
    session: Session, *, event_id: str, version_id: int, project_id: int, platform: str, payload: dict[str, Any]
) -> None:
    """Record a version's final outcome (call it in the transaction that records the terminal status)."""
    session.add(
        OutboxEntry(event_id=event_id, version_id=version_id, project_id=project_id, platform=platform, payload=payload)
    )


def _claimable(lease: timedelta) -> Any:
    return OutboxEntry.delivered_at.is_(None) & or_(
        OutboxEntry.claimed_at.is_(None), OutboxEntry.claimed_at < func.now() - lease
    )


def claim_event(session: Session, event_id: str, claimer: str, *, lease: timedelta = CLAIM_LEASE) -> ClaimState:
    """Claim one outcome by its event id. "taken": another relay has it (or it was delivered); "absent": no row.

    Two relays racing here queue on the row lock; the second re-checks the condition against the first's
    committed claim (READ COMMITTED) and updates nothing."""
    claimed = session.execute(
        update(OutboxEntry)
        .where(OutboxEntry.event_id == event_id, _claimable(lease))
        .values(claimed_by=claimer, claimed_at=func.now())
        .returning(OutboxEntry.id)
        .execution_options(synchronize_session=False)
    ).first()
    if claimed is not None:
        return "claimed"
    exists = session.execute(select(OutboxEntry.id).where(OutboxEntry.event_id == event_id)).first()
    return "taken" if exists is not None else "absent"


def claim_batch(
    session: Session, platform: str, claimer: str, *, limit: int = 100, lease: timedelta = CLAIM_LEASE
) -> list[dict[str, Any]]:
    """Claim up to `limit` undelivered outcomes of `platform`, oldest first; rows locked by another relay's
    claim in flight are skipped, not waited for. Returns their payloads."""
    candidates = (
        select(OutboxEntry.id)
        .where(OutboxEntry.platform == platform, _claimable(lease))
        .order_by(OutboxEntry.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = session.execute(
        update(OutboxEntry)
        .where(OutboxEntry.id.in_(candidates.scalar_subquery()))
        .values(claimed_by=claimer, claimed_at=func.now())
        .returning(OutboxEntry.id, OutboxEntry.payload)
        .execution_options(synchronize_session=False)
    ).all()
    return [dict(payload) for _, payload in sorted(rows, key=lambda r: int(r[0]))]


def mark_delivered(session: Session, event_id: str) -> None:
    session.execute(
        update(OutboxEntry)
        .where(OutboxEntry.event_id == event_id, OutboxEntry.delivered_at.is_(None))
        .values(delivered_at=func.now())
        .execution_options(synchronize_session=False)
    )


def release(session: Session, event_id: str, claimer: str) -> None:
    """Give up a claim without delivering (the next sweep of any relay takes the row again)."""
    session.execute(
        update(OutboxEntry)
        .where(
            OutboxEntry.event_id == event_id,
            OutboxEntry.claimed_by == claimer,
            OutboxEntry.delivered_at.is_(None),
        )
        .values(claimed_by=None, claimed_at=None)
        .execution_options(synchronize_session=False)
    )


def undelivered(session: Session, platform: str | None = None) -> int:
    stmt = select(func.count()).select_from(OutboxEntry).where(OutboxEntry.delivered_at.is_(None))
    if platform is not None:
        stmt = stmt.where(OutboxEntry.platform == platform)
    return int(session.execute(stmt).scalar_one())


def prune(session: Session, *, keep_for: timedelta = KEEP_FOR) -> int:
    """Delete rows older than `keep_for`; returns how many."""
    result = session.execute(
        delete(OutboxEntry)
        .where(OutboxEntry.created_at < func.now() - keep_for)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def latest_thread(session: Session, platform: str, project_id: int) -> dict[str, str] | None:
    """Where a project's conversation happens on `platform`, from Postgres (team, channel, thread), newest first:
    used when the relay's Redis copy of the mapping is gone (a Redis restart without persistence)."""
    row = session.execute(
        select(UserSession.team_id, UserSession.channel_id, UserSession.thread_id)
        .where(UserSession.platform == platform, UserSession.project_id == project_id)
        .order_by(UserSession.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return {"team": row.team_id, "channel": row.channel_id, "thread": row.thread_id}
