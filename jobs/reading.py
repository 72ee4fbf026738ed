"""Reading a prompt sentence by sentence: its name, place, kind, the pages it asks for, and what is left.

Helpers of `jobs.brief.parse`. Names and places are found by patterns over capitalised words; places are
recognised from `jobs/data/places.toml`; page words from `jobs/data/brief.toml`.
"""

from __future__ import annotations

import calendar
import re
import unicodedata

from pydantic import BaseModel

from jobs.facts import EMAIL, URL
from jobs.vocabulary import places, words

_ABBREVIATIONS = {
    *("dr", "st", "mr", "mrs", "ms", "prof", "no", "vs", "etc", "mt", "jr", "sr", "rev", "e.g", "i.e"),
    *("incl", "inc", "excl", "approx", "min", "max", "ca", "tel", "nr", "approx"),
}
_CAP = r"[A-Z0-9][\w'’.&-]*"
_JOIN = r"(?:\s+(?:&|of|and|the|on|de|la|le|du|von|van|y|'n'|n)\s+|\s+)"
_RUN = rf"{_CAP}(?:{_JOIN}{_CAP}){{0,11}}"
_NAME_QUOTED = re.compile(r"(?<![\w])[\"“'‘]([^\"”'’]{2,60})[\"”'’](?!\w)")
_NAME_CALLED = re.compile(rf"\b(?:called|named|name's|name is|names are|[Nn]ame\s*:)\s+({_RUN})")
_NAME_AFTER_SITE = re.compile(rf"^[\w -]{{0,30}}?\b(?:site|website|page)\s*[,:]\s+({_RUN})(?=\s*(?:,|\.|$))")
_NAME_FOR = re.compile(rf"\b(?:for|about)\s+(?:the\s+)?({_RUN})")
_NAME_ROLE = re.compile(
    r"\b(?:for|of|by)\s+(?:an?\s+|the\s+|our\s+|my\s+)?"
    rf"(?:(?!(?:in|at|near|on|from|with|to|and|or|for|by|of)\b)[a-z][\w-]*\s+){{1,3}}?({_RUN})"
)
_NAME_ME = re.compile(rf"\bfor\s+(?:me|us)\s*[,:(-]\s*({_RUN})")
_NAME_WE_ARE = re.compile(
    rf"(?:^|(?<=[.!?]\s))(?:we are|we're|this is|i am|i'm)\s+({_RUN})(?=\s*(?:,|\.|$|\s+[-–—]\s))", re.I
)
_NAME_IN = re.compile(rf"({_RUN})\s+(?:in|near|from)\s+[A-Z]")
_NAME_LEAD = re.compile(rf"^({_RUN})(?=\s*(?:,|:|\(|\s+is\b|\s+are\b|\s+[-–—]\s|$)|\s+[a-z])")
_PLACE = re.compile(
    r"\b(?:in|near|based in|located in|across)\s+(?:the\s+)?"
    r"([A-Z][\w'’-]*(?:[ -][A-Z][\w'’-]*){0,3}(?:,\s*[A-Z][\w'’-]*(?:\s[A-Z][\w'’-]*)?)?)"
)
_NOT_PLACES = {m.lower() for m in (*calendar.month_name[1:], *calendar.day_name)} | {
    "english",
    "french",
    "spanish",
    "german",
    "italian",
    "the",
    "us",
}
_BUILD = re.compile(
    r"^.*?\b(?:website|web site|site|landing page|homepage|home page|page|portfolio|one-pager)\s+(?:for|about)\s+",
    re.I,
)
_INSTRUCTION = re.compile(
    r"^(?:please\b|make it\b|use\b|i want\b|we want\b|i'd like\b|we'd like\b|add\b|colou?rs?\b|tone\b|style\b)", re.I
)
_REQUEST = re.compile(
    r"\b(?:build|make|create|design|need|want|like|help|put together|set up|whip up|do)\b.{0,40}"
    r"\b(?:website|web site|site|page|homepage)\b",
    re.I,
)
"""A sentence that asks the builder for the site ("Can you build me a website for my dog walking business?")."""
_WORD = re.compile(r"[a-z][a-z'-]+")
_STOP = {"a", "an", "the", "for", "with", "and", "in", "of", "page", "pages", "site", "website", "landing"}


class PageAsk(BaseModel):
    """A page the prompt asks for, under the name it used; `kind` says what it shows (see brief.toml)."""

    slug: str
    title: str
    kind: str


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def slugify(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:40].strip("-") or "page"
    return f"{slug}-page" if slug == "index" else slug


def sentences(text: str) -> list[str]:
    """The prompt's sentences (and ;-clauses), not split after "Dr." or inside "3.50" and e-mail addresses."""
    out: list[str] = []
    for part in re.split(r"(?<=[.!?;])\s+|\n+|\s+\|\s+|\s+[—–]\s+(?!(?:those|these|the|all)\s+(?:\w+\s+)?pages)", text):
        before = out[-1].rstrip(".").split() if out and out[-1].endswith(".") else []
        last = before[-1].lower() if before else ""
        if out and last in _ABBREVIATIONS:
            out[-1] = f"{out[-1]} {part}"
        elif part.strip(" ;") and not _GREETING.fullmatch(part.strip()):
            out.append(part)
    return [piece for s in out for piece in _split_intro(s.strip().rstrip(";").strip()) if piece.strip(" .;")]


_GREETING = re.compile(r"(?:(?:hi|hello|hey|hiya|thanks|thank you|cheers|ok|okay)(?:\s+there)?[\s!.,]*)+", re.I)
_CLAUSE_START = re.compile(r"^(?:we|we're|our|i|i'm|it|it's|they|there|everyone|all)\b", re.I)


def _split_intro(sentence: str) -> list[str]:
    """ "A site for the Riverside Book Club in Bristol: we meet on Tuesdays" is two sentences; a label and its
    list ("Menu: soup, bread") stay one."""
    if m := re.search(r",\s+and\s+(?=(?:we|i|they)\s)", sentence, re.I):  # "…, and we compete in Valorant"
        return [*_split_intro(sentence[: m.start()]), _cap(sentence[m.end() :])]
    if (m := re.search(r",\s+(?=(?:we|we're|our|i|i'm|they)\s)", sentence, re.I)) and _BUILD.match(sentence):
        return [*_split_intro(sentence[: m.start()]), sentence[m.end() :]]  # "a site for my band X, we play rock"
    head, colon, tail = sentence.partition(": ")
    if colon and len(head.split()) >= 4 and (_BUILD.match(head + " ") or _CLAUSE_START.match(tail)):
        return [head, tail]
    return [sentence]


def _clean_name(raw: str) -> str:
    name = re.sub(r"\s+", " ", raw).strip(" ,.;:!-")
    if m := re.search(r"\s+on\s+(?:\d|the\s+\d)", name) or _ON_DATE.search(name):
        name = name[: m.start()]  # "Oakwood Summer Fair on Saturday 20 July": the name ends before its date
    for m in re.finditer(r"\.\s", name):  # "Olive & Vine. Souvlaki £12": the name ends with its sentence
        if name[: m.start()].split()[-1].lower() not in _ABBREVIATIONS:
            name = name[: m.start()]
            break
    name = re.sub(r"\s+(?:a|an|the|in|on|at)$", "", name, flags=re.I)
    return name[:60].rstrip()


_NOT_NAMES = {"build", "make", "create", "design", "please", "website", "site", "landing", "web", "homepage", "page"}
_AFTER_NAME = {
    "in",
    "near",
    "on",
    "at",
    "from",
    "with",
    "selling",
    "that",
    "who",
    "based",
    "is",
    "are",
    "and",
    "to",
    "by",
}


_GREETINGS = {"hello", "hi", "hey", "dear", "ok", "okay", "so", "thanks", "yo", "hiya", "greetings", "good"}
_NOT_LEADS = {
    *(w for w in (*calendar.month_name[1:], *calendar.day_name)),
    *("open", "opening", "hours", "we", "our", "pages", "page", "menu", "prices", "call", "email", "phone", "contact"),
}
_NOT_LEADS = {w.lower() for w in _NOT_LEADS}


def _is_build_word(name: str) -> bool:
    first = name.split()[0].lower()
    return (
        first in {"a", "an", "i", "we", "my", "our", "this"}
        or (first in _NOT_NAMES and len(name.split()) == 1)
        or (first in {"build", "make", "create", "design", "please", "website", "site", "landing"})
    )


def business_name(prompt: str) -> str:
    """The name the prompt gives the organisation, or "" when it gives none; else the name that opens one of
    its next sentences ("A site for our wedding! Sam & Alex, 12 June…")."""
    patterns = (
        *(_NAME_QUOTED, _NAME_CALLED, _NAME_ME, _NAME_WE_ARE, _NAME_AFTER_SITE),
        *(_NAME_FOR, _NAME_ROLE, _NAME_IN, _NAME_LEAD),
    )
    for pattern in patterns:
        if name := _first_name(pattern, prompt):
            return name
    parts = sentences(prompt)
    for sentence in parts[1:3] if parts and _BUILD.match(parts[0] + " ") else []:
        name = _first_name(_NAME_LEAD, sentence)
        if name and not re.search(r"\d", name) and name.split()[0].lower() not in _NOT_LEADS:
            return name
    return ""


_MONTH_OR_DAY = re.compile(
    r"\b(?:" + "|".join((*calendar.month_name[1:], *calendar.month_abbr[1:], *calendar.day_name)) + r")\b", re.I
)


_ON_DATE = re.compile(r"\s+on\s+" + _MONTH_OR_DAY.pattern, re.I)


def _first_name(pattern: re.Pattern[str], text: str) -> str:
    for match in pattern.finditer(text):
        name = _clean_name(match.group(1))
        single = len(name.split()) == 1
        if not name or name.lower() in _STOP or (pattern is not _NAME_QUOTED and _is_build_word(name)):
            continue
        if re.search(r"\d", name) and (_MONTH_OR_DAY.search(name) or not re.search(r"[^\W\d_]{3}", name)):
            continue  # a date or a number, not a name
        if pattern is _NAME_LEAD and single and not re.match(rf"^{re.escape(name)}\s*(?:,|\s+is\b)", text):
            continue
        follow = re.match(r"\s+([a-z][\w-]*)", text[match.end(1) :])
        if pattern in (_NAME_FOR, _NAME_ROLE) and follow and follow.group(1) not in _AFTER_NAME:
            continue
        if pattern in (_NAME_ROLE, _NAME_IN, _NAME_LEAD) and name.lower() in places().places:
            continue
        if name.split()[0].lower() in _GREETINGS:
            continue
        return name
    return ""


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
        if not fallback and head.lower() not in _NOT_PLACES and head.split()[0].lower() not in _NOT_PLACES:
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
_CONTACT_WORDS = {
    *("call", "phone", "tel", "telephone", "email", "e-mail", "mail", "or", "contact", "us", "at", "on", "to"),
    *("text", "whatsapp", "reach", "by", "write", "ring", "message", "dm", "follow", "and", "our", "is", "me"),
}
_AUDIENCE = re.compile(
    r"\bfor\s+((?:[A-Z]{2,}\s+)?[a-z][\w'-]*(?:\s+[a-z][\w'-]*){0,3}?)"
    r"(?=\s*(?:[,.;:]|$|\s+(?:in|who|that|aged|with|and|across|near)\b))"
)


def _page_title(item: str) -> str:
    item = _ITEM_NOISE.sub("", _ITEM_NOISE.sub("", item.strip(" .,"))).strip()
    return "FAQ" if item.lower() in {"faq", "faqs"} else _cap(item)


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


def descriptor(sentence: str, name: str) -> str:
    """What the organisation is, from the sentence that names it: "an Italian restaurant in Brooklyn"."""
    at = sentence.find(name) if name else -1
    if at < 0:
        pre, post = "", _BUILD.sub("", sentence)
    else:
        pre, post = sentence[:at].strip(), sentence[at + len(name) :]
    post = re.sub(r"^[\s,:;(–—-]*(?:is|are|was)?\b\s*", "", post) if at >= 0 else post
    post = re.split(r",?\s+and\s+(?:we|i)\s", post, maxsplit=1)[0]  # "… in Utrecht and we finally want a site"
    pre = re.sub(r"^(?:(?:hey|hi|hello|ok|okay|so|well)\b[\s,!.]*)+", "", _BUILD.sub("", pre), flags=re.I)
    pre = re.sub(
        r"^(?:(?:(?:my|our) \w+ and )?(?:i|we)\s+(?:run|own|have|are|am|manage|started|opened)|we're|i'm|this is|"
        r"it's|it is)(?:\s+|$)",
        "",
        pre,
        flags=re.I,
    )
    pre = re.sub(r"(?:^|\s)(?:the|a|an|our|my)$", "", pre, flags=re.I)
    if re.search(r"\b(?:called|named|name's|name is)$", pre, re.I):
        pre = re.sub(r"[\s,]*\b(?:(?:my\s+)?name's|(?:my\s+)?name is|called|named)$", "", pre, flags=re.I)
    elif re.search(r"\b(?:for|about)$", pre, re.I) or set(pre.lower().split()) & set(words().build_words):
        pre = ""
    text = re.sub(r"[\"“'‘]\s*[\"”'’]", "", f"{pre} {post}")
    text = re.sub(r"\s+([,.;:])", r"\1", re.sub(r"\s+", " ", text)).strip(" ,.;:)(")
    text = re.sub(r"\b(?:selling|offering|with|including)$", "", text).strip(" ,?")
    return _cap(text)


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
    if _INSTRUCTION.match(sentence) or _REQUEST.search(sentence):
        return False
    plain = re.sub(r"\S*\d\S*", " ", EMAIL.sub(" ", URL.sub(" ", sentence)))
    content = [w for w in re.findall(r"[\w'-]+", plain.lower()) if w not in _CONTACT_WORDS]
    return len(content) >= 2


def without_contact(sentence: str) -> str:
    """A sentence without its clauses that only say how to get in touch ("…, membership is free, contact
    hello@x.org": the site shows the address where people look for it)."""
    clauses = re.split(r",\s+", sentence)
    kept = [c for c in clauses if states_fact(c) or not (EMAIL.search(c) or len(re.findall(r"\d", c)) >= 7)]
    return ", ".join(kept) if kept else sentence


def audiences(text: str) -> list[str]:
    found = [m.group(1) for m in _AUDIENCE.finditer(text)]
    return list(dict.fromkeys(a for a in found if not _is_build_word(a) and a.split()[0] not in {"a", "an", "the"}))
