"""Content packs: per kind of organisation, the words its site uses for its sections (`jobs/packs/*.toml`).

A pack holds tone and wording only (section titles, the main button's words, the words that make a prompt fit
it); the facts come from the brief. Adding a kind of organisation is adding a file. `site.toml` holds the words of
generic sections, which read well for any organisation. All are validated by pydantic when first loaded.
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from jobs.vocabulary import DATA, words

PACKS = Path(__file__).parent / "packs"
NEUTRAL = "neutral"
"""The pack of a prompt no other pack fits: generic words, never another industry's."""
TITLE_KEYS = ("offers", "about", "hours", "team", "gallery", "faq")

Copy = dict[str, Any]
"""The words of one site, as rendered (`SiteSpec.copy_text`)."""


class Pack(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = ""
    category: str
    kinds: list[str]
    """The kinds of organisation (`jobs/data/brief.toml` [kinds]) the pack may speak for."""
    noun: str
    words: list[str]
    cta_label: str = ""
    titles: dict[str, str] = {}

    def title(self, key: str, default: str) -> str:
        return self.titles.get(key) or default


class SiteWords(BaseModel):
    """`jobs/data/site.toml`: generic section words."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    titles: dict[str, str]
    cta: dict[str, str]
    faq: dict[str, str]
    action: dict[str, str | list[str]]
    newsletter: dict[str, str]
    missing: dict[str, str]
    claims: list[str]
    """Words of a claim (awards, ratings, guarantees…) no copy may make unless the prompt did."""


@functools.cache
def packs() -> dict[str, Pack]:
    found = {}
    for path in sorted(PACKS.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        pack = Pack.model_validate({**data, "name": path.stem})
        unknown = set(pack.titles) - set(TITLE_KEYS)
        if unknown:
            raise ValueError(f"{path.name}: unknown titles {sorted(unknown)}")
        found[path.stem] = pack
    return found


@functools.cache
def site_words() -> SiteWords:
    return SiteWords.model_validate(tomllib.loads((DATA / "site.toml").read_text(encoding="utf-8")))


class Family(BaseModel):
    """The templates a kind of organisation may get: those of these categories, the favourite pack's winning a
    tie."""

    categories: tuple[str, ...] = ()
    favourite: str = ""


def family(kind: str) -> Family:
    """The template family of a kind (`Catalog.choose_template(words, **family(kind).model_dump())`): the
    categories of the packs that speak for it; empty for a kind none does, which lets the words choose."""
    names = sorted({pack.category for pack in packs().values() if kind in pack.kinds and pack.category})
    return Family(categories=tuple(names), favourite=words().kind_packs.get(kind, "")) if names else Family()


def pack_names() -> list[str]:
    return sorted(packs())


def pack_for(words: list[str], kind: str, preferred: str = "") -> Pack:
    """The pack for this kind of organisation whose words the prompt uses most (the template's own pack wins a
    tie); the neutral pack when none fits, so a book club never gets a bookshop's words."""
    terms = set(words)
    every = packs()
    scores = {name: len(terms & set(p.words)) if kind in p.kinds else 0 for name, p in every.items()}
    best = max(scores.values(), default=0)
    if best == 0:
        return every[NEUTRAL]
    if scores.get(preferred) == best:
        return every[preferred]
    return every[next(name for name in sorted(every) if scores[name] == best)]
