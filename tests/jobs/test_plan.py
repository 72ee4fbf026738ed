"""The site plan: every asked page exists, facts reach the pages, nothing is invented, every button leads somewhere."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from jobs import brief, generator, packs, plan
from storage.catalog import load_package_data

TEMPLATES, COMPONENTS = load_package_data()
ALL_COMPONENTS = {c["slug"]: c for c in COMPONENTS}
BASE_URL = "https://preview.example.com/p/1/"
PROMPTS = [
    "a website for Page Turners, a book club in Leeds. We meet the first Thursday of every month at Leeds Central "
    "Library. Email pageturners@example.org to join.",
    "Pedal Post is a same-day bike courier in Amsterdam. Same-day delivery €12, express €20. Call +31 20 123 4567. "
    "Pages: services, about, contact.",
    "Kiln & Clay, handmade ceramic mugs, with shop, about and FAQ. Speckled mug £24, espresso cup £16.",
    "portfolio for Mara Lind, a wedding photographer in Bath, with gallery, packages and booking.",
    "make a website for a bakery in Leeds",
]


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.buttons: list[str] = []
        self.quotes = 0
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self._skip += tag in {"head", "script", "style"}
        self.quotes += tag == "blockquote"
        if tag == "a" and re.search(r"\bbutton\b|__cta\b", a.get("class") or ""):
            self.buttons.append(a.get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in {"head", "script", "style"}

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)


def build(prompt: str, template: dict[str, Any], out: Path) -> tuple[generator.SiteSpec, dict[str, _Text]]:
    spec = plan.make_spec(brief.parse(prompt), template)
    generator.render_site(spec, ALL_COMPONENTS, out, base_url=BASE_URL)
    pages = {}
    for path in out.glob("*.html"):
        reader = _Text()
        reader.feed(path.read_text(encoding="utf-8"))
        pages[path.name] = reader
    return spec, pages


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t["slug"])
def test_nothing_invented_and_every_button_leads_somewhere_real(template, tmp_path):
    for n, prompt in enumerate(PROMPTS):
        spec, pages = build(prompt, template, tmp_path / str(n))
        given = set(re.findall(r"\d+", prompt))
        for name, page in pages.items():
            text = re.sub(r"©\s*\d{4}", "", " ".join(page.text))
            assert set(re.findall(r"\d+", text)) <= given, f"{template['slug']} {name}: a number the prompt lacks"
            assert page.quotes == 0, f"{name}: a testimonial no one gave"
            assert not re.search(r"\b(?:award|guarantee|rated|reviews?|years of)\b", text, re.I), name
            for href in page.buttons:
                assert href and href != name and not href.startswith("#"), f"{name}: button to {href!r}"
                if href.startswith("mailto:"):
                    assert href[7:].split("?")[0] in prompt
                elif href.startswith("tel:"):
                    assert re.sub(r"\D", "", href)[-8:] in re.sub(r"\D", "", prompt)
                else:
                    assert href in pages, f"{name}: button to missing {href}"


def test_every_page_asked_for_exists_under_its_own_name(tmp_path):
    prompt = "St Mary's Primary School in Norwich. Pages: news, term dates, admissions and contact."
    spec, pages = build(prompt, TEMPLATES[0], tmp_path / "s")
    assert [p.title for p in spec.pages] == ["Home", "News", "Term dates", "Admissions", "Contact"]
    assert {"news.html", "term-dates.html", "admissions.html", "contact.html"} <= set(pages)
    assert "dates or times for the Term dates page" in spec.missing


def test_the_facts_reach_the_pages_where_people_look(tmp_path):
    prompt = (
        "Nonna Lucia's, an Italian restaurant in Brooklyn. Menu: margherita 14, tiramisu 9. Open Tue-Sun 5pm-11pm. "
        "Phone (718) 555-0134. Pages: menu, booking."
    )
    spec, pages = build(prompt, TEMPLATES[1], tmp_path / "s")
    menu = " ".join(pages["menu.html"].text)
    assert "Margherita" in menu and "$14" in menu and "£" not in menu
    booking = " ".join(pages["booking.html"].text)
    assert "(718) 555-0134" in booking and "Tue-Sun" in booking
    assert pages["index.html"].buttons[0] == "booking.html"
    assert all(h.startswith("tel:") for h in pages["booking.html"].buttons)


def test_a_prompt_without_a_name_gets_a_neutral_one_and_asks_for_it():
    spec = plan.make_spec(brief.parse("make a website for a bakery in Leeds"), TEMPLATES[0])
    assert spec.name == "Bakery in Leeds"
    assert spec.missing[0] == "your name (the site says “Bakery in Leeds” for now)"
    assert "an email address or phone number" in spec.missing and "your opening hours" in spec.missing
    assert spec.email == "" and spec.phone == ""


def test_no_pack_fits_a_book_club_so_it_gets_no_shop_words():
    spec = plan.make_spec(brief.parse("a website for Page Turners, a book club in Leeds"), TEMPLATES[6])
    assert spec.pack in {"neutral", "community"}
    assert "shop" not in str(spec.copy_text).lower() and "booksellers" not in str(spec.copy_text).lower()


def test_a_fact_goes_on_the_page_it_belongs_to_and_an_empty_page_asks_in_whole_words():
    b = brief.parse(
        "a site for the Riverside Book Club in Bristol: we meet on the first Tuesday of each month at 7pm, "
        "membership is free, contact hello@riversidebooks.org, pages: this month's book, past reads, join us"
    )
    pages = {p.slug: p for p in plan.make_spec(b, TEMPLATES[0]).pages}
    assert pages["join-us"].content["about"] == [
        "We meet on the first Tuesday of each month at 7pm, membership is free."
    ]
    assert pages["past-reads"].content["about"] == ["Ask Riverside Book Club about past reads."]
    assert "contact" not in pages["this-month-s-book"].sections  # "book" here is a noun, not "Book a table"


def test_an_api_may_reword_neutral_copy_but_not_add_numbers_or_claims():
    b = brief.parse("Sweet Crumbs, a bakery in Leeds, email hi@crumbs.example")
    local = plan.copy_for(b, packs.pack_for(b.words, b.kind), "Sweet Crumbs")
    answer = {**local, "cta_title": "Come and say hello", "cta_text": "Rated 4.9 by 300 customers", "hero_title": "X"}
    guarded = plan.guarded(answer, local, b)
    assert guarded["cta_title"] == "Come and say hello"
    assert guarded["cta_text"] == local["cta_text"] and guarded["hero_title"] == "Sweet Crumbs"


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t["slug"])
def test_a_review_in_the_prompt_is_shown_with_its_author_and_is_not_the_name(template, tmp_path):
    prompt = (
        "website for Spin & Vow, a wedding DJ in Dublin. Pages: packages, reviews, contact. Full day €1,400. "
        'Review: "Conor packed the dance floor all night" - Aoife & Mark. Email conor@spinandvow.example.'
    )
    spec, pages = build(prompt, template, tmp_path / "s")
    assert spec.name == "Spin & Vow"
    reviews = " ".join(pages["reviews.html"].text)
    assert "Conor packed the dance floor all night" in reviews and "Aoife & Mark" in reviews
    assert pages["reviews.html"].quotes >= 1
    home = " ".join(pages["index.html"].text)
    assert "Review:" not in home and "Conor packed" not in " ".join(spec.brief["details"])


def test_a_prompt_without_a_review_shows_no_testimonials(tmp_path):
    spec, pages = build("a site for Sweet Crumbs, a bakery in Leeds. Pages: reviews.", TEMPLATES[0], tmp_path / "s")
    assert spec.copy_text["testimonials"] == [] and all(p.quotes == 0 for p in pages.values())


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t["slug"])
def test_handles_and_links_from_the_prompt_are_on_every_page(template, tmp_path):
    prompt = (
        "taco truck site - Tacos El Güero, Los Angeles. al pastor taco $3.50. follow us @tacoselguero, "
        "www.tacos.example"
    )
    _, pages = build(prompt, template, tmp_path / "s")
    for reader in pages.values():
        text = " ".join(reader.text)
        assert "@tacoselguero" in text and "tacos.example" in text
