"""Projects, their versions (the durable job state), chat history and thread sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, func, insert, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from storage.errors import NotFound
from storage.models import ChatIdentity, Project, ProjectMessage, ProjectVersion, UserSession

TERMINAL_STATES = ("succeeded", "failed", "cancelled")
_MESSAGES = cast(Table, ProjectMessage.__table__)
_SESSIONS = cast(Table, UserSession.__table__)
_INSERT_MESSAGES = insert(_MESSAGES)
SESSION_LIFETIME = timedelta(days=7)
"""A thread keeps mapping to its project this long after the last activity in it."""


def create_project(session: Session, *, owner_id: int, platform: str, team_id: str, name: str, prompt: str) -> Project:
    project = Project(owner_id=owner_id, platform=platform, team_id=team_id, name=name[:200], prompt=prompt)
    session.add(project)
    session.flush()
    return project


def get_project(session: Session, project_id: int, *, lock: bool = False) -> Project:
    stmt = select(Project).where(Project.id == project_id)
    if lock:  # a locked read must see the row as it is now, not as this session loaded it before the lock
        stmt = stmt.with_for_update(key_share=True).execution_options(populate_existing=True)
    project = session.execute(stmt).scalar_one_or_none()
    if project is None:
        raise NotFound(f"project {project_id}")
    return project


def preview_of(session: Session, token: str) -> tuple[int, int | None] | None:
    """(project id, current version) of the project whose preview token is `token`, or None. The preview
    server's only query: it waits at most a moment for locks, so a held lock never ties up its threads."""
    session.execute(text("SET LOCAL lock_timeout = '2s'; SET LOCAL statement_timeout = '5s'"))
    row = session.execute(
        select(Project.id, Project.current_version).where(Project.preview_token == token)
    ).one_or_none()
    return None if row is None else (row[0], row[1])


def visible_projects(session: Session, *, user_id: int, platform: str, team_id: str, limit: int = 10) -> list[Project]:
    """The user's own projects and their team's, newest first."""
    return list(
        session.execute(
            select(Project)
            .where(or_(Project.owner_id == user_id, (Project.platform == platform) & (Project.team_id == team_id)))
            .order_by(Project.id.desc())
            .limit(limit)
        ).scalars()
    )


def choices_for(
    session: Session, *, platform: str, team_id: str, external_id: str, limit: int = 25
) -> list[tuple[int, str]]:
    """(id, name) of the projects a chat identity may pick (autocomplete): none for someone without an account."""
    user_id = session.execute(
        select(ChatIdentity.user_id).where(
            ChatIdentity.platform == platform,
            ChatIdentity.team_id == team_id,
            ChatIdentity.external_id == external_id,
        )
    ).scalar_one_or_none()
    if user_id is None:
        return []
    found = visible_projects(session, user_id=user_id, platform=platform, team_id=team_id, limit=limit)
    return [(p.id, p.name) for p in found]


def is_imported(project: Project) -> bool:
    """Migrated from the legacy app (`autoweb migrate-legacy`): its one version holds the old app's output, which is
    neither a site we rendered nor a spec an edit can start from, and nothing of it is served here."""
    return project.legacy_id is not None


def find_version_by_request(session: Session, request_key: str) -> ProjectVersion | None:
    return session.execute(select(ProjectVersion).where(ProjectVersion.request_key == request_key)).scalar_one_or_none()


def add_version(
    session: Session,
    project: Project,
    *,
    kind: str,
    request_key: str,
    instruction: str = "",
    spec: dict[str, Any] | None = None,
) -> ProjectVersion:
    """Append the next numbered version (the project row is locked so numbers never collide)."""
    get_project(session, project.id, lock=True)
    number = (
        session.execute(
            select(func.coalesce(func.max(ProjectVersion.number), 0)).where(ProjectVersion.project_id == project.id)
        ).scalar_one()
        + 1
    )
    version = ProjectVersion(
        project_id=project.id,
        number=number,
        kind=kind,
        request_key=request_key,
        instruction=instruction,
        status="queued",
        step="queued",
        progress=0,
        spec=spec,
    )
    session.add(version)
    session.flush()
    return version


def get_version(session: Session, version_id: int, *, lock: bool = False) -> ProjectVersion:
    stmt = select(ProjectVersion).where(ProjectVersion.id == version_id)
    if lock:
        stmt = stmt.with_for_update(key_share=True).execution_options(populate_existing=True)
    version = session.execute(stmt).scalar_one_or_none()
    if version is None:
        raise NotFound(f"version {version_id}")
    return version


def versions_of(session: Session, project_id: int) -> list[ProjectVersion]:
    return list(
        session.execute(
            select(ProjectVersion).where(ProjectVersion.project_id == project_id).order_by(ProjectVersion.number)
        ).scalars()
    )


def active_version(session: Session, project_id: int) -> ProjectVersion | None:
    """The newest queued or running version of a project, if any."""
    return session.execute(
        select(ProjectVersion)
        .where(ProjectVersion.project_id == project_id, ProjectVersion.status.in_(("queued", "running")))
        .order_by(ProjectVersion.number.desc())
        .limit(1)
    ).scalar_one_or_none()


def record_progress(session: Session, version_id: int, *, status: str, step: str, progress: int) -> None:
    """Move a version forward; a version in a terminal state is never moved again."""
    session.execute(
        update(ProjectVersion)
        .where(ProjectVersion.id == version_id, ProjectVersion.status.not_in(TERMINAL_STATES))
        .values(status=status, step=step[:100], progress=progress)
    )


def finish_version(
    session: Session,
    version: ProjectVersion,
    *,
    status: str,
    step: str = "",
    error: str | None = None,
    site_path: str | None = None,
) -> None:
    version.status = status
    version.step = step or status
    version.progress = 100 if status == "succeeded" else version.progress
    version.error = error
    version.site_path = site_path
    version.finished_at = datetime.now(UTC)
    if status == "succeeded":
        project = get_project(session, version.project_id, lock=True)
        project.current_version = version.number
        project.updated_at = datetime.now(UTC)


def add_message(
    session: Session,
    *,
    role: str,
    text: str,
    platform: str,
    project_id: int | None = None,
    user_id: int | None = None,
    channel_id: str = "",
    thread_id: str = "",
) -> ProjectMessage:
    message = ProjectMessage(
        project_id=project_id,
        user_id=user_id,
        role=role,
        text=text,
        platform=platform,
        channel_id=channel_id,
        thread_id=thread_id,
    )
    session.add(message)
    return message


def add_messages(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert several messages in one statement (each dict has ProjectMessage's columns). Core, not the ORM's
    bulk insert: nothing here needs the objects back, and this runs for every command."""
    if rows:
        session.connection().execute(_INSERT_MESSAGES, rows)


_INSERT_SESSION = pg_insert(_SESSIONS)
_BIND = _INSERT_SESSION.on_conflict_do_update(
    constraint="uq_session_thread",
    set_={"project_id": _INSERT_SESSION.excluded.project_id, "expires_at": _INSERT_SESSION.excluded.expires_at},
)
"""Built once: building an upsert costs more CPU than running it."""


def bind_threads(session: Session, bindings: list[dict[str, Any]]) -> None:
    """Map chat threads to projects (or move them to other projects) and refresh their expiry, in one upsert: each
    dict has platform, team_id, channel_id, thread_id, project_id, user_id. A thread that comes more than once
    ends on its last project."""
    expires = datetime.now(UTC) + SESSION_LIFETIME
    last = {(b["platform"], b["team_id"], b["channel_id"], b["thread_id"]): b for b in bindings}
    if last:  # one row per thread: an upsert may not touch a row twice
        session.connection().execute(_BIND, [{**b, "expires_at": expires} for b in last.values()])


def project_for_thread(session: Session, *, platform: str, team_id: str, channel_id: str, thread_id: str) -> int | None:
    return session.execute(
        select(UserSession.project_id).where(
            UserSession.platform == platform,
            UserSession.team_id == team_id,
            UserSession.channel_id == channel_id,
            UserSession.thread_id == thread_id,
            UserSession.expires_at > datetime.now(UTC),
        )
    ).scalar_one_or_none()


def finished_version(session: Session, project_id: int, number: int) -> ProjectVersion | None:
    """The project's version `number` if it succeeded (its site exists), else None."""
    return session.execute(
        select(ProjectVersion).where(
            ProjectVersion.project_id == project_id,
            ProjectVersion.number == number,
            ProjectVersion.status == "succeeded",
        )
    ).scalar_one_or_none()


def make_live(session: Session, project: Project, version: ProjectVersion) -> None:
    """Serve `version` as the project's current one (a rollback: no build, no charge)."""
    project.current_version = version.number
    add_message(
        session,
        role="progress",
        platform=project.platform,
        project_id=project.id,
        user_id=project.owner_id,
        text=f"v{version.number} is live again (rollback, no charge)",
    )


def version_labels(session: Session, references: list[str]) -> dict[str, str]:
    """`version:<id>` ledger references → "#<project> v<n> <kind>", for people reading their credits."""
    ids = {int(r.split(":", 1)[1]) for r in references if r.startswith("version:") and r[8:].isdigit()}
    if not ids:
        return {}
    rows = session.execute(
        select(ProjectVersion.id, ProjectVersion.project_id, ProjectVersion.number, ProjectVersion.kind).where(
            ProjectVersion.id.in_(ids)
        )
    )
    return {f"version:{vid}": f"#{pid} v{n} {kind}" for vid, pid, n, kind in rows}
