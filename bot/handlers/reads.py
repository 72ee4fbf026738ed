"""Commands that only read: help, status, projects, history, templates."""

from __future__ import annotations

import redis

from bot import admin, messages
from bot.handlers.shared import own_project
from bot.reply import Reply
from bot.request import Request
from storage import projects


def help_(req: Request) -> Reply:
    return Reply(text=messages.help_text(), ephemeral=True)


def status(req: Request) -> Reply:
    """A project's newest version and its step; without a project, the sender's projects (an admin's: the
    queues, workers and recent failures)."""
    command, ctx = req.command, req.ctx
    if command.project is None and req.is_admin:
        return Reply(text=admin.operations_status(ctx), ephemeral=True)
    if command.project is None:
        return projects_(req)
    with ctx.db.session() as s:
        project = own_project(s, req, command.project)
        versions = projects.versions_of(s, project.id)
    if projects.is_imported(project):
        return Reply(text=messages.imported_status(project.id, project.name), project_id=project.id)
    if not versions:
        return Reply(text=messages.history(project.id, []), project_id=project.id)
    v = versions[-1]
    preview = ctx.settings.preview_url(project.preview_token) if project.current_version else None
    step, progress = (v.step, v.progress) if v.status != "running" else _running_step(req, v.id, v.step, v.progress)
    return Reply(
        text=messages.project_status(project.id, project.name, v.number, v.status, step, progress, preview),
        project_id=project.id,
    )


def _running_step(req: Request, version_id: int, step: str, progress: int) -> tuple[str, int]:
    """A running build's step lives in Redis (the worker's last progress event); Postgres has its start's."""
    try:
        live = req.ctx.cache.job_status(version_id) or {}
    except redis.RedisError:
        live = {}
    return str(live.get("step") or step), int(live.get("progress") or progress)


def projects_(req: Request) -> Reply:
    a = req.actor
    with req.ctx.db.session() as s:
        rows = []
        for p in projects.visible_projects(s, user_id=req.user_id, platform=a.platform, team_id=a.team_id):
            latest = projects.versions_of(s, p.id)
            state = messages.IMPORTED if projects.is_imported(p) else latest[-1].status if latest else "new"
            rows.append((p.id, p.name, p.current_version, state))
    return Reply(text=messages.projects_list(rows), ephemeral=True)


def history(req: Request) -> Reply:
    with req.ctx.db.session() as s:
        project = own_project(s, req, req.command.project)
        imported = projects.is_imported(project)
        rows = [
            (v.number, messages.IMPORTED if imported else v.kind, v.status, v.instruction)
            for v in projects.versions_of(s, project.id)
        ]
        live = None if imported else project.current_version  # nothing of it is served here
    return Reply(text=messages.history(project.id, rows, live), project_id=project.id)


def templates(req: Request) -> Reply:
    category = req.command.category
    rows = [(t["name"], t["category"], t.get("style", "")) for t in req.ctx.catalog.templates(category)]
    return Reply(text=messages.templates_list(rows, category), ephemeral=True)
