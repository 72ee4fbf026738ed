"""Accepting a new version in one SQL statement: the only database work a chat platform waits for.

Slack wants its ack within 3 s and we aim for 10 ms, so `accept_build` does in one round trip what
`ledger.place_hold` + `projects.create_project` + `projects.add_version` do in seven: find the user behind the
chat identity, lock their row, check the request was not seen before and that they can afford it, then write
the hold (the ledger's own `WRITE_CTE`, so the balance rules are the ledger's), the project and version 1 with
its job id. Each insert feeds from the previous one's RETURNING, so a refusal writes nothing at all.

`accept_version` is the same statement for a new version of an existing project (edits, images, photos): it
locks the project first (a separate statement, so the next one sees what a concurrent command on that project
committed), refuses while a version is queued or running, and writes the hold and the next numbered version.
Both share the hold's parameters and the reading of the result (`_outcome`): idempotency on the request key,
the credit check and the duplicate answer are written once. A rollback bills nothing and writes no version; it
takes the same project lock and busy rule through `lock_idle_project`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from storage import ledger, projects
from storage.errors import InsufficientCredits, NotFound, ProjectBusy
from storage.models import new_preview_token

# The hold every accepted version places: no balance change, `cost` held, referenced by the version's id (`vid`).
_HOLD_OK = """
ok AS (
    SELECT locked.id, locked.balance, locked.held, CAST(0 AS bigint) AS amount,
           CAST(%(cost)s AS bigint) AS hold_delta, CAST(NULL AS bigint) AS hold_id,
           CAST('version:' || vid.id AS varchar) AS reference
    FROM locked CROSS JOIN vid
)"""

_ACCEPT = f"""
WITH ident AS MATERIALIZED (
    SELECT user_id FROM chat_identities
    WHERE platform = %(platform)s AND team_id = %(team_id)s AND external_id = %(external_id)s
),
locked AS MATERIALIZED (
    SELECT id, balance, held FROM users WHERE id = (SELECT user_id FROM ident) FOR NO KEY UPDATE
),
seen AS MATERIALIZED (
    SELECT project_id FROM project_versions WHERE request_key = %(request_key)s
),
vid AS MATERIALIZED (
    SELECT nextval(pg_get_serial_sequence('project_versions', 'id')) AS id
    FROM locked
    WHERE NOT EXISTS (SELECT 1 FROM seen) AND locked.balance - locked.held >= CAST(%(cost)s AS bigint)
),
{_HOLD_OK},
{ledger.WRITE_CTE},
project AS (
    INSERT INTO projects (owner_id, platform, team_id, name, prompt, preview_token)
    SELECT ins.user_id, %(platform)s, %(team_id)s, %(name)s, %(prompt)s, %(preview_token)s FROM ins
    RETURNING id
),
version AS (
    INSERT INTO project_versions
        (id, project_id, number, kind, request_key, instruction, status, step, progress, hold_id, job_id, spec)
    SELECT vid.id, project.id, 1, 'build', %(request_key)s, '', 'queued', 'queued', 0, ins.id,
           %(job_prefix)s || vid.id, CAST(%(spec)s AS json)
    FROM vid CROSS JOIN project CROSS JOIN ins
    RETURNING id, project_id, number
)
SELECT locked.id AS user_id, locked.balance - locked.held AS available, version.id AS version_id,
       version.project_id, version.number, (SELECT project_id FROM seen) AS seen_project, false AS busy
FROM (SELECT 1) AS one LEFT JOIN locked ON true LEFT JOIN version ON true
"""

_VERSION = f"""
WITH locked AS MATERIALIZED (
    SELECT id, balance, held FROM users WHERE id = %(user_id)s FOR NO KEY UPDATE
),
seen AS MATERIALIZED (
    SELECT project_id FROM project_versions WHERE request_key = %(request_key)s
),
busy AS MATERIALIZED (
    SELECT 1 FROM project_versions WHERE project_id = %(project_id)s AND status IN ('queued', 'running') LIMIT 1
),
vid AS MATERIALIZED (
    SELECT nextval(pg_get_serial_sequence('project_versions', 'id')) AS id,
           (SELECT COALESCE(max(number), 0) + 1 FROM project_versions WHERE project_id = %(project_id)s) AS number
    FROM locked
    WHERE NOT EXISTS (SELECT 1 FROM seen) AND NOT EXISTS (SELECT 1 FROM busy)
      AND locked.balance - locked.held >= CAST(%(cost)s AS bigint)
),
{_HOLD_OK},
{ledger.WRITE_CTE},
version AS (
    INSERT INTO project_versions
        (id, project_id, number, kind, request_key, instruction, status, step, progress, hold_id, job_id, spec)
    SELECT vid.id, %(project_id)s, vid.number, %(kind)s, %(request_key)s, %(instruction)s, 'queued', 'queued', 0,
           ins.id, %(job_prefix)s || vid.id, CAST(%(spec)s AS json)
    FROM vid CROSS JOIN ins
    RETURNING id, project_id, number
)
SELECT locked.id AS user_id, locked.balance - locked.held AS available, version.id AS version_id,
       version.project_id, version.number, (SELECT project_id FROM seen) AS seen_project,
       EXISTS (SELECT 1 FROM busy) AS busy
FROM (SELECT 1) AS one LEFT JOIN locked ON true LEFT JOIN version ON true
"""


@dataclass(frozen=True)
class Accepted:
    """A version queued with its credits held; `duplicate` when the request was seen before (then nothing was
    written and the ids are the earlier request's project)."""

    user_id: int
    project_id: int
    version_id: int | None
    duplicate: bool = False
    number: int = 1
    """The new version's number (1 for a build)."""


def accept_build(
    session: Session,
    *,
    platform: str,
    team_id: str,
    external_id: str,
    request_key: str,
    name: str,
    prompt: str,
    cost: int,
    job_prefix: str,
    spec: dict[str, Any] | None = None,
) -> Accepted | None:
    """Hold `cost` credits and write a new project with version 1 (its job id is `job_prefix` + version id).

    Returns None when the chat identity has no user yet (create it, then call again). Raises
    InsufficientCredits when the user cannot afford it. Idempotent on `request_key`.
    """
    params = {
        **_hold(request_key, cost, job_prefix, spec),
        "platform": platform,
        "team_id": team_id,
        "external_id": external_id,
        "name": name[:200],
        "prompt": prompt,
        "preview_token": new_preview_token(),
    }
    row = session.connection().exec_driver_sql(_ACCEPT, params).one()
    return _outcome(session, row, request_key, cost)


def accept_version(
    session: Session,
    *,
    project_id: int,
    user_id: int,
    kind: str,
    request_key: str,
    instruction: str,
    spec: dict[str, Any],
    cost: int,
    job_prefix: str,
) -> Accepted:
    """Hold `cost` credits and write the next version of `project_id` (`kind` edit or images), its job id
    `job_prefix` + version id.

    Raises ProjectBusy while a version of the project is queued or running, InsufficientCredits when the user
    cannot afford it. Idempotent on `request_key`: a repeat answers `duplicate` and writes nothing.
    """
    # Commands on one project queue up here, so a redelivery that raced its original (a double click) sees the
    # original's committed version in the next statement, not a "still building".
    projects.get_project(session, project_id, lock=True)
    params = {
        **_hold(request_key, cost, job_prefix, spec),
        "project_id": project_id,
        "user_id": user_id,
        "kind": kind,
        "instruction": instruction,
    }
    row = session.connection().exec_driver_sql(_VERSION, params).one()
    accepted = _outcome(session, row, request_key, cost, project_id=project_id)
    if accepted is None:
        raise NotFound(f"user {user_id}")
    return accepted


def lock_idle_project(session: Session, project_id: int) -> None:
    """Lock the project's row (against a build finishing or starting at the same moment) and raise ProjectBusy
    while a version of it is queued or running: what a rollback needs before it makes a version live."""
    projects.get_project(session, project_id, lock=True)
    if projects.active_version(session, project_id) is not None:
        raise ProjectBusy(project_id)


def _hold(request_key: str, cost: int, job_prefix: str, spec: dict[str, Any] | None) -> dict[str, Any]:
    """The parameters every accepted version shares: its request key, the hold's ledger row and the job id."""
    return {
        "request_key": request_key,
        "cost": cost,
        "job_prefix": job_prefix,
        "spec": None if spec is None else json.dumps(spec),
        "type": "hold",
        "key": f"hold:{request_key}",
        "actor": None,
        "note": "",
    }


def _outcome(
    session: Session, row: Row[Any], request_key: str, cost: int, *, project_id: int | None = None
) -> Accepted | None:
    """What one accepting statement did: written, a duplicate, or refused (busy, too few credits)."""
    if row.user_id is None:
        return None
    if row.version_id is not None:
        ledger.changed(session, row.user_id)
        return Accepted(row.user_id, row.project_id, row.version_id, number=row.number)
    if row.seen_project is not None:
        return Accepted(user_id=row.user_id, project_id=row.seen_project, version_id=None, duplicate=True)
    if row.busy and project_id is not None:
        raise ProjectBusy(project_id)
    if row.available < cost:
        raise InsufficientCredits(cost, row.available)
    # The hold's key was taken by a concurrent delivery of this very request: its insert waited for that
    # transaction, which has committed by now, so a fresh look finds its project.
    seen = session.connection().exec_driver_sql(
        "SELECT project_id FROM project_versions WHERE request_key = %(k)s", {"k": request_key}
    )
    return Accepted(user_id=row.user_id, project_id=seen.scalar_one(), version_id=None, duplicate=True)
