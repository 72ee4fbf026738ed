"""Per-industry content packs: the words of a site, filled with the facts from the brief.

Every pack overrides the generic words in `_COMMON`, so any component a template (or an edit) puts on a page has
its copy, and rendering with StrictUndefined never fails. Placeholders in braces are the brief's facts: `{name}`,
`{where}` ("in Leeds" / "near you"), `{where_short}` ("Leeds" / "town"), `{place}` (" · Leeds" / "") and `{email}`.
Never name a key after a dict method (`items`, `keys`, `values`…): Jinja would find the method first.
"""

from __future__ import annotations

from typing import Any

from jobs.brief import Brief

Copy = dict[str, Any]


def _pairs(keys: tuple[str, ...], rows: tuple[tuple[Any, ...], ...]) -> list[dict[str, Any]]:
    return [dict(zip(keys, row, strict=True)) for row in rows]


def _cards(*rows: tuple[str, str]) -> list[dict[str, Any]]:
    """Features and steps: (title, text)."""
    return _pairs(("title", "text"), rows)


def _offers(*rows: tuple[str, str, str]) -> list[dict[str, Any]]:
    """Menu items, services, treatments: (name, description, price)."""
    return _pairs(("name", "description", "price"), rows)


def _plans(*rows: tuple[str, str, list[str]]) -> list[dict[str, Any]]:
    return _pairs(("name", "price", "features"), rows)


def _faq(*rows: tuple[str, str]) -> list[dict[str, Any]]:
    return _pairs(("q", "a"), rows)


def _quotes(*rows: tuple[str, str]) -> list[dict[str, Any]]:
    return _pairs(("quote", "author"), rows)


def _people(*rows: tuple[str, str, str]) -> list[dict[str, Any]]:
    return _pairs(("name", "role", "bio"), rows)


def _stats(*rows: tuple[str, str]) -> list[dict[str, Any]]:
    return _pairs(("value", "label"), rows)


def _hours(*rows: tuple[str, str]) -> list[dict[str, Any]]:
    return _pairs(("days", "time"), rows)


def _dated(*rows: tuple[str, str, str]) -> list[dict[str, Any]]:
    """Timeline entries: (when, title, text)."""
    return _pairs(("when", "title", "text"), rows)


def _agenda(*rows: tuple[str, str, str]) -> list[dict[str, Any]]:
    return _pairs(("time", "title", "text"), rows)


def _week(*days: tuple[str, list[tuple[str, str, str]]]) -> list[dict[str, Any]]:
    """A class timetable: (day, [(time, class, who leads it)])."""
    return [{"day": day, "sessions": _pairs(("time", "name", "lead"), tuple(s))} for day, s in days]


def _places(*rows: tuple[str, str, str]) -> list[dict[str, Any]]:
    return _pairs(("name", "address", "hours"), rows)


def _listings(*rows: tuple[str, str, str, list[str]]) -> list[dict[str, Any]]:
    return _pairs(("name", "price", "detail", "tags"), rows)


def _cases(*rows: tuple[str, str, str, str]) -> list[dict[str, Any]]:
    return _pairs(("client", "title", "text", "result"), rows)


def _awards(*rows: tuple[str, str, str]) -> list[dict[str, Any]]:
    return _pairs(("year", "name", "by"), rows)


def _changes(*rows: tuple[str, str, str]) -> list[dict[str, Any]]:
    """Before-and-after stories: (title, before, after)."""
    return _pairs(("title", "before", "after"), rows)


def _gifts(*rows: tuple[str, str]) -> list[dict[str, Any]]:
    return _pairs(("amount", "text"), rows)


_COMMON: Copy = {
    "noun": "Company",
    "kicker": "Independent and local{place}",
    "hero_title": "{name}",
    "hero_text": "A small, local team that does things properly, answers the phone and keeps its promises.",
    "cta_label": "Get in touch",
    "cta_page": "contact",
    "cta_title": "Talk to {name}",
    "cta_text": "Tell us what you need and we will get back to you within one working day.",
    "about_title": "Who we are",
    "about": [
        "{name} is an independent business {where}, run by people who care about the details.",
        "We would rather do a few things very well than everything in a hurry.",
    ],
    "about_points": ["Independent and locally owned", "Clear prices, agreed up front", "Friendly, straight answers"],
    "features_title": "Why choose {name}",
    "features": _cards(
        ("Local and independent", "We live and work {where}, and our reputation depends on it."),
        ("Clear prices", "You know what it costs before we start. No surprises."),
        ("Friendly service", "Real people answer your messages, usually the same day."),
    ),
    "offers_title": "What we offer",
    "offers": _offers(
        ("First conversation", "Tell us what you need and we will suggest the best way forward.", "Free"),
        ("Standard service", "Our everyday work, done carefully and on time.", "from £60"),
        ("Something bigger", "For larger pieces of work, priced after a short chat.", "Ask for a quote"),
    ),
    "plans_title": "Plans",
    "plans": _plans(
        ("Essential", "£49", ["The basics, done well"]),
        ("Plus", "£89", ["The basics, done well", "Priority booking"]),
        ("Complete", "£149", ["The basics, done well", "Priority booking", "Aftercare"]),
    ),
    "compare_title": "Compare plans",
    "testimonials_title": "What people say",
    "testimonials": _quotes(
        ("Friendly, fast and exactly what we hoped for.", "Priya S."),
        ("We recommend {name} to everyone we know.", "Tom and Alex R."),
        ("Brilliant from the first message to the last.", "Maria G."),
    ),
    "rating_text": "Rated 4.9 out of 5 in over 120 reviews.",
    "gallery_title": "A closer look",
    "gallery": ["Our place", "Our work", "Our team"],
    "team_title": "Meet the team",
    "team": _people(
        ("Sam Taylor", "Founder", "Started {name} and still answers most of the emails."),
        ("Jo Patel", "Operations", "Keeps the diary running and every promise on time."),
        ("Chris Evans", "Customer care", "The friendly voice you hear when you call."),
    ),
    "faq_title": "Questions, answered",
    "faq": _faq(
        ("Where are you?", "You can find {name} {where}. Our details are on the contact page."),
        ("How do I get in touch?", "Email {email} and we reply within one working day."),
        ("Do you take card payments?", "Yes, all major cards and contactless."),
    ),
    "hours_title": "Opening hours",
    "hours": _hours(("Monday to Friday", "8:00 – 18:00"), ("Saturday", "9:00 – 16:00"), ("Sunday", "Closed")),
    "hours_note": "Bank holiday hours may change; we post them here a week ahead.",
    "directions": "Ask us for directions, parking tips or step-free access details when you get in touch.",
    "reply_promise": "We answer every message within one working day.",
    "stats_title": "{name} in numbers",
    "stats": _stats(("10+", "years in business"), ("2,000+", "happy customers"), ("4.9", "average review score")),
    "timeline_title": "Our story so far",
    "timeline": _dated(
        ("The start", "{name} opens", "One idea, a lot of hard work and our first customers {where}."),
        ("Growing", "A bigger team", "Word of mouth did the rest: we took on our first staff."),
        ("Today", "Still independent", "Still local, still owner-run, still answering the phone."),
    ),
    "footer_text": "{name}: independent and local {where}.",
    "partners_title": "Working with",
    "partners": ["Northfield Trust", "Greenway Co-op", "Harbour & Hill", "Brightside Group"],
    "booking_title": "How it works",
    "booking_steps": _cards(
        ("Get in touch", "Email or call and tell us what you need."),
        ("Agree the details", "We confirm the time and the price in writing."),
        ("Relax", "We turn up when we said and do what we promised."),
    ),
    "newsletter_title": "Hear from us now and then",
    "newsletter_text": "News, offers and the odd behind-the-scenes story from {name}. Send us an email to join.",
    "schedule_title": "This week",
    "schedule": _week(
        ("Monday", [("9:00", "Open session", "The team")]),
        ("Wednesday", [("18:00", "Evening session", "The team")]),
        ("Saturday", [("10:00", "Weekend session", "The team")]),
    ),
    "agenda_title": "What's on",
    "agenda": _agenda(
        ("9:30", "Welcome", "Coffee, name badges and a warm hello."),
        ("10:00", "Morning session", "The main event, with time for questions."),
        ("12:30", "Lunch", "Food from local suppliers."),
        ("14:00", "Afternoon session", "Hands-on, in small groups."),
    ),
    "impact_title": "What your support does",
    "impact_text": "Every gift, large or small, goes straight to the work {where}.",
    "impact": _gifts(("£10", "pays for an afternoon of help"), ("£25", "covers a full day"), ("£100", "funds a month")),
    "donate_label": "Give by email",
    "before_after_title": "Before and after",
    "before_after": _changes(
        ("A typical job", "A problem that had been put off for months.", "Sorted in a day, tidied up after."),
        ("A bigger project", "A long list and no idea where to start.", "A clear plan, done in stages."),
    ),
    "awards_title": "Recognition",
    "awards": _awards(
        ("2023", "Local Business of the Year, highly commended", "Chamber of Commerce"),
        ("2022", "Customer Service Award", "Independent Business Network"),
    ),
    "locations_title": "Where to find us",
    "locations": _places(("{name}", "{where_short}", "Open Monday to Saturday")),
    "listings_title": "Available now",
    "listings": _listings(
        ("Option one", "from £100", "Our most popular choice.", ["Popular"]),
        ("Option two", "from £150", "A little more room and a few extras.", ["Extras"]),
    ),
    "cases_title": "Recent work",
    "cases": _cases(
        (
            "A local business",
            "A fresh start",
            "We listened, made a plan and delivered it on time.",
            "On time, on budget",
        ),
        ("A family", "A long-awaited project", "From first call to finished job in three weeks.", "Five-star review"),
    ),
    "page_intros": {},
}
_PACKS: dict[str, Copy] = {}

# ------------------------------------------------------------------------------------------------------- food
_PACKS["bakery"] = {
    "noun": "Bakery",
    "kicker": "Independent bakery{place}",
    "hero_title": "Baked fresh in {where_short} every morning",
    "hero_text": "{name} makes bread, cakes and pastries by hand, from flour to counter, before the sun is up.",
    "cta_label": "See today's menu",
    "cta_page": "menu",
    "cta_title": "Order a celebration cake from {name}",
    "cta_text": "Tell us the day and the number of guests; we need two days' notice for most cakes.",
    "about_title": "Our story",
    "about": [
        "{name} started with one oven and a sourdough starter.",
        "Everything is baked on site {where}, and what is left at closing goes to a local food bank.",
    ],
    "about_points": ["Baked on site every morning", "Local flour, butter and eggs", "Nothing left over goes to waste"],
    "features_title": "Why people queue at {name}",
    "features": _cards(
        ("Slow-proved bread", "Our loaves rest for 36 hours for flavour and a proper crust."),
        ("Local flour", "We buy our flour and butter from farms near {where_short}."),
        ("Cakes to order", "Birthdays, weddings and Fridays: tell us the day, we bake it."),
    ),
    "offers_title": "From the counter",
    "offers": _offers(
        ("Sourdough loaf", "Country white, 36-hour prove", "£4.50"),
        ("Butter croissant", "Laminated by hand with French butter", "£2.40"),
        ("Cinnamon bun", "Cardamom dough, brown-sugar glaze", "£2.80"),
        ("Lemon drizzle slice", "Made with unwaxed lemons", "£3.20"),
        ("Seeded rye", "Dark, dense and keeps for days", "£4.80"),
        ("Celebration cake", "Serves 12, order two days ahead", "from £38"),
    ),
    "testimonials": _quotes(
        ("The best sourdough I have had outside San Francisco. Worth the queue.", "Hannah W."),
        ("They made our wedding cake and people are still talking about it.", "Dev and Laura M."),
        ("Saturday morning is not complete without a cinnamon bun from {name}.", "Marcus O."),
    ),
    "hours_title": "Opening hours",
    "hours": _hours(
        ("Tuesday to Friday", "7:30 – 16:00"), ("Saturday", "8:00 – 15:00"), ("Sunday and Monday", "Closed")
    ),
    "hours_note": "Come early on Saturdays: the croissants are usually gone by eleven.",
    "directions": "Pop in during opening hours, or email ahead to reserve bread and order cakes.",
    "reply_promise": "Cake orders are confirmed by email within a day.",
    "footer_text": "Bread, cakes and pastries baked by hand {where}.",
    "timeline_title": "From one oven to a full counter",
    "timeline": _dated(
        ("Year one", "A market stall", "Ten loaves on a Saturday market stall, sold out by nine."),
        ("Year three", "Our own shop", "{name} opens its doors with a second-hand deck oven."),
        (
            "Today",
            "Baking for the neighbourhood",
            "Bread, cakes and pastries every morning, and wholesale for local cafés.",
        ),
    ),
    "team_title": "The bakers",
    "team": _people(
        ("Ellie Morgan", "Head baker", "Trained in Lyon, fussy about crusts, starts work at four."),
        ("Tom Reid", "Pastry", "Laminates every croissant by hand and invents the specials."),
        ("Aisha Khan", "Front of house", "Knows every regular's order before they reach the counter."),
    ),
    "faq": _faq(
        (
            "Do you make gluten-free bakes?",
            "We make a gluten-free cake every day, but our kitchen handles flour all day.",
        ),
        ("How far ahead should I order a cake?", "Two days for most cakes, a week for tiered celebration cakes."),
        ("Can I reserve bread?", "Yes: email {email} by 17:00 the day before and we will keep it for you."),
    ),
    "page_intros": {"menu": "Everything on the counter today, with prices. Cakes can be ordered ahead."},
}
_PACKS["restaurant"] = {
    "noun": "Kitchen",
    "kicker": "Seasonal restaurant{place}",
    "hero_title": "Seasonal cooking {where}",
    "hero_text": "{name} serves honest plates from the market, with wine we like to drink ourselves.",
    "cta_label": "Book a table",
    "cta_page": "contact",
    "cta_title": "Eat with us this week",
    "cta_text": "Tables for two to twelve, lunch and dinner. Call or email and we will confirm your booking.",
    "about_title": "The kitchen",
    "about": [
        "At {name} the menu follows what arrives at the back door each morning.",
        "Groups, birthdays and long lunches are welcome. Tell us about allergies when you book.",
    ],
    "about_points": ["Menu written daily", "Small growers and day-boat fish", "Private room for up to 16"],
    "features_title": "At {name}",
    "features": _cards(
        ("Market menu", "Written daily around the best of the season."),
        ("Natural wine", "A short list from small growers, by the glass or bottle."),
        ("Private dining", "A room for up to 16 guests."),
    ),
    "offers_title": "This week's menu",
    "offers": _offers(
        ("Burrata, blood orange, basil", "To share", "£9"),
        ("Roast hake, brown shrimp butter", "With new potatoes", "£19"),
        ("Braised short rib", "Celeriac purée, gremolata", "£21"),
        ("Wild mushroom risotto", "Aged parmesan, thyme", "£16"),
        ("Chocolate torte", "Crème fraîche", "£7"),
    ),
    "testimonials": _quotes(
        ("The kind of place you keep for special occasions, then find excuses to go back to.", "Food Notes magazine"),
        ("Faultless service and the best hake I have eaten in years.", "Jonathan P."),
        ("We booked the private room for a birthday; the staff made it effortless.", "Sophie and Ben"),
    ),
    "hours_title": "When we are open",
    "hours": _hours(
        ("Tuesday to Thursday", "12:00 – 14:30, 17:30 – 22:00"),
        ("Friday and Saturday", "12:00 – 15:00, 17:30 – 23:00"),
        ("Sunday", "12:00 – 17:00"),
        ("Monday", "Closed"),
    ),
    "hours_note": "The kitchen takes last orders half an hour before closing.",
    "directions": "Tell us about any access needs when you book and we will have the right table ready.",
    "reply_promise": "Booking requests are confirmed within a few hours.",
    "footer_text": "Seasonal cooking and natural wine {where}.",
    "team_title": "In the kitchen and on the floor",
    "team": _people(
        ("Marco Bellini", "Head chef", "Fifteen years in kitchens from Bologna to London."),
        ("Rosa Hughes", "Restaurant manager", "Looks after every table and the wine list."),
        ("Kwame Asante", "Sous chef", "Bakes the bread and runs the pass on busy nights."),
    ),
    "awards": _awards(
        ("2024", "Listed in the regional Good Food Guide", "Good Food Guide"),
        ("2023", "Best Neighbourhood Restaurant", "City Food & Drink Awards"),
    ),
    "faq": _faq(
        ("Do you cater for dietary needs?", "Yes. Tell us when you book and the kitchen will plan for you."),
        ("Can we book the private room?", "Email {email} with your date and number of guests."),
        ("Do you take walk-ins?", "We keep a few tables for walk-ins every evening."),
    ),
    "page_intros": {"menu": "A taste of this week's menu. It changes with the market, so expect surprises."},
}
_PACKS["cafe"] = {
    "noun": "Café",
    "kicker": "Neighbourhood café{place}",
    "hero_title": "Good coffee, slow mornings",
    "hero_text": "{name} roasts its beans in small batches and serves breakfast until three, because why not.",
    "cta_label": "See the menu",
    "cta_page": "menu",
    "cta_title": "Come in for a cup",
    "cta_text": "Laptops welcome on weekdays, dogs welcome every day.",
    "about_title": "About the café",
    "about": [
        "{name} opened as a tiny espresso bar and grew into the neighbourhood's front room.",
        "We roast our own coffee and buy our bread from the bakery round the corner.",
    ],
    "about_points": [
        "Beans roasted every week",
        "Oat, soy and almond at no extra cost",
        "Dog-friendly and buggy-friendly",
    ],
    "features_title": "Why stay for another",
    "features": _cards(
        ("Roasted in-house", "Seasonal single origins and a house espresso blend roasted every Monday."),
        ("All-day breakfast", "Eggs, toast and pancakes until three in the afternoon."),
        ("A proper welcome", "Free wi-fi, plenty of sockets and staff who remember your name."),
    ),
    "offers_title": "Coffee, tea and food",
    "offers": _offers(
        ("Flat white", "House espresso blend", "£3.30"),
        ("Filter coffee", "This week's single origin, bottomless refills", "£3.00"),
        ("Chai latte", "Spiced in-house", "£3.40"),
        ("Avocado toast", "Sourdough, chilli, lime, poached egg", "£8.50"),
        ("Buttermilk pancakes", "Berries, maple syrup, crème fraîche", "£8.00"),
        ("Cheese toastie", "Mature cheddar, kimchi, sourdough", "£6.50"),
    ),
    "gallery_title": "A look inside",
    "gallery": ["The window seats", "Latte art at the bar", "Saturday brunch", "Beans fresh from the roaster"],
    "testimonials": _quotes(
        ("My favourite place to work on a weekday morning. Coffee is outstanding.", "Ravi D."),
        ("Pancakes worth crossing town for.", "Emily F."),
        ("Staff are lovely and my dog gets a biscuit every time.", "Gareth J."),
    ),
    "hours": _hours(("Monday to Friday", "7:30 – 17:00"), ("Saturday and Sunday", "8:30 – 16:00")),
    "hours_note": "Breakfast is served until 15:00 every day.",
    "newsletter_title": "New beans, first",
    "newsletter_text": "Hear about new single origins, brunch specials and latte-art evenings. Email us to join.",
    "directions": "Drop in any time we are open. Dogs, buggies and laptops are all welcome.",
    "footer_text": "Coffee roasted in-house and breakfast until three {where}.",
    "team_title": "Behind the bar",
    "team": _people(
        ("Nina Alvarez", "Owner and roaster", "Roasts every batch and still pulls shots on Saturdays."),
        ("Owen Price", "Head barista", "National latte-art finalist and very patient teacher."),
        ("Lily Chen", "Kitchen", "In charge of pancakes, and therefore of happiness."),
    ),
    "page_intros": {"menu": "Coffee, tea and food, served all day."},
}
_PACKS["foodtruck"] = {
    "noun": "Street Kitchen",
    "kicker": "Street food on wheels{place}",
    "hero_title": "Big flavours, served from a little truck",
    "hero_text": "{name} serves smash burgers, loaded fries and proper sauces at markets and events {where}.",
    "cta_label": "Find the truck",
    "cta_page": "contact",
    "cta_title": "Book {name} for your event",
    "cta_text": "Weddings, festivals and office parties: we bring the truck, the food and the queue.",
    "about_title": "The truck",
    "about": [
        "{name} started with a second-hand van and one very good burger recipe.",
        "We cook everything to order, with beef from a local butcher and buns baked that morning.",
    ],
    "features_title": "Why the queue is worth it",
    "features": _cards(
        ("Cooked to order", "Nothing sits under a lamp. Ever."),
        ("Local beef", "From a butcher five miles away."),
        ("Vegan too", "Our plant-based burger is no afterthought."),
    ),
    "offers_title": "What's cooking",
    "offers": _offers(
        ("Double smash burger", "Two patties, American cheese, house sauce, pickles", "£10"),
        ("Crispy chicken bun", "Buttermilk thigh, slaw, hot honey", "£9.50"),
        ("Plant burger", "Smashed mushroom and bean patty, vegan cheese", "£9"),
        ("Loaded fries", "Cheese sauce, crispy onions, jalapeños", "£6"),
        ("Lemonade", "Made on the truck", "£3"),
    ),
    "locations_title": "Where to find us this week",
    "locations": _places(
        ("Thursday night market", "Market Square, {where_short}", "17:00 – 21:00"),
        ("Friday lunch", "Outside the station, {where_short}", "11:30 – 14:30"),
        ("Saturday street food", "Riverside car park, {where_short}", "12:00 – 20:00"),
    ),
    "testimonials": _quotes(
        ("Best burger at the market, and it is not close.", "Callum R."),
        ("Booked them for our wedding. Guests are still talking about the fries.", "Amira and Joe"),
        ("The plant burger converted my very carnivorous dad.", "Beth S."),
    ),
    "rating_text": "4.9 stars from over 300 hungry reviewers.",
    "timeline_title": "On the road",
    "timeline": _dated(
        ("Year one", "One van, one burger", "We bought a tired old van and spent the winter fitting it out."),
        ("Year two", "Market regulars", "A weekly pitch at the night market and our first festival."),
        ("Today", "Events all year", "Markets every week and private events most weekends."),
    ),
    "hours_title": "Truck hours",
    "hours": _hours(("Thursday", "17:00 – 21:00"), ("Friday", "11:30 – 14:30"), ("Saturday", "12:00 – 20:00")),
    "directions": "The truck moves around: check where we are this week before you set off.",
    "faq": _faq(
        ("Do you do private events?", "Yes, from 50 guests. Email {email} with your date and location."),
        ("Do you take cards?", "Cards and contactless only. No cash."),
        ("What about allergies?", "Ask at the hatch: we have full allergen details for every item."),
    ),
    "footer_text": "Smash burgers and loaded fries, served from the truck {where}.",
    "page_intros": {"menu": "The whole menu, cooked to order on the truck."},
}
# ----------------------------------------------------------------------------------------------------- retail
_PACKS["boutique"] = {
    "noun": "Boutique",
    "kicker": "Independent boutique{place}",
    "hero_title": "Clothes you will keep for years",
    "hero_text": "{name} stocks small-batch labels, timeless pieces and gifts chosen one at a time.",
    "cta_label": "Visit the shop",
    "cta_page": "contact",
    "cta_title": "Personal styling, on the house",
    "cta_text": "Book a free half-hour with us and leave with an outfit you love, or just a good idea.",
    "about_title": "About the shop",
    "about": [
        "{name} is an independent boutique {where}, opened by people who love well-made things.",
        "We stock small labels, most of them made in Britain and Europe, in limited runs.",
    ],
    "about_points": ["Small-batch labels", "Free alterations on full-price pieces", "Gift wrapping, always free"],
    "features_title": "Shopping at {name}",
    "features": _cards(
        ("Chosen carefully", "Every piece is picked by hand from small labels."),
        ("Made to last", "Natural fabrics and proper seams, made to be worn for years."),
        ("Personal styling", "Free advice, no pressure to buy."),
    ),
    "offers_title": "In store",
    "offers": _offers(
        ("Womenswear", "Dresses, knitwear and tailoring from small labels", "from £45"),
        ("Accessories", "Scarves, bags and jewellery", "from £18"),
        ("Gifts", "Candles, ceramics and cards", "from £8"),
    ),
    "gallery_title": "New in",
    "gallery": [
        "Linen shirt dress in sage",
        "Hand-knitted lambswool cardigan",
        "Recycled silver hoops",
        "Autumn window",
    ],
    "partners_title": "Labels we stock",
    "partners": ["Marlowe & Fern", "Atelier Nord", "Hesketh Knitwear", "Saltmarsh Studio", "Wren Ceramics"],
    "testimonials": _quotes(
        ("Every time I go in I find something I did not know I needed, and I wear it constantly.", "Charlotte B."),
        ("Warm, honest advice. They talked me out of a dress that did not suit me.", "Imogen R."),
        ("My go-to for birthday presents.", "Neil T."),
    ),
    "newsletter_title": "First look at new arrivals",
    "newsletter_text": "One email when new stock lands, plus invitations to our late-night shopping evenings.",
    "team_title": "Who you will meet",
    "team": _people(
        ("Georgia Hart", "Owner and buyer", "Ex-fashion buyer who chooses every piece herself."),
        ("Priya Nair", "Stylist", "Will find you the perfect fit, and be honest about it."),
    ),
    "hours": _hours(("Monday to Saturday", "10:00 – 17:30"), ("Sunday", "11:00 – 16:00")),
    "directions": "Come and browse in person, or email us to ask about a piece before you visit.",
    "footer_text": "Small-batch labels, timeless pieces and thoughtful gifts {where}.",
    "page_intros": {
        "gallery": "New pieces from this season's labels.",
        "contact": "Come and see us, or ask us anything.",
    },
}
_PACKS["florist"] = {
    "noun": "Florist",
    "kicker": "Independent florist{place}",
    "hero_title": "Seasonal flowers, arranged with care",
    "hero_text": "{name} makes bouquets, wedding flowers and sympathy tributes from British-grown stems.",
    "cta_label": "Order flowers",
    "cta_page": "contact",
    "cta_title": "Need flowers for a day that matters?",
    "cta_text": "Order by noon for same-day delivery {where}.",
    "about_title": "About {name}",
    "about": [
        "{name} is a small studio {where}, working with growers within fifty miles wherever we can.",
        "We wrap in recycled paper and compost every stem we do not use.",
    ],
    "features_title": "Why order from {name}",
    "features": _cards(
        ("British-grown", "Seasonal stems from local growers, not air-freighted roses."),
        ("Same-day delivery", "Order by noon for delivery the same afternoon."),
        ("Plastic-free", "Recycled paper wrapping and compostable water bags."),
    ),
    "offers_title": "Flowers and prices",
    "offers": _offers(
        ("Hand-tied bouquet", "The florist's choice of the season's best", "from £35"),
        ("Vase arrangement", "Delivered in a glass vase, ready to enjoy", "from £55"),
        ("Flower subscription", "A fresh bouquet every week or fortnight", "from £30"),
        ("Wedding flowers", "Bouquets, buttonholes and venue styling", "from £600"),
        ("Sympathy tributes", "Wreaths, sprays and letters", "from £60"),
    ),
    "gallery_title": "Recent arrangements",
    "gallery": ["Spring tulips and ranunculus", "A summer wedding bouquet", "Dried flower wreath", "Peonies in a vase"],
    "booking_title": "How ordering works",
    "booking_steps": _cards(
        ("Choose", "Pick a bouquet size, or tell us the occasion and a budget."),
        ("Tell us when", "Order by noon for same-day delivery, or choose a date."),
        ("We deliver", "Hand-delivered, with your message written in our card."),
    ),
    "testimonials": _quotes(
        ("The most beautiful bouquet I have ever received, and it lasted two weeks.", "Olivia K."),
        ("They understood exactly what we wanted for our wedding.", "Rachel and Sam"),
        ("Kind and thoughtful when we needed funeral flowers at short notice.", "David L."),
    ),
    "rating_text": "Rated 5 out of 5 by over 200 customers.",
    "faq": _faq(
        ("Where do you deliver?", "Anywhere within ten miles of {where_short}; further by arrangement."),
        ("Can I choose the flowers?", "You can tell us colours and favourites, and we will use what is best that day."),
        (
            "How do I care for my bouquet?",
            "Trim the stems, change the water every two days and keep it out of the sun.",
        ),
    ),
    "hours": _hours(("Monday to Friday", "9:00 – 17:30"), ("Saturday", "9:00 – 16:00"), ("Sunday", "Closed")),
    "footer_text": "Seasonal, British-grown flowers {where}.",
    "page_intros": {"services": "Bouquets, subscriptions and flowers for weddings and funerals, with prices."},
}
_PACKS["bookshop"] = {
    "noun": "Books",
    "kicker": "Independent bookshop{place}",
    "hero_title": "A bookshop worth getting lost in",
    "hero_text": "{name} has new and second-hand books, staff picks on every shelf and readings most weeks.",
    "cta_label": "See what's on",
    "cta_page": "schedule",
    "cta_title": "Find your next favourite book",
    "cta_text": "Ask us for a recommendation. We will order anything in print, usually by the next day.",
    "about_title": "About the shop",
    "about": [
        "{name} is an independent bookshop {where}, run by readers for readers.",
        "We have two floors of new books, a room of second-hand finds and a corner for children.",
    ],
    "features_title": "Why readers love {name}",
    "features": _cards(
        ("Staff picks", "Hand-written recommendations on every shelf."),
        ("Ordered for you", "Anything in print, usually here the next day."),
        ("Book clubs", "Three clubs a month, from crime to translated fiction."),
    ),
    "offers_title": "In the shop",
    "offers": _offers(
        ("New books", "Fiction, non-fiction and poetry", "RRP"),
        ("Second-hand", "Hand-picked and in good condition", "from £3"),
        ("Book subscription", "A book a month, chosen for you", "£18 a month"),
    ),
    "agenda_title": "Coming up in the shop",
    "agenda": _agenda(
        ("Thu 18:30", "Author evening", "A reading and a signing with a debut novelist. Free, but please book."),
        ("Sat 10:30", "Children's story time", "Stories and colouring for under-sevens."),
        ("Tue 19:00", "Crime book club", "This month: a classic golden-age mystery."),
        ("Last Fri", "Poetry open mic", "Bring a poem, yours or a favourite."),
    ),
    "testimonials": _quotes(
        ("Every recommendation they have given me has been perfect. A treasure of a shop.", "Eleanor V."),
        ("My children think story time is the best hour of the week.", "Jamal A."),
        ("Better than any algorithm.", "Fiona G."),
    ),
    "newsletter_title": "The monthly letter",
    "newsletter_text": "Staff picks, new releases and event invitations, once a month. Email us to join.",
    "timeline_title": "Chapters so far",
    "timeline": _dated(
        ("Chapter one", "A second-hand stall", "{name} began as a trestle table of paperbacks."),
        ("Chapter two", "Our own shelves", "We moved into the shop and started stocking new books."),
        ("Chapter three", "Events and clubs", "Readings, story time and three book clubs a month."),
    ),
    "team_title": "The booksellers",
    "team": _people(
        ("Margaret Lowe", "Owner", "Reads two books a week and will talk about all of them."),
        ("Felix Grant", "Bookseller", "Crime, history and the occasional cookbook."),
        ("Zara Hussain", "Children's books", "Runs story time and the teenage book club."),
    ),
    "hours": _hours(("Monday to Saturday", "9:30 – 17:30"), ("Sunday", "11:00 – 16:00")),
    "directions": "Drop in to browse, or email us and we will put a book aside for you.",
    "footer_text": "New and second-hand books, readings and book clubs {where}.",
    "page_intros": {"schedule": "Readings, signings, clubs and story time at the shop."},
}
# --------------------------------------------------------------------------------------------------- services
_PACKS["trades"] = {
    "noun": "Services",
    "kicker": "Local, insured and on time{place}",
    "hero_title": "Reliable help {where}, when you need it",
    "hero_text": "{name} gives clear quotes, turns up on time and finishes the job properly.",
    "cta_label": "Get a free quote",
    "cta_page": "contact",
    "cta_title": "Tell {name} what you need",
    "cta_text": "Send a photo and a short description, and we will reply with a price.",
    "about_title": "Who we are",
    "about": [
        "{name} is a local, fully insured team serving {where_short} and the surrounding area.",
        "We are qualified, vetted and happy to show our paperwork.",
    ],
    "features_title": "Why choose {name}",
    "features": _cards(
        ("Fixed quotes", "The price we quote is the price you pay."),
        ("On time", "We arrive within the slot we agree, or we call ahead."),
        ("Guaranteed", "Every job is covered by a 12-month workmanship guarantee."),
    ),
    "offers_title": "What we do",
    "offers": _offers(
        ("Consultation", "We visit, listen and write up a plan.", "Free"),
        ("Standard job", "Most everyday work, done in a day.", "from £85"),
        ("Emergency call-out", "Same-day help when it cannot wait.", "from £120"),
        ("Installations", "New fittings, supplied and fitted.", "Quoted"),
    ),
    "stats_title": "{name} in numbers",
    "stats": _stats(
        ("15", "years in the trade"), ("3,200+", "jobs completed"), ("4.9", "average review"), ("12", "month guarantee")
    ),
    "locations_title": "Areas we cover",
    "locations": _places(
        ("{where_short} centre", "All central postcodes", "Same-day call-outs"),
        ("Surrounding villages", "Within 15 miles of {where_short}", "Next-day visits"),
    ),
    "testimonials": _quotes(
        ("Turned up when they said, fixed it quickly and left the place spotless.", "Karen H."),
        ("Fair price, no upselling, great work. We will use them again.", "Mohammed S."),
        ("Came out on a Sunday night when our boiler failed. Lifesavers.", "Lucy and Dan"),
    ),
    "team": _people(
        ("Steve Walsh", "Founder", "Twenty years on the tools and still does most quotes himself."),
        ("Ryan Cole", "Senior engineer", "Fully qualified and calm in any emergency."),
        ("Donna Fisher", "Office", "Books your visit and keeps you updated."),
    ),
    "faq": _faq(
        ("Are you insured?", "Yes, fully insured, with certificates available on request."),
        ("Do you charge for quotes?", "No. Quotes are free and fixed."),
        ("Do you do emergencies?", "Yes, seven days a week. Call us and we will tell you how soon we can come."),
    ),
    "hours": _hours(("Monday to Friday", "7:30 – 18:00"), ("Saturday", "8:00 – 13:00"), ("Emergencies", "Seven days")),
    "footer_text": "Local, insured and on time {where}.",
    "page_intros": {"services": "What we do, and what it costs."},
}
_PACKS["cleaning"] = {
    "noun": "Cleaning",
    "kicker": "Home and office cleaning{place}",
    "hero_title": "Come home to a spotless house",
    "hero_text": "{name} sends the same vetted, friendly cleaner every visit, with eco-friendly products included.",
    "cta_label": "Get a quote",
    "cta_page": "contact",
    "cta_title": "Get your free quote today",
    "cta_text": "Tell us the size of your home and how often you would like us. We reply the same day.",
    "about_title": "About {name}",
    "about": [
        "{name} is a local cleaning company {where}, with a small team we know and trust.",
        "Our cleaners are employed, trained and paid a real living wage.",
    ],
    "features_title": "Why {name}",
    "features": _cards(
        ("Same cleaner", "The same person every visit, who learns how you like things."),
        ("Eco products", "Plant-based products, brought by us."),
        ("Insured and vetted", "Background-checked staff and full insurance."),
    ),
    "offers_title": "Cleaning services",
    "offers": _offers(
        ("Regular clean", "Weekly or fortnightly, two hours minimum", "£18 an hour"),
        ("Deep clean", "Top to bottom, inside cupboards and appliances", "from £180"),
        ("End of tenancy", "To letting-agent standard, with a re-clean guarantee", "from £220"),
        ("Office cleaning", "Before or after hours", "Quoted"),
        ("Oven clean", "Racks, glass and hob", "£65"),
    ),
    "before_after_title": "The difference a clean makes",
    "before_after": _changes(
        (
            "Kitchen deep clean",
            "Greasy hob, stained oven and sticky cupboard doors.",
            "Gleaming surfaces and an oven you could cook in again.",
        ),
        (
            "End of tenancy",
            "Marks on walls, dusty skirting boards and a limescale-covered shower.",
            "Full deposit returned, with the agent's compliments.",
        ),
        ("Office refresh", "Crumbs in keyboards and a tired kitchen.", "A fresh, tidy office every Monday morning."),
    ),
    "booking_title": "Booking is simple",
    "booking_steps": _cards(
        ("Tell us about your home", "Rooms, pets, and how often you would like a clean."),
        ("Get a fixed quote", "We reply the same day with a price and a start date."),
        ("Meet your cleaner", "The same friendly face every visit."),
    ),
    "testimonials": _quotes(
        ("The house has never looked so good. Our cleaner is a star.", "Sarah M."),
        ("End-of-tenancy clean got us our full deposit back.", "Adam and Jess"),
        ("Reliable, thorough and lovely to have around.", "Pauline W."),
    ),
    "rating_text": "Rated 4.9 out of 5 by homes and offices {where}.",
    "plans_title": "Regular cleaning plans",
    "plans": _plans(
        ("Fortnightly", "£36 a visit", ["Two hours per visit", "Same cleaner", "Products included"]),
        (
            "Weekly",
            "£34 a visit",
            ["Two hours per visit", "Same cleaner", "Products included", "Free oven clean every quarter"],
        ),
        (
            "Twice weekly",
            "£32 a visit",
            [
                "Two hours per visit",
                "Same cleaner",
                "Products included",
                "Free oven clean every quarter",
                "Laundry and ironing",
            ],
        ),
    ),
    "faq": _faq(
        ("Do I need to be home?", "No. Most customers leave a key with us; it is stored securely and coded."),
        ("What if I am not happy?", "Tell us within 24 hours and we will come back and put it right, free."),
        ("Do you bring products?", "Yes, eco-friendly products and equipment are included."),
        ("Can I pause my cleans?", "Of course. Give us a week's notice for holidays."),
    ),
    "hours": _hours(("Monday to Friday", "8:00 – 18:00"), ("Saturday", "9:00 – 14:00"), ("Sunday", "Closed")),
    "footer_text": "Home and office cleaning {where}. Fully insured.",
    "page_intros": {
        "services": "Regular, deep and end-of-tenancy cleans, with prices.",
        "pricing": "Simple plans for regular cleaning. No contracts.",
    },
}
_PACKS["professional"] = {
    "noun": "Advisers",
    "kicker": "Independent advisers{place}",
    "hero_title": "Clear advice for decisions that matter",
    "hero_text": "{name} helps businesses and individuals {where} plan, decide and grow with confidence.",
    "cta_label": "Book a consultation",
    "cta_page": "contact",
    "cta_title": "Start with a free 30-minute consultation",
    "cta_text": "Tell us where you are and where you want to be. No obligation, no jargon.",
    "about_title": "About the firm",
    "about": [
        "{name} is an independent practice {where}, founded by senior advisers who wanted to work with clients.",
        "You will always deal with an experienced partner, not a junior you have never met.",
    ],
    "features_title": "How we work",
    "features": _cards(
        ("Senior attention", "A partner leads every engagement, from first call to final report."),
        ("Fixed fees", "Agreed in writing before we start."),
        ("Plain English", "Advice you can act on, without the jargon."),
    ),
    "offers_title": "How we can help",
    "offers": _offers(
        ("Strategy review", "A clear-eyed look at where your business stands and where it could go.", "from £1,500"),
        ("Growth planning", "Targets, budgets and a 12-month plan you can follow.", "from £3,000"),
        ("Ongoing advisory", "A monthly session and support whenever you need it.", "from £600 a month"),
    ),
    "cases_title": "Recent work",
    "cases": _cases(
        (
            "Family manufacturer",
            "Planning a handover",
            "A succession plan for a 40-year-old business passing to the next generation.",
            "Handover completed in 18 months",
        ),
        (
            "Regional retailer",
            "Back to profit",
            "A review of costs, pricing and stock across six shops.",
            "Margin up 9 points in a year",
        ),
        (
            "Tech start-up",
            "Ready to raise",
            "Financial model, investor pack and rehearsal for a seed round.",
            "£1.2m raised",
        ),
    ),
    "stats_title": "Our record",
    "stats": _stats(("25+", "years of experience"), ("400+", "clients advised"), ("96%", "would recommend us")),
    "testimonials": _quotes(
        (
            "{name} gave us clarity when we needed it most. Straightforward, rigorous and on our side.",
            "Managing director, manufacturing client",
        ),
        ("Honest advice and a plan we could actually follow.", "Founder, retail client"),
    ),
    "team_title": "The partners",
    "team": _people(
        ("Helen Ashworth", "Managing partner", "Twenty years advising owner-managed businesses."),
        ("Daniel Okafor", "Partner", "Specialist in growth, funding and financial planning."),
        ("Sarah Lindqvist", "Senior associate", "Leads our reviews and reporting."),
    ),
    "timeline_title": "Our history",
    "timeline": _dated(
        ("2009", "Founded", "{name} opens with two partners and five clients."),
        ("2015", "Growing practice", "A second office and a team of twelve."),
        ("Today", "Trusted advisers", "Hundreds of clients, still led by partners."),
    ),
    "awards": _awards(
        ("2024", "Advisory Firm of the Year, finalist", "Regional Business Awards"),
        ("2022", "Excellence in Client Service", "Professional Services Network"),
    ),
    "faq": _faq(
        ("How much does a first meeting cost?", "Nothing. The first 30-minute consultation is free."),
        ("Do you work with small businesses?", "Yes; most of our clients have fewer than fifty staff."),
        ("Can we meet in person?", "Yes, at our office {where} or at yours. Video calls work too."),
        ("How are fees agreed?", "Fixed in a letter of engagement before work starts."),
    ),
    "hours": _hours(("Monday to Friday", "9:00 – 17:30"), ("Evenings", "By appointment")),
    "reply_promise": "A partner replies to every enquiry within one working day.",
    "footer_text": "Independent advice for businesses and individuals {where}.",
    "page_intros": {"services": "What we do for clients, and how our fees work."},
}
_PACKS["law"] = {
    **_PACKS["professional"],
    "noun": "Solicitors",
    "kicker": "Solicitors{place}",
    "hero_title": "Straightforward legal advice, from people who listen",
    "hero_text": "{name} helps families and businesses {where} with property, wills, family and employment law.",
    "cta_title": "Talk to a solicitor today",
    "about_title": "About the firm",
    "about": [
        "{name} is an independent law firm {where}. We explain your options clearly and agree fees in advance.",
        "Every matter is supervised by a qualified solicitor.",
    ],
    "offers_title": "Legal services",
    "offers": _offers(
        ("Residential conveyancing", "Buying, selling and remortgaging", "from £950 + VAT"),
        ("Wills and probate", "Simple wills, trusts and estate administration", "from £250 + VAT"),
        ("Family law", "Separation, divorce and arrangements for children", "Free first call"),
        ("Employment law", "Advice for employers and employees", "Fixed-fee reviews"),
    ),
    "cases": _cases(
        (
            "Home buyers",
            "A chain held together",
            "Completed a five-property chain on the agreed date.",
            "Moved in on time",
        ),
        (
            "Local employer",
            "A fair settlement",
            "Negotiated a settlement agreement without a tribunal.",
            "Resolved in six weeks",
        ),
        (
            "A family",
            "Peace of mind",
            "Wills and lasting powers of attorney for three generations.",
            "Done in one visit",
        ),
    ),
    "team": _people(
        ("Catherine Doyle", "Senior partner", "Property and private client solicitor for 25 years."),
        ("James Mensah", "Partner", "Family and employment law."),
        ("Laura Pike", "Solicitor", "Residential conveyancing."),
    ),
    "faq": _faq(
        ("How much will it cost?", "We give a fixed fee or a clear estimate in writing before we start."),
        ("Is the first meeting free?", "A first 30-minute call is free for most matters."),
        (
            "Are you regulated?",
            "Yes. Our solicitors are regulated, and our complaints procedure is available on request.",
        ),
    ),
    "footer_text": "Solicitors for families and businesses {where}.",
}
_PACKS["accounting"] = {
    **_PACKS["professional"],
    "noun": "Accountants",
    "kicker": "Chartered accountants{place}",
    "hero_title": "Accounts done right, and advice that pays for itself",
    "hero_text": "{name} looks after tax, bookkeeping and payroll for sole traders and small businesses {where}.",
    "cta_title": "Let's talk about your numbers",
    "offers_title": "Accounting services",
    "offers": _offers(
        ("Self-assessment", "Your tax return, filed on time", "from £180"),
        ("Year-end accounts", "For sole traders, partnerships and limited companies", "from £650"),
        ("Bookkeeping", "Monthly bookkeeping in the software you prefer", "from £90 a month"),
        ("Payroll", "Payslips, pensions and filings", "from £5 per employee"),
    ),
    "cases": _cases(
        (
            "Café owner",
            "Back in control",
            "Cloud bookkeeping set up and quarterly reports that make sense.",
            "Three hours a week saved",
        ),
        (
            "Freelance designer",
            "A smaller tax bill",
            "Allowable expenses claimed and a switch to a limited company.",
            "£4,100 saved in year one",
        ),
        (
            "Building firm",
            "Cash-flow sorted",
            "A 13-week cash-flow forecast and a new invoicing routine.",
            "Paid 18 days faster",
        ),
    ),
    "faq": _faq(
        ("Which software do you use?", "All the common cloud packages. We will help you choose if you have none."),
        ("Can you take over from my old accountant?", "Yes. We handle the handover for you."),
        ("Do you offer fixed monthly fees?", "Yes, agreed in advance and paid monthly."),
    ),
    "footer_text": "Chartered accountants for small businesses {where}.",
}
# -------------------------------------------------------------------------------------------------- portfolio
_PACKS["photography"] = {
    "noun": "Studio",
    "kicker": "Photographer{place}",
    "hero_title": "{name}",
    "hero_text": "Photography with an eye for light, people and the quiet moments in between.",
    "cta_label": "Check availability",
    "cta_page": "contact",
    "cta_title": "Planning something? Let's talk.",
    "cta_text": "Tell me your date and your plans, and I will send availability and prices.",
    "about_title": "Behind the camera",
    "about": [
        "{name} works {where} and travels for the right story.",
        "I work quietly and unobtrusively, so people forget the camera and simply enjoy the day.",
    ],
    "about_points": [
        "Weddings, portraits and small businesses",
        "Fully insured, with backup equipment",
        "Online gallery within three weeks",
    ],
    "features_title": "How we work",
    "features": _cards(
        ("A first call", "We talk through your plans and what matters to you."),
        ("The day", "Unobtrusive, calm, and always on time."),
        ("Your gallery", "Edited images delivered within three weeks."),
    ),
    "gallery_title": "Selected work",
    "gallery": [
        "Golden-hour portrait",
        "Ceremony in the old chapel",
        "First dance",
        "Details and flowers",
        "Family on the beach",
    ],
    "offers_title": "Packages",
    "offers": _offers(
        ("Portrait session", "An hour on location, 30 edited images", "£250"),
        ("Half-day wedding", "Up to five hours of coverage", "£950"),
        ("Full-day wedding", "From preparations to first dance", "£1,600"),
    ),
    "plans_title": "Packages",
    "plans": _plans(
        ("Portrait", "£250", ["One-hour session", "30 edited images", "Online gallery"]),
        ("Half day", "£950", ["Five hours of coverage", "300+ edited images", "Online gallery"]),
        ("Full day", "£1,600", ["Ten hours of coverage", "600+ edited images", "Online gallery", "Printed album"]),
    ),
    "testimonials": _quotes(
        ("The photos took our breath away. Every emotion of the day is there.", "Hannah and Josh"),
        ("So calm and kind with our children; the portraits are on every wall.", "The Osei family"),
    ),
    "awards_title": "Awards and features",
    "awards": _awards(
        ("2024", "Top 50 UK Wedding Photographers", "Wedding Photography Guild"),
        ("2023", "Portrait of the Year, shortlisted", "Regional Photography Awards"),
    ),
    "faq": _faq(
        ("How do I book?", "Email {email} with your date. A 25% deposit secures it."),
        ("Do you travel?", "Yes, anywhere in the UK; travel beyond 50 miles is added at cost."),
        ("When will we get our photos?", "Within three weeks, in a private online gallery."),
    ),
    "hours_title": "Studio hours",
    "hours": _hours(("Monday to Friday", "By appointment"), ("Weekends", "Shoots and weddings")),
    "footer_text": "Photography for weddings, families and small businesses {where}.",
    "page_intros": {
        "gallery": "A few favourites from recent weddings and portraits.",
        "pricing": "Packages and prices.",
    },
}
_PACKS["design"] = {
    **_PACKS["photography"],
    "about_title": "About the studio",
    "kicker": "Designer{place}",
    "hero_text": "Brand identities, illustration and print for people with something to say.",
    "about": [
        "{name} is an independent design studio {where}.",
        "We work closely with a small number of clients at a time, from first sketch to final file.",
    ],
    "about_points": ["Brand identity and packaging", "Illustration and print", "Clear timelines and fixed fees"],
    "features": _cards(
        ("Listen first", "A workshop to understand your audience and ambitions."),
        ("Sketch and refine", "Two rounds of concepts, refined together."),
        ("Deliver", "Every file you need, and guidelines to use them well."),
    ),
    "gallery_title": "Selected projects",
    "gallery": [
        "Brand identity for a coffee roaster",
        "Festival poster series",
        "Packaging for a gin distillery",
        "Book cover illustration",
    ],
    "plans": _plans(
        ("Logo", "£900", ["Logo and colour palette", "Two rounds of concepts"]),
        ("Identity", "£2,400", ["Logo and colour palette", "Two rounds of concepts", "Typography and guidelines"]),
        (
            "Full brand",
            "£4,800",
            [
                "Logo and colour palette",
                "Two rounds of concepts",
                "Typography and guidelines",
                "Website and print design",
            ],
        ),
    ),
    "testimonials": _quotes(
        ("{name} gave our brand a personality we did not know it had.", "Founder, coffee roaster"),
        ("Thoughtful, fast and a joy to work with.", "Marketing lead, arts festival"),
    ),
    "footer_text": "Independent design studio {where}.",
    "page_intros": {"gallery": "A selection of recent projects.", "pricing": "Fixed-fee packages."},
}
_PACKS["architecture"] = {
    "noun": "Architects",
    "kicker": "Architecture and interiors{place}",
    "hero_title": "Buildings that fit the way you live",
    "hero_text": "{name} designs homes, extensions and workplaces {where}, from first sketch to handover.",
    "cta_label": "Discuss a project",
    "cta_page": "contact",
    "cta_title": "Have a project in mind?",
    "cta_text": "Book a free first meeting at your site or in our studio.",
    "about_title": "The practice",
    "about": [
        "{name} is an architecture and interiors practice {where}.",
        "We believe good design is careful, sustainable and a pleasure to live in.",
    ],
    "features_title": "Our approach",
    "features": _cards(
        ("Site first", "Every design starts with light, views and the way you use the space."),
        ("Low energy", "Passive design and natural materials as standard."),
        ("Start to finish", "Planning, building regulations and site visits handled for you."),
    ),
    "offers_title": "What we do",
    "offers": _offers(
        ("Feasibility study", "What is possible, what it might cost and what planners will think", "from £750"),
        ("Full design service", "From concept to planning and building regulations", "from 8% of build cost"),
        ("Interiors", "Layouts, finishes, lighting and joinery", "Quoted"),
        ("Project management", "Tendering and site visits until handover", "Quoted"),
    ),
    "booking_title": "How a project runs",
    "booking_steps": _cards(
        ("First meeting", "We visit, listen and talk through budget and timing."),
        ("Design", "Concept options, then a developed design you love."),
        ("Approvals", "Planning and building regulations, handled for you."),
        ("Build", "We help choose a builder and visit site until handover."),
    ),
    "cases_title": "Selected projects",
    "cases": _cases(
        (
            "Private house",
            "Garden room extension",
            "A timber-framed extension opening a Victorian terrace to its garden.",
            "Shortlisted for a RIBA regional award",
        ),
        (
            "Community trust",
            "Village hall renewal",
            "A low-energy refit of a 1930s hall, now used seven days a week.",
            "Energy use down 60%",
        ),
        (
            "Independent business",
            "Studio workplace",
            "A former warehouse turned into a bright, flexible studio.",
            "Completed in 14 weeks",
        ),
    ),
    "stats_title": "The practice in numbers",
    "stats": _stats(("120+", "projects completed"), ("18", "years in practice"), ("95%", "planning success rate")),
    "awards": _awards(
        ("2024", "Regional Award, shortlisted", "Royal Institute of British Architects"),
        ("2023", "Best Small Project", "Regional Design Awards"),
        ("2021", "Sustainability commendation", "Civic Trust"),
    ),
    "partners_title": "Clients and collaborators",
    "partners": ["Northfield Homes", "Oakline Builders", "Greenway Trust", "Studio Marr Engineers", "Hill & Vale"],
    "gallery_title": "Selected projects",
    "gallery": ["Garden room extension", "Village hall interior", "Warehouse studio", "Stair and roof light"],
    "team_title": "The studio",
    "team": _people(
        ("Anna Fielding", "Director, architect", "Leads every project and loves a tricky site."),
        ("Tomasz Nowak", "Architect", "Detailing, timber and low-energy design."),
        ("Grace Obi", "Interior designer", "Layouts, finishes, lighting and joinery."),
    ),
    "timeline_title": "Milestones",
    "timeline": _dated(
        ("2006", "Studio founded", "{name} opens with a single house extension."),
        ("2014", "First public project", "A library refit for the local council."),
        ("Today", "Homes and workplaces", "A team of eight, with projects across the region."),
    ),
    "footer_text": "Architecture and interiors {where}.",
    "page_intros": {
        "gallery": "Homes, extensions and workplaces we have designed.",
        "services": "What we do, and how our fees work.",
    },
}
# ------------------------------------------------------------------------------------------------------- saas
_PACKS["software"] = {
    "noun": "App",
    "kicker": "Software for small teams",
    "hero_title": "{name}: the simplest way to get it done",
    "hero_text": "Set up in minutes, share with your team, and see results on day one.",
    "cta_label": "Start free trial",
    "cta_page": "pricing",
    "cta_title": "Try {name} free for 14 days",
    "cta_text": "No card needed. Invite your team and import your data in a few clicks.",
    "about_title": "About {name}",
    "about": [
        "{name} is built by a small team that answers support tickets itself.",
        "We are independent and funded by our customers, so we build what they ask for.",
    ],
    "features_title": "Everything your team needs",
    "features": _cards(
        ("Fast setup", "Import your data and invite your team in minutes."),
        ("Secure by default", "Single sign-on, audit logs and encryption at rest."),
        ("Works with your tools", "Integrations and an open API."),
        ("Reports that make sense", "Dashboards your whole team can read."),
    ),
    "offers_title": "What you get",
    "offers": _offers(
        ("Workspace", "Shared projects, tasks and files", "All plans"),
        ("Automations", "Rules that do the busywork for you", "Team and up"),
        ("Admin and security", "SSO, audit logs and roles", "Business"),
    ),
    "plans_title": "Simple pricing",
    "plans": _plans(
        ("Starter", "£0", ["3 users", "Core features", "Community support"]),
        ("Team", "£29/mo", ["25 users", "Core features", "Integrations", "Email support"]),
        ("Business", "£99/mo", ["Unlimited users", "Core features", "Integrations", "SSO", "Priority support"]),
    ),
    "compare_title": "Compare every plan",
    "partners_title": "Trusted by teams at",
    "partners": ["Northwind", "Brightside", "Cobalt Labs", "Harbourline", "Fieldnote", "Quillstack"],
    "stats_title": "{name} at a glance",
    "stats": _stats(
        ("12,000+", "teams"),
        ("99.95%", "uptime last year"),
        ("4 min", "median support reply"),
        ("4.8", "app store rating"),
    ),
    "testimonials_title": "Loved by busy teams",
    "testimonials": _quotes(
        ("We replaced three tools with {name} and got our Fridays back.", "Head of Operations, design agency"),
        ("Setup took ten minutes. Support replies in five.", "Founder, e-commerce start-up"),
        ("The first tool our whole team actually likes using.", "Team lead, charity"),
    ),
    "rating_text": "4.8 out of 5 from more than 900 reviews.",
    "faq_title": "Frequently asked questions",
    "faq": _faq(
        ("Is there a free plan?", "Yes. Starter is free forever for up to three users."),
        ("Can I cancel any time?", "Yes. Plans are monthly and you can cancel in one click."),
        ("Where is my data stored?", "In UK and EU data centres, encrypted at rest and in transit."),
        ("Do you offer discounts?", "Charities and schools get 50% off. Email {email}."),
    ),
    "team_title": "The team",
    "team": _people(
        ("Maya Ross", "Co-founder, product", "Former operations lead who got tired of spreadsheets."),
        ("Leo Park", "Co-founder, engineering", "Builds fast, boring, reliable software."),
        ("Inès Martin", "Customer success", "Answers your questions, usually within minutes."),
    ),
    "timeline_title": "How we got here",
    "timeline": _dated(
        ("2020", "The first version", "Built for our own team, shared with friends."),
        ("2022", "Public launch", "A thousand teams signed up in the first month."),
        ("Today", "Growing carefully", "Profitable, independent and still answering support ourselves."),
    ),
    "hours_title": "Support hours",
    "hours": _hours(("Monday to Friday", "8:00 – 20:00"), ("Weekends", "10:00 – 16:00")),
    "reply_promise": "Support and sales reply within a few hours on working days.",
    "directions": "We are a remote-first team with a small office {where}; visits by appointment.",
    "footer_text": "{name}: software for small teams.",
    "page_intros": {"pricing": "Start free, upgrade when you need to. Cancel any time."},
}
# ----------------------------------------------------------------------------------------------------- events
_PACKS["wedding"] = {
    "noun": "Weddings",
    "kicker": "Wedding planning{place}",
    "hero_title": "Your day, beautifully planned",
    "hero_text": "{name} plans and styles weddings {where} and beyond, so you can enjoy every moment.",
    "cta_label": "Check our availability",
    "cta_page": "contact",
    "cta_title": "Let's plan your wedding",
    "cta_text": "Tell us your date, your venue (if you have one) and what you are dreaming of.",
    "about_title": "About {name}",
    "about": [
        "{name} has planned weddings of every size, from twelve guests to three hundred.",
        "We handle the suppliers, timings and the worrying, so you do not have to.",
    ],
    "features_title": "Why couples choose us",
    "features": _cards(
        ("Trusted suppliers", "Florists, caterers and musicians we have worked with for years."),
        ("Calm on the day", "A coordinator on site from set-up to last dance."),
        ("Your budget, respected", "A clear budget tracker from the first meeting."),
    ),
    "offers_title": "Planning packages",
    "offers": _offers(
        ("On-the-day coordination", "We take over the final six weeks and run the day", "from £1,200"),
        ("Partial planning", "Venue, key suppliers and a detailed timeline", "from £2,800"),
        ("Full planning and styling", "Everything, from the first idea to the last dance", "from £5,500"),
        ("Elopements", "Intimate ceremonies for two to twenty", "from £900"),
    ),
    "plans_title": "Packages",
    "plans": _plans(
        ("Coordination", "from £1,200", ["Final six weeks", "Run the day", "Supplier liaison"]),
        ("Partial", "from £2,800", ["Final six weeks", "Run the day", "Supplier liaison", "Venue and supplier search"]),
        (
            "Full planning",
            "from £5,500",
            ["Final six weeks", "Run the day", "Supplier liaison", "Venue and supplier search", "Design and styling"],
        ),
    ),
    "booking_title": "How we plan together",
    "booking_steps": _cards(
        ("Meet", "A relaxed first meeting, in person or on video."),
        ("Plan", "Venue, suppliers, budget and timeline, shaped together."),
        ("Style", "Flowers, stationery and details that feel like you."),
        ("Celebrate", "We run the day; you enjoy it."),
    ),
    "gallery_title": "Weddings we have planned",
    "gallery": [
        "A garden ceremony",
        "Long tables under festoon lights",
        "The bride's bouquet",
        "First dance in a barn",
    ],
    "testimonials": _quotes(
        ("We did not worry about a single thing on the day. {name} thought of everything.", "Chloe and Marcus"),
        ("Calm, creative and brilliant with our families.", "Aaliyah and Tom"),
    ),
    "faq": _faq(
        ("How far ahead should we book?", "Twelve to eighteen months for full planning; later for coordination."),
        ("Do you travel?", "Yes, across the UK and for destination weddings in Europe."),
        ("Can you work with our venue?", "Almost certainly; we have worked at over a hundred venues."),
    ),
    "hours_title": "Office hours",
    "hours": _hours(
        ("Tuesday to Friday", "10:00 – 18:00"), ("Saturday", "Weddings"), ("Evenings", "Video calls by appointment")
    ),
    "footer_text": "Wedding planning and styling {where}.",
    "page_intros": {
        "services": "From coordination on the day to full planning and styling.",
        "pricing": "Planning packages and what they include.",
        "gallery": "A few of the weddings we have loved planning.",
    },
}
_PACKS["conference"] = {
    "noun": "Conference",
    "kicker": "One day, one city{place}",
    "hero_title": "{name}",
    "hero_text": "A day of talks, workshops and good conversations with people who build things.",
    "cta_label": "Get tickets",
    "cta_page": "pricing",
    "cta_title": "Join us this year",
    "cta_text": "Early-bird tickets are limited. Group and student discounts available.",
    "about_title": "About the event",
    "about": [
        "{name} brings practitioners together {where} for a day of practical, honest talks.",
        "Single track, no sales pitches, great coffee and plenty of time to talk.",
    ],
    "features_title": "Why attend",
    "features": _cards(
        ("Practical talks", "Speakers share what worked, and what did not."),
        ("Hands-on workshops", "Small groups, real problems."),
        ("Good people", "Meet peers over lunch and at the evening social."),
    ),
    "stats_title": "The event in numbers",
    "stats": _stats(("600", "attendees"), ("24", "speakers"), ("8", "workshops"), ("1", "great day")),
    "agenda_title": "Hour by hour",
    "agenda": _agenda(
        ("8:30", "Registration and breakfast", "Pick up your badge and a coffee."),
        ("9:30", "Opening keynote", "Where our industry is heading, and why it matters."),
        ("11:00", "Talks: building better products", "Three short talks and a panel."),
        ("12:30", "Lunch", "Local caterers, vegetarian and vegan options."),
        ("14:00", "Workshops", "Choose from eight hands-on sessions."),
        ("16:30", "Closing keynote", "Lessons from ten years of shipping."),
        ("18:00", "Evening social", "Drinks and food, included with every ticket."),
    ),
    "team_title": "Speakers",
    "team": _people(
        ("Dr Amara Osei", "Keynote", "Researcher and author on technology and society."),
        ("Ben Hollis", "Product leader", "Has led product teams at three start-ups."),
        ("Sofia Reyes", "Engineer", "Open-source maintainer and conference favourite."),
        ("Kenji Watanabe", "Designer", "Design systems at scale."),
    ),
    "partners_title": "Sponsors and partners",
    "partners": ["Cobalt Labs", "Northwind", "Harbourline", "Fieldnote", "City Tech Network"],
    "plans_title": "Choose your ticket",
    "plans": _plans(
        ("Student", "£49", ["All talks", "Lunch and coffee"]),
        ("Standard", "£189", ["All talks", "Lunch and coffee", "Workshops", "Evening social"]),
        (
            "Supporter",
            "£349",
            [
                "All talks",
                "Lunch and coffee",
                "Workshops",
                "Evening social",
                "Recordings",
                "Funds a free student ticket",
            ],
        ),
    ),
    "compare_title": "What each ticket includes",
    "faq_title": "Good to know",
    "faq": _faq(
        ("Is the venue accessible?", "Yes: step-free access, a quiet room and live captions for every talk."),
        ("Can I get a refund?", "Tickets are transferable at any time and refundable until 30 days before."),
        ("Do you have a code of conduct?", "Yes, and we enforce it. Email {email} with any concern."),
        ("Are talks recorded?", "Yes; recordings go to Supporter ticket holders first."),
    ),
    "hours_title": "On the day",
    "hours": _hours(("Doors", "8:30"), ("Talks", "9:30 – 17:30"), ("Social", "18:00 – 21:00")),
    "directions": "Full venue details, travel tips and access information are sent with every ticket.",
    "footer_text": "{name}: talks, workshops and good conversations {where}.",
    "page_intros": {"schedule": "The full day, hour by hour.", "pricing": "Tickets and what they include."},
}
_PACKS["festival"] = {
    **_PACKS["conference"],
    "noun": "Festival",
    "kicker": "Music, food and good times{place}",
    "hero_text": "Three days of live music, street food and family fun {where}.",
    "about": [
        "{name} is an independent festival {where}, run by volunteers and local businesses.",
        "Three stages, a family field and the best food traders in the region.",
    ],
    "features_title": "What's on",
    "features": _cards(
        ("Three stages", "Headliners, local bands and an acoustic tent."),
        ("Family field", "Workshops, face painting and a quiet space."),
        ("Street food", "Thirty traders, from bao to brownies."),
    ),
    "stats": _stats(("3", "days"), ("40+", "acts"), ("30", "food traders"), ("8,000", "festival-goers")),
    "agenda_title": "Line-up",
    "agenda": _agenda(
        ("Fri 18:00", "Opening night", "Local bands on the main stage."),
        ("Sat 12:00", "Family day", "Workshops, parade and the kids' stage."),
        ("Sat 20:30", "Saturday headliner", "The big one. Bring your dancing shoes."),
        ("Sun 13:00", "Acoustic afternoon", "Folk and singer-songwriters in the tent."),
        ("Sun 19:00", "Closing set", "Fireworks at ten."),
    ),
    "team_title": "Headliners",
    "team": _people(
        ("The Northern Lights", "Friday headliner", "Anthemic indie from the coast."),
        ("Mara Quinn", "Saturday headliner", "Soul and funk with a ten-piece band."),
        ("Low Tide Collective", "Sunday closer", "Folk, fiddles and a very big chorus."),
    ),
    "plans_title": "Choose your ticket",
    "plans": _plans(
        ("Day ticket", "£45", ["One day", "All stages"]),
        ("Weekend", "£110", ["All three days", "All stages", "Family field"]),
        ("Weekend + camping", "£150", ["All three days", "All stages", "Family field", "Camping"]),
    ),
    "faq": _faq(
        ("Are children welcome?", "Yes. Under-12s go free with a paying adult."),
        ("Is the site accessible?", "Yes, with viewing platforms, accessible toilets and free carer tickets."),
        ("Can I bring my own food?", "Picnics are welcome; glass and alcohol are not."),
    ),
    "footer_text": "{name}: music, food and good times {where}.",
    "page_intros": {"schedule": "Who is playing, and when.", "pricing": "Day, weekend and camping tickets."},
}
# -------------------------------------------------------------------------------------------------- nonprofit
_PACKS["charity"] = {
    "noun": "Trust",
    "kicker": "Registered charity{place}",
    "hero_title": "Nobody {where} should face hard times alone",
    "hero_text": "{name} offers food, advice and friendship to people and families who need it most.",
    "cta_label": "Donate",
    "cta_page": "donate",
    "cta_title": "Help us do more",
    "cta_text": "Give, volunteer or tell a friend. Every bit of help reaches someone {where}.",
    "about_title": "Who we are",
    "about": [
        "{name} is a local charity {where}, run by a small staff team and more than a hundred volunteers.",
        "We work alongside schools, GPs and faith groups so that help reaches people quickly.",
    ],
    "features_title": "How your gift helps",
    "features": _cards(
        ("We listen", "Every visitor gets time with a trained volunteer."),
        ("We help now", "Food parcels, warm clothes and emergency grants the same day."),
        ("We stay", "Advice on money, housing and work, for as long as it takes."),
    ),
    "stats_title": "Last year",
    "stats": _stats(
        ("4,800", "food parcels"),
        ("1,200", "families supported"),
        ("130", "volunteers"),
        ("92p", "of every £1 spent on our work"),
    ),
    "impact_title": "What your gift does",
    "impact_text": "We are funded by people like you. Email us for a secure donation link or our bank details.",
    "impact": _gifts(
        ("£10", "feeds a family for three days"),
        ("£25", "pays for an hour of specialist debt advice"),
        ("£50", "keeps a home warm for a week in winter"),
        ("£250", "runs our drop-in café for a day"),
    ),
    "donate_label": "Ask for a donation link",
    "testimonials": _quotes(
        ("When I lost my job, {name} helped me keep my home. I volunteer with them now.", "Lisa, volunteer"),
    ),
    "newsletter_title": "Stay in touch",
    "newsletter_text": "Four short updates a year on what your support made possible. Email us to join.",
    "timeline_title": "Our story",
    "timeline": _dated(
        ("2011", "A church-hall food bank", "Five volunteers and a table of donated tins."),
        ("2016", "Advice service", "Free, confidential advice on debt, benefits and housing."),
        ("Today", "A community hub", "Food, advice and a drop-in café, five days a week."),
    ),
    "team_title": "Our people",
    "team": _people(
        ("Grace Adeyemi", "Chief executive", "Has led {name} since its first paid role."),
        ("Peter Hall", "Volunteer coordinator", "Looks after our hundred-plus volunteers."),
        ("Mei Wong", "Advice lead", "Qualified debt and housing adviser."),
    ),
    "faq": _faq(
        ("Can I claim Gift Aid?", "Yes. If you are a UK taxpayer, Gift Aid adds 25p to every £1 you give."),
        ("How do I volunteer?", "Email {email}; we have roles for every few hours you can spare."),
        ("Can I give food instead?", "Yes, at our hub during opening hours. Tins and toiletries are most needed."),
    ),
    "hours_title": "Drop-in hours",
    "hours": _hours(
        ("Monday to Friday", "10:00 – 15:00"), ("Wednesday evening", "17:00 – 19:00"), ("Weekends", "Closed")
    ),
    "footer_text": "{name} is a registered charity {where}.",
    "page_intros": {"donate": "Where your money goes, and how to give.", "about": "Who we are and why we do it."},
}
_PACKS["community"] = {
    **_PACKS["charity"],
    "noun": "Community Group",
    "kicker": "Community group{place}",
    "hero_title": "Neighbours making {where_short} a better place",
    "hero_text": "{name} runs clean-ups, a community garden and events that bring people together.",
    "cta_label": "Get involved",
    "cta_page": "contact",
    "about": [
        "{name} is a volunteer-run group {where}, open to everyone.",
        "We meet monthly and organise projects that anyone can join.",
    ],
    "features_title": "What we do",
    "features": _cards(
        ("Green spaces", "Litter picks, tree planting and the community garden."),
        ("Events", "Street parties, quiz nights and a summer fair."),
        ("Support", "A friendly face and a helping hand for neighbours."),
    ),
    "stats": _stats(("250", "members"), ("40", "events a year"), ("3", "tonnes of litter collected")),
    "impact_title": "Help us keep going",
    "impact_text": "We rely on small donations and volunteers. Email us to give or to join in.",
    "impact": _gifts(
        ("£5", "buys gloves and bags for a litter pick"),
        ("£20", "plants a fruit tree"),
        ("£50", "hires the hall for an event"),
    ),
    "donate_label": "Support us by email",
    "footer_text": "{name}: a volunteer-run community group {where}.",
}
# ----------------------------------------------------------------------------------------------------- health
_PACKS["clinic"] = {
    "noun": "Clinic",
    "kicker": "Private clinic{place}",
    "hero_title": "Expert care, without the wait",
    "hero_text": "{name} offers appointments within days, with experienced practitioners who take time to listen.",
    "cta_label": "Book an appointment",
    "cta_page": "contact",
    "cta_title": "Book your appointment",
    "cta_text": "Call or email and we will find a time that suits you, usually within the week.",
    "about_title": "About the clinic",
    "about": [
        "{name} is an independent clinic {where}, with modern treatment rooms and a calm waiting area.",
        "All our practitioners are registered with their professional bodies.",
    ],
    "features_title": "Why patients choose {name}",
    "features": _cards(
        ("Seen quickly", "Appointments within days, evenings included."),
        ("Time to listen", "Longer first appointments, so nothing is rushed."),
        ("Clear costs", "Prices agreed before any treatment."),
    ),
    "offers_title": "Treatments",
    "offers": _offers(
        ("First consultation", "Assessment, diagnosis and a treatment plan", "£65"),
        ("Follow-up appointment", "Treatment and progress review", "£50"),
        ("Extended session", "For complex or multiple concerns", "£90"),
        ("Home visit", "Where travel to the clinic is difficult", "from £95"),
    ),
    "booking_title": "Your first visit",
    "booking_steps": _cards(
        ("Book", "Call, email or drop in, and choose a time that suits you."),
        ("Assessment", "A thorough first appointment and an honest diagnosis."),
        ("Your plan", "Clear next steps and costs, in writing."),
    ),
    "team_title": "Our practitioners",
    "team": _people(
        ("Dr Sarah Mitchell", "Clinical director", "Fifteen years in practice, special interest in prevention."),
        ("James O'Neill", "Senior practitioner", "Calm, thorough and great with nervous patients."),
        ("Fatima Begum", "Practice manager", "Will sort your appointment and your questions."),
    ),
    "testimonials": _quotes(
        ("Seen the same week and treated with real care. I would not go anywhere else.", "Angela P."),
        ("Everything explained clearly, including the cost. No surprises.", "Robert K."),
        ("The whole team is kind, professional and punctual.", "Naomi E."),
    ),
    "hours_title": "Clinic hours",
    "hours": _hours(
        ("Monday to Thursday", "8:00 – 20:00"),
        ("Friday", "8:00 – 17:00"),
        ("Saturday", "9:00 – 13:00"),
        ("Sunday", "Closed"),
    ),
    "hours_note": "Evening appointments are popular; book a few days ahead.",
    "awards_title": "Accreditations",
    "awards": _awards(
        ("2024", "Registered and inspected", "Care Quality Commission"),
        ("2023", "Patient Choice Award", "Regional Health Awards"),
    ),
    "faq": _faq(
        ("Do I need a referral?", "No. You can book directly with us."),
        ("Do you accept health insurance?", "Yes, most major insurers. Bring your policy details."),
        ("Is there parking?", "Yes, free parking behind the clinic, including accessible bays."),
    ),
    "directions": "Tell us about any access needs when you book and we will make sure we are ready.",
    "reply_promise": "Our reception team replies to every message the same working day.",
    "footer_text": "Private clinic {where}. Registered practitioners.",
    "page_intros": {
        "services": "Treatments and prices.",
        "pricing": "Treatments and prices.",
        "about": "Who will look after you.",
    },
}
_PACKS["dental"] = {
    **_PACKS["clinic"],
    "noun": "Dental",
    "kicker": "Dental practice{place}",
    "hero_title": "Gentle dentistry for the whole family",
    "hero_text": "{name} welcomes new NHS and private patients {where}, including nervous patients and children.",
    "cta_title": "Book a check-up",
    "features_title": "Why patients choose {name}",
    "features": _cards(
        ("Nervous patients welcome", "Longer appointments, gentle care and sedation options."),
        ("Family friendly", "Children seen free under NHS rules, with a smile."),
        ("Modern dentistry", "Digital X-rays, same-day repairs and invisible braces."),
    ),
    "offers_title": "Treatments",
    "offers": _offers(
        ("Check-up", "Examination, X-rays if needed, and advice", "£55"),
        ("Hygienist visit", "Scale, polish and a healthier smile", "£70"),
        ("White filling", "Natural-looking, tooth-coloured fillings", "from £120"),
        ("Teeth whitening", "Home kit with custom trays", "£295"),
        ("Invisible braces", "Clear aligners, free consultation", "from £1,950"),
    ),
    "team_title": "Our dentists",
    "team": _people(
        ("Dr Priya Sharma", "Principal dentist", "Special interest in nervous patients and cosmetic dentistry."),
        ("Dr Tom Reilly", "Dentist", "Family dentistry and same-day repairs."),
        ("Hannah Cole", "Hygienist", "Gentle cleans and no lectures."),
    ),
    "faq": _faq(
        ("Are you taking new patients?", "Yes, private patients always, and NHS patients when places are available."),
        (
            "I am nervous about the dentist. Can you help?",
            "Yes. Tell us when you book and we will give you extra time.",
        ),
        ("What about emergencies?", "Call us first thing: we keep emergency slots every day."),
    ),
    "footer_text": "Family and cosmetic dentistry {where}.",
}
_PACKS["physio"] = {
    **_PACKS["clinic"],
    "noun": "Physio",
    "kicker": "Physiotherapy and sports injury clinic{place}",
    "hero_title": "Move better, recover faster",
    "hero_text": "{name} treats back pain, sports injuries and post-surgery recovery {where}, with a plan that fits.",
    "features": _cards(
        ("Hands-on treatment", "Manual therapy and exercise, not just a leaflet."),
        ("A plan you can follow", "Short home exercises, sent to your phone."),
        ("For every body", "From marathon runners to getting up the stairs."),
    ),
    "offers_title": "Treatments",
    "offers": _offers(
        ("Initial assessment", "Diagnosis, treatment and a home plan", "£60"),
        ("Follow-up treatment", "Hands-on treatment and progress review", "£48"),
        ("Sports massage", "45 minutes, for recovery or maintenance", "£45"),
        ("Post-surgery rehab", "Structured programme after an operation", "from £48"),
    ),
    "team_title": "Our physiotherapists",
    "team": _people(
        ("Rachel Adams", "Clinical lead", "Specialist in back pain and running injuries."),
        ("Ollie Grant", "Physiotherapist", "Post-surgery rehab and sports teams."),
        ("Nadia Petrova", "Sports massage therapist", "Recovery, maintenance and events."),
    ),
    "footer_text": "Physiotherapy and sports injury clinic {where}.",
}
_PACKS["yoga"] = {
    "noun": "Yoga",
    "kicker": "Yoga and Pilates studio{place}",
    "hero_title": "Breathe, move and feel at home",
    "hero_text": "{name} offers small, friendly classes for every body and every level {where}.",
    "cta_label": "Book your first class",
    "cta_page": "schedule",
    "cta_title": "Your first class is on us",
    "cta_text": "New students get their first class free. Mats and props are provided.",
    "about_title": "About the studio",
    "about": [
        "{name} is a light-filled studio {where}, with classes capped at fourteen so teachers know your name.",
        "Whether you have never done yoga or practise daily, there is a class for you.",
    ],
    "about_points": ["Classes capped at fourteen", "Mats, blocks and blankets provided", "Beginners always welcome"],
    "features_title": "Why practise with us",
    "features": _cards(
        ("Small classes", "Never more than fourteen, so you get real guidance."),
        ("Every level", "Gentle, beginner and strong flows every week."),
        ("Calm space", "Underfloor heating, showers and free tea after class."),
    ),
    "offers_title": "Classes",
    "offers": _offers(
        ("Drop-in class", "Any class, any time", "£13"),
        ("Beginners' course", "Four weeks of foundations", "£45"),
        ("Private session", "One-to-one, at the studio or online", "£55"),
    ),
    "schedule_title": "This week's timetable",
    "schedule": _week(
        ("Monday", [("07:00", "Morning flow", "Anna"), ("18:30", "Beginners' yoga", "Mark")]),
        ("Tuesday", [("12:15", "Lunchtime Pilates", "Sophie"), ("19:00", "Yin and meditation", "Anna")]),
        ("Wednesday", [("07:00", "Strong vinyasa", "Mark"), ("18:30", "Reformer Pilates", "Sophie")]),
        ("Thursday", [("10:00", "Gentle yoga", "Ruth"), ("19:00", "Vinyasa flow", "Anna")]),
        ("Saturday", [("09:00", "Weekend flow", "Mark"), ("11:00", "Family yoga", "Ruth")]),
        ("Sunday", [("10:00", "Slow flow", "Ruth"), ("17:00", "Restorative", "Anna")]),
    ),
    "plans_title": "Memberships and passes",
    "plans": _plans(
        ("Five-class pass", "£55", ["Five classes", "Valid for two months"]),
        ("Unlimited monthly", "£85/mo", ["Unlimited classes", "10% off workshops", "Bring a friend once a month"]),
        ("Ten-class pass", "£100", ["Ten classes", "Valid for four months"]),
    ),
    "testimonials": _quotes(
        ("The most welcoming studio I have ever been to. I have not missed a Monday in a year.", "Jenny L."),
        ("I came for my back and stayed for the people.", "Martin C."),
        ("Teachers who really notice how you are doing.", "Sade O."),
    ),
    "newsletter_title": "Workshops and retreats",
    "newsletter_text": "Hear first about weekend workshops, retreats and new classes. Email us to join the list.",
    "team_title": "Teachers",
    "team": _people(
        ("Anna Kowalski", "Founder, yoga teacher", "Teaching for twelve years, with a soft spot for yin."),
        ("Mark Ellis", "Yoga teacher", "Strong flows and clear, patient cues."),
        ("Sophie Turner", "Pilates teacher", "Mat and reformer Pilates."),
    ),
    "faq": _faq(
        ("I have never done yoga. Where do I start?", "Book a beginners' class or the four-week course."),
        ("What should I bring?", "Comfortable clothes and water. We provide everything else."),
        ("Can I cancel a booking?", "Yes, up to six hours before class at no cost."),
    ),
    "hours_title": "Studio hours",
    "hours": _hours(("Monday to Friday", "6:45 – 21:00"), ("Saturday and Sunday", "8:30 – 18:00")),
    "footer_text": "Yoga, Pilates and meditation {where}.",
    "page_intros": {
        "schedule": "Classes through the week. Book ahead or drop in.",
        "pricing": "Passes and memberships.",
    },
}
_PACKS["vet"] = {
    "noun": "Vets",
    "kicker": "Independent veterinary practice{place}",
    "hero_title": "Caring for your pets like family",
    "hero_text": "{name} is a friendly, independent vet practice {where} for dogs, cats and small pets.",
    "cta_label": "Book an appointment",
    "cta_page": "contact",
    "cta_title": "Worried about your pet?",
    "cta_text": "Call us. For emergencies out of hours, our phone line will put you through to our on-call vet.",
    "about_title": "About the practice",
    "about": [
        "{name} is an independent practice {where}, owned by the vets who work here.",
        "We take time with every pet and every owner, and we never rush a decision.",
    ],
    "features_title": "Why pet owners choose {name}",
    "features": _cards(
        ("Independent", "Owned by our vets, not a corporate group."),
        ("Unhurried", "Twenty-minute appointments as standard."),
        ("Fear-free", "Quiet waiting areas for cats and nervous dogs."),
    ),
    "offers_title": "Care for your pet",
    "offers": _offers(
        ("Consultation", "A full health check and advice", "£45"),
        ("Vaccinations", "Annual boosters and health check", "£55"),
        ("Neutering", "Dogs, cats and rabbits, with aftercare", "from £140"),
        ("Dental care", "Scale, polish and extractions under anaesthetic", "from £250"),
        ("Pet health plan", "Vaccinations, flea and worm treatment, discounts", "£14 a month"),
    ),
    "team_title": "Meet the vets",
    "team": _people(
        ("Dr Emma Wilson", "Veterinary surgeon, partner", "Special interest in cats and dentistry."),
        ("Dr Raj Mehta", "Veterinary surgeon, partner", "Orthopaedics and soft-tissue surgery."),
        ("Kate Bennett", "Head nurse", "Runs nurse clinics, puppy parties and weight checks."),
    ),
    "testimonials": _quotes(
        (
            "They were so gentle with our nervous rescue dog. She actually wags her tail at the door now.",
            "Sam and Bella",
        ),
        ("Honest advice and fair prices. They never push treatments we do not need.", "Derek M."),
        ("Looked after our old cat with such kindness at the end. Thank you.", "Joanne H."),
    ),
    "rating_text": "Rated 4.9 out of 5 by local pet owners.",
    "hours_title": "Surgery hours",
    "hours": _hours(
        ("Monday to Friday", "8:30 – 19:00"), ("Saturday", "9:00 – 13:00"), ("Out of hours", "Emergency line")
    ),
    "hours_note": "For emergencies outside these hours, call us and follow the message to our on-call vet.",
    "faq": _faq(
        ("Are you taking new patients?", "Yes. Register in person, by phone or by email."),
        ("What animals do you treat?", "Dogs, cats, rabbits and other small pets."),
        ("Do you offer payment plans?", "Our pet health plan spreads the cost of routine care monthly."),
    ),
    "footer_text": "Independent veterinary practice {where}.",
    "page_intros": {"services": "Care for dogs, cats and small pets, with prices."},
}
# -------------------------------------------------------------------------------------------------- education
_PACKS["tutoring"] = {
    "noun": "Tutoring",
    "kicker": "Tutoring for ages 7 to 18{place}",
    "hero_title": "Confidence first, then results",
    "hero_text": "{name} offers friendly, expert tutoring in small groups and one-to-one, {where} and online.",
    "cta_label": "Book a free trial lesson",
    "cta_page": "contact",
    "cta_title": "Book a free trial lesson",
    "cta_text": "Meet a tutor, try a lesson and get an honest view of where to start.",
    "about_title": "About us",
    "about": [
        "{name} was started by teachers who wanted every child to have the time and attention they need.",
        "All tutors are qualified, DBS-checked and experienced with the current exam specifications.",
    ],
    "features_title": "Why families choose {name}",
    "features": _cards(
        ("Qualified tutors", "Experienced, DBS-checked teachers."),
        ("Small groups", "Never more than four students."),
        ("Progress you can see", "A short report after every half term."),
    ),
    "offers_title": "Subjects",
    "offers": _offers(
        ("Maths", "KS2 to A-level, including 11+ preparation", "from £30 an hour"),
        ("English", "Reading, writing and literature", "from £30 an hour"),
        ("Science", "Biology, chemistry and physics to A-level", "from £35 an hour"),
        ("Exam preparation", "GCSE and A-level revision courses", "from £120 a course"),
    ),
    "booking_title": "Getting started",
    "booking_steps": _cards(
        ("Free trial", "A relaxed first lesson to get to know each other."),
        ("A plan", "We agree goals, timings and the right tutor."),
        ("Weekly lessons", "In person or online, with updates for parents."),
    ),
    "stats_title": "Results that speak",
    "stats": _stats(
        ("94%", "improved by at least one grade"), ("600+", "students tutored"), ("4.9", "average parent rating")
    ),
    "testimonials": _quotes(
        ("My son went from dreading maths to asking for extra practice.", "Parent of a Year 9 student"),
        ("Got the grades I needed for university. Thank you!", "A-level student"),
        ("Patient, encouraging and very well organised.", "Parent of a Year 6 student"),
    ),
    "rating_text": "Rated 4.9 out of 5 by parents and students.",
    "plans_title": "Lesson prices",
    "plans": _plans(
        ("Small group", "£22 an hour", ["Up to four students", "Weekly lessons", "Half-term reports"]),
        ("One-to-one", "£40 an hour", ["Your own tutor", "Weekly lessons", "Half-term reports", "Flexible times"]),
        ("Exam course", "£120", ["Four two-hour sessions", "Past-paper practice", "Exam technique"]),
    ),
    "schedule_title": "Group lessons this term",
    "schedule": _week(
        ("Monday", [("16:30", "KS2 maths", "Mr Hughes"), ("17:45", "GCSE English", "Ms Ahmed")]),
        ("Wednesday", [("16:30", "11+ preparation", "Mr Hughes"), ("17:45", "GCSE science", "Dr Green")]),
        ("Saturday", [("09:30", "GCSE maths", "Mr Hughes"), ("11:00", "A-level chemistry", "Dr Green")]),
    ),
    "team_title": "Our tutors",
    "team": _people(
        ("David Hughes", "Maths", "Former head of maths with twenty years in the classroom."),
        ("Salma Ahmed", "English", "Examiner for GCSE English literature."),
        ("Dr Oliver Green", "Science", "Chemistry PhD and a patient explainer."),
    ),
    "faq": _faq(
        ("Are lessons in person or online?", "Both. Many students mix the two."),
        ("Are tutors DBS-checked?", "Yes, every tutor has an enhanced DBS check."),
        ("What if we need to cancel?", "Give us 24 hours' notice and there is no charge."),
    ),
    "hours_title": "Lesson times",
    "hours": _hours(("Monday to Friday", "15:30 – 20:00"), ("Saturday", "9:00 – 14:00")),
    "footer_text": "Friendly, expert tutoring {where}.",
    "page_intros": {
        "services": "Subjects, levels and how lessons work.",
        "pricing": "Lesson prices, with no joining fees.",
        "schedule": "Group lessons this term.",
    },
}
_PACKS["music"] = {
    **_PACKS["tutoring"],
    "noun": "Music School",
    "kicker": "Music lessons for all ages{place}",
    "hero_title": "Find your instrument, find your voice",
    "hero_text": "{name} teaches piano, guitar, strings, drums and singing to children and adults {where}.",
    "about": [
        "{name} is a friendly music school {where}, with sound-proofed rooms and instruments to borrow.",
        "Our teachers are working musicians who love teaching beginners as much as advanced students.",
    ],
    "features": _cards(
        ("Every age", "From five-year-olds to retired beginners."),
        ("Exams or just for fun", "Graded exams if you want them, joyful playing either way."),
        ("Play together", "Bands, ensembles and two concerts a year."),
    ),
    "offers_title": "Lessons",
    "offers": _offers(
        ("Piano", "Classical, pop and jazz", "from £25 per 30 min"),
        ("Guitar", "Acoustic, electric and bass", "from £25 per 30 min"),
        ("Violin and cello", "Beginners to grade 8", "from £27 per 30 min"),
        ("Drums", "In our sound-proofed studio", "from £27 per 30 min"),
        ("Singing", "Technique, confidence and repertoire", "from £25 per 30 min"),
    ),
    "stats": _stats(("300+", "students"), ("98%", "exam pass rate"), ("2", "concerts a year")),
    "schedule_title": "Groups and ensembles",
    "schedule": _week(
        ("Tuesday", [("17:00", "Junior choir", "Ms Lewis"), ("18:30", "Adult beginners' guitar", "Mr Cruz")]),
        ("Thursday", [("17:00", "Rock band workshop", "Mr Cruz"), ("18:30", "String ensemble", "Ms Novak")]),
        ("Saturday", [("10:00", "Music for under-fives", "Ms Lewis"), ("11:30", "Theory club", "Ms Novak")]),
    ),
    "team_title": "Our teachers",
    "team": _people(
        ("Eva Novak", "Strings and theory", "Orchestral violinist and patient teacher."),
        ("Luis Cruz", "Guitar and drums", "Session musician and band coach."),
        ("Beth Lewis", "Piano and singing", "Leads our choirs and early-years classes."),
    ),
    "footer_text": "Music lessons for all ages {where}.",
    "page_intros": {
        "services": "Instruments, levels and how lessons work.",
        "pricing": "Lesson prices and packages.",
        "schedule": "Groups and ensembles this term.",
    },
}
# ---------------------------------------------------------------------------------------------------- fitness
_PACKS["gym"] = {
    "noun": "Gym",
    "kicker": "Strength and conditioning{place}",
    "hero_title": "Get strong. Stay strong.",
    "hero_text": "{name} is a no-nonsense gym {where} with serious kit, coached classes and no contracts.",
    "cta_label": "Claim a free day pass",
    "cta_page": "contact",
    "cta_title": "Train with us free for a day",
    "cta_text": "Bring a friend, try a class and use the whole gym. No contract, no hard sell.",
    "about_title": "About the gym",
    "about": [
        "{name} is an independent gym {where}, built by coaches for people who want to train properly.",
        "Beginners are welcome: every membership starts with a free induction.",
    ],
    "features_title": "Built for training",
    "features": _cards(
        ("Serious kit", "Racks, platforms, sleds and dumbbells to 60 kg."),
        ("Coached classes", "Small groups, real coaching, every level."),
        ("No contracts", "Monthly memberships you can pause or cancel."),
        ("Open early, close late", "6am to 10pm on weekdays."),
    ),
    "offers_title": "Training",
    "offers": _offers(
        ("Personal training", "One-to-one with a qualified coach", "£40 per session"),
        ("Small-group PT", "Up to four people, shared coach", "£15 per session"),
        ("Induction", "A coach shows you the gym and builds your plan", "Free"),
    ),
    "schedule_title": "Class timetable",
    "schedule": _week(
        (
            "Monday",
            [("06:30", "Strength", "Coach Dan"), ("18:00", "HIIT", "Coach Mia"), ("19:00", "Boxing", "Coach Lee")],
        ),
        ("Tuesday", [("07:00", "Mobility", "Coach Mia"), ("18:30", "Olympic lifting", "Coach Dan")]),
        ("Wednesday", [("06:30", "Conditioning", "Coach Lee"), ("18:00", "Strength", "Coach Dan")]),
        ("Thursday", [("07:00", "HIIT", "Coach Mia"), ("19:00", "Boxing", "Coach Lee")]),
        ("Saturday", [("09:00", "Team WOD", "All coaches"), ("10:30", "Beginners' strength", "Coach Dan")]),
    ),
    "plans_title": "Pick your membership",
    "plans": _plans(
        ("Off-peak", "£25/mo", ["Gym access 10:00 – 16:00", "Free induction"]),
        ("Full", "£39/mo", ["Gym access all hours", "Free induction", "Unlimited classes"]),
        (
            "Full + PT",
            "£119/mo",
            ["Gym access all hours", "Free induction", "Unlimited classes", "Four PT sessions a month"],
        ),
    ),
    "compare_title": "Compare memberships",
    "before_after_title": "Member stories",
    "before_after": _changes(
        (
            "Jess, 34",
            "Could not do a single push-up and hated gyms.",
            "Deadlifts 100 kg and has not missed a Monday in a year.",
        ),
        ("Marcus, 52", "Back pain and a desk job.", "Pain-free, 12 kg lighter and running 10k."),
        ("Priya, 27", "Bored of the treadmill.", "Competing in her first powerlifting meet."),
    ),
    "testimonials_title": "From our members",
    "testimonials": _quotes(
        ("Best coaching I have had anywhere. They actually watch your form.", "Ryan T."),
        ("Friendly, no egos and the kit is brilliant.", "Leah W."),
        ("I was nervous as a beginner; the induction made all the difference.", "Omar F."),
    ),
    "rating_text": "4.9 out of 5 from over 400 members.",
    "team_title": "Coaches",
    "team": _people(
        ("Dan Brooks", "Head coach", "Strength and Olympic lifting, ten years coaching."),
        ("Mia Santos", "Coach", "Conditioning, mobility and beginners."),
        ("Lee Harper", "Boxing coach", "Former amateur champion."),
    ),
    "faq_title": "Questions",
    "faq": _faq(
        ("Is there a joining fee?", "No joining fee and no contract."),
        ("Can I freeze my membership?", "Yes, for up to three months a year, free."),
        ("I am a complete beginner. Is that OK?", "Absolutely: start with a free induction and beginners' classes."),
        ("Do you have showers and lockers?", "Yes, both, plus free towels."),
    ),
    "hours_title": "Opening hours",
    "hours": _hours(("Monday to Friday", "6:00 – 22:00"), ("Saturday and Sunday", "8:00 – 18:00")),
    "footer_text": "Strength, conditioning and coached classes {where}.",
    "page_intros": {
        "schedule": "Coached classes through the week.",
        "pricing": "Simple monthly memberships. No contracts.",
    },
}
# ----------------------------------------------------------------------------------------------------- beauty
_PACKS["salon"] = {
    "noun": "Salon",
    "kicker": "Hair and beauty{place}",
    "hero_title": "Look good, feel better",
    "hero_text": "{name} is a relaxed hair and beauty salon {where}, with stylists who listen before they cut.",
    "cta_label": "Book an appointment",
    "cta_page": "contact",
    "cta_title": "Treat yourself this week",
    "cta_text": "Call or email to book. New clients get 20% off their first visit.",
    "about_title": "About the salon",
    "about": [
        "{name} is an independent salon {where}, with a calm space and a team that loves what they do.",
        "We use vegan, cruelty-free products and offer a free consultation before every colour.",
    ],
    "about_points": ["Free colour consultations", "Vegan, cruelty-free products", "Late opening on Thursdays"],
    "features_title": "Why clients love {name}",
    "features": _cards(
        ("Consultation first", "We talk it through before a single snip."),
        ("Kind products", "Vegan, cruelty-free colour and care."),
        ("Relaxed space", "Good coffee, good music, no rush."),
    ),
    "offers_title": "Treatments and prices",
    "offers": _offers(
        ("Cut and finish", "Wash, cut and blow-dry", "from £48"),
        ("Colour", "Full head or roots, with toner", "from £65"),
        ("Balayage", "Hand-painted highlights", "from £120"),
        ("Blow-dry", "Wash and style", "£30"),
        ("Gel manicure", "Shape, cuticle care and gel polish", "£32"),
        ("Brow shape and tint", "Wax, tint and tidy", "£22"),
    ),
    "team_title": "Our stylists",
    "team": _people(
        ("Sophie Laurent", "Owner, senior stylist", "Colour specialist with fifteen years' experience."),
        ("Jade Morris", "Stylist", "Precision cuts and curly hair."),
        ("Amira Haddad", "Beauty therapist", "Nails, brows and lashes."),
    ),
    "gallery_title": "Recent work",
    "gallery": ["Soft honey balayage", "A sharp bob", "Curly cut and care", "Bridal up-do"],
    "booking_title": "Booking your visit",
    "booking_steps": _cards(
        ("Get in touch", "Call or email with the treatment you would like."),
        ("Consultation", "We talk through the look you want and any allergies."),
        ("Relax", "Sit back with a coffee and leave feeling great."),
    ),
    "testimonials": _quotes(
        ("Sophie is a colour genius. I have never had so many compliments.", "Becky H."),
        ("They listened to exactly what I wanted. Best haircut in years.", "Nadia R."),
        ("Calm, friendly and always running on time.", "Claire D."),
    ),
    "hours_title": "Opening hours",
    "hours": _hours(
        ("Tuesday and Wednesday", "9:00 – 17:30"),
        ("Thursday", "9:00 – 20:00"),
        ("Friday and Saturday", "9:00 – 17:00"),
        ("Sunday and Monday", "Closed"),
    ),
    "hours_note": "Colour appointments need a patch test 48 hours before; pop in any time.",
    "faq": _faq(
        ("Do I need a patch test?", "Yes, for colour: 48 hours before your appointment. It takes two minutes."),
        (
            "What is your cancellation policy?",
            "Please give us 24 hours' notice so we can offer the slot to someone else.",
        ),
        ("Do you do wedding hair?", "Yes, in the salon or on location. Email {email} with your date."),
    ),
    "footer_text": "Hair and beauty {where}.",
    "page_intros": {
        "services": "Treatments and prices. Ask us about anything not listed.",
        "pricing": "Treatments and prices.",
        "gallery": "Recent cuts, colours and styles.",
    },
}
_PACKS["barber"] = {
    **_PACKS["salon"],
    "noun": "Barbers",
    "kicker": "Traditional barbers{place}",
    "hero_title": "Sharp cuts, hot towels, good chat",
    "hero_text": "{name} is a proper barbershop {where}: walk-ins welcome, appointments if you prefer.",
    "cta_label": "Book a cut",
    "about": [
        "{name} is an independent barbershop {where}, with old-school service and modern cuts.",
        "Walk in for a chat and a cut, or book ahead if you are short on time.",
    ],
    "about_points": ["Walk-ins welcome", "Hot-towel shaves", "Kids' cuts every day"],
    "offers_title": "Prices",
    "offers": _offers(
        ("Haircut", "Scissor or clipper cut, styled", "£20"),
        ("Skin fade", "Sharp fade, blended to finish", "£23"),
        ("Beard trim", "Shape, line-up and hot towel", "£12"),
        ("Hot-towel shave", "Traditional cut-throat shave", "£25"),
        ("Kids' cut", "Under twelves", "£14"),
    ),
    "team_title": "The barbers",
    "team": _people(
        ("Tony Russo", "Owner, barber", "Thirty years behind the chair."),
        ("Kai Mensah", "Barber", "Fades, patterns and line-ups."),
        ("Josh Reid", "Barber", "Classic cuts and hot-towel shaves."),
    ),
    "gallery_title": "Fresh cuts",
    "gallery": ["Skin fade with a textured top", "Classic side parting", "Beard shape and line-up", "Hot-towel shave"],
    "testimonials": _quotes(
        ("Best fade in town and always a good laugh.", "Jordan P."),
        ("Been coming here for ten years. Would not trust anyone else.", "Mike S."),
    ),
    "footer_text": "Traditional barbers {where}. Walk-ins welcome.",
    "page_intros": {
        "services": "Cuts, shaves and prices.",
        "pricing": "Cuts, shaves and prices.",
        "gallery": "Recent cuts.",
    },
}
# ------------------------------------------------------------------------------------------------ real estate
_PACKS["estate"] = {
    "noun": "Estates",
    "kicker": "Estate and letting agents{place}",
    "hero_title": "Local agents who know every street",
    "hero_text": "{name} sells and lets homes {where}, with honest valuations and agents who pick up the phone.",
    "cta_label": "Book a free valuation",
    "cta_page": "contact",
    "cta_title": "Thinking of selling or letting?",
    "cta_text": "Book a free, no-obligation valuation with a local agent this week.",
    "about_title": "About {name}",
    "about": [
        "{name} is an independent estate and letting agent {where}, established and locally owned.",
        "We know the streets, the schools and the buyers, and we price homes honestly.",
    ],
    "features_title": "Why sell with us",
    "features": _cards(
        ("Honest valuations", "Realistic prices that sell, not flattering figures."),
        ("Local knowledge", "We live here, and know what buyers look for."),
        ("Always reachable", "Your own agent, by phone, seven days a week."),
    ),
    "offers_title": "Our services",
    "offers": _offers(
        ("Selling", "Valuation, photography, viewings and negotiation", "1% + VAT, no sale no fee"),
        ("Lettings", "Tenant finding, referencing and contracts", "from 8% + VAT"),
        ("Full management", "Rent collection, repairs and inspections", "from 12% + VAT"),
        ("Free valuation", "For sales and rentals, with no obligation", "Free"),
    ),
    "listings_title": "Featured properties",
    "listings": _listings(
        (
            "Three-bedroom family home",
            "£325,000",
            "A bright semi-detached house with a south-facing garden and off-road parking.",
            ["3 bedrooms", "Garden", "Parking"],
        ),
        (
            "Two-bedroom apartment",
            "£1,150 pcm",
            "A modern flat close to the station, with a balcony and allocated parking.",
            ["2 bedrooms", "Balcony", "To let"],
        ),
        (
            "Victorian terrace",
            "£265,000",
            "Character home with original fireplaces and a courtyard garden.",
            ["2 bedrooms", "Period features", "Chain free"],
        ),
    ),
    "stats_title": "Why it works",
    "stats": _stats(
        ("21", "days average to agree a sale"), ("98%", "of asking price achieved"), ("1,500+", "homes sold and let")
    ),
    "testimonials": _quotes(
        ("Sold in a week for more than we hoped. Communication was excellent throughout.", "Paul and Nicola B."),
        ("As landlords we have never had a void month with {name}.", "Ruth M., landlord"),
        ("Honest from day one, and they kept our chain together.", "Steven A."),
    ),
    "booking_title": "Selling with us",
    "booking_steps": _cards(
        ("Valuation", "A free visit and an honest price, in writing."),
        ("Marketing", "Professional photos, floor plans and accompanied viewings."),
        ("Offers", "We negotiate hard and check every buyer."),
        ("Completion", "We chase the chain until the keys are handed over."),
    ),
    "team_title": "The team",
    "team": _people(
        ("Andrew Shaw", "Director", "Selling homes {where} for twenty years."),
        ("Kirsty Moore", "Lettings manager", "Looks after landlords and tenants."),
        ("Ibrahim Ali", "Sales negotiator", "Accompanies every viewing."),
    ),
    "locations_title": "Our offices",
    "locations": _places(
        ("{where_short} office", "High Street, {where_short}", "Mon–Sat 9:00 – 17:30"),
        ("Lettings office", "Station Road, {where_short}", "Mon–Fri 9:00 – 17:30"),
    ),
    "faq": _faq(
        ("How much does a valuation cost?", "Nothing. Valuations are free and without obligation."),
        ("Are there upfront fees?", "No. For sales we charge only on completion."),
        ("Are you members of a redress scheme?", "Yes, and our client money is protected."),
    ),
    "hours": _hours(
        ("Monday to Friday", "9:00 – 17:30"), ("Saturday", "9:00 – 16:00"), ("Sunday", "Viewings by appointment")
    ),
    "footer_text": "Independent estate and letting agents {where}.",
    "page_intros": {
        "properties": "Homes for sale and to let right now.",
        "services": "Sales, lettings and management, with fees.",
    },
}
# ------------------------------------------------------------------------------------------------ hospitality
_PACKS["hotel"] = {
    "noun": "Guesthouse",
    "kicker": "Bed and breakfast{place}",
    "hero_title": "Wake up somewhere lovely",
    "hero_text": "{name} has seven calm, comfortable rooms {where}, and a breakfast worth getting up for.",
    "cta_label": "Check availability",
    "cta_page": "contact",
    "cta_title": "Stay with us",
    "cta_text": "Book direct for our best rate, a late check-out and a welcome drink.",
    "about_title": "About {name}",
    "about": [
        "{name} is a family-run guesthouse {where}, with seven rooms and a garden.",
        "Breakfast is cooked to order with eggs from the farm down the road.",
    ],
    "about_points": ["Seven individually styled rooms", "Breakfast cooked to order", "Free parking and fast wi-fi"],
    "features_title": "Why guests come back",
    "features": _cards(
        ("Cooked breakfast", "Local eggs, bacon and homemade bread."),
        ("Quiet rooms", "Comfortable beds, blackout curtains, no noise."),
        ("Best rate direct", "Book with us for our lowest price and a late check-out."),
    ),
    "offers_title": "Rooms",
    "offers": _offers(
        ("Double room", "King-size bed, en-suite shower", "from £95 a night"),
        ("Sea-view room", "King-size bed, bath and window seat", "from £125 a night"),
        ("Family suite", "Double and twin beds, sleeps four", "from £150 a night"),
    ),
    "listings_title": "Our rooms",
    "listings": _listings(
        (
            "Double room",
            "from £95 a night",
            "A cosy room with a king-size bed and an en-suite shower.",
            ["Sleeps 2", "En-suite", "Breakfast included"],
        ),
        (
            "Sea-view room",
            "from £125 a night",
            "Our favourite: a roll-top bath and a window seat over the water.",
            ["Sleeps 2", "Sea view", "Breakfast included"],
        ),
        (
            "Family suite",
            "from £150 a night",
            "Two rooms with a double and twin beds, ideal for families.",
            ["Sleeps 4", "Two rooms", "Breakfast included"],
        ),
    ),
    "testimonials": _quotes(
        ("The best breakfast we have ever had, in the friendliest B&B we know.", "Helen and Rob, stayed in June"),
    ),
    "locations_title": "Nearby",
    "locations": _places(
        ("The harbour", "Five minutes' walk", "Boat trips from Easter to October"),
        ("The coast path", "From our gate", "Walks of every length"),
        ("Town centre", "Ten minutes' walk", "Shops, pubs and restaurants"),
    ),
    "faq": _faq(
        ("What time is check-in?", "From 15:00; check-out is at 10:30, later if you book direct."),
        ("Is there parking?", "Yes, free parking for every room."),
        ("Do you accept dogs?", "Well-behaved dogs are welcome in two of our rooms."),
        ("Can you cater for dietary needs?", "Yes: tell us when you book."),
    ),
    "hours_title": "Reception",
    "hours": _hours(("Check-in", "15:00 – 20:00"), ("Check-out", "by 10:30"), ("Breakfast", "8:00 – 9:30")),
    "directions": "Ask us about parking and getting here when you book; we are happy to help plan your trip.",
    "reply_promise": "We reply to booking enquiries within a few hours.",
    "footer_text": "A family-run guesthouse {where}.",
    "page_intros": {"rooms": "Every room, with what it includes and what it costs."},
}

CATEGORY_PACKS: dict[str, tuple[str, ...]] = {
    "food": ("bakery", "restaurant", "cafe", "foodtruck"),
    "retail": ("boutique", "florist", "bookshop"),
    "services": ("trades", "cleaning", "professional", "law", "accounting"),
    "portfolio": ("photography", "design", "architecture"),
    "saas": ("software",),
    "events": ("wedding", "conference", "festival"),
    "nonprofit": ("charity", "community"),
    "health": ("clinic", "dental", "physio", "yoga", "vet"),
    "education": ("tutoring", "music"),
    "fitness": ("gym",),
    "beauty": ("salon", "barber"),
    "realestate": ("estate",),
    "hospitality": ("hotel",),
}
"""The packs of each template category; the first is the category's default."""

VARIANTS: dict[str, tuple[str, ...]] = {
    "photography": ("design",),
    "professional": ("law", "accounting"),
    "conference": ("festival",),
    "charity": ("community",),
    "clinic": ("dental", "physio"),
    "tutoring": ("music",),
    "salon": ("barber",),
}
"""Packs a template's own pack gives way to when the prompt's words fit them better."""

PACK_WORDS: dict[str, frozenset[str]] = {
    pack: frozenset(words.split())
    for pack, words in {
        "bakery": "bakery bakers baker bread cake cakes pastry pastries patisserie sourdough croissants bake",
        "restaurant": "restaurant bistro brasserie bar pizzeria pizza tapas dinner kitchen trattoria steakhouse chef",
        "cafe": "cafe café coffee coffeehouse espresso brunch tearoom tea roastery",
        "foodtruck": "truck van street streetfood takeaway burger burgers tacos popup pop-up",
        "boutique": "boutique fashion clothes clothing shop store jewellery gifts vintage",
        "florist": "florist flowers flower floral bouquet bouquets floristry",
        "bookshop": "bookshop bookstore books book bookseller library comics",
        "trades": "plumber plumbing electrician builder roofer handyman repair repairs locksmith decorator trades",
        "cleaning": "cleaning cleaner cleaners housekeeping domestic maid laundry carpet ironing",
        "professional": "consultant consultants consulting consultancy advisory strategy agency advisers marketing",
        "law": "law lawyer lawyers legal solicitor solicitors barrister conveyancing",
        "accounting": "accountant accountants accounting accountancy bookkeeping bookkeeper tax payroll audit",
        "photography": "photographer photography photos photo portraits videographer",
        "design": "designer design graphic branding illustrator illustration artist art",
        "architecture": "architect architects architecture architectural interior interiors extension",
        "software": "saas software startup app platform api cloud analytics",
        "wedding": "wedding weddings planner bridal elopement celebrant",
        "conference": "conference summit meetup expo convention speakers workshop workshops",
        "festival": "festival festivals music gig gigs concert lineup",
        "charity": "charity charities donate donation donations fundraising appeal foodbank shelter",
        "community": "community group residents neighbours club society association volunteers",
        "clinic": "clinic medical doctor health healthcare optician podiatrist therapist",
        "dental": "dentist dentists dental teeth orthodontist hygienist smile",
        "physio": "physio physiotherapy physiotherapist osteopath osteopathy chiropractor massage rehab injury sports",
        "yoga": "yoga pilates meditation mindfulness wellness retreat",
        "vet": "vet vets veterinary pets pet dog dogs cat cats animal animals",
        "tutoring": "tutor tutors tutoring tuition maths english science gcse exams",
        "music": "music piano guitar violin cello drums singing choir instrument instruments",
        "gym": "gym fitness training trainer crossfit boxing strength",
        "salon": "salon hair hairdresser hairdressing stylist beauty nails spa",
        "barber": "barber barbers barbershop shave beard fade",
        "estate": "estate agent agents property properties letting lettings homes realtor",
        "hotel": "hotel guesthouse inn hostel cottage accommodation rooms stay holiday",
    }.items()
}
"""Words that make a prompt fit a pack."""

DEFAULT_PACK = "trades"


def pack_for(category: str, words: list[str]) -> str:
    """The content pack for a template and the words of a prompt.

    `category` is a template category ("food": the food pack that fits the words best, the bakery if none
    does) or a template's own pack ("salon": the salon pack, or a variant of it such as "barber" that fits the
    words better). Deterministic: ties go to the pack listed first."""
    if category in _PACKS:
        options = (category, *VARIANTS.get(category, ()))
    else:
        options = CATEGORY_PACKS.get(category, (DEFAULT_PACK,))
    terms = set(words)
    return max(options, key=lambda pack: len(terms & PACK_WORDS[pack]))


def pack_names() -> list[str]:
    return sorted(_PACKS)


def copy_keys() -> set[str]:
    """Every key a site's copy has, whichever pack it comes from (each pack overrides some of `_COMMON`)."""
    return set(_COMMON)


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
        "place": f" · {brief.location}" if brief.location else "",
        "email": email,
    }
    merged = {**_COMMON, **{k: v for k, v in _PACKS[pack].items() if v != []}}
    return dict(_fill(merged, facts))
