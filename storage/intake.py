"""Accepting a new build in one SQL statement: the only database work a chat platform waits for.

Slack wants its ack within 3 s and we aim for 10 ms, so `accept_build` does in one round trip what
`ledger.place_hold` + `projects.create_project` + `projects.add_version` do in seven: find the user behind the
chat identity, lock their row, check the request was not seen before and that they can afford it, then write
the hold (the ledger's own `WRITE_CTE`, so the balance rules are the ledger's), the project and version 1 with
its job id. Each insert feeds from the previous one's RETURNING, so a refusal writes nothing at all.

Edits, rollbacks and images change an existing project: they lock it first (a separate statement, so the next
one sees what a concurrent command on that project committed) and go through the ORM path in the service.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from storage import ledger
from storage.errors import InsufficientCredits
from storage.models import new_preview_token

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
ok AS (
    SELECT locked.id, locked.balance, locked.held, CAST(0 AS bigint) AS amount,
           CAST(%(cost)s AS bigint) AS hold_delta, CAST(NULL AS bigint) AS hold_id,
           CAST('version:' || vid.id AS varchar) AS reference
    FROM locked CROSS JOIN vid
),
{ledger.WRITE_CTE},
project AS (
    INSERT INTO projects (owner_id, platform, team_id, name, prompt, preview_token)
    SELECT ins.user_id, %(platform)s, %(team_id)s, %(name)s, %(prompt)s, %(preview_token)s FROM ins
    RETURNING id
),
version AS (
    INSERT INTO project_versions
        (id, project_id, number, kind, request_key, instruction, status, step, progress, hold_id, job_id)
    SELECT vid.id, project.id, 1, 'build', %(request_key)s, '', 'queued', 'queued', 0, ins.id,
           %(job_prefix)s || vid.id
    FROM vid CROSS JOIN project CROSS JOIN ins
    RETURNING id, project_id
)
SELECT locked.id AS user_id, locked.balance - locked.held AS available, version.id AS version_id,
       version.project_id, (SELECT project_id FROM seen) AS seen_project
FROM (SELECT 1) AS one LEFT JOIN locked ON true LEFT JOIN version ON true
"""


@dataclass(frozen=True)
class Accepted:
    """A new project with version 1 queued and its credits held; `duplicate` when the request was seen before
    (then nothing was written and the ids are the earlier request's project)."""

    user_id: int
    project_id: int
    version_id: int | None
    duplicate: bool = False


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
) -> Accepted | None:
    """Hold `cost` credits and write a new project with version 1 (its job id is `job_prefix` + version id).

    Returns None when the chat identity has no user yet (create it, then call again). Raises
    InsufficientCredits when the user cannot afford it. Idempotent on `request_key`.
    """
    params = {
        "platform": platform,
        "team_id": team_id,
        "external_id": external_id,
        "request_key": request_key,
        "name": name[:200],
        "prompt": prompt,
        "cost": cost,
        "job_prefix": job_prefix,
        "preview_token": new_preview_token(),
        "type": "hold",
        "key": f"hold:{request_key}",
        "actor": None,
        "note": "",
    }
    row = session.connection().exec_driver_sql(_ACCEPT, params).one()
    if row.user_id is None:
        return None
    if row.version_id is not None:
        ledger.changed(session, row.user_id)
        return Accepted(user_id=row.user_id, project_id=row.project_id, version_id=row.version_id)
    if row.seen_project is not None:
        return Accepted(user_id=row.user_id, project_id=row.seen_project, version_id=None, duplicate=True)
    if row.available < cost:
        raise InsufficientCredits(cost, row.available)
    # The hold's key was taken by a concurrent delivery of this very request: its insert waited for that
    # transaction, which has committed by now, so a fresh look finds its project.
    seen = session.connection().exec_driver_sql(
        "SELECT project_id FROM project_versions WHERE request_key = %(k)s", {"k": request_key}
    )
    project_id = seen.scalar_one()
    return Accepted(user_id=row.user_id, project_id=project_id, version_id=None, duplicate=True)
