"""The vocabularies prompt understanding reads (`jobs/data/*.toml`), validated by pydantic when first used."""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict

DATA = Path(__file__).parent / "data"


class Words(BaseModel):
    """`jobs/data/brief.toml`: which words ask for which page, name a kind of organisation, a tone, a colour."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    tones: list[str]
    page_kinds: dict[str, list[str]]
    page_verbs: list[str]
    """Page words that are verbs ("Book a table"): they say the page's kind only as its first word."""
    standalone_pages: list[str]
    build_words: list[str]
    offer_labels: list[str]
    people_labels: list[str]
    address_labels: list[str]
    hours_starts: list[str]
    kinds: dict[str, list[str]]
    kind_packs: dict[str, str]
    """Per kind of organisation, the pack whose template it gets when its words fit no template better."""
    page_topics: dict[str, list[str]]
    """Per page word, the words that say a fact belongs on that page though they do not name it."""
    colours: dict[str, str]
    abbreviations: frozenset[str]
    stop_words: frozenset[str]
    not_names: frozenset[str]
    after_name: frozenset[str]
    greetings: frozenset[str]
    not_leads: frozenset[str]
    contact_words: frozenset[str]
    not_places: frozenset[str]
    visitor_verbs: list[str]

    def page_kind(self, title: str) -> str:
        """What a page of this title shows: the kind of the first of its words that has one, else "action"."""
        for i, word in enumerate(title.lower().replace("-", " ").split()):
            for kind, words in self.page_kinds.items():
                if word in words and (i == 0 or word not in self.page_verbs):
                    return kind
        return "action"


class Places(BaseModel):
    """`jobs/data/places.toml`: place names → country, country → how a price is written there."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    currency: dict[str, str]
    places: dict[str, str]

    def country(self, place: str) -> str:
        """The country of a place ("Brooklyn" → "US", "Austin, TX" → "US"), or "" when it is not known."""
        parts = [p.strip().lower() for p in place.split(",")]
        for part in (parts[-1], parts[0], place.lower()):
            if part in self.places:
                return self.places[part]
        return ""


@functools.cache
def words() -> Words:
    return Words.model_validate(tomllib.loads((DATA / "brief.toml").read_text(encoding="utf-8")))


@functools.cache
def places() -> Places:
    return Places.model_validate(tomllib.loads((DATA / "places.toml").read_text(encoding="utf-8")))
