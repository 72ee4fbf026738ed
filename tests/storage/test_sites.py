"""The site store's contract, the same tests on both backends: a local directory and S3 (moto in server mode)."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest

from jobs.settings import JobSettings
from storage.sites import PROBE_KEY, HotCache, SiteStore, StoredFile, probe


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, job_settings: JobSettings) -> SiteStore:
    settings = job_settings if request.param == "local" else request.getfixturevalue("s3_settings")
    return settings.site_store


def rendered(tmp_path: Path, title: str = "Hello") -> tuple[Path, Path]:
    site = tmp_path / "render" / ".v1.tmp-1"
    (site / "about").mkdir(parents=True)
    (site / "images").mkdir()
    (site / "index.html").write_text(f"<h1>{title}</h1>")
    (site / "about" / "index.html").write_text("<h1>About</h1>")
    (site / "style.css").write_text("body{}")
    (site / "images" / "hero.png").write_bytes(bytes(range(256)) * 40)
    archive = tmp_path / "render" / "v1.zip"
    archive.write_bytes(b"PK\x05\x06" + b"\0" * 18)
    return site, archive


def test_a_published_version_lists_and_reads_every_file(store: SiteStore, tmp_path: Path) -> None:
    site, archive = rendered(tmp_path)
    expected = {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert store.publish(7, 1, site, archive) == len(expected) + (2 if "s3" in store.location else 1)
    assert store.files(7, 1) == sorted(expected)
    for name, data in expected.items():
        found = store.read(7, 1, name)
        assert found is not None and found.data == data and found.etag.startswith('"')
    index = store.read(7, 1, "")
    about = store.read(7, 1, "about")
    assert index is not None and index.data == b"<h1>Hello</h1>"
    assert about is not None and about.data == b"<h1>About</h1>"


def test_etags_follow_the_content(store: SiteStore, tmp_path: Path) -> None:
    site, archive = rendered(tmp_path / "a", "One")
    store.publish(7, 1, site, archive)
    site, archive = rendered(tmp_path / "b", "Two")
    store.publish(7, 2, site, archive)
    one, two, css = store.read(7, 1, "index.html"), store.read(7, 2, "index.html"), store.read(7, 2, "style.css")
    assert one and two and css and one.etag != two.etag
    again = store.read(7, 1, "style.css")
    assert again is not None and again.etag == css.etag


@pytest.mark.parametrize("name", ["../8/v1/index.html", "about/../../x", ".hidden", "a//b", "images/\x00", "/etc"])
def test_names_that_leave_the_version_find_nothing(store: SiteStore, tmp_path: Path, name: str) -> None:
    site, archive = rendered(tmp_path)
    store.publish(7, 1, site, archive)
    assert store.read(7, 1, name) is None


def test_unknown_versions_and_files_are_none(store: SiteStore, tmp_path: Path) -> None:
    site, archive = rendered(tmp_path)
    store.publish(7, 1, site, archive)
    assert store.read(7, 2, "index.html") is None
    assert store.read(8, 1, "index.html") is None
    assert store.read(7, 1, "missing.html") is None
    assert store.files(7, 2) == []
    assert store.download(7, 2) is None


def test_delete_removes_the_version_and_its_zip(store: SiteStore, tmp_path: Path) -> None:
    site, archive = rendered(tmp_path)
    store.publish(7, 1, site, archive)
    assert store.delete(7, 1) == 4
    assert store.files(7, 1) == [] and store.read(7, 1, "index.html") is None
    assert store.download(7, 1) is None


def test_the_download_is_the_zip(store: SiteStore, tmp_path: Path) -> None:
    site, archive = rendered(tmp_path)
    store.publish(7, 1, site, archive)
    link = store.download(7, 1, expires=60)
    assert link is not None
    if link.url is not None:  # S3: a signed, time-limited link straight to the object
        assert "Signature=" in link.url and "Expires=" in link.url or "X-Amz-Expires=60" in link.url
        with urllib.request.urlopen(link.url, timeout=5) as answer:
            assert answer.read() == archive.read_bytes()
            assert 'filename="project-7-v1.zip"' in answer.headers["Content-Disposition"]
    else:
        assert link.path is not None and link.path.read_bytes() == archive.read_bytes()


def test_blobs_round_trip_and_list(store: SiteStore) -> None:
    store.put_blob("7/photos/photo-ab12-400.webp", b"one")
    store.put_blob("7/photos/photo-cd34-400.webp", b"two")
    assert store.get_blob("7/photos/photo-ab12-400.webp") == b"one"
    assert store.blobs("7/photos") == ["7/photos/photo-ab12-400.webp", "7/photos/photo-cd34-400.webp"]
    store.delete_blob("7/photos/photo-ab12-400.webp")
    assert store.get_blob("7/photos/photo-ab12-400.webp") is None
    assert store.blobs("8/photos") == []
    with pytest.raises(ValueError):
        store.put_blob("../outside", b"x")


def test_the_probe_writes_reads_and_deletes(store: SiteStore) -> None:
    assert "write, read, delete" in probe(store)
    assert store.get_blob(PROBE_KEY) is None


def test_the_hot_cache_keeps_within_its_budget() -> None:
    cache = HotCache(max_bytes=800)
    for i in range(20):
        cache.put((1, 1, f"f{i}"), StoredFile(b"x" * 100, f'"{i}"'))
    assert cache.size <= 800
    assert cache.get((1, 1, "f0")) is None and cache.get((1, 1, "f19")) is not None
    cache.put((1, 1, "big"), StoredFile(b"x" * 200, '"big"'))  # over an eighth of the budget: never kept
    assert cache.get((1, 1, "big")) is None
