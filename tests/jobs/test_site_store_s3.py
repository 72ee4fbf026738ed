"""Builds with the site store on S3 (moto in server mode): the worker publishes to the bucket, the preview server
serves from it, nothing lands in SITES_DIR; a failing store fails the build cleanly and answers 503 to readers."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select
from structlog.testing import capture_logs

from bot.preview import CURRENT, IMMUTABLE, SECURITY_HEADERS, make_app
from jobs.settings import JobSettings
from storage.models import ProjectVersion
from tests.helpers import actor, preview_token
from tests.s3_server import MotoServer, free_port, on_s3
from tests.security.preview_client import PROMPT, fetch


@pytest.fixture
def job_settings(job_settings: JobSettings, s3_server: MotoServer, tmp_path: Path) -> JobSettings:
    return on_s3(job_settings, s3_server.url, s3_server.new_bucket(), tmp_path / "work")


def test_a_build_lands_in_the_bucket_and_the_preview_serves_it(service, ctx, run_jobs, storage_settings, tmp_path):
    reply = service.handle(actor(), f"build {PROMPT}")
    assert run_jobs()
    pid = reply.project_id
    store = ctx.settings.site_store
    names = store.files(pid, 1)
    assert "index.html" in names and "styles.css" in names
    assert not (tmp_path / "sites").exists()  # SITES_DIR untouched
    work = ctx.settings.work_dir / str(pid)
    assert not [p for p in work.iterdir() if p.name.startswith(".v")]  # nothing half-built left behind
    with ctx.db.session() as s:
        row = s.execute(select(ProjectVersion).where(ProjectVersion.project_id == pid)).scalar_one()
        assert row.status == "succeeded" and row.site_path == f"s3://{store.location.split('/')[2]}/sites/{pid}/v1/"

    token = preview_token(ctx.db, pid)
    app = make_app(storage_settings, ctx.settings)
    current, v1, css, archive = fetch(
        app, f"/p/{token}/", f"/p/{token}/v1/", f"/p/{token}/v1/styles.css", f"/p/{token}/v1.zip"
    )
    index = store.read(pid, 1, "index.html")
    assert index is not None and current.body == v1.body == index.data
    assert current.headers["Cache-Control"] == CURRENT and v1.headers["Cache-Control"] == IMMUTABLE
    assert current.headers["ETag"] == index.etag and css.headers["Content-Type"].startswith("text/css")
    for name, value in SECURITY_HEADERS.items():
        assert current.headers[name] == value
    assert archive.status == 302 and "X-Amz-Signature=" in archive.headers["Location"]
    with urllib.request.urlopen(archive.headers["Location"], timeout=5) as answer:
        assert answer.read()[:2] == b"PK"

    (again,) = _conditional(make_app(storage_settings, ctx.settings), f"/p/{token}/v1/", index.etag)
    assert again == 304


def _conditional(app, path: str, etag: str) -> list[int]:
    import asyncio

    from aiohttp.test_utils import TestClient, TestServer

    async def go() -> list[int]:
        async with TestClient(TestServer(app)) as client:
            resp = await client.get(path, headers={"If-None-Match": etag})
            return [resp.status]

    return asyncio.run(go())


def test_the_preview_answers_503_when_the_store_is_gone(service, ctx, run_jobs, storage_settings, tmp_path):
    reply = service.handle(actor(), f"build {PROMPT}")
    assert run_jobs()
    token = preview_token(ctx.db, reply.project_id)
    gone = ctx.settings.model_copy(update={"s3_endpoint_url": f"http://127.0.0.1:{free_port()}"})
    del gone.__dict__["site_store"]  # a fresh client for the new endpoint (model_copy keeps the cached one)
    with capture_logs() as logs:
        (answer,) = fetch(make_app(storage_settings, gone), f"/p/{token}/")
    assert answer.status == 503 and b"Preview store unavailable" in answer.body
    assert b"Traceback" not in answer.body and answer.headers["X-Frame-Options"] == "DENY"
    assert [e["problem"] for e in logs if e["event"] == "preview store unavailable"] == [
        "the S3 endpoint is unreachable"
    ]


def test_photos_reach_a_worker_through_the_bucket(service, ctx, run_jobs):
    """The service stores the team's photos in the bucket; a worker with nothing on its disk (another host's
    WORK_DIR) reads them from there and the new version shows them."""
    import shutil

    from bot.attachments import Incoming
    from tests.jobs.test_photos_site import jpeg

    reply = service.handle(actor(), f"build {PROMPT}")
    assert run_jobs()
    pid = reply.project_id
    shot = Incoming(name="hall.jpg", data=jpeg(1400, 900, (50, 80, 90)))
    assert service.handle_files(actor(), f"images #{pid}", [shot]).version_id is not None
    store = ctx.settings.site_store
    kept = store.blobs(f"{pid}/photos")
    assert kept and all(k.endswith(".webp") for k in kept)
    shutil.rmtree(ctx.settings.work_dir)  # the worker's host has never seen the photos
    assert run_jobs()
    shown = [n for n in store.files(pid, 2) if n.startswith("images/photo-")]
    ids = {n.split("photo-", 1)[1].split("-")[0] for n in shown}  # the site names a photo by its hash's head
    assert shown and all(any(k.rsplit("/", 1)[1].startswith(i) for k in kept) for i in ids)
