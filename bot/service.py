"""The platform-neutral command service: every adapter turns a chat event into (Actor, text) and calls `handle`.

A build goes: parse → rate limit → user/identity → credit hold + project/version/message rows (one transaction,
idempotent on the chat delivery id) → enqueue (idempotent on the version) → reply text. Bad input raises a
UserError before anything is written; an outage is reported with a reference and leaves nothing held.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import redis
import structlog
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import admin, commands, logs, messages
from bot.attachments import Incoming
from bot.chat_text import plain
from bot.commands import Actor, Command
from bot.errors import UserError
from bot.settings import BotSettings
from jobs import edits, llm, photos, queue
from jobs.brief import parse as parse_brief
from jobs.build_site import fail_version, photo_store
from jobs.context import JobContext
from jobs.edits import EditTooBig, new_images
from jobs.llm import ApiProvider
from storage import accounts, intake, ledger, projects
from storage.errors import InsufficientCredits, NotFound, ServiceUnavailable
from storage.history import HistoryWriter
from storage.models import Project
from storage.ratelimit import Bucket, Limit, RateLimiter

log = structlog.get_logger(__name__)

SERVICE_THREADS = 8
"""Threads a chat adapter runs the (blocking) service on, its relay's database work included."""
DATABASE_CONNECTIONS = SERVICE_THREADS + 1
"""Postgres connections a service process keeps: one per service thread, plus the history writer's."""


class Reply(BaseModel):
    """What to say back. `ephemeral` replies are shown only to the sender where the platform allows it."""

    text: str
    ephemeral: bool = False
    project_id: int | None = None
    version_id: int | None = None
    version: int | None = None
    user_id: int | None = None
    """The sender's account, when the command needed it (the relay binds the build's thread to it)."""
    queue_position: int | None = None
    """Jobs ahead of a queued version's when it was queued (its status message starts from it)."""


def new_ref() -> str:
    """A short reference shown to the user and written to the log with the error behind it."""
    return secrets.token_hex(2).upper()


@dataclass
class _Context:
    """The sender of one command. Their user id is looked up (or their user created) on first use: a build
    finds it in the same statement that accepts it, `help` never needs it."""

    actor: Actor
    identify: Callable[[Actor], int]
    known_user_id: int | None = None

    @property
    def user_id(self) -> int:
        if self.known_user_id is None:
            self.known_user_id = self.identify(self.actor)
        return self.known_user_id


class CommandService:
    def __init__(self, ctx: JobContext, settings: BotSettings) -> None:
        self.ctx = ctx
        self.settings = settings
        self.limiter = RateLimiter(ctx.redis)
        self.history = HistoryWriter(ctx.db)
        self._handlers: dict[str, Callable[[_Context, Command], Reply]] = {
            "build": self._build,
            "edit": self._edit,
            "rollback": self._rollback,
            "cancel": self._cancel,
            "status": self._status,
            "projects": self._projects,
            "history": self._history,
            "credits": self._credits,
            "grant": self._grant,
            "templates": self._templates,
            "images": self._images,
        }

    # --- entry point --------------------------------------------------------------------------------------
    @logs.bound_to_actor
    def handle(self, actor: Actor, text: str) -> Reply:
        """Run one command line and return the reply. Never raises: failures become a short reply."""
        return self._run(actor, text, None)

    def handle_files(self, actor: Actor, text: str, files: Sequence[Incoming]) -> Reply:
        """`images #<project> [hint]` with files from chat or the console: they become the project's photos and
        a new version shows them. Never raises, like `handle`."""
        with structlog.contextvars.bound_contextvars(**logs.actor_fields(actor)):
            return self._run(actor, text, list(files))

    def _run(self, actor: Actor, text: str, files: list[Incoming] | None) -> Reply:
        ref = new_ref()
        try:
            command = commands.parse(text)
            if command.name == "help":
                return Reply(text=messages.help_text(), ephemeral=True)
            if files is not None and command.name != "images":
                raise UserError(messages.photos_need_a_project())
            self._rate_limit(actor)
            context = _Context(actor=actor, identify=self._identify)
            if files is not None:
                reply = self._photos(context, command, files)
            else:
                reply = self._handlers[command.name](context, command)
        except UserError as exc:
            return Reply(text=exc.message, ephemeral=True)
        except ServiceUnavailable as exc:
            log.warning("service unavailable", ref=ref, service=exc.service, platform=actor.platform)
            down = messages.queue_unavailable if exc.service == "Redis" else messages.database_unavailable
            return Reply(text=down(ref), ephemeral=True)
        except Exception:
            log.exception("command failed", ref=ref, platform=actor.platform)
            return Reply(text=messages.internal_error(ref), ephemeral=True)
        self._record(context, text, reply)
        return reply.model_copy(update={"user_id": context.known_user_id})

    def _rate_limit(self, actor: Actor) -> None:
        s = self.settings
        try:
            wait = self.limiter.hit(
                Bucket("user", actor.qualified_id, Limit(s.user_rate_per_minute, s.user_rate_per_minute)),
                Bucket(
                    "team",
                    f"{actor.platform}:{actor.team_id}",
                    Limit(s.team_rate_per_minute, s.team_rate_per_minute),
                ),
            )
        except redis.RedisError as exc:
            raise ServiceUnavailable("Redis", type(exc).__name__) from exc
        if wait:
            raise UserError(messages.rate_limited(wait))

    def _identify(self, actor: Actor) -> int:
        with self.ctx.db.session() as s:
            user, _ = accounts.get_or_create_user(
                s,
                actor.platform,
                actor.team_id,
                actor.user_id,
                display_name=actor.user_name,
                signup_credits=self.settings.signup_credits,
            )
        return user.id

    def _record(self, c: _Context, text: str, reply: Reply) -> None:
        """Keep the command and the reply in our own history: queued for `HistoryWriter`'s thread, so the sender
        never waits for it (this runs before a chat platform gets its ack)."""
        a = c.actor
        where = {
            "platform": a.platform,
            "project_id": reply.project_id,
            "user_id": c.user_id,
            "channel_id": a.channel_id,
            "thread_id": a.thread_id,
        }
        self.history.add([{**where, "role": "user", "text": text}, {**where, "role": "bot", "text": plain(reply.text)}])

    def close(self) -> None:
        """Write the history still queued."""
        self.history.close()

    def knows(self, actor: Actor) -> bool:
        """True when the sender already has an account here (False too when Postgres cannot say)."""
        try:
            with self.ctx.db.session() as s:
                return accounts.find_user(s, actor.platform, actor.team_id, actor.user_id) is not None
        except ServiceUnavailable:
            return False

    def claim_legacy_account(self, actor: Actor, verified_email: str) -> bool:
        """Before a person's first command: link them to their migrated account if it has this email.

        Adapters call it with an email the platform has verified (Slack `users.info`). Someone who already has
        an account here keeps it; True when the identity now points at a migrated account.
        """
        try:
            with self.ctx.db.session() as s:
                if accounts.find_user(s, actor.platform, actor.team_id, actor.user_id) is not None:
                    return False
                link = accounts.claim_by_email(
                    s, verified_email, platform=actor.platform, team_id=actor.team_id, external_id=actor.user_id
                )
        except ServiceUnavailable:
            return False  # the command itself will report the outage
        if link is not None:
            log.info("chat identity claimed a migrated account", platform=actor.platform, user_id=link.user_id)
        return link is not None

    # --- builds, edits, rollbacks ---------------------------------------------------------------------------
    def _request_key(self, actor: Actor) -> str:
        delivery = actor.event_id or uuid.uuid4().hex
        return f"{actor.platform}:{actor.team_id}:{delivery}"[:200]

    def _queue_version(
        self,
        c: _Context,
        *,
        kind: str,
        project: Project,
        instruction: str,
        spec: dict[str, object],
        cost: int | None = None,
    ) -> Reply:
        """A new version of an existing project: hold credits and write the version in one transaction, then
        enqueue it. (A new project is `_build`'s single statement.)"""
        key = self._request_key(c.actor)
        cost = self.ctx.settings.build_cost if cost is None else cost
        try:
            with self.ctx.db.session() as s:
                # Commands on one project queue up here, so a redelivery that raced its original (a double
                # click) sees the original's committed version below, not a "still building".
                projects.get_project(s, project.id, lock=True)
                if (seen := projects.find_version_by_request(s, key)) is not None:
                    return self._duplicate(seen.project_id)
                if projects.active_version(s, project.id) is not None:
                    raise UserError(messages.project_busy(project.id))
                version = projects.add_version(
                    s, project, kind=kind, request_key=key, instruction=instruction, spec=spec
                )
                hold = ledger.place_hold(s, c.user_id, cost, key=f"hold:{key}", reference=f"version:{version.id}")
                version.hold_id = hold.id
                version.job_id = queue.build_job_id(version.id)
                version_id, number = version.id, version.number
                stale = ledger.take_changed(s.info)  # dropped from the cache with the enqueue, below
        except InsufficientCredits as exc:
            raise UserError(messages.insufficient_credits(kind, cost, exc.available, admin=self._admin(c))) from exc
        except IntegrityError:  # a concurrent redelivery of the same event won the race
            with self.ctx.db.session() as s:
                seen = projects.find_version_by_request(s, key)
            if seen is None:
                raise
            return self._duplicate(seen.project_id)
        return self._enqueue(version_id, project.id, number, project.name, kind=kind, cost=cost, stale=stale)

    def _build(self, c: _Context, command: Command) -> Reply:
        """A new project: one statement holds the credits and writes project and version 1 (`storage.intake`),
        then the job is enqueued. This is all a chat platform waits for before its ack."""
        a, key, cost = c.actor, self._request_key(c.actor), self.ctx.settings.build_cost
        brief = parse_brief(command.prompt)  # read once: stored with the version, the worker plans from it
        name = brief.business_name or "Your new site"
        try:
            while True:
                with self.ctx.db.session() as s:
                    accepted = intake.accept_build(
                        s,
                        platform=a.platform,
                        team_id=a.team_id,
                        external_id=a.user_id,
                        request_key=key,
                        name=name,
                        prompt=command.prompt,
                        cost=cost,
                        job_prefix=queue.JOB_PREFIX,
                    )
                    if accepted is not None and accepted.version_id is not None:
                        projects.get_version(s, accepted.version_id).spec = {"brief": brief.model_dump(mode="json")}
                    stale = ledger.take_changed(s.info)  # dropped from the cache with the enqueue, below
                if accepted is not None:
                    break
                c.known_user_id = self._identify(a)  # their first command: create them, then accept it
        except InsufficientCredits as exc:
            raise UserError(messages.insufficient_credits("build", cost, exc.available, admin=self._admin(c))) from exc
        c.known_user_id = accepted.user_id
        if accepted.duplicate or accepted.version_id is None:
            return self._duplicate(accepted.project_id)
        return self._enqueue(accepted.version_id, accepted.project_id, 1, name, kind="build", cost=cost, stale=stale)

    @staticmethod
    def _duplicate(project_id: int) -> Reply:
        return Reply(text=messages.duplicate_request(project_id), project_id=project_id, ephemeral=True)

    def _enqueue(
        self, version_id: int, project_id: int, number: int, name: str, *, kind: str, cost: int, stale: set[int]
    ) -> Reply:
        """Put a version's job on its queue, and drop the `stale` cached balances in the same round trip (its
        transaction has committed); if Redis is gone, the version fails and its hold is released."""
        try:
            ref = queue.enqueue_build(
                self.ctx.redis,
                version_id,
                description=f"{kind} #{project_id} v{number}",
                kind=kind,
                also=lambda pipe: self.ctx.cache.invalidate_balances(stale, pipe),
            )
        except ServiceUnavailable:
            fail_version(self.ctx, version_id, step="queueing", reason="job queue unreachable")
            raise
        return Reply(
            text=messages.build_accepted(name, project_id, number, ref.position, cost),
            project_id=project_id,
            version_id=version_id,
            version=number,
            queue_position=ref.position,
        )

    def _own_project(self, s: Session, c: _Context, project_id: int | None, *, change: bool = False) -> Project:
        """The project, if the user may see it (and, with `change`, build on it): their own, or their team's on the
        same platform. An imported project is never changed: nothing of it can be built on."""
        assert project_id is not None
        try:
            project = projects.get_project(s, project_id)
        except NotFound:
            raise UserError(messages.no_such_project(project_id)) from None
        mine = project.owner_id == c.user_id
        team = project.platform == c.actor.platform and project.team_id == c.actor.team_id
        if not (mine or team):
            raise UserError(messages.no_such_project(project_id))
        if change and projects.is_imported(project):
            raise UserError(messages.imported_unchangeable(project.id))
        return project

    def _edit(self, c: _Context, command: Command) -> Reply:
        """Read the instruction against the live version and apply it here, cheaply, before any credit is held:
        nothing understood, nothing changed or over a cap → a free refusal. The version stores the operations;
        the worker applies them again to the same base version."""
        try:
            edits.check_length(command.prompt)
            with self.ctx.db.session() as s:
                project = self._own_project(s, c, command.project, change=True)
                current = self._current_spec(s, project)
                base = project.current_version
            templates = self.ctx.catalog.templates()
            api = ApiProvider.from_settings(self.ctx.settings)  # optional: maps what the local reader missed
            understood = edits.understand(current, command.prompt, templates, api)
            applied = edits.apply(current, understood.operations, templates, understood.sources)
            edits.check_site(applied.spec)
        except EditTooBig as exc:
            raise UserError(messages.edit_too_big(exc.what, exc.size, exc.limit)) from None
        unclear = [(u.text, u.reason, u.example) for u in [*understood.unclear, *applied.skipped]]
        if not applied.changes:
            raise UserError(messages.edit_not_understood(project.id, unclear))
        spec: dict[str, object] = {"edit": {"base": base, "operations": edits.stored(understood.operations)}}
        reply = self._queue_version(c, kind="edit", project=project, instruction=command.prompt, spec=spec)
        if reply.version_id is None:  # a redelivery: its reply says so
            return reply
        changes = [(ch.page, ch.text) for ch in applied.changes]
        return reply.model_copy(update={"text": messages.edit_accepted(reply.text, changes, unclear)})

    def _current_spec(self, s: Session, project: Project) -> dict[str, object]:
        for version in reversed(projects.versions_of(s, project.id)):
            if version.number == project.current_version and version.spec:
                return dict(version.spec)
        if projects.active_version(s, project.id) is not None:  # its first build has not finished yet
            raise UserError(messages.project_busy(project.id))
        raise UserError(messages.no_such_version(project.id, project.current_version or 1))

    def _rollback(self, c: _Context, command: Command) -> Reply:
        """Make an earlier version live again: instant and free, nothing is built (its files are kept)."""
        assert command.project is not None and command.version is not None
        with self.ctx.db.session() as s:
            project = self._own_project(s, c, command.project, change=True)
            projects.get_project(s, project.id, lock=True)  # against a build finishing at the same moment
            if projects.active_version(s, project.id) is not None:
                raise UserError(messages.project_busy(project.id))
            target = projects.finished_version(s, project.id, command.version)
            if target is None:
                raise UserError(messages.no_such_version(project.id, command.version))
            if target.number == project.current_version:
                return Reply(text=messages.already_live(project.id, target.number), project_id=project.id)
            later = [v.number for v in projects.versions_of(s, project.id) if v.number > target.number]
            projects.make_live(s, project, target)
            name, number = project.name, target.number
        kept = [self.ctx.settings.preview_url(project.preview_token, n) for n in later[-1:]]
        text = messages.rolled_back(name, number, self.ctx.settings.preview_url(project.preview_token), kept)
        return Reply(text=text, project_id=project.id)

    def _images(self, c: _Context, command: Command) -> Reply:
        with self.ctx.db.session() as s:
            project = self._own_project(s, c, command.project, change=True)
            current = self._current_spec(s, project)
        spec = new_images(current, command.prompt, command.count or 1)
        reply = self._queue_version(
            c,
            kind="images",
            project=project,
            instruction=f"new images {command.prompt}".strip(),
            spec=spec,
            cost=self.ctx.settings.image_cost * (command.count or 1),
        )
        if reply.version_id is None or llm.ApiProvider.from_settings(self.ctx.settings) is not None:
            return reply
        return reply.model_copy(update={"text": f"{reply.text}\n{messages.images_drawn(command.count or 1)}"})

    def _photos(self, c: _Context, command: Command, files: list[Incoming]) -> Reply:
        """Check and store each file (a bad one is skipped and named), place the photos, queue a version that
        shows them. Nothing usable: one line per file, nothing written, nothing charged."""
        with self.ctx.db.session() as s:
            project = self._own_project(s, c, command.project)
            current = self._current_spec(s, project)
        store = photo_store(self.ctx.settings.sites_dir, project.id)
        accepted, refused = photos.ingest_all([(f.name, f.data, f.refused) for f in files], store)
        if not accepted:
            raise UserError(messages.no_usable_photos(refused))
        spec, placed = photos.apply(current, accepted, command.prompt)
        names = ", ".join(p.name for p in placed)
        reply = self._queue_version(
            c,
            kind="images",
            project=project,
            instruction=f"photos: {names}"[:500],
            spec=spec,
            cost=self.ctx.settings.image_cost,
        )
        if reply.version_id is None:  # a redelivery: the first delivery said where they went
            return reply
        where = [(p.name, photos.place_name(p.role)) for p in placed]
        return reply.model_copy(update={"text": f"{reply.text}\n{messages.photos_placed(where, refused)}"})

    def _cancel(self, c: _Context, command: Command) -> Reply:
        with self.ctx.db.session() as s:
            project = self._own_project(s, c, command.project)
            active = projects.active_version(s, project.id)
            if active is None:
                raise UserError(messages.nothing_to_cancel(project.id))
            version_id, number = active.id, active.number
        queue.cancel_build(self.ctx.redis, version_id)
        fail_version(self.ctx, version_id, step="cancelled by the user", reason="cancelled", status="cancelled")
        return Reply(
            text=messages.cancel_requested(project.id, number),
            project_id=project.id,
            version_id=version_id,
            version=number,
        )

    # --- read-only commands ---------------------------------------------------------------------------------
    def _status(self, c: _Context, command: Command) -> Reply:
        if command.project is None and c.actor.qualified_id in self.settings.admin_ids:
            return Reply(text=admin.operations_status(self.ctx), ephemeral=True)
        with self.ctx.db.session() as s:
            if command.project is None:
                return self._projects(c, command)
            project = self._own_project(s, c, command.project)
            versions = projects.versions_of(s, project.id)
        if projects.is_imported(project):
            return Reply(text=messages.imported_status(project.id, project.name), project_id=project.id)
        if not versions:
            return Reply(text=messages.history(project.id, []), project_id=project.id)
        v = versions[-1]
        preview = self.ctx.settings.preview_url(project.preview_token) if project.current_version else None
        step, progress = (v.step, v.progress) if v.status != "running" else self._running_step(v.id, v.step, v.progress)
        return Reply(
            text=messages.project_status(project.id, project.name, v.number, v.status, step, progress, preview),
            project_id=project.id,
        )

    def _running_step(self, version_id: int, step: str, progress: int) -> tuple[str, int]:
        """A running build's step lives in Redis (the worker's last progress event); Postgres has its start's."""
        try:
            live = self.ctx.cache.job_status(version_id) or {}
        except redis.RedisError:
            live = {}
        return str(live.get("step") or step), int(live.get("progress") or progress)

    def _projects(self, c: _Context, command: Command) -> Reply:
        with self.ctx.db.session() as s:
            rows = []
            for p in projects.visible_projects(
                s, user_id=c.user_id, platform=c.actor.platform, team_id=c.actor.team_id
            ):
                latest = projects.versions_of(s, p.id)
                state = messages.IMPORTED if projects.is_imported(p) else latest[-1].status if latest else "new"
                rows.append((p.id, p.name, p.current_version, state))
        return Reply(text=messages.projects_list(rows), ephemeral=True)

    def _history(self, c: _Context, command: Command) -> Reply:
        with self.ctx.db.session() as s:
            project = self._own_project(s, c, command.project)
            imported = projects.is_imported(project)
            rows = [
                (v.number, messages.IMPORTED if imported else v.kind, v.status, v.instruction)
                for v in projects.versions_of(s, project.id)
            ]
            live = None if imported else project.current_version  # nothing of it is served here
        return Reply(text=messages.history(project.id, rows, live), project_id=project.id)

    def _credits(self, c: _Context, command: Command) -> Reply:
        def load() -> dict[str, int]:
            with self.ctx.db.session() as s:
                b = ledger.balance_of(s, c.user_id)
            return {"balance": b.balance, "held": b.held}

        cached = self.ctx.cache.balance(c.user_id, load)
        with self.ctx.db.session() as s:
            ops = ledger.operations(s, c.user_id)
            labels = projects.version_labels(s, [o.reference for o in ops])
        recent = [(o.kind, o.net, labels.get(o.reference, "")) for o in ops]
        return Reply(text=messages.credits_summary(cached["balance"], cached["held"], recent), ephemeral=True)

    def _admin(self, c: _Context) -> str | None:
        """The asker's user id when they may grant credits (they are told how to top themselves up)."""
        return c.actor.user_id if c.actor.qualified_id in self.settings.admin_ids else None

    def _grant(self, c: _Context, command: Command) -> Reply:
        assert command.target_user is not None and command.amount is not None
        if c.actor.qualified_id not in self.settings.admin_ids:
            raise UserError(messages.not_admin())
        platform, team, target = c.actor.platform, c.actor.team_id, command.target_user
        if target.count(":") == 2:
            platform, team, target = target.split(":")
        with self.ctx.db.session() as s:
            user = accounts.find_user(s, platform, team, target)
            if user is None:
                raise UserError(messages.unknown_user(command.target_user))
            key = self._request_key(c.actor).replace(":", "/", 1)
            ledger.credit(
                s,
                user.id,
                command.amount,
                key=f"grant:{key}",
                type="grant",
                actor=c.actor.qualified_id,
                note=f"granted by {c.actor.qualified_id}",
            )
            balance = ledger.balance_of(s, user.id).available
        return Reply(text=messages.granted(command.amount, command.target_user, balance), ephemeral=True)

    def _templates(self, c: _Context, command: Command) -> Reply:
        rows = [(t["name"], t["category"], t.get("style", "")) for t in self.ctx.catalog.templates(command.category)]
        return Reply(text=messages.templates_list(rows, command.category), ephemeral=True)
