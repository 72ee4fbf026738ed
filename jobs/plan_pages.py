"""The pages of a plan: which sections each page has, and the facts of the brief each shows.

Each kind of page (see `jobs/data/brief.toml` [page_kinds]) shows the facts that belong on it; a page whose facts
the prompt does not give still exists under its name, shows what the prompt said about it (or how to get in
touch about it), and adds a line to what the team could send.
"""

from __future__ import annotations

import re
from typing import Any

from jobs.brief import Brief
from jobs.facts import split_hours
from jobs.generator import PageSpec, SiteSpec
from jobs.packs import Pack, pack_for, site_words
from jobs.reading import PageAsk, slugify
from jobs.vocabulary import words

EMPTY_SECTIONS: dict[str, Any] = {
    **{k: [] for k in ("testimonials", "stats", "timeline", "partners", "awards", "plans", "schedule", "agenda")},
    **{k: [] for k in ("impact", "before_after", "locations", "cases", "listings", "booking_steps")},
    **{f"{k}_title": "" for k in ("testimonials", "stats", "timeline", "partners", "awards", "plans", "compare")},
    **{f"{k}_title": "" for k in ("schedule", "agenda", "impact", "before_after", "locations", "cases", "listings")},
    **{"booking_title": "", "rating_text": "", "impact_text": "", "donate_label": ""},
    **{"directions": "", "reply_promise": "", "cta_page": "contact"},
}
"""Sections that would need facts no prompt gives (testimonials, counts, awards…): empty, so they render nothing."""
OFFER_COMPONENTS = ("menu-list", "price-list", "services-list", "services-grid")


def about_lines(brief: Brief) -> list[str]:
    lines = list(brief.details)
    lines += [f"{lst.label}: {_join(lst.items)}." for lst in brief.lists[1:]]
    if brief.audiences and not any(a in " ".join([brief.descriptor, *lines]) for a in brief.audiences):
        lines.append(f"For {_join(brief.audiences)}.")
    return lines


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def testimonials(brief: Brief, title: str) -> dict[str, Any]:
    """The customer quotes the prompt gave, under their title; nothing when it gave none (never invented)."""
    if not brief.testimonials:
        return {}
    return {"testimonials_title": title, "testimonials": [t.model_dump() for t in brief.testimonials]}


def online(brief: Brief) -> list[dict[str, str]]:
    """Where else to find the organisation: its links (as links) and its @handles (as text: the prompt did not say
    on which network)."""
    links = [
        {"text": re.sub(r"^https?://(?:www\.)?|/$", "", u), "href": u if "://" in u else f"https://{u}"}
        for u in brief.links
    ]
    return links + [{"text": h, "href": ""} for h in brief.handles]


def hours_rows(hours: list[str]) -> list[dict[str, str]]:
    return [dict(zip(("days", "time"), split_hours(h), strict=True)) for h in hours]


def faq(brief: Brief, name: str) -> list[dict[str, str]]:
    """Questions answered by the brief's own facts only."""
    q = {k: v.format(name=name) for k, v in site_words().faq.items()}
    out = []
    if where := ", ".join(x for x in (brief.address, brief.location) if x):
        out.append({"q": q["where"], "a": f"{where}."})
    if brief.hours:
        out.append({"q": q["when"], "a": "; ".join(brief.hours) + "."})
    if priced := [o for o in brief.offerings if o.price]:
        out.append({"q": q["cost"], "a": "; ".join(f"{o.name}: {o.price}" for o in priced[:6]) + "."})
    if reach := [*(f"email {e}" for e in brief.emails[:1]), *(f"call {p}" for p in brief.phones[:1])]:
        out.append({"q": q["contact"], "a": " or ".join(reach).capitalize() + "."})
    if brief.audiences:
        out.append({"q": q["who"], "a": f"{_join(brief.audiences).capitalize()}."})
    return out


def _variant(template: dict[str, Any], kind: str, default: str) -> str:
    ordered = [template["pages"].get("index", []), *template["pages"].values()]
    for sections in ordered:
        for slug in sections:
            if slug == kind or slug.startswith(f"{kind}-"):
                return str(slug)
    return default


def _stems(title: str) -> list[str]:
    return [w[:5] if len(w) > 5 else w for w in re.findall(r"[a-z]{3,}", title.lower())]


def _about_page(brief: Brief, ask: PageAsk) -> list[str]:
    """The details that belong on a page: those that name it, or say one of its topics (jobs/data/brief.toml)."""
    stems = _stems(ask.title)
    topics = words().page_topics
    stems += [t[:5] for word in re.findall(r"[a-z]+", ask.title.lower()) for t in topics.get(word, [])]
    return [d for d in brief.details if any(s in d.lower() for s in stems)]


def _offers_for(brief: Brief, ask: PageAsk, asks: list[PageAsk]) -> list[dict[str, Any]]:
    """The offerings of one offers page: those labelled or named like it; the first offers page also gets every
    offering no other page claims, so each appears somewhere; a page no offering fits shows them all."""

    def claims(a: PageAsk) -> list[int]:
        own = [i for i, o in enumerate(brief.offerings) if o.label.lower() == a.title.lower()]
        return own or [i for i, o in enumerate(brief.offerings) if any(s in o.name.lower() for s in _stems(a.title))]

    pages = [a for a in asks if a.kind == "offers"]
    mine = claims(ask)
    if pages and ask.slug == pages[0].slug and mine:
        claimed = {i for a in pages for i in claims(a)}
        mine = sorted({*mine, *(i for i in range(len(brief.offerings)) if i not in claimed)})
    chosen = [brief.offerings[i] for i in mine] or brief.offerings
    return [o.model_dump() | {"description": ""} for o in chosen]


def _if(condition: object, section: str) -> list[str]:
    return [section] if condition else []


def _about(ask: PageAsk, related: list[str]) -> dict[str, Any]:
    return {"about_title": ask.title, "about": related} if related else {}


class _Builder:
    """Lays out one site's pages; collects what the team could add."""

    def __init__(self, brief: Brief, asks: list[PageAsk], template: dict[str, Any], pack: Pack, name: str) -> None:
        self.brief, self.asks, self.pack, self.name = brief, asks, pack, name
        self.home_about = False
        self.copy_titles: dict[str, Any] = {}
        self.missing: list[str] = []
        self.nav = _variant(template, "navbar", "navbar")
        self.foot = _variant(template, "footer", "footer")
        self.header = _variant(template, "page-header", "page-header")
        self.hero = _variant(template, "hero", "hero-split")
        self.offers = next((c for c in OFFER_COMPONENTS if _variant(template, c, "") == c), "services-list")
        self.gallery = _variant(template, "gallery", "gallery")
        self.quotes = _variant(template, "testimonials", "testimonials")
        self.kinds = {a.kind for a in asks}
        self.contacts = bool(brief.emails or brief.phones)

    def page(self, ask: PageAsk, main: list[str], content: dict[str, Any] | None = None) -> PageSpec:
        tail = ["cta-contact"] if self.contacts and "cta-contact" not in main else []
        if ask.kind == "contact" and ask.title.lower() == "contact":
            tail = []
        sections = [self.nav, self.header, *main, *tail, self.foot]
        content = {  # a section under the page's own heading does not repeat it
            k: f"{v} at {self.name}" if k.endswith("_title") and str(v).lower() == ask.title.lower() else v
            for k, v in (content or {}).items()
        }
        for key in ("offers_title", "team_title", "about_title", "hours_title", "gallery_title", "faq_title"):
            if key not in content and str(self.copy_titles.get(key, "")).lower() == ask.title.lower():
                content[key] = f"{ask.title} at {self.name}"
        return PageSpec(slug=ask.slug, title=ask.title, sections=sections, kind=ask.kind, content=content or {})

    def home(self) -> PageSpec:
        b = self.brief
        main = [self.hero]
        main += ["about"] if self.home_about else []
        content: dict[str, Any] = {}
        if b.lists and not any(a.title.lower() == b.lists[0].label.lower() for a in self.asks):
            main.append("features")
            content |= {
                "features_title": b.lists[0].label,
                "features": [{"title": i, "text": ""} for i in b.lists[0].items],
            }
        main += [self.offers] if b.offerings else []  # also when a page lists them: people look on the home page
        main += ["team"] if b.people and "people" not in self.kinds and "about" not in self.kinds else []
        main += ["opening-hours"] if b.hours and "schedule" not in self.kinds else []
        main += [self.quotes] if b.testimonials and "testimonials" not in self.kinds else []
        main += ["cta-contact"] if self.contacts else []
        return PageSpec(slug="index", title="Home", sections=[self.nav, *main, self.foot], content=content)

    def for_ask(self, ask: PageAsk) -> PageSpec:
        related = _about_page(self.brief, ask)
        own_list = next((lst for lst in self.brief.lists if lst.label.lower() == ask.title.lower()), None)
        if own_list is not None:
            features = [{"title": i, "text": ""} for i in own_list.items]
            content = {"features_title": own_list.label, "features": features, **_about(ask, related)}
            return self.page(ask, ["features", *_if(related, "about")], content)
        by_kind = {
            "offers": self._offers,
            "people": self._people,
            "schedule": self._schedule,
            "contact": self._contact,
            "gallery": self._gallery,
            "about": self._about_kind,
            "faq": self._faq,
            "newsletter": self._newsletter,
            "testimonials": self._testimonials,
        }
        return by_kind.get(ask.kind, self._action)(ask, related)

    def _lack(self, key: str, title: str) -> None:
        self.missing.append(site_words().missing[key].format(title=title))

    def _offers(self, ask: PageAsk, related: list[str]) -> PageSpec:
        if not self.brief.offerings:
            self._lack("page_offers", ask.title)
            return self._action(ask, related)
        content = {"offers": _offers_for(self.brief, ask, self.asks), **_about(ask, related)}
        return self.page(ask, [self.offers, *_if(related, "about")], content)

    def _people(self, ask: PageAsk, related: list[str]) -> PageSpec:
        if not self.brief.people:
            self._lack("page_people", ask.title)
        content = {"team_title": ask.title, **_about(ask, related)}
        return self.page(ask, [*_if(self.brief.people, "team"), *_if(related, "about")], content)

    def _schedule(self, ask: PageAsk, related: list[str]) -> PageSpec:
        b = self.brief
        timed = related or [d for d in b.details if re.search(r"\d|day\b|days\b|every\b", d.lower())]
        if not timed and not b.hours:
            self._lack("page_schedule", ask.title)
        main = [*_if(b.hours, "opening-hours"), *_if(timed, "about")]
        return self.page(ask, main, {"about_title": ask.title, "about": timed})

    def _contact(self, ask: PageAsk, related: list[str]) -> PageSpec:
        b = self.brief
        main = _if(self.contacts or b.address or b.location or b.hours, "contact")
        return self.page(ask, [*main, *_if(related, "about")], _about(ask, related))

    def _gallery(self, ask: PageAsk, related: list[str]) -> PageSpec:
        self._lack("page_gallery", ask.title)
        content = {"gallery_title": ask.title, **_about(ask, related)}
        return self.page(ask, [self.gallery, *_if(related, "about")], content)

    def _about_kind(self, ask: PageAsk, related: list[str]) -> PageSpec:
        b = self.brief
        lines = about_lines(b) or ([b.descriptor] if b.descriptor else [])
        team = _if(b.people and "people" not in self.kinds, "team")
        return self.page(ask, [*_if(lines, "about"), *team], {"about": lines})

    def _faq(self, ask: PageAsk, related: list[str]) -> PageSpec:
        answers = faq(self.brief, self.name)
        if not answers:
            self.missing.append(site_words().missing["faq"])
        return self.page(ask, _if(answers, "faq"), {"faq_title": ask.title})

    def _newsletter(self, ask: PageAsk, related: list[str]) -> PageSpec:
        if not self.brief.emails:
            self.missing.append(site_words().missing["newsletter"])
            return self._action(ask, related)
        return self.page(ask, ["newsletter", *_if(related, "about")], _about(ask, related))

    def _testimonials(self, ask: PageAsk, related: list[str]) -> PageSpec:
        if not self.brief.testimonials:
            return self._action(ask, related)
        content = {"testimonials_title": ask.title, **_about(ask, related)}
        return self.page(ask, [self.quotes, *_if(related, "about")], content)

    def _action(self, ask: PageAsk, related: list[str]) -> PageSpec:
        w = site_words()
        if not related:
            self.missing.append(w.missing["page_action"].format(title=ask.title))
            if self.contacts:
                related = [_action_intro(ask.title, self.name, app=self.brief.kind == "app")]
        return self.page(ask, ["about"] if related else [], {"about_title": ask.title, "about": related})


def _action_intro(title: str, name: str, *, app: bool) -> str:
    """One line for a page asked for with nothing to say yet: how to do it ("To join us, get in touch with X.") or
    whom to ask ("Ask X about past reads.")."""
    action = site_words().action
    what = title.lower()
    if what.split()[0] in action["verbs"] and not app:
        return str(action["intro"]).format(what=what, name=name)
    return str(action["intro_topic"]).format(what=what, name=name)


def pages(
    brief: Brief,
    asks: list[PageAsk],
    template: dict[str, Any],
    pack: Pack,
    name: str,
    *,
    home_about: bool,
    titles: dict[str, Any],
) -> tuple[list[PageSpec], list[str]]:
    """The home page and one page per ask; and what the team could add to fill them."""
    builder = _Builder(brief, asks, template, pack, name)
    builder.home_about = home_about
    builder.copy_titles = titles
    out = [builder.home(), *(builder.for_ask(a) for a in asks)]
    return out, list(dict.fromkeys(builder.missing))


def added_page(spec: SiteSpec, title: str) -> tuple[PageSpec, list[str]] | None:
    """A page an edit adds ("add a gallery page"), planned from the spec's stored brief like a first build's
    pages, with what it is missing; None for a spec from before briefs were stored."""
    if not spec.brief:
        return None
    brief = Brief.model_validate(spec.brief)
    ask = PageAsk(slug=slugify(title), title=title, kind=words().page_kind(title))
    layout = {"pages": {p.slug: p.sections for p in spec.pages}}
    asks = [*(PageAsk(slug=p.slug, title=p.title, kind=p.kind) for p in spec.pages if p.kind), ask]
    builder = _Builder(brief, asks, layout, pack_for([], ""), spec.name)
    return builder.for_ask(ask), builder.missing
