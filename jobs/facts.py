"""Facts in the sentences of a prompt: contact details, offerings with prices, hours, labelled lists, people.

Each reader takes text and returns what it found, as the prompt wrote it (a price stays "1,80 €", hours stay
"Tue-Sun 5pm-11pm"), so the site shows the team's own words and the fidelity benchmark can find them. Phone
numbers are read by `phonenumbers`, prices checked by `price-parser`; a fact that does not parse is left out.
"""

from __future__ import annotations

import re

import phonenumbers
from price_parser import Price
from pydantic import BaseModel

from jobs.sentences import cap
from jobs.vocabulary import words

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
URL = re.compile(r"\bhttps?://[^\s,;]+[^\s,;.)]|\bwww\.[\w-]+(?:\.[\w-]+)+(?:/[^\s,;]*[^\s,;.)])?")
HANDLE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_]{2,30}\b(?![.@]\w)")
_CUR_BEFORE = (
    r"(?:[A-Z]{1,3}\$|[$£€¥₹₩₪₺₦₱฿]|R(?=\s?\d)|(?:CHF|EUR|USD|GBP|AUD|CAD|NZD|SEK|NOK|DKK|JPY|INR|AED|Rs\.?)\s?)"
)
_CUR_AFTER = (
    r"(?:\s?(?:[$£€¥₹]|kr\b|CHF\b|EUR\b|USD\b|GBP\b|euros?\b|dollars?\b|pounds?\b|zł|Kč|Ft\b|SEK\b|NOK\b|DKK\b))"
)
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_UNITS = (
    "night|hour|month|year|person|week|day|dozen|session|class|head|adult|child|kid|lesson|visit|term|guest|couple|"
    "item|jar|box|bag|kg|stay|litre|liter|lb|pint|loaf|slice|scoop|portion|plate|bunch|semester|term|quarter|season|seat|ticket|pass|student|family|pair|pack|bottle|hr|pp"
)
_PER = "mo|month|yr|year|hr|hour|night|person|week|day|session|class|lesson|pp|term"
_NOTE = rf"(?:\s?/\s?(?:{_PER})\b|\s(?:a|an|per|each)\s(?:{_UNITS})\b)?"
PRICE = re.compile(
    rf"\(?(?P<price>(?:from\s+)?(?:{_CUR_BEFORE}\s?(?:{_NUM})|(?:{_NUM}){_CUR_AFTER}))(?P<note>{_NOTE})\)?"
)
BARE = re.compile(rf"(?<![\w$£€¥₹.,:-])(?P<price>{_NUM})(?![\w%:-]|[.,]\d|\s?(?:am|pm|h)\b)(?P<note>{_NOTE})")
_LEAD = re.compile(
    r"^(?:[\s,;:(&+-]|and\b|or\b|plus\b|selling\b|sells\b|offering\b|offers\b|with\b|including\b|"
    r"also\b|is\b|are\b|costs?\b|just\b|only\b|our\b|"
    r"(?:we|i)\s+(?:also\s+)?(?:teach|offer|sell|make|run|do|provide|host|bake|brew|serve|have|charge|cook|rent)\b)+",
    re.I,
)
_TRAIL = re.compile(r"(?:[\s,;:(&-]|\bfrom|\bat|\bfor|\bis|\bare|\bcosts?|\bjust|\bonly)+$", re.I)
_CUTS = re.compile(r"[:;,]|\b(?:selling|sells|offering|offers|with|including)\b", re.I)
_PUNCT = re.compile(r"[:;,]")
_NOTE_AFTER = re.compile(r"\s*\(([^()]{1,40})\)")
_SPLIT_LIST = re.compile(r"\s*(?:,|;|\band\b|&)\s*")


class Offering(BaseModel):
    """Something the organisation offers, with its price as the prompt wrote it ("" when it gave none)."""

    name: str
    price: str = ""
    label: str = ""
    """The list it was given under ("Menu", "Services"), "" when none."""


class Person(BaseModel):
    name: str
    role: str = ""


class Testimonial(BaseModel):
    """A quote the prompt gives from a customer ("Review: "Best DJ ever" - Aoife")."""

    quote: str
    author: str = ""


_REVIEW_CUE = r"(?i:reviews?|testimonials?|quotes?|feedback|(?:a|one|our)\s+\w+\s+(?:said|says|wrote))\s*:?\s*"
_QUOTED = r"[\"“](?P<q>[^\"”]{8,300}?)[\"”]"
_WHO = r"[A-Z][\w'’-]*\.?(?:\s+(?:&|and)\s+[A-Z][\w'’-]*|\s+[A-Z][\w'’-]*\.?){0,4}"
"""Who said a quote: capitalised words, "Aoife & Mark", "Dr. Jo Lee"."""
_AUTHOR = rf"(?:\s*[-–—]\s*|\s+(?:by|from)\s+|,\s+)(?P<a>{_WHO})"
_SIGNED = rf"[\"“](?P<q2>[^\"”]{{8,300}}?)[\"”]\s*[-–—]\s*(?P<a2>{_WHO})"
TESTIMONIAL = re.compile(rf"\b{_REVIEW_CUE}{_QUOTED}(?:{_AUTHOR})?|{_SIGNED}")


def testimonials(text: str) -> tuple[list[Testimonial], str]:
    """The customer quotes of a prompt (after "Review:", or a quote signed "- Name"), and the text without them."""
    found = [
        Testimonial(
            quote=(m.group("q") or m.group("q2")).strip(), author=(m.group("a") or m.group("a2") or "").strip(" .,")
        )
        for m in TESTIMONIAL.finditer(text)
    ]
    return found, TESTIMONIAL.sub(" ", text) if found else text


class LabelledList(BaseModel):
    """A list the prompt gave under a label of its own ("Features: a, b, c"; "Case studies: …")."""

    label: str
    items: list[str]


def emails(text: str) -> list[str]:
    return list(dict.fromkeys(EMAIL.findall(text)))


def links(text: str) -> list[str]:
    return list(dict.fromkeys(URL.findall(text)))


def handles(text: str) -> list[str]:
    return list(dict.fromkeys(HANDLE.findall(EMAIL.sub(" ", text))))


def phones(text: str, region: str) -> list[str]:
    """Phone numbers as written, read for the country of the location (GB when it is not known)."""
    found = phonenumbers.PhoneNumberMatcher(text, region or "GB", leniency=phonenumbers.Leniency.POSSIBLE)
    raw = [m.raw_string.strip() for m in found]
    return list(dict.fromkeys(r for r in raw if len(re.sub(r"\D", "", r)) >= 7))


def _clean_name(raw: str, *, first: bool = True) -> str:
    """An item's name from the text before its price; an open bracket is closed ("Evening party (5 hours, €950)"
    names "Evening party (5 hours)"). Only the first item of a sentence is cut at "with", "selling"…: later ones
    are names of their own ("2 hour party with games £240")."""
    raw = raw.lstrip(" )],")
    part = outside_brackets(_CUTS if first else _PUNCT, raw)[-1]
    part = _TRAIL.sub("", _LEAD.sub("", part.strip())).strip(" .")
    if part.count("(") > part.count(")"):
        part = re.sub(r"[\s,;:(]+$", "", part) + ")" if "(" in part.rstrip(" ,;:(") else part.rstrip(" ,;:(")
    part = part.strip(" .") if part.count("(") == part.count(")") else part.strip(" .()")
    return " ".join(part.split()[-7:])


def valid_price(price: str) -> bool:
    parsed = Price.fromstring(price)
    return parsed.amount is not None and parsed.amount >= 0


def _label_of(sentence: str, labels: list[str]) -> tuple[str, int]:
    """The label before a colon ("Menu: …") when it is one of `labels`, and where the list after it starts."""
    if m := re.match(r"^\s*(?:[^:]{0,80}?\b)?([A-Za-z][\w -]{1,30}?)\s*:(?!\d)\s*", sentence):
        label = m.group(1).strip()
        if label.lower() in labels or label.lower().split()[-1] in labels:
            return label, m.end()
    return "", 0


def offerings(sentence: str, currency: str) -> tuple[list[Offering], str, str]:
    """Offerings with prices in one sentence; the text before them and the text after the last price.

    A number without a currency counts as a price only in a list labelled as one ("Menu: margherita 14"), and
    then takes the location's currency."""
    label, start = _label_of(sentence, words().offer_labels)
    matches = [m for m in PRICE.finditer(sentence) if valid_price(m.group("price"))]
    if label and not matches:
        matches = [m for m in BARE.finditer(sentence, start) if m.start() >= start]
    found: list[Offering] = []
    before: list[str] = [sentence[:start]] if label else []
    last = start if label else 0
    for m in matches:
        if m.start() < last:
            continue
        segment = sentence[last : m.start()]
        name = _clean_name(segment, first=not found)
        note = _NOTE_AFTER.match(sentence, m.end())  # "£145 (camping included)"
        if name:
            price = price_text(m, currency) + (f" ({note.group(1).strip()})" if note else "")
            found.append(Offering(name=cap(name), price=price, label=label))
            before.append(_before_name(segment, first=len(found) == 1))
        last = note.end() if note and name else m.end()
    if not found:
        return [], sentence, ""
    return found, " ".join(b.strip(" ,") for b in before if b.strip(" ,")), sentence[last:]


def price_text(m: re.Match[str], currency: str) -> str:
    """A price as the site shows it: a bare amount gets the site's currency sign ("14" → "£14")."""
    price = m.group("price").strip()
    bare = not any(ch in price for ch in "$£€¥₹₩₪₺₦₱฿") and not re.match(r"(?:from\s+)?R\s?\d", price)
    if bare and not re.search(r"[A-Za-z]{2}", price.replace("from", "")):
        price = f"{currency}{price}" if currency else price
    note = " ".join(m.group("note").split())
    if not note:
        return price
    return f"{price}{note}" if note.startswith("/") else f"{price} {note}"


def _before_name(segment: str, *, first: bool = True) -> str:
    """What precedes the item name in a segment (an earlier clause), kept as text of the sentence."""
    cuts = [m for m in (_CUTS if first else _PUNCT).finditer(segment) if not _in_brackets(segment, m.start())]
    return segment[: cuts[-1].start()] if cuts else ""


def split_list(text: str) -> list[str]:
    """The items of a list, not split inside brackets ("Anna (owner, baker) and Joe" is two items)."""
    items = [_TRAIL.sub("", _LEAD.sub("", i)).strip(" .") for i in outside_brackets(_SPLIT_LIST, text)]
    return [i for i in items if i]


def _in_brackets(text: str, at: int) -> bool:
    depth = 0
    for ch in text[:at]:
        depth = max(0, depth + (ch in "([") - (ch in ")]"))
    return depth > 0


def outside_brackets(separator: re.Pattern[str], text: str) -> list[str]:
    """`separator.split(text)`, except where the separator is inside (…) or […]."""
    parts, last = [], 0
    for m in separator.finditer(text):
        if m.end() > m.start() and not _in_brackets(text, m.start()):
            parts.append(text[last : m.start()])
            last = m.end()
    return [*parts, text[last:]]


def labelled(sentence: str) -> LabelledList | None:
    """A sentence of the form "Label: a, b and c" (a short label, short items)."""
    m = re.match(r"^\s*([A-Za-z][\w' -]{1,28}?)\s*:(?!\d)\s*(.+?)\s*\.?$", sentence)
    if not m or "@" in m.group(2):
        return None
    items = split_list(m.group(2))
    if not items or any(len(i.split()) > 8 for i in items):
        return None
    return LabelledList(label=cap(m.group(1).strip()), items=[cap(i) for i in items])


def people_of(lst: LabelledList) -> list[Person] | None:
    """People when the list's label names a role ("Teachers: Priya and Marcus" → two teachers). An item may say
    its own role: "Tash Nguyen (owner)", "hygienist Beth Lloyd"."""
    label = re.sub(r"^(?:meet\s+)?(?:our|the|my)\s+", "", lst.label.lower())
    people = [_person(i) for i in lst.items]
    named = all(_PERSON.fullmatch(p.name) for p in people)
    known = label in words().people_labels or label.removesuffix("s") in words().people_labels
    if not known and not (named and label.endswith("s") and label != lst.label.lower()):
        return None  # "Our physios: Dr. Hannah Lee and Tom Brooks" are people; "Our prices: …" are not
    role = lst.label if len(lst.items) == 1 else ""
    return [Person(name=re.sub(r"^(?:Mrs|Mr|Ms|Miss|Mx)\.?\s+", "", p.name), role=p.role or role) for p in people]


def _person(item: str) -> Person:
    if m := re.fullmatch(r"(?P<n>[^()]+?)\s*\((?P<r>[^()]{1,40})\)", item):
        return Person(name=m.group("n"), role=cap(m.group("r").strip()))
    first, _, rest = item.partition(" ")
    if rest and first.lower() in words().people_labels and _PERSON.fullmatch(rest):
        return Person(name=rest, role=cap(first))
    return Person(name=item)


_PERSON = re.compile(r"(?:(?:Dr|Mr|Mrs|Ms|Miss|Mx|Prof|Rev)\.?\s+)?[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,2}")


TITLED = re.compile(r"\b(?:Dr|Prof|Professor|Chef|Coach|Rev)\.?\s+([A-Z][\w'-]+(?:\s+[A-Z][\w'-]+){0,2})")
HOSTED = re.compile(
    r"\b(?:hosted|run|led|founded|owned|coached|taught|presented|organised|organized) by\s+"
    r"([A-Z][\w'-]+(?:\s+[A-Z][\w'-]+){0,2})"
)


def named_people(text: str) -> list[Person]:
    """People named with a title ("Dr. Ravi Sharma") or as who runs it ("hosted by Dana Okafor")."""
    out = [Person(name=m.group(1), role="") for m in HOSTED.finditer(text)]
    text = re.sub(r"['’]s\b", "", text)
    out += [
        Person(name=f"Dr {m.group(1)}" if m.group(0).startswith("Dr") else m.group(1)) for m in TITLED.finditer(text)
    ]
    return out


def hours(sentence: str) -> str:
    """Opening hours said in a sentence that starts with "Open…"/"Opening hours…", as written; "" otherwise."""
    low = sentence.lower().strip()
    for start in sorted(words().hours_starts, key=len, reverse=True):
        if low.startswith(start) and re.search(r"\d", sentence):
            rest = sentence.strip()[len(start) :].strip(" :,.")
            return (
                f"Open {rest}"
                if start == "open" and rest.lower().startswith(("daily", "every", "7 days"))
                else cap(rest)
            )
    return ""


def split_hours(entry: str) -> tuple[str, str]:
    """("Tue-Sun", "5pm-11pm") from "Tue-Sun 5pm-11pm": days before the first digit, times from it."""
    m = re.search(r"\d", entry)
    if not m or m.start() == 0:
        return entry, ""
    return entry[: m.start()].strip(" ,:"), entry[m.start() :].strip()
