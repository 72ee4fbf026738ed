"""The `build_site` job: one project version becomes a site on disk, its hold is captured, the chat is told.

Exactly-once bookkeeping: the site files are written to a fresh directory and renamed into place (a retry simply
writes them again), and the outcome (status, capture or release of the hold, milestone message, and the final event
in the outbox the relays deliver from) is recorded in one Postgres transaction that first locks the version row and
does nothing if the version is already terminal. So a retried job, a second `on_failure` call or a worker that died
between writing and recording never charges twice, and the final event is published only once it is durable.

Postgres sees two transactions per build: the start (version locked, marked running) and the outcome. The steps in
between live in Redis only (progress channel, job-status key, RQ meta: one pipeline per event).
"""

from __future__ import annotations

import os
import shutil
import traceback
from pathlib import Path
from types import TracebackType
from typing import Any

import redis
import structlog
from redis import Redis
from rq import get_current_job
from rq.job import Job
from sqlalchemy.orm import Session

from jobs import brief as briefs
from jobs import context, edits, events, generator, images, llm, packs, photo_sync, plan
from jobs.context import JobContext
from jobs.errors import BuildFailed
from jobs.events import ProgressEvent
from storage import ledger, outbox, projects
from storage.models import Project, ProjectVersion
from storage.sites import StoreUnavailable

log = structlog.get_logger(__name__)

STEPS = {
    "Picking template": (5, 15),
    "Rendering pages": (15, 65),
    "Generating images": (65, 90),
    "Packaging": (90, 98),
}
"""Each step's share of the progress bar, in percent (start, end)."""
TMP_GLOB = ".v*.tmp-*"
"""A version is rendered into `.v<n>.tmp-<pid>` beside its final directory, then renamed into place; anything
left by a killed work horse is swept by the reconciler."""


def _percent(step: str, done: int, total: int) -> int:
    start, end = STEPS.get(step, (0, 100))
    return start + (end - start) * done // max(total, 1)


class _Reporter:
    """Publishes progress events for one version. Steps live in Redis only (the event on the progress channel, the
    job-status key the `status` command reads, RQ's job meta), sent in one pipeline per event; Postgres records
    only the start and the outcome of a build."""

    def __init__(self, ctx: JobContext, project: Project, version: ProjectVersion) -> None:
        self.ctx = ctx
        self.base = {
            "project_id": project.id,
            "version_id": version.id,
            "version": version.number,
            "project_name": project.name,
        }
        self.step = ""

    def event(self, **fields: Any) -> ProgressEvent:
        return ProgressEvent(**self.base, **fields)

    def publish(self, event: ProgressEvent) -> None:
        events.publish_with_status(self.ctx.redis, event)

    def __call__(self, step: str, done: int, total: int) -> None:
        percent = _percent(step, done, total)
        job = None
        if step != self.step:
            self.step = step
            if (job := get_current_job()) is not None:
                job.meta.update(step=step, progress=percent)
        meta = (job.key, job.serializer.dumps(job.meta)) if job is not None else None
        events.publish_with_status(
            self.ctx.redis, self.event(kind="step", step=step, progress=percent, done=done, total=total), meta=meta
        )


def version_dir(ctx: JobContext, project_id: int, number: int) -> Path:
    """Where version `number` is rendered before it is published: beside its final place in a local store (one
    rename publishes it), under WORK_DIR with an S3 store."""
    return generator.safe_join(ctx.settings.render_root, str(project_id), f"v{number}")


def build_site(version_id: int) -> dict[str, Any]:
    """Build one queued version. Returns a small summary (RQ stores it as the job result)."""
    ctx = context.current()
    with ctx.db.session() as s:
        version = projects.get_version(s, version_id, lock=True)
        if version.status in projects.TERMINAL_STATES:
            return {"version_id": version_id, "status": version.status, "repeat": True}
        project = projects.get_project(s, version.project_id)
        projects.record_progress(s, version_id, status="running", step="Picking template", progress=5)
    structlog.contextvars.bind_contextvars(project_id=project.id, version_id=version_id)
    report = _Reporter(ctx, project, version)
    report.publish(report.event(kind="started", step="Picking template", progress=5))
    at = _At()
    tmp = version_dir(ctx, project.id, version.number)
    tmp = tmp.with_name(f".{tmp.name}.tmp-{os.getpid()}")
    archive = tmp.with_name(f"{tmp.name}.zip")
    try:
        spec = _make(ctx, report, project, version, tmp, archive, at)
    except StoreUnavailable as exc:  # the store's own words: no key, no secret, no traceback
        store = ctx.settings.site_store.location
        log.error("build failed", step=at.step, error="StoreUnavailable", problem=exc.problem, store=store)
        fail_version(ctx, version_id, step=at.step, reason="site store unavailable")
        raise BuildFailed(at.step, "site store unavailable") from None
    except Exception as exc:
        log.error("build failed", step=at.step, error=type(exc).__name__, detail=traceback.format_exc(limit=5))
        fail_version(ctx, version_id, step=at.step, reason=type(exc).__name__)
        raise BuildFailed(at.step, type(exc).__name__) from exc
    finally:  # cancelled (StopJob), failed or stopped: no half-built directory stays behind
        shutil.rmtree(tmp, ignore_errors=True)
        archive.unlink(missing_ok=True)
        archive.with_suffix(".zip.tmp").unlink(missing_ok=True)
    site, zip_path = _published(ctx, project.id, version.number)
    return _record_success(ctx, report, version_id, spec, site, zip_path)


class _At:
    """The step a build is in, in the words of its failure message (`failed while <step>`)."""

    step = "picking a template"


def _make(
    ctx: JobContext, report: _Reporter, project: Project, version: ProjectVersion, tmp: Path, archive: Path, at: _At
) -> generator.SiteSpec:
    """Render the version into `tmp`, zip it into `archive`, publish both to the site store; the spec rendered."""
    spec = _spec_for(ctx, project, version)
    detail = f"Template: {spec.template_name} ({spec.category} · {spec.tone})"
    report.publish(report.event(kind="step", step="Picking template", progress=15, detail=detail))
    at.step = "reading the site store"
    photos_dir = photo_sync.pull(ctx.settings, project.id)  # the project's photos, from any host's upload
    at.step = "rendering pages"
    components = ctx.catalog.components(generator.component_slugs(spec))
    shutil.rmtree(tmp, ignore_errors=True)
    generator.render_site(
        spec,
        components,
        tmp,
        base_url=ctx.settings.preview_url(project.preview_token),
        on_progress=report,
        photo_store=photos_dir,
        image_cache=images.cache_dir(ctx.settings.render_root),
    )
    edits.check_rendered(tmp)
    if _is_new(version):  # a new site: the API, when configured, may draw its hero
        _api_hero(ctx, project, spec, tmp)
    at.step = "packaging the site"
    report("Packaging", 0, 1)
    generator.zip_site(tmp, archive)
    at.step = "publishing the site"
    ctx.settings.site_store.publish(project.id, version.number, tmp, archive)  # every object written, then live
    return spec


def _published(ctx: JobContext, project_id: int, number: int) -> tuple[str, str]:
    """(the site's place, its zip's) as the final event and the version row name them."""
    if ctx.settings.is_local:
        final = version_dir(ctx, project_id, number)
        return str(final), str(final.with_suffix(".zip"))
    where = f"{ctx.settings.site_store.location.split(' ')[0].rstrip('/')}/{project_id}/v{number}"
    return f"{where}/", f"{where}.zip"


def _is_new(version: ProjectVersion) -> bool:
    """A first build: its spec holds only the brief the service read from the prompt (or, from before that was
    stored, nothing); an edit or rollback carries the whole spec it wants rendered."""
    return not version.spec or ("pages" not in version.spec and "edit" not in version.spec)


def _spec_for(ctx: JobContext, project: Project, version: ProjectVersion) -> generator.SiteSpec:
    if version.spec and "edit" in version.spec:
        return _edited(ctx, project, version.spec["edit"])
    if not _is_new(version):
        return generator.SiteSpec.model_validate(version.spec)
    stored = (version.spec or {}).get("brief")
    brief = briefs.Brief.model_validate(stored) if stored else briefs.parse(project.prompt)
    template = ctx.catalog.choose_template(brief.words, **packs.family(brief.kind).model_dump())
    return plan.make_spec(brief, template, copy_provider=llm.ApiProvider.from_settings(ctx.settings))


def _edited(ctx: JobContext, project: Project, edit: dict[str, Any]) -> generator.SiteSpec:
    """An edit's spec: its stored operations applied again to the version they were read against, with the caps
    checked again (a refusal here fails the version and releases its hold)."""
    with ctx.db.session() as s:
        base = next((v for v in projects.versions_of(s, project.id) if v.number == edit.get("base")), None)
        current = dict(base.spec) if base is not None and base.spec else None
    if current is None:
        raise BuildFailed("reading the edit", "base version gone")
    templates = ctx.catalog.templates()
    applied = edits.apply(current, edits.loaded(edit.get("operations", [])), templates)
    edits.check_site(applied.spec)
    return generator.SiteSpec.model_validate(applied.spec)


def _api_hero(ctx: JobContext, project: Project, spec: generator.SiteSpec, site: Path) -> None:
    """Replace the procedural hero with the API's picture when one is configured and answers well.

    Only first builds ask: edits re-render their stored spec, so they (and the `images` command) use the local
    pictures again."""
    api = llm.ApiProvider.from_settings(ctx.settings)
    if api is not None and (png := api.hero(spec.name, project.prompt)) is not None:
        (site / "images" / "hero.png").write_bytes(png)


def generate_images(version_id: int) -> dict[str, Any]:
    """The `images` queue's job: a version made by the `images` command. Same pipeline and bookkeeping as a
    build (its spec asks for the new pictures), on its own queue so picture work does not hold up builds."""
    return build_site(version_id)


def _record_success(
    ctx: JobContext, report: _Reporter, version_id: int, spec: generator.SiteSpec, site: str, zip_path: str
) -> dict[str, Any]:
    with ctx.db.session() as s:
        version = projects.get_version(s, version_id, lock=True)
        if version.status in projects.TERMINAL_STATES:  # cancelled while we rendered: keep that outcome
            return {"version_id": version_id, "status": version.status}
        charged = 0
        if version.hold_id is not None:
            row = ledger.capture(s, version.hold_id, reference=f"version:{version_id}")
            charged = -row.amount
        version.spec = spec.model_dump(mode="json")
        version.template_slug = spec.template
        projects.finish_version(s, version, status="succeeded", step="done", site_path=site)
        project = projects.get_project(s, version.project_id)
        project.name = spec.name
        balance = ledger.balance_of(s, project.owner_id)
        projects.add_message(
            s,
            role="progress",
            platform=project.platform,
            project_id=project.id,
            user_id=project.owner_id,
            text=f"v{version.number} succeeded: {len(spec.pages)} pages, template {spec.template_name}, "
            f"{charged} credits charged",
        )
        report.base["project_name"] = spec.name
        event = report.event(
            kind="succeeded",
            step="Done",
            progress=100,
            preview_url=ctx.settings.preview_url(project.preview_token),
            download_url=ctx.settings.download_url(project.preview_token, version.number),
            site_path=f"{site.rstrip('/')}/index.html",
            zip_path=zip_path,
            pages=len(spec.pages),
            detail=finish_line(spec.missing),
            credits=charged,
            balance=balance.available,
        )
        _record_outcome(s, project, event)
    report.publish(event)
    return {"version_id": version_id, "status": "succeeded", "site": site}


def finish_line(missing: list[str]) -> str:
    """The final message's line of what would complete the site ("" when nothing is missing)."""
    return f"To finish it, reply with: {' · '.join(missing[:6])}" if missing else ""


def _record_outcome(s: Session, project: Project, event: ProgressEvent) -> None:
    """The final outcome goes to the outbox in the transaction that records it, before anything is published."""
    outbox.add(
        s,
        event_id=event.id,
        version_id=event.version_id,
        project_id=project.id,
        platform=project.platform,
        payload=event.model_dump(mode="json"),
    )


def fail_version(ctx: JobContext, version_id: int, *, step: str, reason: str, status: str = "failed") -> bool:
    """Record a failed (or cancelled) outcome once: release the hold, tell the chat. False if already final."""
    reached = _last_progress(ctx, version_id)  # read before the row is locked: no Redis round trip under the lock
    with ctx.db.session() as s:
        version = projects.get_version(s, version_id, lock=True)
        if version.status in projects.TERMINAL_STATES:
            return False
        version.progress = max(version.progress, reached)
        refunded = 0
        if version.hold_id is not None and not ledger.is_settled(s, version.hold_id):
            row = ledger.release(s, version.hold_id, reference=f"version:{version_id}", note=reason[:200])
            refunded = -row.hold_delta
        projects.finish_version(s, version, status=status, step=step, error=reason[:500])
        project = projects.get_project(s, version.project_id)
        balance = ledger.balance_of(s, project.owner_id)
        projects.add_message(
            s,
            role="progress",
            platform=project.platform,
            project_id=project.id,
            user_id=project.owner_id,
            text=f"v{version.number} {status} while {step}; {refunded} credits released",
        )
        event = ProgressEvent(
            project_id=project.id,
            version_id=version_id,
            version=version.number,
            project_name=project.name,
            kind="cancelled" if status == "cancelled" else "failed",
            step=step,
            progress=version.progress,
            credits=refunded,
            balance=balance.available,
            error=reason[:200],
        )
        _record_outcome(s, project, event)
    events.publish_with_status(ctx.redis, event)
    return True


def _last_progress(ctx: JobContext, version_id: int) -> int:
    """How far the build got: its last step's percent is in Redis (Postgres has the start's); 0 if unknown."""
    try:
        status = ctx.cache.job_status(version_id) or {}
    except redis.RedisError:
        return 0
    return int(status.get("progress") or 0) if status.get("kind") not in events.TERMINAL_KINDS else 0


def on_build_failure(
    job: Job,
    connection: Redis,
    exc_type: type[BaseException] | None,
    exc: BaseException | None,
    tb: TracebackType | None,
) -> None:
    """RQ failure callback: records the failure of a job that died without recording it (timeout, lost worker).

    RQ calls it on every failed attempt, so it acts only on the last one, and `fail_version` is idempotent."""
    if job.retries_left:
        return
    version_id = int(job.args[0])
    name = exc_type.__name__ if exc_type else "unknown error"
    fail_version(context.current(), version_id, step="building the site", reason=name)
