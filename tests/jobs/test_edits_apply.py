"""Edit operations → the next spec and what changed, checked on the rendered pages of real catalog templates."""

from __future__ import annotations

import copy
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

from jobs import edits
from jobs.brief import Brief
from jobs.edit_ops import MAX_SPEC_BYTES, EditTooBig, ReplaceText
from jobs.generator import SiteSpec, render_site
from tests.jobs.test_edits import COMPONENTS, TEMPLATES, spec_for

PROMPT = (
    "a website for Sweet Crumbs, a bakery in Leeds. Pages: menu, about, contact. Sourdough loaf £4.50, "
    "cinnamon bun £2.80, brownie £2.50. Open Tue-Sat 8am-4pm. Email hello@sweetcrumbs.example."
)


@pytest.fixture
def site() -> dict[str, Any]:
    return spec_for(PROMPT)


def edit(spec: dict[str, Any], text: str) -> edits.Applied:
    understood = edits.understand(spec, text, TEMPLATES)
    return edits.apply(spec, understood.operations, TEMPLATES, understood.sources)


def rendered(spec: dict[str, Any], out: Path) -> dict[str, str]:
    components = {c["slug"]: c for c in COMPONENTS}
    render_site(SiteSpec.model_validate(spec), components, out, base_url="https://example.test/p/1/")
    return {p.name: p.read_text() for p in out.glob("*.html")}


def test_a_removed_page_leaves_no_link_to_it_and_no_button_naming_it(site, tmp_path):
    site["copy_text"]["cta_label"] = "See the menu"
    result = edit(site, 'change the headline to "Roasted under the northern lights" and remove the menu page')
    pages = rendered(result.spec, tmp_path / "after")
    assert "menu.html" not in pages
    assert not any('href="menu.html"' in html for html in pages.values())
    assert "Roasted under the northern lights" in pages["index.html"]
    assert "See the menu" not in " ".join(pages.values())  # the button no longer names the page that went
    assert [(c.page, c.text) for c in result.changes] == [
        ("Home", "headline → “Roasted under the northern lights”"),
        ("Menu", "removed the “Menu” page (links to it removed)"),
    ]


def test_a_price_change_reaches_every_page_the_brief_and_the_faq(site, tmp_path):
    result = edit(site, "the cinnamon bun now costs £3")
    pages = rendered(result.spec, tmp_path / "after")
    assert "£2.80" not in " ".join(pages.values())
    assert "£3" in pages["menu.html"] and "£3" in pages["index.html"]
    brief = Brief.model_validate(result.spec["brief"])
    assert [o.price for o in brief.offerings if o.name == "Cinnamon bun"] == ["£3"]
    assert "Cinnamon bun: £3" in json.dumps(result.spec["copy_text"]["faq"], ensure_ascii=False)
    assert {c.page for c in result.changes} == {"Home", "Menu"}


def test_new_hours_move_one_end_of_the_days_line_or_add_a_line(site):
    spec = edit(site, "we now open at 7am on Tue-Sat").spec
    assert spec["copy_text"]["hours"] == [{"days": "Tue-Sat", "time": "7am-4pm"}]
    spec = edit(spec, "we now open at 8am on Sundays").spec
    assert spec["copy_text"]["hours"][-1] == {"days": "Sundays", "time": "from 8am"}
    assert spec["brief"]["hours"] == ["Tue-Sat 7am-4pm", "Sundays from 8am"]


def test_a_template_swap_keeps_every_word_and_page(site, tmp_path):
    before = rendered(site, tmp_path / "before")
    result = edit(site, "switch to the Corner Cafe template")
    assert result.spec["template"] == "corner-cafe" and result.spec["copy_text"] == site["copy_text"]
    after = rendered(result.spec, tmp_path / "after")
    assert set(after) == set(before)
    for word in ("Sourdough loaf", "£4.50", "Tue-Sat", "hello@sweetcrumbs.example"):
        assert word in after["index.html"] or word in after["menu.html"]


def test_a_request_that_would_change_nothing_is_skipped_with_its_reason(site):
    result = edit(site, "remove the faq section and make it navy")
    assert [c.text for c in result.changes] == ["main colour → navy"]
    [skipped] = result.skipped
    assert skipped.text == "remove the faq section" and "no faq section" in skipped.reason
    assert edit(site, "rename to Sweet Crumbs").changes == []


def test_an_edit_never_changes_the_spec_it_was_given(site):
    before = copy.deepcopy(site)
    for text in (
        "remove the brownie",
        "add a focaccia at £3",
        "we now open at 8am on Sundays",
        "add Sam Jones as baker",
        'add a testimonial "Lovely" from Jo',
        "the cinnamon bun now costs £3",
        "remove the menu page",
    ):
        assert edit(site, text).changes, text
    assert site == before


def test_the_amplification_replacement_is_refused_fast_and_makes_nothing(site):
    grown = edit(site, f'replace "e" with "{"E" * 200}"').spec  # within the caps once
    started = time.perf_counter()
    with pytest.raises(EditTooBig) as refused:
        edits.apply(grown, [ReplaceText(old="E", new="E" * 200)], TEMPLATES)
    assert time.perf_counter() - started < 0.05
    assert refused.value.limit == MAX_SPEC_BYTES


def test_a_stored_spec_over_the_cap_is_refused(site):
    site["copy_text"]["about"] = ["x" * (MAX_SPEC_BYTES + 1)]
    with pytest.raises(EditTooBig):
        edit(site, "make it navy")


def test_operations_round_trip_through_their_stored_form(site):
    understood = edits.understand(
        site, "add a gluten-free loaf at £4.50; remove the menu page; make it navy", TEMPLATES
    )
    stored = edits.stored(understood.operations)
    assert json.loads(json.dumps(stored)) == stored
    assert edits.loaded(stored) == understood.operations
    again = edits.apply(site, edits.loaded(stored), TEMPLATES)
    assert again.spec == edits.apply(site, understood.operations, TEMPLATES).spec


def test_user_text_is_escaped_on_the_page(site, tmp_path):
    result = edit(site, 'change the headline to "<script>alert(1)</script> & co"')
    page = rendered(result.spec, tmp_path / "after")["index.html"]
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    assert re.search(r"&amp;\s*co", page)


def test_a_new_item_goes_on_the_offers_page_it_names_like_the_plan_places_it():
    spec = spec_for(
        "a website for Iron House Gym in Sheffield. Pages: classes, membership, contact. Monthly membership £35, "
        "day pass £8, spin class £6. Email train@ironhouse.example."
    )
    result = edit(spec, "add a student membership at £25 a month")
    shown = {p["slug"]: [o["name"] for o in p["content"].get("offers", [])] for p in result.spec["pages"]}
    assert "Student membership" in shown["membership"] and "Student membership" not in shown["classes"]


def test_hours_without_a_day_move_every_open_line_and_a_closed_day_leaves_the_daily_line(site):
    spec = edit(site, "we now close at 5pm").spec
    assert spec["copy_text"]["hours"] == [{"days": "Tue-Sat", "time": "8am-5pm"}]
    spec = edit(spec, "we're closed on saturdays now").spec
    assert spec["copy_text"]["hours"] == [
        {"days": "Tue-Fri", "time": "8am-5pm"},
        {"days": "Saturdays", "time": "Closed"},
    ]


def test_swapping_two_pages_that_are_not_neighbours_trades_their_places(site):
    spec = edit(site, "swap menu and contact").spec
    assert [p["slug"] for p in spec["pages"]] == ["index", "contact", "about", "menu"]
