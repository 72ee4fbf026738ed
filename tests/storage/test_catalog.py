"""The catalog in MongoDB: seeding, template choice through the Redis cache, and the shipped data itself."""

from __future__ import annotations

import re

import pytest
from pymongo.errors import DuplicateKeyError

from jobs import brief, generator, packs, plan
from storage import keys
from storage.catalog import DATA_DIR, load_package_data

TEMPLATES, COMPONENTS = load_package_data()
BY_SLUG = {c["slug"]: c for c in COMPONENTS}

CONTRAST_PAIRS = [
    ("on_primary", "primary"),
    ("on_secondary", "secondary"),
    ("ink", "background"),
    ("ink", "surface"),
    ("muted", "background"),
    ("muted", "surface"),
    ("primary_ink", "background"),
    ("primary_ink", "surface"),
    ("on_ink", "ink"),
]
"""Text colour on background colour, as the stylesheet and components use them."""

CHOICES = {
    "a landing page for Sweet Crumbs, a bakery in Leeds, with a menu and contact page": "artisan-bakery",
    "an Italian restaurant called Nonna's in Bristol": "bistro-table",
    "a coffee shop in Brighton that does brunch": "corner-cafe",
    "a taco truck for street food markets": "street-food-truck",
    "a florist in York delivering bouquets": "bloom-florist",
    "an emergency plumber in Cardiff": "clean-services",
    "a domestic cleaning company": "spotless-cleaning",
    "a firm of solicitors in Chester": "counsel-professional",
    "a wedding photographer": "studio-portfolio",
    "a SaaS analytics platform for startups": "launchpad-saas",
    "a music festival in Glastonbury": "summit-events",
    "a dentist in Bath": "calm-clinic",
    "a yoga and pilates studio": "still-water-yoga",
    "a barber shop in Hull": "velvet-salon",
    "an estate agent selling homes in Leicester": "keystone-estates",
    "a seaside guesthouse bed and breakfast in Whitby": "harbour-guesthouse",
}


# --- Mongo: seeding -----------------------------------------------------------------------------------------------
def test_seed_is_idempotent(ctx):
    db = ctx.catalog.db
    assert db["templates"].count_documents({}) == 24
    assert db["components"].count_documents({}) == 50

    again = ctx.catalog.seed()

    assert (again.templates, again.components, again.inserted) == (24, 50, 0)
    assert db["templates"].count_documents({}) == 24
    assert db["components"].count_documents({}) == 50


def test_the_unique_index_on_slug_rejects_duplicates(ctx):
    with pytest.raises(DuplicateKeyError):
        ctx.catalog.db["templates"].insert_one({"slug": "artisan-bakery", "name": "Impostor"})
    with pytest.raises(DuplicateKeyError):
        ctx.catalog.db["components"].insert_one({"slug": "navbar"})


# --- Mongo: choosing a template -------------------------------------------------------------------------------------
def test_choose_template_fits_the_prompt(ctx):
    chosen = {prompt: ctx.catalog.choose_template(brief.parse(prompt).words)["slug"] for prompt in CHOICES}
    assert chosen == CHOICES


@pytest.mark.parametrize(
    ("prompt", "slug"),
    [
        ("a site for the Riverside Book Club in Bristol: we meet at The Old Library Cafe", "open-hands-charity"),
        ("The Crooked Spoon gastropub, Harrogate. Book a table", "bistro-table"),
        ("Bloom Therapy - counselling in Manchester", "calm-clinic"),
    ],
)
def test_the_kind_of_organisation_picks_the_family_and_the_words_the_template(ctx, prompt, slug):
    b = brief.parse(prompt)
    assert ctx.catalog.choose_template(b.words, **packs.family(b.kind).model_dump())["slug"] == slug


def test_gibberish_gets_the_default_template(ctx):
    chosen = ctx.catalog.choose_template(brief.parse("zxqv blorp wibble").words)
    assert chosen["slug"] == "clean-services" and chosen["default"] is True


def test_a_preferred_template_wins_over_the_words(ctx):
    assert ctx.catalog.choose_template(["bakery"], preferred="ironworks-gym")["slug"] == "ironworks-gym"


def test_matching_templates_is_served_from_the_redis_cache_after_the_first_call(ctx):
    words = ["bakery", "cake"]
    first = ctx.catalog.matching_templates(words)
    assert [t["slug"] for t in first] == ["artisan-bakery"]
    key = keys.catalog_key(ctx.cache.catalog_version(), "match:bakery,cake")
    assert ctx.redis.exists(key) and ctx.redis.ttl(key) <= keys.CATALOG_TTL

    ctx.catalog.db["templates"].delete_many({})  # the source is gone: only the cache can answer now
    assert ctx.catalog.matching_templates(words) == first

    ctx.catalog.seed()  # re-seeding invalidates every cached answer
    assert ctx.catalog.cache.catalog_version() > 0
    assert not ctx.redis.exists(keys.catalog_key(ctx.cache.catalog_version(), "match:bakery,cake"))
    assert ctx.catalog.matching_templates(words) == first


# --- the shipped data ---------------------------------------------------------------------------------------------
def test_the_catalog_ships_24_templates_and_50_components_with_unique_slugs():
    assert len(TEMPLATES) == 24 and len({t["slug"] for t in TEMPLATES}) == 24
    assert len(COMPONENTS) == 50 and len(BY_SLUG) == 50
    assert sum(1 for t in TEMPLATES if t.get("default")) == 1
    assert {p.name.removesuffix(".html.j2") for p in (DATA_DIR / "components").glob("*.html.j2")} == set(BY_SLUG)


def test_templates_cover_distinct_industries_and_categories():
    categories = {t["category"] for t in TEMPLATES}
    assert {"food", "retail", "services", "portfolio", "saas", "events", "nonprofit", "health"} <= categories
    assert len(categories) >= 12
    industries = [i for t in TEMPLATES for i in t["industries"]]
    assert len(industries) == len(set(industries)), "an industry belongs to one template"


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t["slug"])
def test_template_is_complete_and_uses_existing_components(template):
    for field in ("slug", "name", "category", "style", "pack", "industries", "keywords", "typography"):
        assert template[field], field
    assert set(template["palette"]) == {p for pair in CONTRAST_PAIRS for p in pair} | {"accent", "line"}
    assert template["pack"] in packs.pack_names()
    assert "index" in template["pages"] and template["default_pages"][0] == "index"
    assert set(template["default_pages"]) <= set(template["pages"]) | set(generator.DEFAULT_SECTIONS)
    for page, sections in template["pages"].items():
        assert set(sections) <= set(BY_SLUG), page
        assert len(sections) == len(set(sections)), page
        kinds = [BY_SLUG[s]["kind"] for s in sections]
        assert kinds[0] == "navbar" and kinds[-1] == "footer", page
        assert sum(k in ("hero", "header") for k in kinds) == 1, f"{page} needs exactly one hero or page header"


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t["slug"])
def test_palette_text_colours_meet_wcag_aa(template):
    palette = template["palette"]
    for text, background in CONTRAST_PAIRS:
        ratio = generator.contrast(palette[text], palette[background])
        assert ratio >= 4.5, f"{text} on {background}: {ratio:.2f}"


def test_every_component_is_used_by_some_template():
    used = {s for t in TEMPLATES for sections in t["pages"].values() for s in sections}
    assert used == set(BY_SLUG)


@pytest.mark.parametrize("component", COMPONENTS, ids=lambda c: c["slug"])
def test_component_markup_follows_the_rules(component):
    source = component["source"]
    assert component["region"] in ("header", "main", "footer")
    assert component["css"] and component["slots"]
    for slot in component["slots"]:
        root, _, name = slot.partition(".")
        assert root in ("site", "copy", "page", "images") and name, slot
        if root == "copy":
            assert name in plan.copy_keys(), f"no plan gives {slot}"
    assert not re.search(r"\son[a-z]+\s*=", source), "no inline event handlers"
    assert "|safe" not in source.replace(" ", "") and "autoescape false" not in source
    assert "<script" not in source and "style=" not in source
    ids = re.findall(r'\bid="([^"{]+)', source)
    assert all(i.startswith(component["slug"]) for i in ids), f"ids must start with the slug: {ids}"
    if component["kind"] in ("hero", "header"):
        assert source.count("<h1") == 1
    else:
        assert "<h1" not in source
    if component["region"] == "main":
        section = re.search(r"<section\b[^>]*>", source)
        assert section and f'aria-labelledby="{component["slug"]}-title"' in section.group(0)
        assert f'id="{component["slug"]}-title"' in source
