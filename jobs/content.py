"""Per-industry content packs: the words of a site, filled with the facts from the brief."""

from __future__ import annotations

from typing import Any

from jobs.brief import Brief

Copy = dict[str, Any]

_PACKS: dict[str, Copy] = {
    "food": {
        "noun": "Bakery",
        "hero_title": "Baked fresh in {where_short} every morning",
        "hero_text": "{name} makes bread, cakes and pastries by hand, from flour to counter, before the sun is up.",
        "cta_label": "See today's menu",
        "cta_page": "menu",
        "cta_title": "Order a celebration cake from {name}",
        "about_title": "Our story",
        "about": [
            "{name} started with one oven and a sourdough starter.",
            "Everything is baked on site {where}.",
        ],
        "features_title": "Why people queue at {name}",
        "features": [
            {
                "title": "Slow-proved bread",
                "text": "Our loaves rest for 36 hours for flavour and a proper crust.",
            },
            {"title": "Local flour", "text": "We buy our flour and butter from farms near {where_short}."},
            {
                "title": "Cakes to order",
                "text": "Birthdays, weddings and Fridays: tell us the day, we bake it.",
            },
        ],
        "offers_title": "Menu",
        "offers": [
            {"name": "Sourdough loaf", "description": "Country white, 36-hour prove", "price": "£4.50"},
            {
                "name": "Butter croissant",
                "description": "Laminated by hand with French butter",
                "price": "£2.40",
            },
            {"name": "Cinnamon bun", "description": "Cardamom dough, brown-sugar glaze", "price": "£2.80"},
            {"name": "Lemon drizzle slice", "description": "Made with unwaxed lemons", "price": "£3.20"},
            {
                "name": "Celebration cake",
                "description": "Serves 12, order two days ahead",
                "price": "from £38",
            },
        ],
    },
    "restaurant": {
        "noun": "Kitchen",
        "hero_title": "Seasonal cooking {where}",
        "hero_text": "{name} serves honest plates from the market, with wine we like to drink ourselves.",
        "cta_label": "Book a table",
        "cta_page": "contact",
        "cta_title": "Eat with us this week",
        "about_title": "The kitchen",
        "about": [
            "At {name} the menu follows what arrives at the back door each morning.",
            "Groups, birthdays and long lunches are welcome.",
        ],
        "features_title": "At {name}",
        "features": [
            {"title": "Market menu", "text": "Written daily around the best of the season."},
            {"title": "Natural wine", "text": "A short list from small growers, by the glass or bottle."},
            {"title": "Private dining", "text": "A room for up to 16 guests."},
        ],
        "offers_title": "Menu",
        "offers": [
            {"name": "Burrata, blood orange, basil", "description": "To share", "price": "£9"},
            {"name": "Roast hake, brown shrimp butter", "description": "With new potatoes", "price": "£19"},
            {"name": "Braised short rib", "description": "Celeriac purée, gremolata", "price": "£21"},
            {"name": "Chocolate torte", "description": "Crème fraîche", "price": "£7"},
        ],
    },
    "services": {
        "noun": "Services",
        "hero_title": "Reliable help {where}, when you need it",
        "hero_text": "{name} gives clear quotes, turns up on time and finishes the job properly.",
        "cta_label": "Get a free quote",
        "cta_page": "contact",
        "cta_title": "Tell {name} what you need",
        "about_title": "About us",
        "about": ["{name} is a local, fully insured team serving {where_short} and the surrounding area."],
        "features_title": "Why choose {name}",
        "features": [
            {"title": "Fixed quotes", "text": "The price we quote is the price you pay."},
            {"title": "On time", "text": "We arrive within the slot we agree, or we call ahead."},
            {"title": "Guaranteed", "text": "Every job is covered by a 12-month workmanship guarantee."},
        ],
        "offers_title": "Services",
        "offers": [
            {"name": "Consultation", "description": "We visit, listen and write up a plan.", "price": "Free"},
            {
                "name": "Standard job",
                "description": "Most everyday work, done in a day.",
                "price": "from £85",
            },
            {
                "name": "Emergency call-out",
                "description": "Same-day help when it cannot wait.",
                "price": "from £120",
            },
        ],
    },
    "portfolio": {
        "noun": "Studio",
        "hero_title": "{name}",
        "hero_text": "Photography and design with an eye for light, people and the quiet moments in between.",
        "cta_label": "Check availability",
        "cta_page": "contact",
        "cta_title": "Planning something? Let's talk.",
        "about_title": "About",
        "about": ["{name} works {where} and travels for the right story."],
        "features_title": "How we work",
        "features": [
            {"title": "A first call", "text": "We talk through your plans and what matters to you."},
            {"title": "The day", "text": "Unobtrusive, calm, and always on time."},
            {"title": "Your gallery", "text": "Edited images delivered within three weeks."},
        ],
        "gallery_title": "Selected work",
        "gallery": [
            "Golden-hour portrait",
            "Ceremony in the old chapel",
            "First dance",
            "Details and flowers",
        ],
        "offers_title": "Packages",
        "offers": [
            {"name": "Half day", "description": "Up to five hours of coverage", "price": "£950"},
            {"name": "Full day", "description": "From preparations to first dance", "price": "£1,600"},
        ],
    },
    "saas": {
        "noun": "App",
        "hero_title": "{name}: the simplest way to get it done",
        "hero_text": "Set up in minutes, share with your team, and see results on day one.",
        "cta_label": "Start free trial",
        "cta_page": "pricing",
        "cta_title": "Try {name} free for 14 days",
        "about_title": "About {name}",
        "about": ["{name} is built by a small team that answers support tickets itself."],
        "features_title": "Everything your team needs",
        "features": [
            {"title": "Fast setup", "text": "Import your data and invite your team in minutes."},
            {"title": "Secure by default", "text": "Single sign-on, audit logs and encryption at rest."},
            {"title": "Works with your tools", "text": "Integrations and an open API."},
        ],
        "plans_title": "Simple pricing",
        "plans": [
            {"name": "Starter", "price": "£0", "features": ["3 users", "Core features", "Community support"]},
            {"name": "Team", "price": "£29/mo", "features": ["25 users", "Integrations", "Email support"]},
            {
                "name": "Business",
                "price": "£99/mo",
                "features": ["Unlimited users", "SSO", "Priority support"],
            },
        ],
        "offers_title": "Plans",
        "offers": [],
    },
}

_COMMON: Copy = {
    "testimonials": [
        {"quote": "Friendly, fast and exactly what we hoped for.", "author": "Priya S."},
        {"quote": "We recommend {name} to everyone we know.", "author": "Tom and Alex R."},
        {"quote": "Brilliant from the first message to the last.", "author": "Maria G."},
    ],
    "faq": [
        {"q": "Where are you?", "a": "You can find {name} {where}. Our address is on the contact page."},
        {"q": "How do I get in touch?", "a": "Email {email} and we reply within one working day."},
        {"q": "Do you take card payments?", "a": "Yes, all major cards and contactless."},
    ],
    "hours": [
        {"days": "Monday to Friday", "time": "8:00 – 18:00"},
        {"days": "Saturday", "time": "9:00 – 16:00"},
        {"days": "Sunday", "time": "Closed"},
    ],
    "plans_title": "Plans",
    "plans": [
        {"name": "Essential", "price": "£49", "features": ["The basics, done well"]},
        {"name": "Plus", "price": "£89", "features": ["Everything in Essential", "Priority booking"]},
        {"name": "Complete", "price": "£149", "features": ["Everything in Plus", "Aftercare"]},
    ],
    "gallery_title": "Gallery",
    "gallery": ["Our place", "Our work", "Our team"],
    "offers_title": "What we offer",
    "offers": [],
}

CATEGORY_PACK = {"food": "food", "services": "services", "portfolio": "portfolio", "saas": "saas"}
RESTAURANT_WORDS = {"restaurant", "bistro", "bar", "pizzeria", "pizza", "tapas", "dinner", "kitchen"}


def pack_for(category: str, words: list[str]) -> str:
    if category == "food" and RESTAURANT_WORDS & set(words):
        return "restaurant"
    return CATEGORY_PACK.get(category, "services")


def _fill(value: Any, facts: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**facts)
    if isinstance(value, list):
        return [_fill(v, facts) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, facts) for k, v in value.items()}
    return value


def site_name(brief: Brief, pack: str) -> str:
    if brief.business_name:
        return brief.business_name
    noun = _PACKS[pack]["noun"]
    return f"{brief.location} {noun}".strip() if brief.location else f"The {noun}"


def copy_for(brief: Brief, pack: str, name: str, email: str) -> Copy:
    """The pack's words with the brief's facts in them. Facts are inserted as plain text (escaped on render)."""
    facts = {
        "name": name,
        "where": f"in {brief.location}" if brief.location else "near you",
        "where_short": brief.location or "town",
        "email": email,
    }
    merged = {**_COMMON, **{k: v for k, v in _PACKS[pack].items() if v != []}}
    return dict(_fill(merged, facts))
