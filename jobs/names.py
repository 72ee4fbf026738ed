"""The organisation's name in a prompt, and what the prompt says it is ("an Italian restaurant in Brooklyn").

Names are found by patterns over capitalised words, tried from the surest ("called X", a quoted name) to the
loosest (capitalised words that open the prompt); word lists are in `jobs/data/brief.toml`.
"""

from __future__ import annotations

import calendar
import re

from jobs.sentences import BUILD, cap, ends_abbreviation, sentences
from jobs.vocabulary import places, words

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
_PATTERNS = (
    *(_NAME_QUOTED, _NAME_CALLED, _NAME_ME, _NAME_WE_ARE, _NAME_AFTER_SITE),
    *(_NAME_FOR, _NAME_ROLE, _NAME_IN, _NAME_LEAD),
)
MONTH_OR_DAY = re.compile(
    r"\b(?:" + "|".join((*calendar.month_name[1:], *calendar.month_abbr[1:], *calendar.day_name)) + r")\b", re.I
)
_ON_DATE = re.compile(r"\s+on\s+" + MONTH_OR_DAY.pattern, re.I)
_MONTHS_AND_DAYS = frozenset(w.lower() for w in (*calendar.month_name[1:], *calendar.day_name))
_REQUEST_WORDS = {"build", "make", "create", "design", "please", "website", "site", "landing"}


def business_name(prompt: str) -> str:
    """The name the prompt gives the organisation, or "" when it gives none; else the name that opens one of
    its next sentences ("A site for our wedding! Sam & Alex, 12 June…")."""
    for pattern in _PATTERNS:
        if name := _first_name(pattern, prompt):
            return name
    parts = sentences(prompt)
    for sentence in parts[1:3] if parts and BUILD.match(parts[0] + " ") else []:
        name = _first_name(_NAME_LEAD, sentence)
        first = name.split()[0].lower() if name else ""
        if name and not re.search(r"\d", name) and first not in words().not_leads | _MONTHS_AND_DAYS:
            return name
    return ""


def is_build_word(name: str) -> bool:
    """Whether capitalised words are the request or the speaker ("Build", "We", "My"), not a name."""
    first = name.split()[0].lower()
    return (
        first in {"a", "an", "i", "we", "my", "our", "this"}
        or (first in words().not_names and len(name.split()) == 1)
        or first in _REQUEST_WORDS
    )


def _clean_name(raw: str) -> str:
    name = re.sub(r"\s+", " ", raw).strip(" ,.;:!-")
    if m := re.search(r"\s+on\s+(?:\d|the\s+\d)", name) or _ON_DATE.search(name):
        name = name[: m.start()]  # "Oakwood Summer Fair on Saturday 20 July": the name ends before its date
    for m in re.finditer(r"\.\s", name):  # "Olive & Vine. Souvlaki £12": the name ends with its sentence
        if not ends_abbreviation(name[: m.start()]):
            name = name[: m.start()]
            break
    name = re.sub(r"\s+(?:a|an|the|in|on|at)$", "", name, flags=re.I)
    return name[:60].rstrip()


def _first_name(pattern: re.Pattern[str], text: str) -> str:
    vocabulary = words()
    for match in pattern.finditer(text):
        name = _clean_name(match.group(1))
        single = len(name.split()) == 1
        if not name or name.lower() in vocabulary.stop_words or (pattern is not _NAME_QUOTED and is_build_word(name)):
            continue
        if pattern is _NAME_QUOTED and _sentence_like(name):
            continue  # "Conor packed the dance floor all night" is a quote, not a name
        if re.search(r"\d", name) and (MONTH_OR_DAY.search(name) or not re.search(r"[^\W\d_]{3}", name)):
            continue  # a date or a number, not a name
        if pattern is _NAME_LEAD and single and not re.match(rf"^{re.escape(name)}\s*(?:,|\s+is\b)", text):
            continue
        follow = re.match(r"\s+([a-z][\w-]*)", text[match.end(1) :])
        if pattern in (_NAME_FOR, _NAME_ROLE) and follow and follow.group(1) not in vocabulary.after_name:
            continue
        if pattern in (_NAME_ROLE, _NAME_IN, _NAME_LEAD) and name.lower() in places().places:
            continue
        if name.split()[0].lower() in vocabulary.greetings:
            continue
        return name
    return ""


def descriptor(sentence: str, name: str) -> str:
    """What the organisation is, from the sentence that names it: "an Italian restaurant in Brooklyn"."""
    at = sentence.find(name) if name else -1
    if at < 0:
        pre, post = "", BUILD.sub("", sentence)
    else:
        pre, post = sentence[:at].strip(), sentence[at + len(name) :]
    post = re.sub(r"^[\s,:;(–—-]*(?:is|are|was)?\b\s*", "", post) if at >= 0 else post
    post = re.split(r",?\s+and\s+(?:we|i)\s", post, maxsplit=1)[0]  # "… in Utrecht and we finally want a site"
    pre = re.sub(r"^(?:(?:hey|hi|hello|ok|okay|so|well)\b[\s,!.]*)+", "", BUILD.sub("", pre), flags=re.I)
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
    return cap(text)


def _sentence_like(text: str) -> bool:
    """Whether quoted words read as a sentence: more than six words, or most of them lower-case."""
    tokens = [t for t in text.split() if t.lower() not in {"&", "of", "and", "the", "a", "an", "at", "on", "in"}]
    lower = [t for t in tokens if t[:1].islower()]
    return len(text.split()) > 6 or (len(tokens) >= 3 and len(lower) * 2 > len(tokens))
