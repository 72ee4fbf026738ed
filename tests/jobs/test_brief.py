"""Prompt understanding: the brief keeps every fact of a prompt, as written, and guesses none."""

from __future__ import annotations

import pytest

from jobs import brief


def test_a_restaurant_prompt_gives_name_place_currency_menu_hours_phone_and_pages():
    b = brief.parse(
        "Nonna Lucia's, an Italian restaurant in Brooklyn. Menu: margherita 14, cacio e pepe 19, tiramisu 9. "
        "Open Tue-Sun 5pm-11pm. Phone (718) 555-0134. Pages: menu, gallery, booking, contact."
    )
    assert (b.business_name, b.descriptor, b.kind) == (
        "Nonna Lucia's",
        "An Italian restaurant in Brooklyn",
        "restaurant",
    )
    assert (b.location, b.country, b.currency) == ("Brooklyn", "US", "$")
    assert [(o.name, o.price) for o in b.offerings] == [
        ("Margherita", "$14"),
        ("Cacio e pepe", "$19"),
        ("Tiramisu", "$9"),
    ]
    assert b.hours == ["Tue-Sun 5pm-11pm"] and b.phones == ["(718) 555-0134"]
    assert [(p.slug, p.title, p.kind) for p in b.pages] == [
        ("menu", "Menu", "offers"),
        ("gallery", "Gallery", "gallery"),
        ("booking", "Booking", "contact"),
        ("contact", "Contact", "contact"),
    ]


@pytest.mark.parametrize(
    ("prompt", "offers"),
    [
        (
            "Café Lumière in Paris: croissant 1,80 €, café crème 3,50 €",
            [("Croissant", "1,80 €"), ("Café crème", "3,50 €")],
        ),
        ("Alpine Tours: guided hikes CHF 120", [("Guided hikes", "CHF 120")]),
        (
            "Lakeside B&B in Keswick. Double room £95 a night, single £65",
            [("Double room", "£95 a night"), ("Single", "£65")],
        ),
        ("Wild Thread sells t-shirts ($32) and hoodies ($68).", [("T-shirts", "$32"), ("Hoodies", "$68")]),
        ("Ledger Lane in Edinburgh: bookkeeping from £150 a month", [("Bookkeeping", "from £150 a month")]),
        ("Taskly. Pricing tiers Free, Pro $12, Team $29.", [("Free", ""), ("Pro", "$12"), ("Team", "$29")]),
    ],
)
def test_offerings_keep_the_price_as_written(prompt, offers):
    assert [(o.name, o.price) for o in brief.parse(prompt).offerings] == offers


def test_people_lists_labels_audiences_and_every_other_fact_are_kept():
    b = brief.parse(
        "Sunrise Yoga studio in Austin, TX. Teachers: Priya and Marcus. Features: mats, showers. "
        "Classes for complete beginners. We meet on the roof when it is sunny."
    )
    assert [p.name for p in b.people] == ["Priya", "Marcus"]
    assert [(lst.label, lst.items) for lst in b.lists] == [("Features", ["Mats", "Showers"])]
    assert "complete beginners" in b.audiences
    assert "We meet on the roof when it is sunny." in b.details
    assert b.location == "Austin, TX" and b.currency == "$"


def test_contact_details_are_read_and_a_bare_number_is_not_a_phone():
    b = brief.parse("Pedal Post in Amsterdam: delivery €12. Call +31 20 123 4567 or email ride@pedalpost.example")
    assert b.phones == ["+31 20 123 4567"] and b.emails == ["ride@pedalpost.example"]
    assert b.email == "ride@pedalpost.example" and b.phone == "+31 20 123 4567"
    assert brief.parse("Dentist in Munich: check-up €60, whitening €250").phones == []


@pytest.mark.parametrize(
    ("prompt", "name"),
    [
        ("a website for Page Turners, a book club in Leeds", "Page Turners"),
        ("Pedal Post is a same-day bike courier in Amsterdam", "Pedal Post"),
        ("Community garden 'Roots & Shoots' in Rotterdam", "Roots & Shoots"),
        ("I run a mobile bike mechanic service called Spoke Doctor in Utrecht", "Spoke Doctor"),
        ("Build a page for the Oakwood Summer Fair on Saturday 20 July", "Oakwood Summer Fair"),
        ("Bright Path Tutoring, maths tutoring for GCSE students in Bristol", "Bright Path Tutoring"),
        ("make a website for a bakery in Leeds", ""),
        ("Portfolio for photographer Ines Duarte (Lisbon) - weddings and portraits", "Ines Duarte"),
        ("A page for the annual Maple Valley Quilt Show, September 12-13 2026, Ohio", "Maple Valley Quilt Show"),
        ("website for our wedding! Sam & Alex, 12 June 2027 at Larchfield Barn, Kent.", "Sam & Alex"),
        ("A site for a local hackathon: HackTheHarbour, 3-4 October 2026 in Plymouth", "HackTheHarbour"),
        ("a website for kids in Leeds who love chess", ""),
        ("Create a site for my bakery. Open Mon-Fri 8am-5pm.", ""),
    ],
)
def test_the_name_is_the_prompts_or_none(prompt, name):
    assert brief.parse(prompt).business_name == name


@pytest.mark.parametrize(
    ("prompt", "kind"),
    [
        ("a site for the Riverside Book Club in Bristol: we meet monthly at The Old Library Cafe", "club"),
        ("The Crooked Spoon gastropub, Harrogate. Sunday roast £18.50", "restaurant"),
        ("Bloom Therapy - counselling with Dr. Sarah Okafor in Manchester", "clinic"),
        ("a vegan cafe and bookshop in Leeds", "cafe"),
        ("Kids coding club CodeCubs in Dublin, Saturdays at the Digital Hub", "club"),
    ],
)
def test_the_kind_is_what_the_description_then_the_name_says_not_a_venue(prompt, kind):
    assert brief.parse(prompt).kind == kind


def test_an_intro_with_a_colon_is_the_name_then_the_facts():
    b = brief.parse(
        "a site for the Riverside Book Club in Bristol: we meet on the first Tuesday of each month at 7pm, "
        "membership is free, contact hello@riversidebooks.org"
    )
    assert b.descriptor == "In Bristol"
    assert b.details == ["We meet on the first Tuesday of each month at 7pm, membership is free."]
    assert b.emails == ["hello@riversidebooks.org"]


def test_a_colour_in_the_name_is_not_a_colour_request():
    assert brief.parse("The Green Fork, a vegan cafe in Melbourne").colour is None
    assert brief.parse("a cafe in Leeds, make it dark green").colour == brief.COLOURS["dark green"]


def test_a_price_given_twice_with_no_currency_and_no_place_is_kept_bare_not_guessed():
    b = brief.parse("Menu: soup 5, bread 3")
    assert [(o.name, o.price) for o in b.offerings] == [("Soup", "5"), ("Bread", "3")]
    assert b.currency == "" and b.location == ""


def test_the_brief_round_trips_through_json():
    b = brief.parse("Kiln & Clay, handmade ceramic mugs, with shop, about and FAQ. Speckled mug £24.")
    assert brief.Brief.model_validate(b.model_dump(mode="json")) == b
    assert [p.title for p in b.pages] == ["Shop", "About", "FAQ"]


def test_what_it_is_comes_from_the_request_when_the_naming_sentence_only_says_where():
    b = brief.parse(
        "Hi! Can you build me a website for my dog walking business? It's called Happy Tails, based in Oxford. "
        "Solo walks £15, group walks £10."
    )
    assert (b.business_name, b.descriptor) == ("Happy Tails", "Dog walking business in Oxford")
    assert not any("website" in d for d in b.details)  # the request to the builder is not a fact of the site


def test_an_apostrophe_is_not_a_quote_and_a_name_ends_with_its_sentence():
    assert brief.parse("I'm a personal trainer in Leeds, name's Jordan Blake. 1:1 sessions £40").business_name == (
        "Jordan Blake"
    )
    b = brief.parse("We're a Greek taverna in Camden called Olive & Vine. Souvlaki £12, moussaka £14.")
    assert (b.business_name, b.descriptor) == ("Olive & Vine", "A Greek taverna in Camden")


def test_offerings_lose_the_verb_that_introduced_them_and_an_action_is_not_an_offering():
    b = brief.parse(
        "Mud & Flame, a pottery studio. We teach wheel-throwing classes ($45 per session) and sell our pieces online."
    )
    assert [(o.name, o.price) for o in b.offerings] == [("Wheel-throwing classes", "$45 per session")]
    assert b.details == ["Sell our pieces online."]


def test_pages_asked_in_plain_words_and_not_from_the_words_of_a_list():
    b = brief.parse("Mud & Flame, a pottery studio in Asheville. I'd like a gallery, a classes page and a shop.")
    assert [p.title for p in b.pages] == ["Gallery", "Classes", "Shop"]
    app = brief.parse("FocusFlow, a timer app for mac. Features: menu bar timer, focus stats")
    assert app.pages == []


def test_a_list_of_named_people_under_any_plural_label_is_people():
    b = brief.parse("Summit Physio, a clinic in Calgary. Our physios: Dr. Hannah Lee and Tom Brooks. Our prices: a, b.")
    assert [p.name for p in b.people] == ["Dr. Hannah Lee", "Tom Brooks"]


def test_we_are_names_the_organisation_and_lowercase_places_and_conditions_are_kept():
    b = brief.parse("We are Bright Sparks Electrical, approved electricians covering Bristol and Bath.")
    assert (b.business_name, b.descriptor) == (
        "Bright Sparks Electrical",
        "Approved electricians covering Bristol and Bath",
    )
    stay = brief.parse(
        "can you make a site for the harbour view b&b in st ives, cornwall? "
        "doubles from £110 a night, breakfast included."
    )
    assert stay.location == "St Ives" and stay.descriptor.endswith("cornwall")
    assert [o.name for o in stay.offerings] == ["Doubles"] and stay.details == ["Breakfast included."]


@pytest.mark.parametrize(
    ("sentence", "titles"),
    [
        ("need a menu page, a bookings page and contact", ["Menu", "Bookings", "Contact"]),
        ("Want pages for About, Ministries, Sermons and Give.", ["About", "Ministries", "Sermons", "Give"]),
        ("services + quote request pages", ["Services", "Quote request"]),
        ("need vendor list, map and vendor applications pages", ["Vendor list", "Map", "Vendor applications"]),
        ("want a transformations page and a contact form", ["Transformations", "Contact form"]),
        ("gallery, packages and contact pages pls", ["Gallery", "Packages", "Contact"]),
        ("", []),
    ],
)
def test_pages_asked_for_in_the_ways_people_write_it(sentence, titles):
    assert [p.title for p in brief.parse(f"Sweet Crumbs, a bakery in Leeds. {sentence}").pages] == titles


def test_fragments_separated_by_pipes_or_dashes_and_greetings_are_read_as_sentences():
    b = brief.parse(
        "Ice-cream van site | Name: Scoops on Wheels | Based in Galway | Single cone €3.50 | Pages: home, flavours"
    )
    assert (b.business_name, b.location) == ("Scoops on Wheels", "Galway")
    assert [(o.name, o.price) for o in b.offerings] == [("Single cone", "€3.50")]
    assert [p.title for p in b.pages] == ["Flavours"]
    hi = brief.parse("Hi! We have a farm shop at Hollins Farm near Kendal, and we sell our own lamb.")
    assert hi.descriptor.startswith("A farm shop") and hi.details == ["We sell our own lamb."]


def test_a_page_list_before_the_prompt_and_those_n_pages():
    first = brief.parse("need 4 pages: home, courses, fleet, contact — for Windrush Sailing School in Kiel.")
    assert [p.title for p in first.pages] == ["Courses", "Fleet", "Contact"]
    assert first.business_name == "Windrush Sailing School"
    those = brief.parse("home, membership, equipment, open night — those 4 pages. for Hackspace Brno")
    assert [p.title for p in those.pages] == ["Membership", "Equipment", "Open night"]


def test_a_with_list_ending_in_page_asks_only_for_its_pages_and_punctuation_alone_reads():
    b = brief.parse("Sweet Crumbs, a bakery in Leeds, with a menu, about and contact page")
    assert [p.title for p in b.pages] == ["Menu", "About", "Contact"]
    assert brief.parse(". 0").business_name == ""


def test_list_items_keep_their_brackets_and_people_their_roles():
    read = brief.parse(
        "a site for Summit Block, a bouldering gym in Denver. Classes: Intro to Bouldering (Tuesdays 6pm, $35), "
        "Youth Crushers (Saturdays 10am, $30). Team: Dr Rhian Evans (principal dentist), hygienist Beth Lloyd, "
        "Tash Nguyen (owner, groomer)."
    )
    assert [(o.name, o.price) for o in read.offerings] == [
        ("Intro to Bouldering (Tuesdays 6pm)", "$35"),
        ("Youth Crushers (Saturdays 10am)", "$30"),
    ]
    assert [(p.name, p.role) for p in read.people] == [
        ("Dr Rhian Evans", "Principal dentist"),
        ("Beth Lloyd", "Hygienist"),
        ("Tash Nguyen", "Owner, groomer"),
    ]


def test_line_breaks_end_sentences_and_handles_and_links_are_kept():
    read = brief.parse(
        "1st Didsbury Scouts - we meet at the scout hut on Fog Lane.\nBeavers (6-8) mondays 6pm\n"
        "Cubs (8-10) tuesdays 6:30pm\nsubs are £40 a term. follow us @didsburyscouts or www.didsbury.example"
    )
    assert "Cubs (8-10) tuesdays 6:30pm." in read.details and "Beavers (6-8) mondays 6pm." in read.details
    assert read.handles == ["@didsburyscouts"] and read.links == ["www.didsbury.example"]


def test_a_later_item_keeps_with_in_its_name_and_a_bracket_after_a_price_is_its_note():
    read = brief.parse(
        "Captain Giggles, kids party magician in Leeds. 1 hour magic show £150, 2 hour party with games £240, "
        "weekend ticket £145 (camping included)."
    )
    assert [(o.name, o.price) for o in read.offerings] == [
        ("1 hour magic show", "£150"),
        ("2 hour party with games", "£240"),
        ("Weekend ticket", "£145 (camping included)"),
    ]


def test_please_to_the_visitor_is_a_fact_please_to_the_builder_is_not():
    read = brief.parse(
        "site for our wedding!! Emma & Raj, 12 September 2026. please RSVP by 1 July. please make it pink"
    )
    assert read.details == ["Please RSVP by 1 July."]
