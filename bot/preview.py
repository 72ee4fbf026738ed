"""`autoweb serve`: the preview server. `/p/<token>/` is a project's current version, `/p/<token>/v<n>/` any
version and `/p/<token>/v<n>.zip` its download, where the token is the project's unguessable preview token.

Nothing blocking runs on the event loop: the token lookup (one indexed query) and the file checks run on a small
thread pool of their own, so a slow or locked database delays previews but never `/healthz` or other requests.
"""

from __future__ import annotations

import asyncio
import mimetypes
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import redis
import structlog
from aiohttp import web

from bot import readiness
from bot.preview_paths import BadPath, Target, parse
from jobs.settings import JobSettings
from storage.db import Database
from storage.errors import ServiceUnavailable
from storage.projects import preview_of
from storage.redis_client import connect
from storage.settings import StorageSettings
from storage.sites import Download, HotCache, SiteStore, StoredFile, StoreUnavailable

mimetypes.add_type("image/webp", ".webp")  # photos are WebP; slim systems' mime.types may not list it

log = structlog.get_logger(__name__)

LOOKUP_THREADS = 4
"""Threads (and database connections) for preview lookups; further requests wait for one."""
ROBOTS = "User-agent: *\nDisallow: /\n"
"""Previews are not the published site: no crawler should index them."""
CSP = (
    "default-src 'none'; img-src 'self'; style-src 'self'; font-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
"""Generated sites are static: their own stylesheet and pictures, no script, no inline style, no form, nothing
from elsewhere. A preview may not be framed (no clickjacking) and the policy still holds for a hostile file."""
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "X-Robots-Tag": "noindex, nofollow",
}
"""On every answer of the preview server, errors included. `no-referrer`: the token in a preview URL never leaves
with a click on one of the site's links."""
DB_KEY = web.AppKey("db", Database)
SETTINGS_KEY = web.AppKey("settings", JobSettings)
REDIS_KEY = web.AppKey("redis", redis.Redis)
POOL_KEY = web.AppKey("pool", ThreadPoolExecutor)
STORE_KEY = web.AppKey("store", SiteStore)
CACHE_KEY = web.AppKey("cache", HotCache)
HOT_CACHE_BYTES = 64 * 2**20
"""Files of published versions kept in memory by each preview server (they never change once published)."""
IMMUTABLE = "private, max-age=31536000, immutable"
"""A numbered version's files (and zip) never change. `private`: a preview is for whoever holds its link."""
CURRENT = "private, max-age=30"
"""The current version moves with each build: browsers check again after half a minute (ETag: 304)."""
DOWNLOAD_SECONDS = 600
"""How long a signed zip link (S3) stays good."""


class _NotFound(Exception):
    pass


async def _security_headers(request: web.Request, response: web.StreamResponse) -> None:
    response.headers.update(SECURITY_HEADERS)


async def healthz(request: web.Request) -> web.Response:
    return web.Response(text="ok")


async def robots(request: web.Request) -> web.Response:
    return web.Response(text=ROBOTS)


async def project_file(request: web.Request) -> web.StreamResponse:
    try:
        target = parse(request.raw_path)
    except BadPath as exc:
        log.info("preview request refused", status=exc.status, reason=exc.reason, length=len(request.raw_path))
        raise _client_error(exc.status) from None
    if target.parts and target.parts[-1] == "robots.txt":
        return web.Response(text=ROBOTS)
    app = request.app
    loop = asyncio.get_running_loop()
    try:
        found = await loop.run_in_executor(app[POOL_KEY], _locate, app, target)
    except _NotFound:
        raise web.HTTPNotFound(text="Not found.") from None
    except ServiceUnavailable:
        raise web.HTTPServiceUnavailable(text="Preview database unavailable, try again shortly.") from None
    except StoreUnavailable as exc:
        log.warning("preview store unavailable", problem=exc.problem, store=app[STORE_KEY].location)
        raise web.HTTPServiceUnavailable(text="Preview store unavailable, try again shortly.") from None
    if isinstance(found, Download):
        return _download(found, target)
    file = found
    cache = IMMUTABLE if target.version else CURRENT
    headers = {"ETag": file.etag, "Cache-Control": cache}
    if file.etag in request.headers.get("If-None-Match", ""):
        return web.Response(status=304, headers=headers)
    content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    return web.Response(body=file.data, headers={**headers, "Content-Type": content_type})


def _download(found: Download, target: Target) -> web.StreamResponse:
    if found.url is not None:  # S3: a signed link, good for DOWNLOAD_SECONDS, straight to the bucket
        raise web.HTTPFound(found.url, headers={"Cache-Control": "no-store"})
    assert found.path is not None
    name = f"project-{found.path.parent.name}-{found.path.name}"
    headers = {"Content-Type": "application/zip", "Content-Disposition": f'attachment; filename="{name}"'}
    return web.FileResponse(found.path, headers={**headers, "Cache-Control": IMMUTABLE})


def _locate(app: web.Application, target: Target) -> StoredFile | Download:
    """The file or the version's download; runs on the lookup pool. Files come from the version's
    own place in the store only (`storage.sites.safe_name`), through the hot-file cache."""
    with app[DB_KEY].session() as s:
        found = preview_of(s, target.token)
    if found is None:
        raise _NotFound
    project_id, current = found
    version = target.version or current
    if not version:
        raise _NotFound
    store = app[STORE_KEY]
    if target.archive:
        link = store.download(project_id, version, expires=DOWNLOAD_SECONDS)
        if link is None:
            raise _NotFound
        return link
    name = "/".join(target.parts)
    key = (project_id, version, name)
    file = app[CACHE_KEY].get(key)
    if file is None:
        file = store.read(project_id, version, name)
        if file is None:
            raise _NotFound
        app[CACHE_KEY].put(key, file)
    return file


def _client_error(status: int) -> web.HTTPException:
    if status == 414:
        return web.HTTPRequestURITooLong(text="Path too long.")
    if status == 400:
        return web.HTTPBadRequest(text="Bad path.")
    return web.HTTPNotFound(text="Not found.")


def make_app(storage: StorageSettings, settings: JobSettings | None = None) -> web.Application:
    """The preview routes, plus /robots.txt, /healthz (the process runs; touches nothing) and /readyz
    (PostgreSQL at head, and Redis when REDIS_URL is set)."""
    assert storage.database_url
    app = web.Application()
    db = app[DB_KEY] = Database(storage.database_url, pool_size=LOOKUP_THREADS)
    settings = app[SETTINGS_KEY] = settings or JobSettings()
    app[STORE_KEY] = settings.site_store
    app[CACHE_KEY] = HotCache(HOT_CACHE_BYTES)
    app[POOL_KEY] = ThreadPoolExecutor(LOOKUP_THREADS, thread_name_prefix="preview-lookup")
    checks = [readiness.postgres_check(db)]
    if storage.redis_url:
        client = app[REDIS_KEY] = connect(storage.redis_url)
        checks.append(readiness.redis_check(client))
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/robots.txt", robots)
    readiness.add_readyz_route(app, checks)
    app.router.add_get("/p/{token}/{path:.*}", project_file)
    app.router.add_get("/p/{token}", _redirect)

    async def close(app: web.Application) -> None:
        app[POOL_KEY].shutdown(wait=False, cancel_futures=True)
        app[DB_KEY].dispose()
        if REDIS_KEY in app:
            app[REDIS_KEY].close()

    app.on_response_prepare.append(_security_headers)
    app.on_cleanup.append(close)
    return app


async def _redirect(request: web.Request) -> web.Response:
    try:
        target = parse(request.raw_path + "/")
    except BadPath as exc:
        raise _client_error(exc.status) from None
    raise web.HTTPMovedPermanently(f"/p/{target.token}/")


def run(storage: StorageSettings, *, host: str, port: int, ready: Callable[[str], None] | None = None) -> None:
    """Serve until SIGINT/SIGTERM; `ready` is called (with aiohttp's banner) once the port is bound."""
    web.run_app(make_app(storage), host=host, port=port, print=ready)
