"""Finding: preview responses had no Content-Security-Policy, Referrer-Policy, framing rule or noindex.

Every answer of the preview server carries them, and the policy fits the generated sites: every page of a real
build renders in headless Chromium without a single CSP violation (while a page that breaks the policy is
reported, so the check can see one)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from bot.preview import make_app
from tests.helpers import preview_token
from tests.ops.http import serve_app
from tests.security.preview_client import built_project, fetch

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def test_every_preview_answer_carries_the_security_headers(service, ctx, run_jobs, storage_settings, job_settings):
    token = preview_token(ctx.db, built_project(service, run_jobs))
    answers = fetch(
        make_app(storage_settings, job_settings),
        f"/p/{token}/",
        f"/p/{token}/styles.css",
        f"/p/{token}/v1.zip",
        f"/p/{token}/nothing-here.html",
        f"/p/{token}/v1/%00",
        "/robots.txt",
    )
    assert [a.status for a in answers] == [200, 200, 200, 404, 400, 200]
    for answer in answers:
        csp = answer.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "unsafe" not in csp
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Referrer-Policy"] == "no-referrer"
        assert "noindex" in answer.headers["X-Robots-Tag"]


def csp_violations(url: str, profile: Path) -> list[str]:
    assert CHROMIUM is not None
    result = subprocess.run(
        [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
         f"--user-data-dir={profile}", "--virtual-time-budget=3000", "--dump-dom", url],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert "<html" in result.stdout, result.stderr[-2000:]
    return [line for line in result.stderr.splitlines() if "Content Security Policy" in line]


@pytest.mark.skipif(CHROMIUM is None, reason="needs headless Chromium")
@pytest.mark.timeout(240)
def test_generated_pages_render_without_csp_violations(
    service, ctx, run_jobs, storage_settings, job_settings, tmp_path
):
    pid = built_project(service, run_jobs)
    token = preview_token(ctx.db, pid)
    version = job_settings.sites_dir / str(pid) / "v1"
    pages = sorted(p.name for p in version.glob("*.html"))
    assert "index.html" in pages
    (version / "hostile.html").write_text("<html><body><p style='color:red'>x</p><script>1</script></body></html>")
    with serve_app(make_app(storage_settings, job_settings)) as base:
        for page in pages:
            assert csp_violations(f"{base}/p/{token}/v1/{page}", tmp_path / "profile") == [], page
        assert len(csp_violations(f"{base}/p/{token}/v1/hostile.html", tmp_path / "profile")) >= 2
