"""Edit instructions, deterministic: "make the header dark green", "add a pricing page", "rename to Crumbs & Co".

An edit never changes a stored version: it returns a new spec, which is rendered as the next version. Several
changes in one instruction are all applied; an instruction with none we understand raises EditNotUnderstood.
"""

from __future__ import annotations

import re
from typing import Any

from jobs.brief import PAGE_WORDS, TONES, find_colour
from jobs.errors import EditNotUnderstood
from jobs.generator import DEFAULT_SECTIONS, PAGE_TITLES, PageSpec, SiteSpec, with_primary
from jobs.plan_pages import added_page

SECTION_WORDS = {
    "testimonials": "testimonials",
    "reviews": "testimonials",
    "faq": "faq",
    "questions": "faq",
    "gallery": "gallery",
    "photos": "gallery",
    "pricing": "pricing-table",
    "plans": "pricing-table",
    "features": "features",
    "about": "about",
    "story": "about",
    "menu": "menu-list",
    "services": "services-list",
}
"""Words naming a section a user may add to or remove from the home page."""

_RENAME = re.compile(r"\b(?:rename(?: it| the site| the business)? to|call it|change the name to)\s+(.+)$", re.I)
_REPLACE = re.compile(r"replace\s+[\"“'](.+?)[\"”']\s+with\s+[\"“'](.*?)[\"”']", re.I)
_ADD = re.compile(r"\b(?:add|include|create)\b", re.I)
_REMOVE = re.compile(r"\b(?:remove|delete|drop|hide|get rid of)\b", re.I)
_PAGE = re.compile(r"\bpages?\b", re.I)
_SECTION = re.compile(r"\bsections?\b", re.I)
_TOP = re.compile(r"\bmove\s+(?:the\s+)?(\w+)\s+(?:section\s+)?(?:up|to the top|first)\b", re.I)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.lower())


def _page_changes(spec: SiteSpec, text: str) -> list[str]:
    done: list[str] = []
    wanted = [PAGE_WORDS[w] for w in _words(text) if w in PAGE_WORDS]
    have = {p.slug for p in spec.pages}
    if _ADD.search(text):
        for slug in dict.fromkeys(wanted):
            title = PAGE_TITLES.get(slug, slug.title())
            if slug not in have:
                planned = added_page(spec, title)
                spec.pages.append(
                    planned[0]
                    if planned is not None
                    else PageSpec(
                        slug=slug, title=title, sections=list(DEFAULT_SECTIONS.get(slug, DEFAULT_SECTIONS["about"]))
                    )
                )
                spec.missing = list(dict.fromkeys([*spec.missing, *(planned[1] if planned else [])]))
                done.append(f"added page {title}")
    elif _REMOVE.search(text):
        for slug in dict.fromkeys(wanted):
            if slug in have and slug != "index":
                spec.pages = [p for p in spec.pages if p.slug != slug]
                done.append(f"removed page {PAGE_TITLES.get(slug, slug)}")
    return done


def _section_changes(spec: SiteSpec, text: str) -> list[str]:
    home = next(p for p in spec.pages if p.slug == "index")
    wanted = [SECTION_WORDS[w] for w in _words(text) if w in SECTION_WORDS]
    done: list[str] = []
    if (m := _TOP.search(text)) and (slug := SECTION_WORDS.get(m.group(1).lower())) in home.sections:
        body = [s for s in home.sections if s != slug]
        top = [s for s in body if s.startswith(("navbar", "hero"))]  # whichever navbar and hero the template uses
        home.sections = [*top, slug, *[s for s in body if s not in top]]
        return [f"moved {m.group(1).lower()} up"]
    if _ADD.search(text):
        for slug in dict.fromkeys(wanted):
            if slug not in home.sections and _has_facts(spec, slug):
                home.sections.insert(len(home.sections) - 1, slug)  # before the footer
                done.append(f"added {slug} section")
    elif _REMOVE.search(text):
        if not _SECTION.search(text):
            done += _page_changes(spec, text)  # "remove the faq" also drops a FAQ page
        for slug in dict.fromkeys(wanted):
            holders = [p for p in spec.pages if slug in p.sections]  # wherever it is, not only on the home page
            for page in holders:
                page.sections.remove(slug)
            if holders:
                done.append(f"removed {slug} section")
    return done


SECTION_FACTS = {"testimonials": "testimonials", "pricing-table": "plans", "features": "features", "about": "about"}
SECTION_FACTS |= {"menu-list": "offers", "services-list": "offers", "faq": "faq"}
"""The copy each section shows: a section whose facts the team has not given is not added (it would be empty)."""


def _has_facts(spec: SiteSpec, slug: str) -> bool:
    key = SECTION_FACTS.get(slug)
    return key is None or bool(spec.copy_text.get(key))


def _replace_text(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, list):
        return [_replace_text(v, old, new) for v in value]
    if isinstance(value, dict):
        return {k: _replace_text(v, old, new) for k, v in value.items()}
    return value


def apply_edit(current: dict[str, Any], instruction: str) -> dict[str, Any]:
    """Return the spec of the next version: `current` with `instruction` applied."""
    spec = SiteSpec.model_validate(current)
    text = " ".join(instruction.split())
    done: list[str] = []
    if m := _REPLACE.search(text):
        spec.copy_text = _replace_text(spec.copy_text, m.group(1), m.group(2))
        done.append("replaced text")
    elif m := _RENAME.search(text):
        old, spec.name = spec.name, m.group(1).strip(" .\"'“”")[:60].rstrip() or spec.name
        spec.copy_text = _replace_text(spec.copy_text, old, spec.name)
        done.append("renamed")
    else:
        if (colour := find_colour(text)) is not None:
            spec.palette = with_primary(spec.palette, colour)
            done.append("changed colour")
        if _PAGE.search(text):
            done += _page_changes(spec, text)
        else:
            done += _section_changes(spec, text)
        if tone := next((t for t in TONES if t in _words(text)), None):
            spec.tone = tone
            done.append(f"tone {tone}")
    result = spec.model_dump(mode="json")
    if not done or result == SiteSpec.model_validate(current).model_dump(mode="json"):  # nothing would change
        raise EditNotUnderstood(instruction)
    return result


def new_images(current: dict[str, Any], prompt: str, count: int) -> dict[str, Any]:
    """The spec with a fresh set of images: `count` gallery pictures and a new hero, seeded by the prompt."""
    spec = SiteSpec.model_validate(current)
    spec.image_seed = f"{spec.image_seed}|{prompt}|{count}"
    spec.gallery_images = count
    return spec.model_dump(mode="json")
