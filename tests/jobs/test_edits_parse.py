"""Edit instructions → typed operations, read against a real site's brief and plan (no page text)."""

from __future__ import annotations

from typing import Any

import pytest

from jobs import edits
from jobs.edit_ops import (
    MAX_INSTRUCTION,
    MAX_VALUE,
    AddPage,
    AddPerson,
    AddSection,
    AddTestimonial,
    EditTooBig,
    MovePage,
    MoveSection,
    RemoveOffering,
    RemovePage,
    RemovePerson,
    Rename,
    RenamePage,
    ReplaceText,
    SetColour,
    SetContact,
    SetFont,
    SetHours,
    SetOffering,
    SetText,
    SetTone,
    SwapTemplate,
)
from jobs.edit_split import clauses
from jobs.generator import SiteSpec
from tests.jobs.test_edits import TEMPLATES, spec_for

PROMPT = (
    "a website for Sweet Crumbs, a bakery in Leeds. Pages: menu, about, contact. Sourdough loaf £4.50, "
    "cinnamon bun £2.80, brownie £2.50. Open Tue-Sat 8am-4pm. Email hello@sweetcrumbs.example. "
    "Team: Anna Baker and Joe Flour."
)


@pytest.fixture(scope="module")
def site() -> dict[str, Any]:
    return spec_for(PROMPT)


def ops(site: dict[str, Any], text: str) -> list[Any]:
    return edits.understand(site, text, TEMPLATES).operations


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'change the headline to "Roasted under the northern lights"',
            SetText(key="hero_title", value="Roasted under the northern lights"),
        ),
        (
            "the tagline should say Real bread, baked at dawn",
            SetText(key="hero_text", value="Real bread, baked at dawn"),
        ),
        ("tagline: We bake, you eat", SetText(key="hero_text", value="We bake, you eat")),
        ("make the button say Order now", SetText(key="cta_label", value="Order now")),
        ('replace "A bakery" with "The bakery"', ReplaceText(old="A bakery", new="The bakery")),
        ("rename to Crumbs & Co", Rename(name="Crumbs & Co")),
        ("we're now called Crumbs", Rename(name="Crumbs")),
        ("remove the menu page", RemovePage(slug="menu")),
        ("add a gallery page", AddPage(title="Gallery")),
        ("add a page called Our Story", AddPage(title="Our Story")),
        ("rename the menu page to Our Bakes", RenamePage(slug="menu", title="Our Bakes")),
        ("move the contact page first", MovePage(slug="contact", where="first")),
        ("add a faq section", AddSection(kind="faq", page="index")),
        ("add the opening hours to the contact page", AddSection(kind="hours", page="contact")),
        ("move the hours section to the top", MoveSection(kind="hours", where="top")),
        ("add a gluten-free loaf at £4.50", SetOffering(name="Gluten-free loaf", price="£4.50")),
        ("the cinnamon bun now costs £3", SetOffering(name="Cinnamon bun", price="£3", add=False)),
        ("remove the brownie", RemoveOffering(name="Brownie")),
        ("we now open at 8am on Sundays", SetHours(days="Sundays", time="from 8am")),
        ("we're closed on Mondays", SetHours(days="Mondays", time="Closed")),
        ("change the opening hours to Mon-Fri 9am-5pm", SetHours(days="Mon-Fri", time="9am-5pm", replace_all=True)),
        ("our phone number is now 0113 496 0999", SetContact(field="phone", value="0113 496 0999")),
        ("change the email to bread@crumbs.example", SetContact(field="email", value="bread@crumbs.example")),
        ("we've moved to 3 Kirkgate, Leeds", SetContact(field="address", value="3 Kirkgate, Leeds")),
        ("add Sam Jones as head baker", AddPerson(name="Sam Jones", role="Head baker")),
        ("Joe Flour has left", RemovePerson(name="Joe Flour")),
        (
            'add a testimonial "Best bread in Leeds" from Anna',
            AddTestimonial(quote="Best bread in Leeds", author="Anna"),
        ),
        ("make it navy", SetColour(colour="#1b2a4a", name="navy")),
        (
            "use a serif font for the headings",
            SetFont(stack="Georgia, 'Times New Roman', serif", name="serif", which="heading"),
        ),
        ("make it more playful", SetTone(tone="playful")),
        ("switch to the Corner Cafe template", SwapTemplate(slug="corner-cafe")),
    ],
)
def test_each_kind_of_request_becomes_its_operation(site, text, expected):
    assert ops(site, text) == [expected]


def test_several_requests_in_one_message_split_on_and_semicolons_sentences_and_lines(site):
    found = ops(
        site,
        'change the headline to "Fresh, warm and local" and remove the menu page; make it navy.\nAdd a faq section',
    )
    assert found == [
        SetText(key="hero_title", value="Fresh, warm and local"),  # "and" inside quotes does not split
        RemovePage(slug="menu"),
        SetColour(colour="#1b2a4a", name="navy"),
        AddSection(kind="faq", page="index"),
    ]


def test_and_between_items_of_one_request_keeps_them_together(site):
    assert ops(site, "add a gallery page and a faq page") == [AddPage(title="Gallery"), AddPage(title="FAQ")]
    assert ops(site, "remove the brownie and the sourdough loaf") == [
        RemoveOffering(name="Brownie"),
        RemoveOffering(name="Sourdough loaf"),
    ]
    assert ops(site, "change the tagline to bread and cakes") == [SetText(key="hero_text", value="bread and cakes")]


def test_a_price_with_a_full_stop_after_it_ends_a_sentence_but_a_decimal_does_not():
    parts, quoted = clauses("Add a bun at £3.50. Remove the menu page. Ask Dr. Khan")
    assert [quoted.restore(p) for p in parts] == ["Add a bun at £3.50", "Remove the menu page", "Ask Dr. Khan"]


def test_what_is_not_understood_comes_back_with_a_phrasing_that_works(site):
    understood = edits.understand(site, "make the headline bolder and add a faq section", TEMPLATES)
    assert understood.operations == [AddSection(kind="faq", page="index")]
    [unclear] = understood.unclear
    assert unclear.text == "make the headline bolder"
    assert unclear.example.startswith("change the headline to")
    assert ops(site, unclear.example) != []  # the example itself works


@pytest.mark.parametrize("text", ["do a barrel roll", "make it pop", "", "   ", "the the the"])
def test_nonsense_gives_no_operations(site, text):
    assert ops(site, text) == []


def test_names_on_the_site_are_matched_not_invented(site):
    understood = edits.understand(site, "the croissant now costs £3", TEMPLATES)
    assert understood.operations == [] and "no croissant" in understood.unclear[0].reason
    assert ops(site, "remove the croissant") == []  # nothing of that name, no section of that name


def test_over_long_instructions_and_values_are_refused_before_reading():
    site = spec_for(PROMPT)
    with pytest.raises(EditTooBig) as too_long:
        edits.understand(site, "x" * (MAX_INSTRUCTION + 1))
    assert too_long.value.limit == MAX_INSTRUCTION
    with pytest.raises(EditTooBig) as too_big:
        edits.understand(site, f'replace "e" with "{"E" * (MAX_VALUE + 1)}"')
    assert too_big.value.limit == MAX_VALUE


def test_every_example_phrasing_is_understood(site):
    from jobs.edit_ops import edit_words

    spec = SiteSpec.model_validate(site)
    assert spec.copy_text["offers"]
    for kind, example in edit_words().examples.items():
        found = edits.understand(site, example, TEMPLATES)
        assert found.operations and not found.unclear, kind


@pytest.mark.parametrize("text", ["make the background navy", "make it teal and bigger", "make the logo red"])
def test_a_colour_request_asking_for_more_is_not_half_done(site, text):
    understood = edits.understand(site, text, TEMPLATES)
    assert understood.operations == []
    assert understood.unclear[0].reason == "I can only change the main colour"


@pytest.mark.parametrize("text", ["make the buttons dark green", "use navy for the header", "keep it formal"])
def test_words_around_a_colour_or_tone_that_ask_nothing_more_still_apply(site, text):
    assert ops(site, text) and not edits.understand(site, text, TEMPLATES).unclear


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the cinnamon bun is £3 now", SetOffering(name="Cinnamon bun", price="£3", add=False)),
        ("bump the brownie to £2.75", SetOffering(name="Brownie", price="£2.75", add=False)),
        ("sourdough loaf from £4.50 to £5", SetOffering(name="Sourdough loaf", price="£5", add=False)),
        ("the brownie is 3 now", SetOffering(name="Brownie", price="£3", add=False)),
    ],
)
def test_any_wording_that_names_one_item_and_a_price_sets_its_price(site, text, expected):
    assert ops(site, text) == [expected]


@pytest.mark.parametrize(
    "text",
    ["change the headline to 'Brownies £3'", "the brownie and the cinnamon bun are £3", "the croissant is £3 now"],
)
def test_a_price_said_with_a_headline_two_items_or_no_item_on_the_site_changes_no_price(site, text):
    assert not [op for op in ops(site, text) if isinstance(op, SetOffering) and not op.add]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("we now close at 5pm", [SetHours(days="", time="until 5pm")]),
        ("we open at 7:30am now", [SetHours(days="", time="from 7:30am")]),
    ],
)
def test_new_hours_without_a_day_are_for_every_open_day(site, text, expected):
    assert ops(site, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("put contact before the menu", [MovePage(slug="contact", where="before", other="menu")]),
        ("swap the order so about comes after contact", [MovePage(slug="about", where="after", other="contact")]),
        ("the menu should go last", [MovePage(slug="menu", where="last")]),
        ("swap menu and about", [MovePage(slug="menu", where="after", other="about")]),
        (
            "swap menu and contact",
            [
                MovePage(slug="menu", where="after", other="contact"),
                MovePage(slug="contact", where="before", other="about"),
            ],
        ),
    ],
)
def test_page_order_said_without_the_word_page(site, text, expected):
    assert ops(site, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "add Dr Chloe Martin to the team, shes our new associate dentist",
            [AddPerson(name="Dr Chloe Martin", role="Associate dentist")],
        ),
        (
            "we hired Mei Tanaka as head baker, add her to the about page",
            [AddPerson(name="Mei Tanaka", role="Head baker")],
        ),
        ("New chef: Karan Iyer, Sourdough and Pastry", [AddPerson(name="Karan Iyer", role="Sourdough and Pastry")]),
        ("Anna has left unfortunately, please take her off the team page", [RemovePerson(name="Anna Baker")]),
        ("Joe's moved on, remove him pls", [RemovePerson(name="Joe Flour")]),
        (
            "Joe is stepping down, Grace Kim is taking over",
            [RemovePerson(name="Joe Flour"), AddPerson(name="Grace Kim")],
        ),
    ],
)
def test_people_joining_and_leaving_said_the_way_teams_say_it(site, text, expected):
    assert ops(site, text) == expected


@pytest.mark.parametrize("text", ["add Gift Cards to the menu", "remove the brownie", "Sam has left"])
def test_items_and_people_not_on_the_site_are_not_read_as_team_changes(site, text):
    assert not [op for op in ops(site, text) if isinstance(op, (AddPerson, RemovePerson))]


def test_several_prices_in_one_request_each_go_to_their_item(site):
    assert ops(site, "sourdough loaf is £5 now and cinnamon bun £3, brownie free") == [
        SetOffering(name="Sourdough loaf", price="£5", add=False),
        SetOffering(name="Cinnamon bun", price="£3", add=False),
        SetOffering(name="Brownie", price="Free", add=False),
    ]


@pytest.mark.parametrize(
    ("text", "colour"),
    [
        ("can we have a calm teal colour for the site, #2a9d8f", "#2a9d8f"),
        ("make the site dark green (#1f3d2b) please", "#1f3d2b"),
        ("gold and black theme pls, gold is #c9a227", "#c9a227"),
        ("go for a black and white look", "black"),
    ],
)
def test_a_colour_said_with_other_words_sets_the_main_colour(site, text, colour):
    found = [op for op in ops(site, text) if isinstance(op, SetColour)]
    assert [op.name for op in found] == [colour]


@pytest.mark.parametrize(
    ("text", "stack_start", "which"),
    [
        ("use Oswald for the headings", "'Oswald', ", "heading"),
        ("font: Lora please", "'Lora', ", "both"),
        ("make the body text Libre Baskerville", "'Libre Baskerville', ", "body"),
    ],
)
def test_a_named_font_family_comes_first_with_a_similar_stack_behind_it(site, text, stack_start, which):
    (op,) = ops(site, text)
    assert isinstance(op, SetFont) and op.stack.startswith(stack_start) and op.which == which


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("we're not opening saturdays anymore", [SetHours(days="Saturdays", time="Closed")]),
        ("on saturdays we're open till 8pm now", [SetHours(days="Saturdays", time="until 8pm")]),
        (
            "new phone 0113 496 0999 and email is shop@sweetcrumbs.example now",
            [
                SetContact(field="email", value="shop@sweetcrumbs.example"),
                SetContact(field="phone", value="0113 496 0999"),
            ],
        ),
        ("rename about to Our Story", [RenamePage(slug="about", title="Our Story")]),
        ("call the menu page Prices instead", [RenamePage(slug="menu", title="Prices")]),
        ("get rid of the about page we dont need it", [RemovePage(slug="about")]),
        ("headline: Bake more. Worry less.", [SetText(key="hero_title", value="Bake more. Worry less.")]),
    ],
)
def test_more_ways_of_saying_hours_contacts_pages_and_texts(site, text, expected):
    assert ops(site, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "add a cake: Lemon drizzle, saturdays only, £3",
            SetOffering(name="Lemon drizzle (saturdays only)", price="£3", label="cake"),
        ),
        ("add gift card £25", SetOffering(name="Gift card", price="£25")),
    ],
)
def test_a_new_item_said_with_what_it_is_and_its_details(site, text, expected):
    assert ops(site, text) == [expected]
