"""The site generator: every template, built from varied prompts, gives well-formed, safe, reproducible pages."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from jobs import brief, generator, packs, plan
from jobs.errors import UnsafePath
from storage.catalog import load_package_data

BASE_URL = "https://preview.example.com/p/1/"
TEMPLATES, COMPONENTS = load_package_data()
ALL_COMPONENTS = {c["slug"]: c for c in COMPONENTS}
PROMPTS = [
    "a website for {name} in Leeds with about and contact pages, email hello@example.org, call 0113 496 0000",
    "a professional {word} site with pricing, faq and gallery pages",
    "something simple for my {word} business",
]
"""Varied prompts: a name and a place, requested pages, none of either (the template's default pages)."""


class Page(HTMLParser):
    """What the checks need to know about one HTML page."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: Counter[str] = Counter()
        self.ids: list[str] = []
        self.labelled_by: list[str] = []
        self.headings: list[int] = []
        self.meta: dict[str, str] = {}
        self.links: list[dict[str, str]] = []
        self.hrefs: list[str] = []
        self.images: list[dict[str, str | None]] = []
        self.handlers: list[str] = []
        self.title = ""
        self.heading_texts: list[tuple[int, str]] = []
        """(level, text) of each heading in <main>."""
        self._in_main = False
        self._in_title = False
        self._heading: int | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags[tag] += 1
        self.handlers += [name for name, _ in attrs if name.startswith("on")]
        if a.get("id"):
            self.ids.append(str(a["id"]))
        if a.get("aria-labelledby"):
            self.labelled_by += str(a["aria-labelledby"]).split()
        if len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
            self.headings.append(int(tag[1]))
            if self._in_main:
                self._heading = int(tag[1])
                self.heading_texts.append((self._heading, ""))
        self._in_main = self._in_main or tag == "main"
        if tag == "meta":
            self.meta[str(a.get("name") or a.get("property"))] = str(a.get("content"))
        if tag == "link":
            self.links.append({k: str(v) for k, v in a.items()})
        if tag == "a":
            self.hrefs.append(str(a.get("href")))
        if tag == "img":
            self.images.append(a)
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False
        self._in_main = self._in_main and tag != "main"
        if len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if self._heading is not None:
            level, text = self.heading_texts[-1]
            self.heading_texts[-1] = (level, text + data)


def build(
    template: dict[str, Any], prompt: str, components: dict[str, Any], out: Path, *, every_page: bool = False
) -> generator.SiteSpec:
    spec = plan.make_spec(brief.parse(prompt), template)
    if every_page:  # also the page kinds a prompt cannot ask for yet (schedule, rooms, donate…)
        have = [p.slug for p in spec.pages]
        spec.pages += [
            generator.PageSpec(slug=s, title=s.title(), sections=generator.template_sections(template, s))
            for s in template["pages"]
            if s not in have
        ]
    generator.render_site(spec, components, out, base_url=BASE_URL)
    return spec


def check_page(path: Path, site: generator.SiteSpec) -> Page:
    html = path.read_text(encoding="utf-8")
    page = Page(html)
    name = path.name
    assert html.startswith('<!DOCTYPE html>\n<html lang="en">'), name
    assert page.title.strip(), f"{name}: <title>"
    assert page.meta.get("description"), f"{name}: meta description"
    assert page.meta.get("og:title") and page.meta.get("og:image", "").startswith(BASE_URL), f"{name}: Open Graph"
    assert page.meta.get("viewport") == "width=device-width, initial-scale=1", name
    assert any(link.get("rel") == "icon" and link.get("href") for link in page.links), f"{name}: favicon"
    assert '<a class="skip-link" href="#main">' in html, f"{name}: skip link"
    assert page.tags["main"] == 1 and 'id="main"' in html, f"{name}: main landmark"
    assert page.tags["h1"] == 1, f"{name}: {page.tags['h1']} h1"
    duplicates = [i for i, n in Counter(page.ids).items() if n > 1]
    assert not duplicates, f"{name}: duplicate ids {duplicates}"
    assert set(page.labelled_by) <= set(page.ids), f"{name}: aria-labelledby without a target"
    h1 = next(text for level, text in page.heading_texts if level == 1).strip().lower()
    assert h1 not in {text.strip().lower() for level, text in page.heading_texts if level == 2}, (
        f"{name}: h2 repeats h1"
    )
    assert page.headings[0] == 1 and all(b - a <= 1 for a, b in zip(page.headings, page.headings[1:], strict=False))
    assert all(img.get("alt") is not None for img in page.images), f"{name}: image without alt"
    assert not page.handlers, f"{name}: inline event handlers {page.handlers}"
    local = {p.slug + ".html" for p in site.pages}
    for href in page.hrefs:
        assert href and href != "#", f"{name}: empty link"
        if href.endswith(".html"):
            assert href in local, f"{name}: link to missing page {href}"
    return page


@pytest.mark.parametrize("template_slug", [t["slug"] for t in TEMPLATES])
def test_every_template_builds_valid_pages_from_varied_prompts(ctx, tmp_path, template_slug):
    template = next(t for t in ctx.catalog.templates() if t["slug"] == template_slug)
    word = template["industries"][0]
    prompts = [p.format(name="Harbour & Sons", word=word) for p in PROMPTS]
    for n, prompt in enumerate(prompts):
        probe = plan.make_spec(brief.parse(prompt), template)
        components = ctx.catalog.components(
            sorted(
                {s for sections in template["pages"].values() for s in sections} | set(generator.component_slugs(probe))
            )
        )
        out = tmp_path / f"site-{n}"
        spec = build(template, prompt, components, out, every_page=n == 2)
        assert spec.template == template_slug
        pages = sorted(out.glob("*.html"))
        assert [p.name for p in pages] == sorted(f"{p.slug}.html" for p in spec.pages)
        assert len(pages) == 4 if n == 1 else len(pages) >= 3
        for path in pages:
            check_page(path, spec)
        sitemap = (out / "sitemap.xml").read_text()
        assert sitemap.count("<loc>") == len(spec.pages) and f"<loc>{BASE_URL}</loc>" in sitemap
        assert f"Sitemap: {BASE_URL}sitemap.xml" in (out / "robots.txt").read_text()
        assert (out / "styles.css").read_text().startswith(":root{--primary:")
        for image in ("hero.png", "logo.png", "favicon.png", "og.png"):
            assert (out / "images" / image).is_file()


def test_the_sweet_crumbs_demo_gets_the_bakery_with_its_facts_and_nothing_invented(ctx, tmp_path):
    prompt = "a landing page for Sweet Crumbs, a bakery in Leeds, with a menu and contact page"
    template = ctx.catalog.choose_template(brief.parse(prompt).words)
    spec = plan.make_spec(brief.parse(prompt), template)
    generator.render_site(
        spec, ctx.catalog.components(generator.component_slugs(spec)), tmp_path / "s", base_url=BASE_URL
    )
    index = (tmp_path / "s" / "index.html").read_text()
    assert (spec.template, spec.pack) == ("artisan-bakery", "bakery")
    assert [p.slug for p in spec.pages] == ["index", "menu", "contact"]
    assert '<h1 id="hero-split-title">Sweet Crumbs</h1>' in index and "A bakery in Leeds" in index
    assert "@" not in index and "£" not in index, "no invented email or price"
    assert "<title>Menu · Sweet Crumbs</title>" in (tmp_path / "s" / "menu.html").read_text()
    assert "what goes on the Menu page, with prices" in spec.missing
    assert "an email address or phone number" in spec.missing and "your opening hours" in spec.missing


@pytest.mark.parametrize("pack", packs.pack_names())
def test_every_component_renders_with_every_pack(tmp_path, pack):
    """StrictUndefined never raises: every pack's copy fills every slot of every component."""
    template = next(t for t in TEMPLATES if t["slug"] == "clean-services")
    parsed = brief.parse("a site for Test Co in Leeds, call 0113 496 0000")
    spec = plan.make_spec(parsed, template)
    spec.pack = pack
    spec.copy_text = plan.copy_for(parsed, packs.packs()[pack], "Test Co")
    spec.pages = [generator.PageSpec(slug="index", title="Home", sections=sorted(ALL_COMPONENTS))]
    generator.render_site(spec, ALL_COMPONENTS, tmp_path / "s", base_url=BASE_URL)
    html = (tmp_path / "s" / "index.html").read_text()
    assert "{" not in html.split("</head>")[1], "an unfilled placeholder"
    assert "Test Co" in html


def test_zip_is_byte_identical_across_two_renders_of_the_same_spec(ctx, tmp_path):
    template = ctx.catalog.choose_template(["salon"])
    spec = plan.make_spec(brief.parse("a hair salon called Velvet in York with services and gallery pages"), template)
    components = ctx.catalog.components(generator.component_slugs(spec))
    zips = []
    for n in (1, 2):
        site = tmp_path / f"v{n}"
        generator.render_site(spec, components, site, base_url=BASE_URL)
        zips.append(generator.zip_site(site, tmp_path / f"v{n}.zip").read_bytes())
    assert zips[0] == zips[1] and len(zips[0]) > 10_000


def test_a_hostile_prompt_yields_no_executable_markup(ctx, tmp_path):
    prompt = (
        'a bakery called "<script>alert(1)</script>" in <script>alert(2)</script>Leeds, '
        'with menu and contact pages "onload=alert(1) x@evil.example <img src=x onerror=alert(3)>'
    )
    parsed = brief.parse(prompt)
    assert "<script>" in parsed.business_name  # the prompt really reaches the page as text
    for template in ctx.catalog.templates():
        spec = plan.make_spec(parsed, template)
        spec.pages += [
            generator.PageSpec(slug=s, title=s.title(), sections=generator.template_sections(template, s))
            for s in template["pages"]
            if s not in {p.slug for p in spec.pages}
        ]
        out = tmp_path / template["slug"]
        generator.render_site(spec, ctx.catalog.components(generator.component_slugs(spec)), out, base_url=BASE_URL)
        for path in out.glob("*.html"):
            html = path.read_text()
            assert "<script" not in html.lower(), path.name
            assert not Page(html).handlers, path.name
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path.name


def test_safe_join_refuses_paths_that_escape_the_root(tmp_path):
    root = tmp_path / "sites"
    root.mkdir()
    assert generator.safe_join(root, "4", "v1") == root.resolve() / "4" / "v1"
    for parts in (("..",), ("../etc",), ("4", "..", "..", "x"), ("/etc/passwd",), ("4/../../x",)):
        with pytest.raises(UnsafePath):
            generator.safe_join(root, *parts)


def test_pages_a_template_does_not_lay_out_borrow_its_navbar_footer_and_header():
    gym = next(t for t in TEMPLATES if t["slug"] == "ironworks-gym")
    assert generator.template_sections(gym, "faq") == ["navbar-dark", "page-header", "faq", "cta", "footer-columns"]
    yoga = next(t for t in TEMPLATES if t["slug"] == "still-water-yoga")
    assert generator.template_sections(yoga, "menu")[:2] == ["navbar-centered", "page-header-minimal"]
    assert generator.template_sections(yoga, "schedule") == yoga["pages"]["schedule"]
