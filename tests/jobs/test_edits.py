"""Edit instructions and new images, applied to specs made by the generator from real catalog templates."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobs.brief import COLOURS, MAX_PROMPT
from jobs.brief import parse as parse_brief
from jobs.edits import apply_edit, new_images
from jobs.errors import EditNotUnderstood
from jobs.generator import DEFAULT_SECTIONS, SiteSpec, contrast, render_site
from jobs.plan import make_spec
from storage.catalog import load_package_data

PROMPT = (
    "a landing page for Sweet Crumbs, a bakery in Leeds, with a menu and contact page. Sourdough loaf £4.50, "
    "cinnamon bun £2.80. Open Tue-Sat 8am-4pm. Email hello@sweetcrumbs.example. We bake everything on site."
)
TEMPLATES, COMPONENTS = load_package_data()


def spec_for(prompt: str = PROMPT, category: str = "food") -> dict[str, Any]:
    template = next(t for t in sorted(TEMPLATES, key=lambda t: t["slug"]) if t["category"] == category)
    return make_spec(parse_brief(prompt), template).model_dump(mode="json")


@pytest.fixture
def spec() -> dict[str, Any]:
    return spec_for()


def page(spec: dict[str, Any], slug: str) -> dict[str, Any]:
    return next(p for p in spec["pages"] if p["slug"] == slug)


def slugs(spec: dict[str, Any]) -> list[str]:
    return [p["slug"] for p in spec["pages"]]


def without(spec: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in spec.items() if k not in keys}


def with_section_everywhere_but(spec: dict[str, Any], section: str, missing_from: str) -> bool:
    return all((section in p["sections"]) == (p["slug"] != missing_from) for p in spec["pages"])


# --- colour, tone, name ---------------------------------------------------------------------------------------
def test_a_colour_changes_the_primary_and_keeps_text_on_it_readable(spec):
    edited = apply_edit(spec, "make the header dark green")
    palette = edited["palette"]
    assert palette["primary"] == COLOURS["dark green"]
    assert contrast(palette["primary"], palette["on_primary"]) >= 4.5
    unchanged = {k: v for k, v in spec["palette"].items() if k not in ("primary", "on_primary", "primary_ink")}
    assert {k: palette[k] for k in unchanged} == unchanged
    assert without(edited, "palette") == without(spec, "palette")


def test_a_hex_colour_is_taken_as_written(spec):
    assert apply_edit(spec, "use #0f766e for the buttons")["palette"]["primary"] == "#0f766e"


def test_a_tone_word_sets_the_tone_and_shows_it_in_the_headings_and_corners(spec):
    edited = apply_edit(spec, "make it more playful")
    assert edited["tone"] == "playful"
    assert edited["typography"]["heading"] != spec["typography"]["heading"]
    assert edited["typography"]["radius"] == "24px" and edited["typography"]["body"] == spec["typography"]["body"]
    assert without(edited, "tone", "typography") == without(spec, "tone", "typography")


@pytest.mark.parametrize(
    "instruction", ["rename to Crumbs & Co", "call it Crumbs & Co.", "change the name to Crumbs & Co"]
)
def test_a_rename_changes_the_name_everywhere_in_the_copy(spec, instruction):
    edited = apply_edit(spec, instruction)
    assert edited["name"] == "Crumbs & Co"
    assert "Sweet Crumbs" not in json.dumps(edited["copy_text"])
    assert "Crumbs & Co" in json.dumps(edited["copy_text"])
    assert without(edited, "name", "copy_text", "brief") == without(spec, "name", "copy_text", "brief")
    assert edited["brief"]["business_name"] == "Crumbs & Co"


def test_a_long_new_name_is_cut_to_sixty_characters(spec):
    assert apply_edit(spec, "rename to " + "Long " * 30)["name"] == ("Long " * 12).strip()


def test_a_long_business_name_in_the_prompt_is_cut_cleanly():
    name = spec_for("a landing page for " + "Long " * 30 + "in Leeds")["name"]
    assert name == ("Long " * 12).strip()


def test_replace_swaps_text_in_the_copy_only(spec):
    old = spec["copy_text"]["hero_title"]
    edited = apply_edit(spec, f'replace "{old}" with "Fresh bread, every morning"')
    assert edited["copy_text"]["hero_title"] == "Fresh bread, every morning"
    assert without(edited, "copy_text") == without(spec, "copy_text")


# --- pages ----------------------------------------------------------------------------------------------------
def test_add_a_page_plans_it_from_the_stored_brief_and_says_what_it_lacks(spec):
    edited = apply_edit(spec, "add a pricing page")
    assert slugs(edited) == [*slugs(spec), "pricing"]
    added = edited["pages"][-1]
    assert (added["slug"], added["title"], added["kind"]) == ("pricing", "Pricing", "offers")
    assert added["sections"][0] == page(spec, "index")["sections"][0]  # the template's own navbar
    assert [o["price"] for o in added["content"]["offers"]] == ["£4.50", "£2.80"]  # the brief's own prices
    no_prices = apply_edit({**spec, "brief": {**spec["brief"], "offerings": []}}, "add a pricing page")
    assert "what goes on the Pricing page, with prices" in no_prices["missing"]


def test_add_a_page_to_a_spec_without_a_brief_uses_the_default_sections(spec):
    spec = {**spec, "brief": {}}
    edited = apply_edit(spec, "add a pricing page")
    assert edited["pages"][-1]["sections"] == DEFAULT_SECTIONS["pricing"]


def test_several_pages_can_be_added_at_once(spec):
    edited = apply_edit(spec, "add a gallery page and a faq page")
    assert slugs(edited) == [*slugs(spec), "gallery", "faq"]


def test_remove_a_page(spec):
    assert "contact" in slugs(spec)
    edited = apply_edit(spec, "remove the contact page")
    assert slugs(edited) == [s for s in slugs(spec) if s != "contact"]


# --- sections -------------------------------------------------------------------------------------------------
def test_add_a_section_puts_it_on_the_home_page_before_the_footer(spec):
    assert "faq" not in page(spec, "index")["sections"]
    before = page(spec, "index")["sections"]
    assert page(apply_edit(spec, "add a faq"), "index")["sections"] == [*before[:-1], "faq", before[-1]]


def test_remove_a_section_from_the_home_page(spec):
    assert "about" in page(spec, "index")["sections"]
    edited = apply_edit(spec, "remove the about section")
    assert not any("about" in p["sections"] for p in edited["pages"])
    assert slugs(edited) == slugs(spec)


def test_remove_the_faq_takes_it_off_every_page_that_has_it(spec):
    with_faq = apply_edit(spec, "add a faq")
    page(with_faq, "menu")["sections"].insert(2, "faq")
    edited = apply_edit(with_faq, "remove the faq")
    assert slugs(edited) == slugs(with_faq)  # the menu page stays, without its FAQ
    assert not any("faq" in p["sections"] for p in edited["pages"])


def test_a_section_whose_facts_were_not_given_is_not_added(spec):
    with pytest.raises(EditNotUnderstood):
        apply_edit(spec, "add testimonials")


def test_remove_the_faq_also_drops_a_faq_page(spec):
    with_faq = apply_edit(apply_edit(spec, "add a faq page"), "add a faq")
    edited = apply_edit(with_faq, "remove the faq")
    assert "faq" not in slugs(edited)
    assert not any("faq" in p["sections"] for p in edited["pages"])


def test_remove_the_faq_section_keeps_a_faq_page(spec):
    with_faq = apply_edit(apply_edit(spec, "add a faq page"), "add a faq")
    edited = apply_edit(with_faq, "remove the faq section")
    assert "faq" in slugs(edited)
    assert "faq" not in page(edited, "index")["sections"]


def test_move_a_section_up_puts_it_right_after_the_hero(spec):
    spec = apply_edit(spec, "add a faq")
    before = page(spec, "index")["sections"]
    home = page(apply_edit(spec, "move faq to the top"), "index")["sections"]
    hero = [s for s in before if s.startswith("hero")]
    assert home[: len(hero) + 2] == [before[0], *hero, "faq"]
    assert sorted(home) == sorted(before)  # nothing added or lost, the navbar included


def test_move_up_keeps_the_templates_own_navbar(spec):
    spec = apply_edit(spec, "add a faq")
    home = page(spec, "index")
    home["sections"] = ["navbar-dark", *home["sections"][1:]]
    moved = page(apply_edit(spec, "move faq to the top"), "index")["sections"]
    assert moved[0] == "navbar-dark" and "navbar" not in moved


def test_several_changes_in_one_instruction_are_all_applied(spec):
    edited = apply_edit(spec, "make it red and add a faq, and keep it formal")
    assert edited["palette"]["primary"] == COLOURS["red"]
    assert "faq" in page(edited, "index")["sections"]
    assert edited["tone"] == "formal"


# --- refusals -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "instruction",
    [
        "do a barrel roll",
        "",
        "   ",
        "make it better",
        "remove the faq",  # the bakery site has none
        "remove the home page",
        "add a contact page",  # already there
        "add testimonials",  # none were given: the section would be empty
        "rename to Sweet Crumbs",  # already its name
        "rename to ...",
        'replace "no such words" with "anything"',
        "move the zebra to the top",
    ],
)
def test_an_instruction_that_changes_nothing_is_not_understood(spec, instruction):
    with pytest.raises(EditNotUnderstood) as refused:
        apply_edit(spec, instruction)
    assert refused.value.instruction == instruction


def test_an_edit_never_changes_the_spec_it_was_given(spec):
    before = copy.deepcopy(spec)
    for instruction in ("add a faq", "remove the about section", "add a pricing page", "rename to X", "make it navy"):
        apply_edit(spec, instruction)
    assert spec == before


# --- new images -----------------------------------------------------------------------------------------------
def test_new_images_sets_the_count_and_a_fresh_seed(spec):
    before = copy.deepcopy(spec)
    edited = new_images(spec, "croissants at dawn", 3)
    assert edited["gallery_images"] == 3
    assert edited["image_seed"] != spec["image_seed"]
    assert without(edited, "gallery_images", "image_seed") == without(spec, "gallery_images", "image_seed")
    assert spec == before


def test_new_images_is_deterministic_and_every_request_is_fresh(spec):
    assert new_images(spec, "bread", 2) == new_images(spec, "bread", 2)
    assert new_images(spec, "bread", 2)["image_seed"] != new_images(spec, "cakes", 2)["image_seed"]
    again = new_images(new_images(spec, "", 1), "", 1)
    assert again["image_seed"] != new_images(spec, "", 1)["image_seed"]


# --- edited specs still render --------------------------------------------------------------------------------
def test_edited_specs_render_to_a_site(spec, tmp_path: Path):
    edited = spec
    for instruction in ("add a pricing page", "remove the faq", "make it teal", "rename to Crumbs & Co", "add reviews"):
        try:
            edited = apply_edit(edited, instruction)
        except EditNotUnderstood:
            pass
    edited = new_images(edited, "fresh loaves", 2)
    site = SiteSpec.model_validate(edited)
    components = {c["slug"]: c for c in COMPONENTS}
    written = render_site(site, components, tmp_path / "site", base_url="https://preview.example.com/p/1/")
    names = {p.relative_to(tmp_path / "site").as_posix() for p in written}
    assert {f"{slug}.html" for slug in slugs(edited)} <= names
    assert {"images/gallery-1.png", "images/gallery-2.png"} <= names
    assert "Crumbs &amp; Co" in (tmp_path / "site" / "index.html").read_text()


# --- any text -------------------------------------------------------------------------------------------------
WORDS = st.sampled_from(
    "add remove delete hide rename to call it replace with move up the a page pages section faq pricing menu "
    "gallery contact about team reviews testimonials plans dark green navy #123456 playful formal & \" ' “ ”".split()
)
INSTRUCTIONS = st.one_of(st.text(max_size=80), st.lists(WORDS, max_size=10).map(" ".join))
FUZZ = settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(INSTRUCTIONS)
def test_any_instruction_gives_a_valid_spec_or_is_not_understood(instruction):
    spec = spec_for()
    try:
        edited = apply_edit(spec, instruction)
    except EditNotUnderstood:
        return
    site = SiteSpec.model_validate(edited)
    assert edited != spec
    assert [p.slug for p in site.pages][0] == "index"
    assert all(p.sections[0].startswith("navbar") and p.sections[-1].startswith("footer") for p in site.pages)


@FUZZ
@given(st.text(min_size=1, max_size=MAX_PROMPT), st.sampled_from(sorted({t["category"] for t in TEMPLATES})))
def test_any_prompt_gives_a_spec_that_edits_apply_to(prompt, category):
    spec = spec_for(prompt, category)
    assert SiteSpec.model_validate(spec).name
    edited = apply_edit(spec, "make it navy and add a faq")
    assert edited["palette"]["primary"] == COLOURS["navy"]
