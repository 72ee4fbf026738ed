"""Every page of every template, built from varied prompts, passes the Nu HTML Checker and axe-core (WCAG 2 A/AA).

The checkers come from the registries: `vnu-jar` and `axe-core` from npm (tests/quality/package.json, installed
by .ci/run), Java and Chromium from Debian. Where they are missing the tests are skipped with the reason, except
in CI (CI=true), where a missing checker is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from jobs.brief import parse
from jobs.generator import render_site
from jobs.plan import make_spec
from storage.catalog import load_package_data

HERE = Path(__file__).parent
VNU = HERE / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

PROMPTS = [
    "a landing page for {name}, a business in Leeds, with a menu, pricing, gallery, faq, about and contact page",
    # Hostile text in the name and a second set of page kinds, with contact details.
    'a playful site called "<script>alert(1)</script> {name} \\"onload=alert(2)" in São Paulo — 100% & more, '
    "with services, schedule, rooms, properties, donate and contact pages; call 0113 496 0000 or email "
    "hi@example.org",
]
NAMES = ["Sweet Crumbs", "Ōsaka Kitchen & Co"]


def _require(ok: bool, what: str) -> None:
    if not ok:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{what} is missing in CI: .ci/run must install it")
        pytest.skip(f"{what} is not installed (see .ci/run)")


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Every template rendered from every prompt, straight from the shipped catalog data."""
    templates, components = load_package_data()
    by_slug = {c["slug"]: c for c in components}
    root = tmp_path_factory.mktemp("quality")
    out = []
    for template in templates:
        for i, prompt in enumerate(PROMPTS):
            spec = make_spec(parse(prompt.format(name=NAMES[i])), template)
            site = root / f"{template['slug']}-{i}"
            render_site(spec, by_slug, site, base_url=f"https://preview.example.com/p/{i}/")
            out.append(site)
    return out


def _pages(sites: list[Path]) -> list[Path]:
    return sorted(p for site in sites for p in site.glob("*.html"))


@pytest.mark.timeout(900)
def test_nu_html_checker_finds_no_errors(sites: list[Path]) -> None:
    _require(shutil.which("java") is not None, "Java")
    _require(VNU.is_file(), "vnu-jar (npm)")
    pages = _pages(sites)
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, pages)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    report = json.loads(result.stderr or result.stdout or '{"messages": []}')
    errors = [
        f"{Path(m.get('url', '')).parent.name}/{Path(m.get('url', '')).name}: {m['message']}"
        for m in report["messages"]
        if m.get("type") == "error"
    ]
    assert errors == [], f"{len(errors)} errors in {len(pages)} pages:\n" + "\n".join(sorted(set(errors))[:40])
    assert len(pages) >= 3 * len(sites)


def _axe(page: Any, path: Path) -> list[str]:
    page.goto(path.as_uri())
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [
        f"{path.parent.name}/{path.name} @{page.viewport_size['width']}px: {v['id']} ({v['impact']}): "
        f"{v['nodes'][0]['target'] if v['nodes'] else ''}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.timeout(1200)
def test_axe_finds_no_serious_or_critical_violations(sites: list[Path]) -> None:
    _require(Path(CHROMIUM).is_file(), "Chromium")
    _require(AXE.is_file(), "axe-core (npm)")
    sync_api = pytest.importorskip("playwright.sync_api")
    violations: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        try:
            # Every page on a desktop screen; on a phone screen, every site's home page (the layouts that
            # collapse are the same components on every page).
            for width, paths in ((1280, _pages(sites)), (360, [site / "index.html" for site in sites])):
                page = browser.new_page(viewport={"width": width, "height": 900})
                for path in paths:
                    violations += _axe(page, path)
                page.close()
        finally:
            browser.close()
    assert violations == [], f"{len(violations)} violations:\n" + "\n".join(violations[:40])


@pytest.mark.timeout(900)
def test_pages_fit_a_360px_screen_without_sideways_scrolling(sites: list[Path]) -> None:
    _require(Path(CHROMIUM).is_file(), "Chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    too_wide = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 360, "height": 800})
            for path in _pages(sites):
                page.goto(path.as_uri())
                width = page.evaluate("() => document.documentElement.scrollWidth")
                if width > 360:
                    too_wide.append(f"{path.parent.name}/{path.name}: {width}px")
        finally:
            browser.close()
    assert too_wide == []
