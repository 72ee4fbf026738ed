"""The site generator: a spec becomes files on disk.

`jobs.plan.make_spec` decides what the site is (name, palette, pages and their sections, copy); `render_site`
writes it.
Edits change the spec and render again, so every version is reproducible from its stored spec. All user text
reaches the pages through Jinja2 autoescaping; nothing is marked safe except our own rendered sections.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from jinja2 import DictLoader, Environment, StrictUndefined, select_autoescape
from markupsafe import Markup
from pydantic import BaseModel

from jobs import icons, pictures
from jobs.errors import UnsafePath
from jobs.images import write_images
from jobs.photos import Photo, derived_path

ASSETS = Path(__file__).parent / "site_assets"

PAGE_TITLES = {
    "index": "Home",
    "menu": "Menu",
    "contact": "Contact",
    "about": "About",
    "pricing": "Pricing",
    "services": "Services",
    "gallery": "Gallery",
    "faq": "FAQ",
    "schedule": "Schedule",
    "rooms": "Rooms",
    "properties": "Properties",
    "donate": "Donate",
}
DEFAULT_SECTIONS: dict[str, list[str]] = {
    "index": ["navbar", "hero-split", "features", "testimonials", "cta", "footer"],
    "contact": ["navbar", "page-header", "contact", "footer"],
    "about": ["navbar", "page-header", "about", "testimonials", "footer"],
    "menu": ["navbar", "page-header", "menu-list", "cta", "footer"],
    "services": ["navbar", "page-header", "services-list", "cta", "footer"],
    "pricing": ["navbar", "page-header", "pricing-table", "faq", "footer"],
    "gallery": ["navbar", "page-header", "gallery", "cta", "footer"],
    "faq": ["navbar", "page-header", "faq", "cta", "footer"],
    "schedule": ["navbar", "page-header", "class-schedule", "cta", "footer"],
    "rooms": ["navbar", "page-header", "listings", "faq", "cta", "footer"],
    "properties": ["navbar", "page-header", "listings", "cta", "footer"],
    "donate": ["navbar", "page-header", "donate-impact", "faq", "footer"],
}
SHARED_KINDS = ("navbar", "footer", "page-header")
"""Sections a template styles once for every page: a page it does not lay out borrows its variants of these."""
BUILD_DATE = dt.datetime(2024, 1, 1, 0, 0, 0)
"""Timestamp written into zip entries, so the same spec always gives the same bytes."""


class PageSpec(BaseModel):
    slug: str
    title: str
    sections: list[str]
    kind: str = ""
    """What the page shows (`jobs/data/brief.toml` [page_kinds]); "" for the home page and older specs."""
    content: dict[str, Any] = {}
    """This page's own copy (its offerings, its details…), over the site's `copy_text`."""


class SiteSpec(BaseModel):
    """Everything needed to render one version; stored with the version as JSON."""

    name: str
    template: str
    template_name: str
    category: str
    pack: str
    palette: dict[str, str]
    typography: dict[str, str]
    pages: list[PageSpec]
    copy_text: dict[str, Any]
    location: str = ""
    address: str = ""
    email: str = ""
    phone: str = ""
    tone: str = "friendly"
    year: int = BUILD_DATE.year
    """Shown in the footer; fixed when the spec is made, so re-rendering a spec gives the same bytes."""
    image_seed: str = ""
    """Changed by the `images` command to get a fresh set of pictures."""
    gallery_images: int = 0
    """Gallery pictures asked for by the `images` command (0: as many as the gallery needs)."""
    photos: list[Photo] = []
    """The team's own photos (`jobs/photos.py`), each with its place on the site."""
    missing: list[str] = []
    """What the team could add to complete the site, one short line each (shown in the final chat message)."""
    brief: dict[str, Any] = {}
    """The brief the site was planned from (`jobs.brief.Brief`), for edits that need its facts."""


def _luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else float(((s + 0.055) / 1.055) ** 2.4)

    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def with_primary(palette: dict[str, str], colour: str) -> dict[str, str]:
    """Swap in a new primary colour, keeping text on it readable (WCAG AA, 4.5:1)."""
    out = dict(palette, primary=colour)
    out["on_primary"] = "#ffffff" if contrast(colour, "#ffffff") >= contrast(colour, "#111111") else "#111111"
    if contrast(colour, out["background"]) >= 4.5:
        out["primary_ink"] = colour
    return out


def _variant(template: dict[str, Any], kind: str) -> str:
    """The template's own variant of a shared section kind (e.g. "navbar-dark" for "navbar"), else the plain one."""
    for sections in template["pages"].values():
        for slug in sections:
            if slug == kind or slug.startswith(f"{kind}-"):
                return str(slug)
    return kind


def template_sections(template: dict[str, Any], slug: str) -> list[str]:
    """The sections of page `slug`: the template's own layout, or the generic one in the template's variants."""
    if own := template["pages"].get(slug):
        return list(own)
    generic = DEFAULT_SECTIONS.get(slug) or DEFAULT_SECTIONS["about"]
    variants = {kind: _variant(template, kind) for kind in SHARED_KINDS}
    return [variants.get(section, section) for section in generic]


def page_intro(spec: SiteSpec, slug: str) -> str:
    intros = spec.copy_text.get("page_intros") or {}
    return str(intros.get(slug, ""))


def component_slugs(spec: SiteSpec) -> list[str]:
    return sorted({s for page in spec.pages for s in page.sections})


def _stylesheet(spec: SiteSpec, components: dict[str, dict[str, Any]]) -> str:
    p, t = spec.palette, spec.typography
    variables = {
        "primary": p["primary"],
        "on-primary": p["on_primary"],
        "secondary": p["secondary"],
        "on-secondary": p["on_secondary"],
        "accent": p["accent"],
        "ink": p["ink"],
        "on-ink": p["on_ink"],
        "background": p["background"],
        "surface": p["surface"],
        "line": p["line"],
        "muted": p["muted"],
        "primary-ink": p["primary_ink"],
        "heading": t["heading"],
        "body": t["body"],
        "radius": t.get("radius", "14px"),
        "space": "clamp(2.5rem,6vw,4.5rem)",
    }
    root = ":root{" + ";".join(f"--{k}:{v}" for k, v in variables.items()) + "}"
    parts = [root, (ASSETS / "base.css").read_text()]
    parts += [components[slug]["css"] for slug in component_slugs(spec) if components[slug].get("css")]
    return "\n".join(parts) + "\n"


def safe_join(root: Path, *parts: str) -> Path:
    """`root/parts…`, refusing any result outside `root` (ids and slugs should never allow it; this checks)."""
    base = root.resolve()
    path = base.joinpath(*parts).resolve()
    if path != base and base not in path.parents:
        raise UnsafePath(f"{'/'.join(parts)} leaves {root}")
    return path


@functools.lru_cache(maxsize=64)
def _environment(sources: tuple[tuple[str, str], ...]) -> Environment:
    """A Jinja2 environment for these template sources; cached, so a warm worker compiles each set only once."""
    return Environment(
        loader=DictLoader(dict(sources)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


Progress = Callable[[str, int, int], None]
"""Called as (step name, done, total) while rendering."""


def render_site(
    spec: SiteSpec,
    components: dict[str, dict[str, Any]],
    out_dir: Path,
    *,
    base_url: str,
    on_progress: Progress | None = None,
    photo_store: Path | None = None,
    image_cache: Path | None = None,
) -> list[Path]:
    """Write every file of the site into `out_dir` (which must not exist yet) and return their paths.

    `photo_store` is the project's photo store (`jobs/photos.py`): a photo of the spec whose files are not all
    there is left out (its slot gets a drawn picture), so no page refers to a missing file. `image_cache`: where
    images drawn from the same inputs are kept between builds (`jobs.images.cache_dir`)."""
    report = on_progress or (lambda step, done, total: None)
    sources = {f"c/{slug}": components[slug]["source"] for slug in component_slugs(spec)}
    sources["page"] = (ASSETS / "page.html.j2").read_text()
    env = _environment(tuple(sorted(sources.items())))
    out_dir.mkdir(parents=True)
    copy = spec.copy_text
    site = {
        "name": spec.name,
        "location": spec.location,
        "email": spec.email,
        "phone": spec.phone,
        "phone_href": "".join(ch for ch in spec.phone if ch.isdigit() or ch == "+"),
        "address": spec.address,
        "year": spec.year,
        "base_url": base_url,
        "pages": [{"slug": p.slug, "title": p.title, "href": f"{p.slug}.html"} for p in spec.pages],
    }
    store = photo_store
    shown = [p for p in spec.photos if store and all(derived_path(store, p.id, w).is_file() for w in p.widths)]
    sections = {slug for page in spec.pages for slug in page.sections}
    longest = {
        key: max([copy.get(key) or [], *(p.content.get(key) or [] for p in spec.pages)], key=len)
        for key in ("gallery", "listings", "team")
    }  # a page's own list may be longer than the site's: every item of every page gets its picture
    art = pictures.layout(
        spec.name, spec.location, {**copy, **longest}, sections, shown, gallery_images=spec.gallery_images
    )
    images = art.context()
    written: list[Path] = []
    total = len(spec.pages)
    for done, page in enumerate(spec.pages, start=1):
        page_ctx = {
            "slug": page.slug,
            "title": page.title,
            "heading": page.title if page.slug != "index" else spec.name,
            "intro": page_intro(spec, page.slug),
            "title_tag": spec.name if page.slug == "index" else f"{page.title} · {spec.name}",
            "description": _description(spec, page),
            "url": f"{base_url}{page.slug}.html" if page.slug != "index" else base_url,
        }
        href, label = call_to_action(spec, page)
        page_copy = {**copy, **page.content, "cta_label": label or copy.get("cta_label", "")}
        page_site = {**site, "cta_href": href}
        ctx = {
            "site": page_site,
            "copy": page_copy,
            "page": page_ctx,
            "images": images,
            "palette": spec.palette,
            "icon": icons.icon,
            "person_icon": icons.person,
        }
        regions: dict[str, list[str]] = {"header": [], "main": [], "footer": []}
        for slug in page.sections:
            regions[components[slug].get("region", "main")].append(env.get_template(f"c/{slug}").render(ctx))
        html = env.get_template("page").render(
            ctx, **{region: Markup("\n".join(parts)) for region, parts in regions.items()}
        )
        path = out_dir / f"{page.slug}.html"
        path.write_text(html, encoding="utf-8")
        written.append(path)
        report("Rendering pages", done, total)
    (out_dir / "styles.css").write_text(_stylesheet(spec, components), encoding="utf-8")
    written.append(out_dir / "styles.css")
    written += _seo_files(spec, out_dir, base_url)
    report("Generating images", 0, 1)
    tagline = str(copy.get("hero_title", spec.name))
    written += write_images(
        out_dir / "images",
        spec.name,
        tagline,
        spec.palette,
        seed=spec.image_seed,
        gallery=art.tiles,
        cache=image_cache,
    )
    written += pictures.copy_photos(art.photos, store, out_dir / "images")
    report("Generating images", 1, 1)
    return written


def call_to_action(spec: SiteSpec, page: PageSpec) -> tuple[str, str]:
    """Where this page's buttons lead, and their words: the contact page (from any other page), else a mailto: or
    tel: of the site's own details, else the offerings page; ("", "") when there is nowhere real to go."""
    contacts = [p for p in spec.pages if p.kind == "contact" or (not p.kind and p.slug == "contact")]
    target = next((p for p in contacts if p.slug != page.slug), None)
    if target is not None and not any(p.slug == page.slug for p in contacts):
        return f"{target.slug}.html", str(spec.copy_text.get("cta_label") or "Get in touch")
    if spec.email:
        return f"mailto:{spec.email}", "Email us"
    if spec.phone:
        return "tel:" + "".join(ch for ch in spec.phone if ch.isdigit() or ch == "+"), "Call us"
    offers = next((p for p in spec.pages if p.kind == "offers" and p.slug != page.slug), None)
    if offers is not None:
        return f"{offers.slug}.html", f"See {offers.title}"
    return "", ""


def _description(spec: SiteSpec, page: PageSpec) -> str:
    where = f" in {spec.location}" if spec.location else ""
    if page.slug == "index":
        return f"{spec.name}{where}: {spec.copy_text.get('hero_text', '')}"[:160]
    return f"{page.title} – {spec.name}{where}. {page_intro(spec, page.slug)}"[:160]


def _seo_files(spec: SiteSpec, out_dir: Path, base_url: str) -> list[Path]:
    urls = [base_url if p.slug == "index" else f"{base_url}{p.slug}.html" for p in spec.pages]
    sitemap = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + "".join(f"  <url><loc>{xml_escape(u)}</loc></url>\n" for u in urls)
        + "</urlset>\n"
    )
    (out_dir / "sitemap.xml").write_text(sitemap, encoding="utf-8")
    (out_dir / "robots.txt").write_text(f"User-agent: *\nAllow: /\nSitemap: {base_url}sitemap.xml\n")
    return [out_dir / "sitemap.xml", out_dir / "robots.txt"]


STORED_SUFFIXES = frozenset({".png", ".webp", ".jpg", ".jpeg", ".gif", ".zip", ".woff2", ".gz"})
"""Already compressed: deflating them again costs CPU and saves a fraction of a percent, so they are stored."""


def zip_site(site_dir: Path, zip_path: Path) -> Path:
    """A zip of the site with fixed timestamps and order, written atomically; text deflated, images stored."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in site_dir.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(path.relative_to(site_dir).as_posix(), BUILD_DATE.timetuple()[:6])
            stored = path.suffix.lower() in STORED_SUFFIXES
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
    tmp = zip_path.with_suffix(".zip.tmp")
    tmp.write_bytes(buffer.getvalue())
    tmp.replace(zip_path)
    return zip_path
