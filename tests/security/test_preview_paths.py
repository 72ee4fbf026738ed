"""Findings: `GET /p/1/v1/..%2f..%2foutside.txt` reached any file under SITES_DIR, a temporary build directory
was served through any project, and `/p/1/v1/%00` or a 3,000-segment path answered 500.

The raw path is decoded and checked before anything else; only files of that version are served; client errors
are 400, 404 or 414, never 500."""

from __future__ import annotations

import pytest

from bot.preview import make_app
from tests.helpers import preview_token
from tests.security.preview_client import Answer, built_project, fetch

SECRET = b"outside the version"


@pytest.fixture
def preview(service, ctx, run_jobs, storage_settings, job_settings):
    """(token, app) for a built project, with bait files around its version directory."""
    pid = built_project(service, run_jobs)
    sites = job_settings.sites_dir
    (sites / "outside.txt").write_bytes(SECRET)
    (sites / str(pid) / "outside.txt").write_bytes(SECRET)
    tmp = sites / str(pid) / ".v1.tmp-4242"
    tmp.mkdir()
    (tmp / "index.html").write_bytes(SECRET)
    (sites / str(pid) / "v1" / "link.html").symlink_to(sites / "outside.txt")
    return preview_token(ctx.db, pid), make_app(storage_settings, job_settings)


def leaked(answer: Answer) -> bool:
    return SECRET in answer.body


@pytest.mark.parametrize(
    "tail",
    [
        "v1/..%2f..%2foutside.txt",
        "v1/..%2Foutside.txt",
        "v1/..%5c..%5coutside.txt",
        "v1/%2e%2e/%2e%2e/outside.txt",
        "v1/../outside.txt",
        "v1/../../outside.txt",
        "../outside.txt",
        "%2e%2e/outside.txt",
        "v1/%252e%252e/outside.txt",
        ".v1.tmp-4242/index.html",
        "v1/../.v1.tmp-4242/",
        "%2ev1.tmp-4242/index.html",
        "v1/link.html",
        "v1/index.html%00.txt",
        "v1/%00",
        "v1/%ff%fe",
        "v1/..\\outside.txt",
    ],
)
def test_nothing_outside_the_version_is_served(preview, tail):
    token, app = preview
    answer, control = fetch(app, f"/p/{token}/{tail}", f"/p/{token}/v1/menu.html")
    assert answer.status in (400, 404) and not leaked(answer)
    assert control.status == 200  # the version itself is served


def test_hostile_paths_are_client_errors_never_500(preview):
    token, app = preview
    many = "/".join(["a"] * 3000)
    nul, segments, long_name, long_path, ok = fetch(
        app,
        f"/p/{token}/v1/%00",
        f"/p/{token}/v1/{many}",
        f"/p/{token}/v1/{'a' * 5000}",
        f"/p/{'A' * 32}/{'b/' * 1500}",
        f"/p/{token}/v1/menu.html",
    )
    assert nul.status == 400
    assert segments.status == long_name.status == long_path.status == 414
    assert ok.status == 200 and b"Menu" in ok.body
