"""Prompt understanding, deterministic: every fact a build request gives, kept as the prompt wrote it.

`parse` reads the prompt once (the service stores the result with the version, the worker plans the site from
it): the organisation's name and what it is, where it is, what it offers at what price, how to reach it, when it
is open, who is named, which pages it asks for, its tone and colour, and every other sentence that states a fact
(`details`), so nothing the team said is lost. Facts that do not parse are left out, never guessed.
"""

from __future__ import annotations

import re

from pydantic import BaseModel

from jobs import facts, names, reading
from jobs.facts import LabelledList, Offering, Person, Testimonial
from jobs.reading import PageAsk
from jobs.sentences import cap, sentences
from jobs.vocabulary import places, words

MAX_PROMPT = 2000
"""Longest prompt a build accepts, in characters."""

TONES = tuple(words().tones)
COLOURS = words().colours
"""Colour words a user may ask for, with a shade dark enough for white text on it."""
PAGE_WORDS = {w: w for kind in words().page_kinds.values() for w in kind}
"""Words that ask for a page; an edit ("add a gallery page") reads them too."""


class Brief(BaseModel):
    """What the site is about. Built by `parse`; stored with the version (its spec's "brief")."""

    prompt: str
    business_name: str
    """The name the prompt gives, "" when it gives none (the plan then uses a neutral one and asks for it)."""
    words: list[str]
    descriptor: str = ""
    """What the organisation is, in the prompt's words ("a book club in Leeds")."""
    kind: str = "business"
    location: str = ""
    country: str = ""
    currency: str = ""
    offerings: list[Offering] = []
    lists: list[LabelledList] = []
    people: list[Person] = []
    phones: list[str] = []
    emails: list[str] = []
    links: list[str] = []
    handles: list[str] = []
    address: str = ""
    hours: list[str] = []
    details: list[str] = []
    """Every other sentence of the prompt that states a fact, as written."""
    audiences: list[str] = []
    pages: list[PageAsk] = []
    testimonials: list[Testimonial] = []
    """Customer quotes the prompt gives, with who said them."""
    tone: str = "friendly"
    colour: str | None = None

    @property
    def email(self) -> str:
        return self.emails[0] if self.emails else ""

    @property
    def phone(self) -> str:
        return self.phones[0] if self.phones else ""


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
    lines = [" ".join(line.split()) for line in prompt.splitlines()]  # a line break ends a sentence, as in chat
    quotes, text = facts.testimonials("\n".join(line for line in lines if line))
    text = "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())
    name = names.business_name(text)
    location = reading.location_of(text)
    country = places().country(location) if location else ""
    brief = Brief(
        prompt=" ".join(prompt.split()),
        business_name=name,
        words=sorted({w for w in reading.WORD.findall(text.lower()) if w not in words().stop_words}),
        location=location,
        country=country,
        currency=places().currency.get(country, ""),
        emails=facts.emails(text),
        links=facts.links(text),
        handles=facts.handles(text),
        phones=facts.phones(facts.URL.sub(" ", facts.EMAIL.sub(" ", text)), country),
        tone=next((t for t in TONES if re.search(rf"\b{t}\b", text.lower())), "friendly"),
        colour=find_colour(text.replace(name, " ") if name else text),
        audiences=reading.audiences(text),
        testimonials=quotes,
    )
    titles: list[str] = []
    parts = sentences(text)
    intro = next((i for i, s in enumerate(parts) if name and name in s), 0)
    for i, sentence in enumerate(parts):
        asked, sentence = reading.page_asks(sentence)
        titles += asked
        _read_sentence(brief, sentence, intro=i == intro)
    low = {w.lower() for w in re.findall(r"[\w-]+", text.replace(name, " ") if name else text)}
    low -= {w.lower() for lst in brief.lists for item in lst.items for w in re.findall(r"[\w-]+", item)}
    asked_text = " ".join(titles).lower()  # "a contact form" asked for already shows the way to get in touch
    titles += [w.title() if w != "faq" else "FAQ" for w in words().standalone_pages if w in low and w not in asked_text]
    brief.pages = reading.make_pages(titles)
    brief.people = _unique_people(brief.people + facts.named_people(text))
    if reading.only_place(brief.descriptor, brief.location):
        if what := next(filter(None, map(reading.requested_kind, parts[: intro + 1])), ""):
            place = re.sub(
                r"^(?:(?:based|located)\s+)?(?:in|near|at)?\s*", "", brief.descriptor.strip(" .!"), flags=re.I
            )
            where = f" in {place or brief.location}" if (place or brief.location) and brief.location not in what else ""
            brief.descriptor = cap(what) + where  # "a website for my dog walking business"
    brief.kind = _kind(brief, text)
    return brief


def _kind(brief: Brief, text: str) -> str:
    """What the organisation is: as its description says, else as its name says ("Riverside Book Club"), else
    the first kind the prompt names anywhere."""
    if (kind := reading.kind_of(brief.descriptor, common_words_only=True)) != "business":
        return kind
    for part in (brief.business_name, text):
        if (kind := reading.kind_of(part)) != "business":
            return kind
    return "business"


def _unique_people(people: list[Person]) -> list[Person]:
    seen: dict[str, Person] = {}
    for p in people:
        key = p.name.lower().removeprefix("dr ").strip()
        if not any(key in k or k in key for k in seen):
            seen[key] = p
    return list(seen.values())


def _read_sentence(brief: Brief, sentence: str, *, intro: bool) -> None:
    """One sentence's facts into the brief; what states a fact but fits no field becomes a detail."""
    if not sentence.strip(" .,"):
        return
    if hours := facts.hours(sentence):
        brief.hours.append(hours)
        return
    low = sentence.lower()
    for label in sorted(words().address_labels, key=len, reverse=True):
        if low.startswith(label):
            brief.address = sentence[len(label) :].strip(" :,.")
            return
    found, before, tail = facts.offerings(sentence, brief.currency)
    if found:
        before = _unpriced(brief, before, found[0].label)
        brief.offerings += found
        for piece in facts.split_list(tail) if len(tail.split()) <= 12 else [tail]:
            if piece and len(piece.split()) <= 5 and not reading.is_action(piece):
                brief.offerings.append(Offering(name=cap(piece), label=found[-1].label))
            elif piece:
                brief.details.append(_sentence_case(piece))
        sentence = before
    elif (lst := facts.labelled(sentence)) is not None and _read_list(brief, lst):
        return
    if intro:
        brief.descriptor = names.descriptor(sentence, brief.business_name)
    elif sentence and reading.states_fact(sentence):
        brief.details.append(_sentence_case(reading.without_contact(sentence)))


def _unpriced(brief: Brief, before: str, label: str) -> str:
    """Items named before the priced ones under an offer label ("Pricing tiers Free, Pro $12") join them."""
    for offer_label in sorted(words().offer_labels, key=len, reverse=True):
        if m := re.match(rf"^\s*{re.escape(offer_label)}\b\s*:?\s*(.+)$", before, re.I):
            brief.offerings += [Offering(name=cap(i), label=label) for i in facts.split_list(m.group(1))]
            return ""
    return before


def _read_list(brief: Brief, lst: LabelledList) -> bool:
    label = lst.label.lower()
    if (people := facts.people_of(lst)) is not None:
        brief.people += people
    elif label in words().offer_labels:
        brief.offerings += [Offering(name=i, label=lst.label) for i in lst.items]
    elif label in {"email", "e-mail", "phone", "tel", "contact", "call", "instagram", "web", "website"}:
        return True
    else:
        brief.lists.append(lst)
    return True


def _sentence_case(text: str) -> str:
    text = text.strip(" ,;:")
    return cap(text) + ("" if text.endswith((".", "!", "?")) else ".")
