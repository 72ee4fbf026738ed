"""What several handlers need: may the sender see (or change) this project, its live spec, queueing a version."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot import messages
from bot.errors import UserError
from bot.reply import Reply
from bot.request import Request
from jobs import queue
from jobs.build_site import fail_version
from storage import projects
from storage.errors import InsufficientCredits, NotFound, ServiceUnavailable
from storage.models import Project


def own_project(s: Session, req: Request, project_id: int | None, *, change: bool = False) -> Project:
    """The project, if the user may see it (and, with `change`, build on it): their own, or their team's on the
    same platform. An imported project is never changed: nothing of it can be built on."""
    assert project_id is not None
    try:
        project = projects.get_project(s, project_id)
    except NotFound:
        raise UserError(messages.no_such_project(project_id)) from None
    mine = project.owner_id == req.user_id
    team = project.platform == req.actor.platform and project.team_id == req.actor.team_id
    if not (mine or team):
        raise UserError(messages.no_such_project(project_id))
    if change and projects.is_imported(project):
        raise UserError(messages.imported_unchangeable(project.id))
    return project


def current_spec(s: Session, project: Project) -> dict[str, object]:
    """The spec of the project's live version (what an edit or new images start from)."""
    for version in reversed(projects.versions_of(s, project.id)):
        if version.number == project.current_version and version.spec:
            return dict(version.spec)
    if projects.active_version(s, project.id) is not None:  # its first build has not finished yet
        raise UserError(messages.project_busy(project.id))
    raise UserError(messages.no_such_version(project.id, project.current_version or 1))


def too_poor(req: Request, kind: str, cost: int, exc: InsufficientCredits) -> UserError:
    """The refusal of a version the sender cannot afford (an admin is told how to top themselves up)."""
    admin = req.actor.user_id if req.is_admin else None
    return UserError(messages.insufficient_credits(kind, cost, exc.available, admin=admin))


def enqueue(
    req: Request, version_id: int, project_id: int, number: int, name: str, *, kind: str, cost: int, stale: set[int]
) -> Reply:
    """Put a version's job on its queue, and drop the `stale` cached balances in the same round trip (its
    transaction has committed); if Redis is gone, the version fails and its hold is released."""
    ctx = req.ctx
    try:
        ref = queue.enqueue_build(
            ctx.redis,
            version_id,
            description=f"{kind} #{project_id} v{number}",
            kind=kind,
            also=lambda pipe: ctx.cache.invalidate_balances(stale, pipe),
        )
    except ServiceUnavailable:
        fail_version(ctx, version_id, step="queueing", reason="job queue unreachable")
        raise
    return Reply(
        text=messages.build_accepted(name, project_id, number, ref.position, cost),
        project_id=project_id,
        version_id=version_id,
        version=number,
        queue_position=ref.position,
    )
