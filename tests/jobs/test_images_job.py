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
    stamps = {p: p.stat().st_mtime_ns for p in cache.rglob("*.png")}
    second = write_images(tmp_path / "b", "Sweet Crumbs", "Bread", palette, seed="s", gallery=2, cache=cache)
    assert [p.name for p in first] == [p.name for p in second]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(first, second, strict=True))
    assert len(list(cache.rglob("*.png"))) == len(first)
    assert {p: p.stat().st_mtime_ns for p in cache.rglob("*.png")} == stamps  # read, not drawn and written again
    third = write_images(tmp_path / "c", "Sweet Crumbs", "Cakes", palette, seed="s", gallery=2, cache=cache)
    changed = {p.name for p, q in zip(first, third, strict=True) if p.read_bytes() != q.read_bytes()}
    assert changed == {"og.png"}
    assert len(list(cache.rglob("*.png"))) == len(first) + 1
