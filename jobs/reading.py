"""Reading a prompt's sentences: its place, kind, audiences, the pages it asks for, and what is left.

Helpers of `jobs.brief.parse` (names are in `jobs/names.py`, sentence splitting in `jobs/sentences.py`). Places
are recognised from `jobs/data/places.toml`; page words and other vocabularies from `jobs/data/brief.toml`.
"""

from __future__ import annotations

import calendar
import re
import unicodedata

from pydantic import BaseModel

from jobs.facts import EMAIL, URL
from jobs.names import is_build_word
from jobs.sentences import BUILD, cap
from jobs.vocabulary import places, words

_PLACE = re.compile(
    r"\b(?:in|near|based in|located in|across)\s+(?:the\s+)?"
    r"([A-Z][\w'’-]*(?:[ -][A-Z][\w'’-]*){0,3}(?:,\s*[A-Z][\w'’-]*(?:\s[A-Z][\w'’-]*)?)?)"
)
_INSTRUCTION = re.compile(
    r"^(?:please\b|make it\b|use\b|i want\b|we want\b|i'd like\b|we'd like\b|add\b|colou?rs?\b|tone\b|style\b)", re.I
)
"""A sentence to the builder; "please" followed by one of brief.toml's `visitor_verbs` is to the visitor."""
_REQUEST = re.compile(
    r"\b(?:build|make|create|design|need|want|like|help|put together|set up|whip up|do)\b.{0,40}"
    r"\b(?:website|web site|site|page|homepage)\b",
    re.I,
)
"""A sentence that asks the builder for the site ("Can you build me a website for my dog walking business?")."""
WORD = re.compile(r"[a-z][a-z'-]+")
"""A word of a prompt, for the brief's word list."""
_MONTHS_AND_DAYS = frozenset(w.lower() for w in (*calendar.month_name[1:], *calendar.day_name))


class PageAsk(BaseModel):
    """A page the prompt asks for, under the name it used; `kind` says what it shows (see brief.toml)."""

    slug: str
    title: str
    kind: str


def slugify(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:40].strip("-") or "page"
    return f"{slug}-page" if slug == "index" else slug


def location_of(text: str) -> str:
    """Where the organisation is: the first "in <Place>" naming a known place, else a known place said anywhere
    (capitalised), else the first "in <Capitalised words>" that is not a month, a day or a language."""
    known = places()
    fallback = ""
    for m in _PLACE.finditer(text):
        candidate = m.group(1).strip(" .,")
        head = candidate.split(",")[0].strip()
        if known.country(candidate) and (candidate.lower() in known.places or "," in candidate):
            return candidate if known.country(candidate.split(",")[-1].strip()) else head
        if known.country(head):
            return head
        if not fallback and not _not_place(head.lower()) and not _not_place(head.split()[0].lower()):
            fallback = head
    for m in re.finditer(r"\b[A-Z][\w'’-]+(?:\s[A-Z][\w'’-]+){0,3}", text):
        tokens = m.group(0).split()
        spans = [" ".join(tokens[i:j]) for i in range(len(tokens)) for j in range(len(tokens), i, -1)]
        for name in spans:
            if len(name) > 2 and name.lower() in known.places:
                return name
    if not fallback:
        for m in _PLACE_LOWER.finditer(text):
            for place in (m.group(1), m.group(2) or ""):  # "in st ives, cornwall": written without capitals
                if place and known.country(place.strip()):
                    return place.strip().title()
    return fallback


_PLACE_LOWER = re.compile(
    r"\b(?:in|near|based in)\s+([a-z][a-z' -]{2,30}?)(?:,\s*([a-z][a-z' -]{2,30}?))?(?=[?.,!;]|$)"
)


def _not_place(word: str) -> bool:
    return word in _MONTHS_AND_DAYS or word in words().not_places


def kind_of(text: str, *, common_words_only: bool = False) -> str:
    """The kind of organisation the text names: the kind of its first word that names one ("a book club that
    meets at a cafe" is a club), "business" when none does. With `common_words_only`, names and places
    ("Leamington Spa") and who it is for ("for lawyers") do not count."""
    by_word = {w: kind for kind, kind_words in reversed(words().kinds.items()) for w in kind_words}
    if common_words_only:
        text = re.sub(r"\bfor\s+[a-z][\w\s-]*$", "", text[:1].lower() + text[1:])
        text = re.sub(r"\b[A-Z][\w'’&-]*", " ", text)
    for term in re.findall(r"[\w&'-]+", text.lower()):
        if term in by_word:
            return by_word[term]
    return "business"


_PAGES_LABEL = re.compile(r"\b(?:pages?|sections?)(?:\s+(?:please|pls|plz))?\s*:\s*(.+?)\s*\.?$", re.I)
_THOSE_PAGES = re.compile(r"^([\w &,'/+-]+?)\s*[—–-]+\s*(?:those|these|the|all)\s+(?:\w+\s+)?pages?\b", re.I)
_WITH_PAGES = re.compile(
    r"\b(?:with|including|plus|and)\s+(?:an?\s+|the\s+)?([\w &,'/+-]+?)\s+(?:pages?|sections?)\b"
    r"(?:\s+(?:please|pls|plz))?",
    re.I,
)
_LIST_PAGES = re.compile(
    r"^(?:(?:and|(?:i |we )?(?:also )?(?:need|want)s?)\s+)?([\w &,'/+-]+?)\s+pages?\b(?:\s+(?:please|pls|plz))?\s*\.?$",
    re.I,
)
_WITH = re.compile(r",?\s*\bwith\s+(?:an?\s+|the\s+)?([\w &,'/-]+?)\s*(?=[.;]|$)", re.I)
_WANT = re.compile(
    r"\b(?:(?:i|we|they)'d (?:like|love)|(?:i|we|they) would (?:like|love)|"
    r"(?:i|we|it|they)\s+(?:also\s+)?(?:want|need)s?|"
    r"needs?|wants?|include|add|(?:can|could)\s+(?:we|i|you)\s+(?:please\s+)?(?:get|have|add|include|make))\s+"
    r"(?:(?:the\s+)?(?:pages?|sections?)\s*(?:for|:|-)?\s+)?(?:an?\s+|the\s+|some\s+)?([\w &,'/+-]+?)\s*(?=[.;!?]|$)",
    re.I,
)
_ITEM_NOISE = re.compile(r"^(?:an?|the|and|also)\s+|\s+(?:pages?|sections?|please|pls|plz)$", re.I)
_AUDIENCE = re.compile(
    r"\bfor\s+((?:[A-Z]{2,}\s+)?[a-z][\w'-]*(?:\s+[a-z][\w'-]*){0,3}?)"
    r"(?=\s*(?:[,.;:]|$|\s+(?:in|who|that|aged|with|and|across|near)\b))"
)


def _page_title(item: str) -> str:
    item = _ITEM_NOISE.sub("", _ITEM_NOISE.sub("", item.strip(" .,"))).strip()
    return "FAQ" if item.lower() in {"faq", "faqs"} else cap(item)


def _page_list(text: str, *, strict: bool) -> list[str]:
    items = [_page_title(i) for i in re.split(r"\s*(?:,|\band\b|&|/|\+)\s*", text) if i.strip()]
    items = [i for i in items if i and i.lower() not in {"home", "homepage", "home page", "landing page"}]
    if any(len(i.split()) > 4 for i in items) or (
        strict
        and (
            any(len(i.split()) > 3 or re.search(r"\d|^(?:with|for|in|at)\b|\s(?:in|at|near)\s", i, re.I) for i in items)
            or not any(w in PAGE_WORDS for i in items for w in i.lower().split())
        )
    ):
        return []
    return items


PAGE_WORDS = {w for kind in words().page_kinds.values() for w in kind}


def page_asks(sentence: str) -> tuple[list[str], str]:
    """Page titles a sentence asks for, and the sentence without the request."""
    short = sentence.strip(" .").split()
    if 0 < len(short) <= 3 and any(w.lower() in words().standalone_pages for w in short):
        return [_page_title(next(w for w in short if w.lower() in words().standalone_pages))], ""
    patterns = (
        *((_PAGES_LABEL, False), (_THOSE_PAGES, False), (_LIST_PAGES, True)),
        *((_WANT, True), (_WITH_PAGES, False), (_WITH, True)),
    )
    for pattern, strict in patterns:
        if not (m := pattern.search(sentence)):
            continue
        if pattern is _WANT and re.search(r"\bpages?\b", m.group(0), re.I):
            strict = False  # "need vendor list, map and vendor applications pages": pages, whatever their words
        if titles := _page_list(m.group(1), strict=strict):
            return titles, (sentence[: m.start()] + sentence[m.end() :]).strip(" ,")
    return [], sentence


def make_pages(titles: list[str]) -> list[PageAsk]:
    out: dict[str, PageAsk] = {}
    for title in titles:
        slug = slugify(title)
        if slug not in out:
            out[slug] = PageAsk(slug=slug, title=title, kind=words().page_kind(title))
    return list(out.values())


_FOR_WHAT = re.compile(
    r"\b(?:website|web site|site|page|portfolio)\s+(?:for|about)\s+(?:my|our|a|an)\s+"
    r"([a-z][\w&' -]{2,60}?)\s*(?:[.?!,;:]|$)"
)


_ACTION = re.compile(
    r"^(?:sell|sells|make|makes|offer|offers|teach|teaches|run|runs|ship|ships|deliver|delivers|do|does|host|hosts|"
    r"serve|serves|provide|provides|open|opens|work|works|help|helps|welcome|welcomes)\b",
    re.I,
)


def is_action(text: str) -> bool:
    """Whether a phrase says what the organisation does ("sell our pieces online") or notes a condition
    ("breakfast included"), not a thing it offers."""
    return bool(_ACTION.match(text.strip()) or _CONDITION.search(text.strip(" .")))


_CONDITION = re.compile(r"\b(?:included|inclusive|available|welcome|provided|extra|on request)$", re.I)


def only_place(text: str, location: str) -> bool:
    """Whether a description says no more than where it is ("Based in Oxford", "In Cambridge, MA", "Leamington
    Spa")."""
    rest = re.sub(r"^(?:(?:based|located)\s+)?(?:in|near|at)?\s*", "", text.strip(" .!"), flags=re.I)
    return not rest or rest == location or bool(re.fullmatch(r"[A-Z][\w'’-]*(?:(?:,\s*|\s+)[A-Z][\w'’-]*)*", rest))


def requested_kind(sentence: str) -> str:
    """What the request says the organisation is: "a website for my dog walking business" → "dog walking
    business"; "" when it names it."""
    m = _FOR_WHAT.search(sentence)
    return m.group(1).strip() if m else ""


def states_fact(sentence: str) -> bool:
    """Whether a sentence says something about the organisation (not only how to call it, nor an instruction)."""
    to_visitor = re.match(rf"^please\s+(?:{'|'.join(words().visitor_verbs)})\b", sentence, re.I)
    if (_INSTRUCTION.match(sentence) and not to_visitor) or _REQUEST.search(sentence):
        return False
    if (m := BUILD.match(sentence)) and len(sentence[m.end() :].split()) <= 4 and not re.search(r"\d", sentence):
        return False  # "site for our wedding!!": the request, said again
    plain = re.sub(r"\S*\d\S*", " ", EMAIL.sub(" ", URL.sub(" ", sentence)))
    content = [w for w in re.findall(r"[\w'-]+", plain.lower()) if w not in words().contact_words]
    return len(content) >= 2


def without_contact(sentence: str) -> str:
    """A sentence without its clauses that only say how to get in touch ("…, membership is free, contact
    hello@x.org": the site shows the address where people look for it)."""
    clauses = re.split(r",\s+", sentence)
    kept = [c for c in clauses if states_fact(c) or not (EMAIL.search(c) or len(re.findall(r"\d", c)) >= 7)]
    return ", ".join(kept) if kept else sentence


def audiences(text: str) -> list[str]:
    found = [m.group(1) for m in _AUDIENCE.finditer(text)]
    return list(dict.fromkeys(a for a in found if not is_build_word(a) and a.split()[0] not in {"a", "an", "the"}))
