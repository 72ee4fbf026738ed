"""The `images` command's versions run as `generate_images` jobs on the `images` queue."""

from __future__ import annotations

from rq.job import Job
from rq.serializers import JSONSerializer
from sqlalchemy import or_, select

from jobs import queue
from storage.models import CreditTransaction, ProjectVersion
from tests.helpers import actor

PROMPT = "a website for Sweet Crumbs, a bakery in Leeds"


def test_images_job_runs_on_the_images_queue(service, ctx, run_jobs):
    reply = service.handle(actor(), f"build {PROMPT}")
    pid = reply.project_id
    assert pid is not None and run_jobs()

    reply = service.handle(actor(), f"images #{pid} 2")
    assert reply.version_id is not None
    job_id = queue.build_job_id(reply.version_id)
    assert job_id in queue.queue(ctx.redis, queue.IMAGES).job_ids
    assert job_id not in queue.queue(ctx.redis, queue.BUILDS).job_ids
    job = Job.fetch(job_id, connection=ctx.redis, serializer=JSONSerializer)
    assert job.func_name == "jobs.build_site.generate_images"

    assert run_jobs()
    with ctx.db.session() as s:
        version = s.get(ProjectVersion, reply.version_id)
        assert version is not None
        assert (version.kind, version.status) == ("images", "succeeded")
        hold_id = version.hold_id
        rows = list(
            s.execute(
                select(CreditTransaction).where(
                    or_(CreditTransaction.id == hold_id, CreditTransaction.hold_id == hold_id)
                )
            ).scalars()
        )
    site = ctx.settings.sites_dir / str(pid) / "v2" / "images"
    assert sorted(p.name for p in site.glob("gallery-*.png")) == ["gallery-1.png", "gallery-2.png"]
    assert sorted(r.type for r in rows) == ["capture", "hold"]
    assert {abs(r.hold_delta) for r in rows} == {ctx.settings.image_cost * 2}


def test_cancel_finds_a_queued_images_job(service, ctx, run_jobs):
    reply = service.handle(actor(), f"build {PROMPT}")
    pid = reply.project_id
    assert pid is not None and run_jobs()
    reply = service.handle(actor(), f"images #{pid} 1")
    assert reply.version_id is not None
    service.handle(actor(), f"cancel #{pid}")
    job = Job.fetch(queue.build_job_id(reply.version_id), connection=ctx.redis, serializer=JSONSerializer)
    assert job.get_status() == "canceled"


def test_cached_images_are_byte_identical_and_skip_drawing(tmp_path):
    """The image cache: the second site with the same inputs gets the same bytes from the cache, and a change of
    any input (the tagline here) draws that image anew while the others still come from the cache."""
    from jobs.images import write_images

    palette = {"primary": "#6b3e1f", "secondary": "#b4540a", "accent": "#f5d0a9", "on_primary": "#ffffff"}
    cache = tmp_path / "cache"
    first = write_images(tmp_path / "a", "Sweet Crumbs", "Bread", palette, seed="s", gallery=2, cache=cache)
    inodes = {p: p.stat().st_ino for p in cache.rglob("*.png")}  # a rewrite (tmp + rename) makes a new inode
    second = write_images(tmp_path / "b", "Sweet Crumbs", "Bread", palette, seed="s", gallery=2, cache=cache)
    assert [p.name for p in first] == [p.name for p in second]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(first, second, strict=True))
    assert len(list(cache.rglob("*.png"))) == len(first)
    assert {p: p.stat().st_ino for p in cache.rglob("*.png")} == inodes  # read, not drawn and written again
    third = write_images(tmp_path / "c", "Sweet Crumbs", "Cakes", palette, seed="s", gallery=2, cache=cache)
    changed = {p.name for p, q in zip(first, third, strict=True) if p.read_bytes() != q.read_bytes()}
    assert changed == {"og.png"}
    assert len(list(cache.rglob("*.png"))) == len(first) + 1


def test_builds_share_the_image_cache_beside_the_sites(service, ctx, run_jobs):
    """A build fills SITES_DIR/.cache/images; a second build of the same business copies every image from it."""
    from jobs.images import cache_dir

    reply = service.handle(actor(), f"build {PROMPT}")
    assert reply.project_id is not None and run_jobs()
    cache = cache_dir(ctx.settings.sites_dir)
    entries = sorted(cache.rglob("*.png"))
    assert len(entries) == 4
    stamps = {p: p.read_bytes() for p in entries}
    second = service.handle(actor(), f"build {PROMPT}")
    assert second.project_id is not None and run_jobs()
    assert sorted(cache.rglob("*.png")) == entries
    first_site = ctx.settings.sites_dir / str(reply.project_id) / "v1" / "images"
    second_site = ctx.settings.sites_dir / str(second.project_id) / "v1" / "images"
    for name in ("hero.png", "logo.png", "favicon.png", "og.png"):
        assert (first_site / name).read_bytes() == (second_site / name).read_bytes()
        assert (first_site / name).read_bytes() in stamps.values()


def test_a_lost_cache_file_is_drawn_again(tmp_path):
    from jobs.images import write_images

    palette = {"primary": "#1d3557", "secondary": "#457b9d", "accent": "#e63946", "on_primary": "#ffffff"}
    cache = tmp_path / "cache"
    first = write_images(tmp_path / "a", "Harbour Yoga", "Breathe", palette, cache=cache)
    for p in cache.rglob("*.png"):
        p.unlink()
    second = write_images(tmp_path / "b", "Harbour Yoga", "Breathe", palette, cache=cache)
    assert [a.read_bytes() for a in first] == [b.read_bytes() for b in second]
    assert len(list(cache.rglob("*.png"))) == 4


def test_sweep_drops_least_recently_used_and_stale_temporaries(tmp_path):
    import os
    import time

    from jobs.images import sweep

    cache = tmp_path / "cache"
    (cache / "ab").mkdir(parents=True)
    now = time.time()
    files = []
    for i in range(8):  # 8 × 1000 bytes, used one second apart: file 0 the longest ago
        path = cache / "ab" / f"{i:064x}.png"
        path.write_bytes(b"x" * 1000)
        os.utime(path, (now - 100 + i, now - 100 + i))
        files.append(path)
    stale = cache / "ab" / "dead.png.123.tmp"
    stale.write_bytes(b"half")
    os.utime(stale, (now - 7200, now - 7200))
    fresh = cache / "ab" / "live.png.456.tmp"
    fresh.write_bytes(b"being written")

    assert sweep(cache, 10_000) == 1  # under the bound: only the crashed writer's file goes
    assert all(p.exists() for p in files) and not stale.exists() and fresh.exists()
    assert sweep(cache, 6000) == 4  # over it: back to 3/4 (4500 bytes), oldest first
    assert [p.exists() for p in files] == [False] * 4 + [True] * 4
    assert fresh.exists()


def test_zip_stores_images_and_deflates_text(tmp_path):
    import zipfile

    from jobs.generator import zip_site
    from jobs.images import write_images

    site = tmp_path / "site"
    write_images(
        site / "images",
        "Sweet Crumbs",
        "Bread",
        {"primary": "#6b3e1f", "secondary": "#b4540a", "accent": "#f5d0a9", "on_primary": "#ffffff"},
    )
    (site / "index.html").write_text("<p>hello</p>" * 200)
    with zipfile.ZipFile(zip_site(site, tmp_path / "v1.zip")) as archive:
        kinds = {i.filename: i.compress_type for i in archive.infolist()}
        assert archive.testzip() is None
        assert archive.read("index.html") == (site / "index.html").read_bytes()
    assert kinds["index.html"] == zipfile.ZIP_DEFLATED
    assert {kinds[f"images/{n}"] for n in ("hero.png", "logo.png", "favicon.png", "og.png")} == {zipfile.ZIP_STORED}
