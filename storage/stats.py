"""Read-only figures for operators: ledger totals (read at scrape time, so every process reports the same sums)
and the newest failed builds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from storage.models import CreditTransaction, Project, ProjectVersion, User


@dataclass(frozen=True)
class CreditTotals:
    """Credits ever held, captured and released (each ≥ 0), and what is on hold right now."""

    held: int
    captured: int
    released: int
    on_hold: int


def credit_totals(session: Session) -> CreditTotals:
    """One pass over the ledger (GROUP BY type) plus the users' open holds."""
    t = CreditTransaction
    row = session.execute(
        select(
            func.coalesce(func.sum(case((t.type == "hold", t.hold_delta), else_=0)), 0),
            func.coalesce(func.sum(case((t.type == "capture", -t.amount), else_=0)), 0),
            func.coalesce(func.sum(case((t.type == "release", -t.hold_delta), else_=0)), 0),
        )
    ).one()
    on_hold = session.execute(select(func.coalesce(func.sum(User.held), 0))).scalar_one()
    return CreditTotals(held=int(row[0]), captured=int(row[1]), released=int(row[2]), on_hold=int(on_hold))


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
