"""Read-only figures for operators: ledger totals (kept incrementally, so a scrape never sums the whole ledger)
and the newest failed builds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from storage.models import CreditTransaction, Project, ProjectVersion


@dataclass(frozen=True)
class CreditTotals:
    """Credits ever held, captured and released (each ≥ 0), and what is on hold right now."""

    held: int = 0
    captured: int = 0
    released: int = 0
    on_hold: int = 0

    def __add__(self, other: CreditTotals) -> CreditTotals:
        return CreditTotals(
            self.held + other.held,
            self.captured + other.captured,
            self.released + other.released,
            self.on_hold + other.on_hold,
        )


def _sums(session: Session, *where: ColumnElement[bool]) -> CreditTotals:
    t = CreditTransaction
    row = session.execute(
        select(
            func.coalesce(func.sum(case((t.type == "hold", t.hold_delta), else_=0)), 0),
            func.coalesce(func.sum(case((t.type == "capture", -t.amount), else_=0)), 0),
            func.coalesce(func.sum(case((t.type == "release", -t.hold_delta), else_=0)), 0),
            func.coalesce(func.sum(t.hold_delta), 0),  # users.held is Σ hold_delta: what is on hold now
        ).where(*where)
    ).one()
    return CreditTotals(*(int(v) for v in row))


class CreditTally:
    """Ledger totals kept up to date incrementally (the ledger is append-only): rows up to `settled_id` are summed
    once and kept; each refresh sums only newer rows, by primary-key range. A row joins the settled part once no
    row at or below its id is younger than SETTLE_LAG (so one inserted by a transaction that had not committed
    yet, whose id is lower than a committed one's, is not skipped)."""

    SETTLE_LAG = timedelta(minutes=2)

    def __init__(self) -> None:
        self.settled_id = 0
        self.settled = CreditTotals()

    def refresh(self, session: Session) -> CreditTotals:
        t = CreditTransaction
        cutoff = datetime.now(UTC) - self.SETTLE_LAG
        first_young, newest = session.execute(
            select(func.min(t.id).filter(t.created_at >= cutoff), func.max(t.id)).where(t.id > self.settled_id)
        ).one()
        settle_to = (first_young - 1) if first_young is not None else (newest or self.settled_id)
        if settle_to > self.settled_id:
            self.settled += _sums(session, t.id > self.settled_id, t.id <= settle_to)
            self.settled_id = settle_to
        return self.settled + _sums(session, t.id > self.settled_id)


@dataclass(frozen=True)
class FailedVersion:
    project_id: int
    project_name: str
    version: int
    step: str
    """The step it failed in ("" when it failed before starting)."""
    finished_at: datetime | None


def recent_failures(session: Session, limit: int = 5) -> list[FailedVersion]:
    """The newest failed versions, newest first."""
    rows = session.execute(
        select(Project.id, Project.name, ProjectVersion.number, ProjectVersion.step, ProjectVersion.finished_at)
        .join(Project, Project.id == ProjectVersion.project_id)
        .where(ProjectVersion.status == "failed")
        .order_by(ProjectVersion.finished_at.desc().nulls_last(), ProjectVersion.id.desc())
        .limit(limit)
    ).all()
    return [FailedVersion(*row) for row in rows]


@dataclass(frozen=True)
class VersionOwner:
    project_id: int
    platform: str
    user_id: int
    """The project owner's users.id."""


def version_owner(session: Session, version_id: int) -> VersionOwner | None:
    """Who a version belongs to, for the context of a job's log lines."""
    row = session.execute(
        select(Project.id, Project.platform, Project.owner_id)
        .join(ProjectVersion, ProjectVersion.project_id == Project.id)
        .where(ProjectVersion.id == version_id)
    ).first()
    return VersionOwner(*row) if row else None
