"""Prompt understanding, deterministic: what a build request says about the business and the site it wants."""

from __future__ import annotations

import re

from pydantic import BaseModel

MAX_PROMPT = 2000
"""Longest prompt a build accepts, in characters."""

PAGE_WORDS: dict[str, str] = {
    "menu": "menu",
    "menus": "menu",
    "contact": "contact",
    "about": "about",
    "pricing": "pricing",
    "prices": "pricing",
    "plans": "pricing",
    "services": "services",
    "service": "services",
    "gallery": "gallery",
    "portfolio": "gallery",
    "work": "gallery",
    "faq": "faq",
    "faqs": "faq",
    "team": "about",
    "story": "about",
    "schedule": "schedule",
    "timetable": "schedule",
    "classes": "schedule",
    "agenda": "schedule",
    "lineup": "schedule",
    "rooms": "rooms",
    "accommodation": "rooms",
    "properties": "properties",
    "listings": "properties",
    "donate": "donate",
    "donation": "donate",
    "donations": "donate",
}
"""Words that ask for a page, mapped to the page they ask for."""

TONES = ("friendly", "formal", "playful", "luxury", "professional", "warm", "bold", "minimal", "elegant")

COLOURS: dict[str, str] = {
    "dark green": "#1e5631",
    "forest green": "#22543d",
    "green": "#2f7d4a",
    "navy": "#1b2a4a",
    "dark blue": "#153e75",
    "blue": "#1f5fa8",
    "teal": "#0f766e",
    "purple": "#5b2a86",
    "red": "#a4262c",
    "burgundy": "#6d1a36",
    "orange": "#b4540a",
    "pink": "#a3245e",
    "black": "#1a1a1a",
    "grey": "#4a4f57",
    "gray": "#4a4f57",
    "brown": "#6b3e1f",
    "gold": "#8a6d1d",
}
"""Colour words a user may ask for, with a shade dark enough for white text on it."""

_NAME_PATTERNS = [
    re.compile(r"[\"“']([^\"”']{2,60})[\"”']"),
    re.compile(r"\b(?:called|named)\s+([A-Z0-9][\w&'’.-]*(?:\s+[A-Z0-9&][\w&'’.-]*){0,5})"),
    re.compile(r"\bfor\s+([A-Z0-9][\w&'’.-]*(?:\s+(?:[A-Z0-9&][\w&'’.-]*|of|and|the|de|la))*)"),
]
_LOCATION = re.compile(r"\b(?:in|based in|located in)\s+([A-Z][\w'’.-]*(?:[ -][A-Z][\w'’.-]*){0,3})")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w])\+?\d[\d ()-]{6,18}\d")
_WORD = re.compile(r"[a-z][a-z'-]+")
_STOP = {"a", "an", "the", "for", "with", "and", "in", "of", "page", "pages", "site", "website", "landing"}


class Brief(BaseModel):
    """What the site is about. Built by `parse`, edited by `edit` instructions."""

    prompt: str
    business_name: str
    words: list[str]
    location: str = ""
    pages: list[str] = []
    tone: str = "friendly"
    colour: str | None = None
    email: str = ""
    phone: str = ""


def _clean_name(raw: str) -> str:
    name = re.sub(r"\s+", " ", raw).strip(" ,.;:!-")
    # "Sweet Crumbs, a bakery" is cut at the comma by the pattern; drop a trailing article left over.
    name = re.sub(r"\s+(?:a|an|the)$", "", name, flags=re.I)
    return name[:60].rstrip()


def business_name(prompt: str) -> str:
    """The name the prompt gives the business, or "" when it gives none (the generator then makes one up)."""
    for pattern in _NAME_PATTERNS:
        if match := pattern.search(prompt):
            name = _clean_name(match.group(1))
            if name and name.lower() not in _STOP:
                return name
    return ""


def find_colour(text: str) -> str | None:
    lowered = text.lower()
    if match := re.search(r"#[0-9a-f]{6}\b", lowered):
        return match.group(0)
    for word in sorted(COLOURS, key=len, reverse=True):
        if re.search(rf"\b{word}\b", lowered):
            return COLOURS[word]
    return None


def parse(prompt: str) -> Brief:
    """Read a build prompt. The caller has already refused empty and over-long prompts."""
    text = " ".join(prompt.split())
    lowered = text.lower()
    words = [w for w in _WORD.findall(lowered) if w not in _STOP]
    pages: list[str] = []
    for w in words:
        page = PAGE_WORDS.get(w)
        if page and page not in pages:
            pages.append(page)
    location = ""
    if match := _LOCATION.search(text):
        location = _clean_name(match.group(1))
    tone = next((t for t in TONES if t in words), "friendly")
    email = m.group(0) if (m := _EMAIL.search(text)) else ""
    phone = m.group(0).strip() if (m := _PHONE.search(text)) else ""
    return Brief(
        prompt=text,
        business_name=business_name(text),
        words=sorted(set(words)),
        location=location,
        pages=pages,
        tone=tone,
        colour=find_colour(text),
        email=email,
        phone=phone,
    )
