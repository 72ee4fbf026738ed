"""`autoweb serve`: the preview server. `/p/<id>/` is a project's current version, `/p/<id>/v<n>/` any version."""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Callable

import redis
from aiohttp import web

from bot import metrics, readiness
from jobs.errors import UnsafePath
from jobs.generator import safe_join
from jobs.settings import JobSettings
from storage.db import Database
from storage.errors import NotFound, ServiceUnavailable
from storage.projects import get_project
from storage.redis_client import connect
from storage.settings import StorageSettings

mimetypes.add_type("image/webp", ".webp")  # photos are WebP; slim systems' mime.types may not list it

_VERSION = re.compile(r"^v(\d{1,6})$")
_ZIP = re.compile(r"^v(\d{1,6})\.zip$")
DB_KEY = web.AppKey("db", Database)
SETTINGS_KEY = web.AppKey("settings", JobSettings)
REDIS_KEY = web.AppKey("redis", redis.Redis)


async def healthz(request: web.Request) -> web.Response:
    return web.Response(text="ok")


async def project_file(request: web.Request) -> web.StreamResponse:
    settings = request.app[SETTINGS_KEY]
    project_id = int(request.match_info["project"])
    parts = [p for p in request.match_info.get("path", "").split("/") if p]
    if len(parts) == 1 and (m := _ZIP.match(parts[0])):  # /p/<id>/v<n>.zip: the whole version to download
        archive = safe_join(settings.sites_dir, str(project_id), f"v{int(m.group(1))}.zip")
        if not archive.is_file():
            raise web.HTTPNotFound(text="Not found.")
        return web.FileResponse(
            archive,
            headers={
                "Content-Type": "application/zip",
                "Content-Disposition": f'attachment; filename="project-{project_id}-v{int(m.group(1))}.zip"',
            },
        )
    if parts and (m := _VERSION.match(parts[0])):
        version, parts = int(m.group(1)), parts[1:]
    else:
        try:
            with request.app[DB_KEY].session() as s:
                version = get_project(s, project_id).current_version or 0
        except NotFound:
            raise web.HTTPNotFound(text="No such project.") from None
        except ServiceUnavailable:
            raise web.HTTPServiceUnavailable(text="Preview database unavailable, try again shortly.") from None
    if not version:
        raise web.HTTPNotFound(text="This project has no finished version yet.")
    try:
        path = safe_join(settings.sites_dir, str(project_id), f"v{version}", *(parts or ["index.html"]))
    except UnsafePath:
        raise web.HTTPNotFound() from None
    if path.is_dir():
        path = path / "index.html"
    if not path.is_file():
        raise web.HTTPNotFound(text="Not found.")
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return web.FileResponse(path, headers={"Content-Type": content_type, "X-Content-Type-Options": "nosniff"})


def make_app(storage: StorageSettings, settings: JobSettings | None = None) -> web.Application:
    """The preview routes, plus /healthz, /readyz (PostgreSQL at head, and Redis when REDIS_URL is set) and
    /metrics (queues from Redis when it is set, credits from the ledger)."""
    assert storage.database_url
    app = web.Application()
    db = app[DB_KEY] = Database(storage.database_url, pool_size=2)
    app[SETTINGS_KEY] = settings or JobSettings()
    checks = [readiness.postgres_check(db)]
    client = None
    if storage.redis_url:
        client = app[REDIS_KEY] = connect(storage.redis_url)
        checks.append(readiness.redis_check(client))
    app.router.add_get("/healthz", healthz)
    readiness.add_readyz_route(app, checks)
    metrics.add_metrics_route(app, metrics.registry_for(client=client, db=db))
    app.router.add_get(r"/p/{project:\d{1,12}}/{path:.*}", project_file)
    app.router.add_get(r"/p/{project:\d{1,12}}", _redirect)

    async def close_db(app: web.Application) -> None:
        app[DB_KEY].dispose()
        if REDIS_KEY in app:
            app[REDIS_KEY].close()

    app.on_cleanup.append(close_db)
    return app


async def _redirect(request: web.Request) -> web.Response:
    raise web.HTTPMovedPermanently(f"/p/{request.match_info['project']}/")


def run(storage: StorageSettings, *, host: str, port: int, ready: Callable[[str], None] | None = None) -> None:
    """Serve until SIGINT/SIGTERM; `ready` is called (with aiohttp's banner) once the port is bound."""
    web.run_app(make_app(storage), host=host, port=port, print=ready)
