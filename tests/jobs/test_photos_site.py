"""Every picture a built page refers to is in the version, no gallery repeats a picture, tiles show real icons, and
the team's photos fill the slots they were placed in (several widths, srcset, sizes, width/height, lazy)."""

from __future__ import annotations

import hashlib
import io
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PIL import Image

from jobs import brief, generator, photos, plan
from jobs.edits import new_images
from jobs.icons import svg
from storage.catalog import load_package_data

BASE_URL = "https://preview.example.com/p/7/"
TEMPLATES, COMPONENTS = load_package_data()
BY_SLUG = {c["slug"]: c for c in COMPONENTS}
INDUSTRIES = [
    ("studio-portfolio", "Lens & Light, a wedding photographer in Bristol, with a gallery, about and contact page"),
    ("corner-cafe", "Bean There, a cafe in York with a menu and gallery; team: Ana (barista), Ben (owner)"),
    ("boutique-atelier", "Thread & Co, a clothes shop in Leeds with products, gallery and contact pages"),
    ("keystone-estates", "Keystone, an estate agent in Bath with properties and about pages, call 01225 000000"),
    ("ironworks-gym", "Ironworks, a gym in Hull: personal training, spin classes, open 24 hours; pricing and faq"),
    ("harbour-guesthouse", "Harbour View, a guesthouse in Whitby with rooms, gallery and contact pages"),
]


class Refs(HTMLParser):
    """Every file reference of a page: src, href, srcset candidates, and og:image."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[str] = []
        self.imgs: list[dict[str, str | None]] = []
        self.svgs = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.svgs += tag == "svg"
        if tag == "img":
            self.imgs.append(a)
        for name in ("src", "href"):
            if a.get(name):
                self.refs.append(str(a[name]))
        if a.get("srcset"):
            self.refs += [c.strip().split()[0] for c in str(a["srcset"]).split(",")]
        if tag == "meta" and a.get("property") == "og:image":
            self.refs.append(str(a["content"]))


def local_refs(site: Path) -> dict[str, list[str]]:
    out = {}
    for page in sorted(site.glob("*.html")):
        refs = []
        for ref in Refs(page.read_text()).refs:
            if ref.startswith(BASE_URL):
                ref = ref.removeprefix(BASE_URL) or "index.html"
            parts = urlsplit(ref)
            if parts.scheme or ref.startswith("#") or ref.startswith("//"):
                continue
            refs.append(parts.path)
        out[page.name] = refs
    return out


def assert_every_reference_resolves(site: Path) -> None:
    for page, refs in local_refs(site).items():
        missing = [r for r in refs if not (site / r).is_file()]
        assert not missing, f"{site.name}/{page} refers to files the version does not contain: {missing}"


def spec_for(template: str, prompt: str) -> generator.SiteSpec:
    chosen = next(t for t in TEMPLATES if t["slug"] == template)
    return plan.make_spec(brief.parse(prompt), chosen)


def jpeg(width: int, height: int, colour: tuple[int, int, int], **save: object) -> bytes:
    img = Image.new("RGB", (width, height), colour)
    for x in range(0, width, 37):  # some detail, so the encoder has work to do
        img.paste((colour[2], colour[0], colour[1]), (x, 0, x + 9, height))
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=90, **save)
    return buf.getvalue()


@pytest.mark.parametrize(("template", "prompt"), INDUSTRIES, ids=[t for t, _ in INDUSTRIES])
def test_every_src_href_and_srcset_of_every_page_resolves_to_a_file(tmp_path, template, prompt):
    spec = spec_for(template, prompt)
    generator.render_site(spec, BY_SLUG, tmp_path / "plain", base_url=BASE_URL)
    assert_every_reference_resolves(tmp_path / "plain")
    for count in (1, 3, 8):  # the `images` command: `images #6 3 latte art` left gallery-4.png dangling
        again = generator.SiteSpec.model_validate(new_images(spec.model_dump(mode="json"), "latte art", count))
        again.copy_text["gallery"] = ["one", "two", "three", "four", "five"]
        generator.render_site(again, BY_SLUG, tmp_path / f"images-{count}", base_url=BASE_URL)
        assert_every_reference_resolves(tmp_path / f"images-{count}")


@pytest.mark.parametrize(("template", "prompt"), INDUSTRIES, ids=[t for t, _ in INDUSTRIES])
def test_with_photos_every_reference_resolves_and_photos_are_shown(tmp_path, template, prompt):
    spec = spec_for(template, prompt)
    store = tmp_path / "photos"
    shots = [
        photos.ingest(jpeg(1600, 1000, (200, 90, 40)), "counter.jpg", store),
        photos.ingest(jpeg(900, 1200, (40, 120, 200)), "IMG_2041.jpg", store),
        photos.ingest(jpeg(1200, 800, (90, 160, 60)), "latte-art.jpg", store),
    ]
    spec = generator.SiteSpec.model_validate(photos.apply(spec.model_dump(mode="json"), shots, "")[0])
    spec.copy_text["team"] = [{"name": "Ana", "role": "", "bio": ""}]
    site = tmp_path / "site"
    written = generator.render_site(spec, BY_SLUG, site, base_url=BASE_URL, photo_store=store)
    assert_every_reference_resolves(site)
    assert all(p.is_file() for p in written)
    home = Refs((site / "index.html").read_text())
    hero = next(i for i in home.imgs if "fetchpriority" in i)
    assert str(hero["src"]).startswith("images/photo-") and hero.get("srcset") and hero.get("sizes")
    assert hero.get("width") and hero.get("height") and "loading" not in hero  # the hero is not lazy
    assert f'og:image" content="{BASE_URL}images/photo-' in (site / "index.html").read_text()  # link previews too
    assert hero["alt"] == "Counter"  # the first wide photo is the hero; its alt comes from its file name
    alts = [
        str(i["alt"]) for page in site.glob("*.html") for i in Refs(page.read_text()).imgs if "photo-" in str(i["src"])
    ]
    assert "IMG_2041" not in " ".join(alts) and all(alts)  # a camera's file name is no alt text


def test_a_photographers_gallery_never_repeats_a_picture(tmp_path):
    spec = spec_for(*INDUSTRIES[0])
    site = tmp_path / "site"
    generator.render_site(spec, BY_SLUG, site, base_url=BASE_URL)
    page = next(p for p in spec.pages if any(s.startswith("gallery") for s in p.sections))
    gallery = [i for i in Refs((site / f"{page.slug}.html").read_text()).imgs if "gallery" in str(i["src"])]
    assert len(gallery) >= 3
    digests = {hashlib.sha256((site / str(i["src"])).read_bytes()).hexdigest() for i in gallery}
    hero = hashlib.sha256((site / "images" / "hero.png").read_bytes()).hexdigest()
    assert len(digests) == len(gallery) and hero not in digests
    assert len({i["alt"] for i in gallery}) == len(gallery)


def test_feature_service_and_team_tiles_show_icons_not_letters(tmp_path):
    spec = spec_for("corner-cafe", "Bean There, a cafe in York; team: Ana (barista), Ben (owner)")
    spec.copy_text["features"] = [
        {"title": "Single-origin espresso", "text": ""},
        {"title": "Quiet corner", "text": ""},
    ]
    spec.copy_text["offers"] = [{"name": "Haircut", "price": "£20", "description": ""}]
    index = spec.pages[0]
    index.sections = [index.sections[0], "features", "services-grid", "team", index.sections[-1]]
    generator.render_site(spec, BY_SLUG, tmp_path / "s", base_url=BASE_URL)
    html = (tmp_path / "s" / "index.html").read_text()
    assert Refs(html).svgs == 5  # two features, one service, two people
    assert str(svg("coffee")) in html and str(svg("scissors")) in html  # espresso: a cup; a haircut: scissors
    assert 'class="team__avatar" aria-hidden="true"><svg' in html
    assert '<span class="team__avatar" aria-hidden="true">A</span>' not in html


def test_icons_are_chosen_by_the_words_of_the_tile():
    from jobs.icons import choose

    assert choose("Sourdough loaves") == "wheat"
    assert choose("Wedding portraits") == "party-popper"
    assert choose("Deep cleaning for offices") == "spray-can"
    assert choose("Something unusual", 0) != choose("Something else", 1)  # unmatched tiles still differ


def test_team_photos_go_to_the_person_they_name_else_in_order():
    from jobs.pictures import match_people

    ana = photos.Photo(id="a" * 32, name="ana.jpg", width=800, height=800, widths=[400], role="team", alt="Ana")
    other = photos.Photo(id="b" * 32, name="IMG_1.jpg", width=800, height=800, widths=[400], role="team")
    assert match_people(["Ben Lee (owner)", "Ana Smith"], [ana, other]) == [other, ana]
    assert match_people(["Ben", "Cara", "Dee"], [ana]) == [ana, None, None]
