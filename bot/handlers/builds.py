"""Commands that make or change a version: build, edit, images (drawn, or the team's photos), rollback, cancel.

Every billed version is accepted by one statement of `storage.intake` (credits held, version written, idempotent
on the chat delivery), then enqueued. Bad input is refused before anything is held.
"""

from __future__ import annotations

from bot import messages
from bot.errors import UserError
from bot.handlers.shared import current_spec, enqueue, own_project, too_poor
from bot.reply import Reply, duplicate
from bot.request import Request
from jobs import edits, photo_sync, photos, queue
from jobs.brief import parse as parse_brief
from jobs.build_site import fail_version
from jobs.edits import EditTooBig, new_images
from jobs.llm import ApiProvider
from storage import intake, ledger, projects
from storage.errors import InsufficientCredits, ProjectBusy
from storage.models import Project


def build(req: Request) -> Reply:
    """A new project: one statement holds the credits and writes project and version 1 (`storage.intake`),
    then the job is enqueued. This is all a chat platform waits for before its ack."""
    a, ctx, cost = req.actor, req.ctx, req.ctx.settings.build_cost
    brief = parse_brief(req.command.prompt)  # read once: stored with the version, the worker plans from it
    name = brief.business_name or "Your new site"
    try:
        while True:
            with ctx.db.session() as s:
                accepted = intake.accept_build(
                    s,
                    platform=a.platform,
                    team_id=a.team_id,
                    external_id=a.user_id,
                    request_key=req.request_key,
                    name=name,
                    prompt=req.command.prompt,
                    cost=cost,
                    job_prefix=queue.JOB_PREFIX,
                    spec={"brief": brief.model_dump(mode="json")},
                )
                stale = ledger.take_changed(s.info)  # dropped from the cache with the enqueue, below
            if accepted is not None:
                break
            req.known_user_id = req.identify(a)  # their first command: create them, then accept it
    except InsufficientCredits as exc:
        raise too_poor(req, "build", cost, exc) from exc
    req.known_user_id = accepted.user_id
    if accepted.duplicate or accepted.version_id is None:
        return duplicate(accepted.project_id)
    return enqueue(req, accepted.version_id, accepted.project_id, 1, name, kind="build", cost=cost, stale=stale)


def queue_version(
    req: Request, *, kind: str, project: Project, instruction: str, spec: dict[str, object], cost: int | None = None
) -> Reply:
    """A new version of an existing project: `intake.accept_version` holds the credits and writes it, then it
    is enqueued. (A new project is `build`'s.)"""
    cost = req.ctx.settings.build_cost if cost is None else cost
    try:
        with req.ctx.db.session() as s:
            accepted = intake.accept_version(
                s,
                project_id=project.id,
                user_id=req.user_id,
                kind=kind,
                request_key=req.request_key,
                instruction=instruction,
                spec=spec,
                cost=cost,
                job_prefix=queue.JOB_PREFIX,
            )
            stale = ledger.take_changed(s.info)  # dropped from the cache with the enqueue, below
    except ProjectBusy:
        raise UserError(messages.project_busy(project.id)) from None
    except InsufficientCredits as exc:
        raise too_poor(req, kind, cost, exc) from exc
    if accepted.duplicate or accepted.version_id is None:
        return duplicate(accepted.project_id)
    number = accepted.number
    return enqueue(req, accepted.version_id, project.id, number, project.name, kind=kind, cost=cost, stale=stale)


def edit(req: Request) -> Reply:
    """Read the instruction against the live version and apply it here, cheaply, before any credit is held:
    nothing understood, nothing changed or over a cap → a free refusal. The version stores the operations;
    the worker applies them again to the same base version."""
    ctx, prompt = req.ctx, req.command.prompt
    try:
        edits.check_length(prompt)
        with ctx.db.session() as s:
            project = own_project(s, req, req.command.project, change=True)
            current = current_spec(s, project)
            base = project.current_version
        templates = ctx.catalog.templates()
        api = ApiProvider.from_settings(ctx.settings)  # optional: maps what the local reader missed
        understood = edits.understand(current, prompt, templates, api)
        applied = edits.apply(current, understood.operations, templates, understood.sources)
        edits.check_site(applied.spec)
    except EditTooBig as exc:
        raise UserError(messages.edit_too_big(exc.what, exc.size, exc.limit)) from None
    unclear = [(u.text, u.reason, u.example) for u in [*understood.unclear, *applied.skipped]]
    if not applied.changes:
        raise UserError(messages.edit_not_understood(project.id, unclear))
    spec: dict[str, object] = {"edit": {"base": base, "operations": edits.stored(understood.operations)}}
    reply = queue_version(req, kind="edit", project=project, instruction=prompt, spec=spec)
    if reply.version_id is None:  # a redelivery: its reply says so
        return reply
    changes = [(ch.page, ch.text) for ch in applied.changes]
    return reply.model_copy(update={"text": messages.edit_accepted(reply.text, changes, unclear)})


def images(req: Request) -> Reply:
    """`images #<id> [count] [prompt]`: new drawn pictures; with files attached, the team's own photos."""
    if req.files is not None:
        return _photos(req)
    command, ctx = req.command, req.ctx
    with ctx.db.session() as s:
        project = own_project(s, req, command.project, change=True)
        current = current_spec(s, project)
    count = command.count or 1
    reply = queue_version(
        req,
        kind="images",
        project=project,
        instruction=f"new images {command.prompt}".strip(),
        spec=new_images(current, command.prompt, count),
        cost=ctx.settings.image_cost * count,
    )
    if reply.version_id is None or ApiProvider.from_settings(ctx.settings) is not None:
        return reply
    return reply.model_copy(update={"text": f"{reply.text}\n{messages.images_drawn(count)}"})


def _photos(req: Request) -> Reply:
    """Check and store each file (a bad one is skipped and named), place the photos, queue a version that
    shows them. Nothing usable: one line per file, nothing written, nothing charged."""
    assert req.files is not None
    ctx = req.ctx
    with ctx.db.session() as s:
        project = own_project(s, req, req.command.project)
        current = current_spec(s, project)
    store = photo_sync.pull_for_service(ctx.settings, project.id)
    accepted, refused = photos.ingest_all([(f.name, f.data, f.refused) for f in req.files], store)
    photo_sync.push(ctx.settings, project.id)
    if not accepted:
        raise UserError(messages.no_usable_photos(refused))
    spec, placed = photos.apply(current, accepted, req.command.prompt)
    names = ", ".join(p.name for p in placed)
    reply = queue_version(
        req,
        kind="images",
        project=project,
        instruction=f"photos: {names}"[:500],
        spec=spec,
        cost=ctx.settings.image_cost,
    )
    if reply.version_id is None:  # a redelivery: the first delivery said where they went
        return reply
    where = [(p.name, photos.place_name(p.role)) for p in placed]
    return reply.model_copy(update={"text": f"{reply.text}\n{messages.photos_placed(where, refused)}"})


def rollback(req: Request) -> Reply:
    """Make an earlier version live again: instant and free, nothing is built (its files are kept)."""
    command, settings = req.command, req.ctx.settings
    assert command.project is not None and command.version is not None
    with req.ctx.db.session() as s:
        project = own_project(s, req, command.project, change=True)
        try:
            intake.lock_idle_project(s, project.id)  # against a build finishing at the same moment
        except ProjectBusy:
            raise UserError(messages.project_busy(project.id)) from None
        target = projects.finished_version(s, project.id, command.version)
        if target is None:
            raise UserError(messages.no_such_version(project.id, command.version))
        if target.number == project.current_version:
            return Reply(text=messages.already_live(project.id, target.number), project_id=project.id)
        later = [v.number for v in projects.versions_of(s, project.id) if v.number > target.number]
        projects.make_live(s, project, target)
        name, number = project.name, target.number
    kept = [settings.preview_url(project.preview_token, n) for n in later[-1:]]
    text = messages.rolled_back(name, number, settings.preview_url(project.preview_token), kept)
    return Reply(text=text, project_id=project.id)


def cancel(req: Request) -> Reply:
    with req.ctx.db.session() as s:
        project = own_project(s, req, req.command.project)
        active = projects.active_version(s, project.id)
        if active is None:
            raise UserError(messages.nothing_to_cancel(project.id))
        version_id, number = active.id, active.number
    queue.cancel_build(req.ctx.redis, version_id)
    fail_version(req.ctx, version_id, step="cancelled by the user", reason="cancelled", status="cancelled")
    return Reply(
        text=messages.cancel_requested(project.id, number),
        project_id=project.id,
        version_id=version_id,
        version=number,
    )
