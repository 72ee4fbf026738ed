"""The site plan: a brief and a catalog template become a spec whose every word is a fact or neutral.

Every page the prompt asks for exists under its own name and shows the facts that belong on it; offerings carry
the prices as the prompt wrote them; contact details go on a contact page and in the home page's call to action.
A section whose facts are missing is left out, and `SiteSpec.missing` says what the team could add. The
template gives the look (palette, type, section variants); a pack gives section titles in its industry's words
only when it fits the kind of organisation, the neutral words otherwise.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from jobs import plan_pages, reading
from jobs.brief import Brief
from jobs.generator import SiteSpec, with_primary
from jobs.packs import Copy, Pack, pack_for, site_words
from jobs.reading import PageAsk

if TYPE_CHECKING:
    from jobs.llm import CopyProvider

PROVIDER_KEYS = ("cta_title", "cta_text", "about_title", "features_title")
"""Copy an API may reword: none of them carries a fact of the brief (names, details, offerings, prices stay)."""


def site_name(brief: Brief, pack: Pack) -> str:
    """The prompt's name; else a neutral one from what and where it is ("Bakery in Leeds"), asked for in `missing`."""
    if brief.business_name:
        return brief.business_name
    noun = pack.noun if pack.name != "neutral" else brief.kind.replace("business", "organisation")
    return f"{noun.title()} in {brief.location}" if brief.location else f"Our {noun.lower()}"


def tagline(brief: Brief) -> str:
    """The hero's line: what the organisation is, in the prompt's words, with the place after the kind; "" when
    the prompt says no more than where it is."""
    text = brief.descriptor
    if reading.only_place(text, brief.location):
        place = re.sub(r"^(?:(?:based|located)\s+)?(?:in|near|at)?\s*", "", text.strip(" .!"), flags=re.I)
        return "" if place in ("", brief.location) else place  # the kicker shows the place; more of it goes here
    if re.fullmatch(r"(?:my|our)\s+\S+(?:\s+\S+)?|\W*", text, re.I):
        return ""  # "My band" or "!!" says nothing the site's first line should
    if m := re.match(r"^(?:In|Near)\s+([^,]+),\s*(.+)$", text):
        text = f"{m.group(2)[:1].upper()}{m.group(2)[1:]} in {m.group(1)}"
    return text


def make_spec(brief: Brief, template: dict[str, Any], copy_provider: CopyProvider | None = None) -> SiteSpec:
    """The spec of a new site from the brief; `copy_provider` may reword neutral copy, never a fact."""
    pack = pack_for(brief.words, brief.kind, template.get("pack", ""))
    name = site_name(brief, pack)
    copy_text = copy_for(brief, pack, name)
    if copy_provider is not None:
        copy_text = guarded(copy_provider.copy(brief, pack.name, name, brief.email, dict(copy_text)), copy_text, brief)
    asks = _pages_wanted(brief)
    titles = {k: v for k, v in copy_text.items() if k.endswith("_title")}
    pages, missing = plan_pages.pages(
        brief, asks, template, pack, name, home_about=bool(copy_text["about"]), titles=titles
    )
    palette = dict(template["palette"])
    if brief.colour:
        palette = with_primary(palette, brief.colour)
    return SiteSpec(
        name=name,
        template=template["slug"],
        template_name=template["name"],
        category=template["category"],
        pack=pack.name,
        palette=palette,
        typography=dict(template["typography"]),
        pages=pages,
        copy_text=copy_text,
        location=brief.location,
        address=brief.address,
        email=brief.email,
        phone=brief.phone,
        tone=brief.tone,
        year=dt.date.today().year,
        missing=_missing(brief, name, pack) + missing,
        brief=brief.model_dump(mode="json"),
    )


def _pages_wanted(brief: Brief) -> list[PageAsk]:
    """The pages asked for, plus a contact page when there are contact details and no page of that kind."""
    asks = sorted(brief.pages, key=lambda a: a.slug == "contact")  # the contact page last, where people look
    has_contact = brief.emails or brief.phones or brief.address or brief.hours
    if has_contact and not any(a.kind == "contact" for a in asks):
        asks.append(PageAsk(slug="contact", title="Contact", kind="contact"))
    return asks


def copy_for(brief: Brief, pack: Pack, name: str) -> Copy:
    """The site's words: the brief's facts, the pack's section titles, neutral words for the rest."""
    w = site_words()
    fill = {"name": name, "title": "", "items": "", "what": ""}
    titles = {k: pack.title(k, v.format(**fill)) for k, v in w.titles.items()}
    cta_text = w.cta["text"] if brief.email and brief.phone else w.cta["text_email" if brief.email else "text_phone"]
    lines = plan_pages.about_lines(brief)
    hero_text = tagline(brief) or (lines.pop(0) if lines else "")
    return {
        "hero_title": name,
        "hero_text": hero_text,
        "kicker": brief.location,
        "cta_label": pack.cta_label or w.cta["label_page"],
        "cta_title": w.cta["title"].format(**fill),
        "cta_text": cta_text.format(**fill),
        "about_title": titles["about"],
        "about": lines,
        "about_points": [],
        "features_title": "",
        "features": [],
        "offers_title": titles["offers"],
        "offers": [o.model_dump() | {"description": ""} for o in brief.offerings],
        "hours_title": titles["hours"],
        "hours": plan_pages.hours_rows(brief.hours),
        "hours_note": "",
        "team_title": titles["team"],
        "team": [{"name": p.name, "role": p.role, "bio": ""} for p in brief.people],
        "gallery_title": titles["gallery"],
        "gallery": [],
        "faq_title": titles["faq"],
        "faq": plan_pages.faq(brief, name),
        "newsletter_title": w.newsletter["title"],
        "newsletter_text": w.newsletter["text"].format(**fill),
        "footer_text": hero_text,
        "page_intros": {},
        **plan_pages.EMPTY_SECTIONS,
        **plan_pages.testimonials(brief, titles["testimonials"]),
        "online": plan_pages.online(brief),
    }


def copy_keys() -> set[str]:
    """Every key a site's copy has (components may only read these)."""
    return set(copy_for(Brief(prompt="", business_name="X", words=[]), pack_for([], ""), "X"))


def _missing(brief: Brief, name: str, pack: Pack) -> list[str]:
    """What the team could add, one short line each, most useful first."""
    m = site_words().missing
    out = []
    if not brief.business_name:
        out.append(m["name"].format(name=name))
    if not brief.emails and not brief.phones:
        out.append(m["contact"])
    if not brief.location and not brief.address and brief.kind not in {"app", "portfolio"}:
        out.append(m["location"])
    if not brief.hours and brief.kind in {"restaurant", "cafe", "shop", "clinic", "stay", "foodtruck"}:
        out.append(m["hours"])
    if not brief.offerings and brief.kind not in {"club", "school", "charity", "portfolio", "event", "business"}:
        out.append(m["offers"])
    unpriced = [o.name for o in brief.offerings if not o.price]
    if unpriced and brief.kind not in {"club", "charity", "app"}:
        out.append(m["prices"].format(items=", ".join(unpriced[:3])))
    return out


def guarded(answer: Copy, local: Copy, brief: Brief) -> Copy:
    """The API's copy where it may change neutral words and adds no number or claim the prompt did not give."""
    given = set(re.findall(r"\d+", brief.prompt))
    out = dict(local)
    for key in PROVIDER_KEYS:
        value = answer.get(key)
        claims = [w for w in site_words().claims if w in str(value).lower() and w not in brief.prompt.lower()]
        if isinstance(value, str) and value and set(re.findall(r"\d+", value)) <= given and not claims:
            out[key] = value
    return out
