"""Edit requests about facts: offerings and prices, opening hours, contact details, people, testimonials.

Read against the facts the site already has (the stored brief and the copy): "remove the brownie" names an
offering on the site, "Anna has left" a person on it; prices and phone numbers are read like a build prompt's.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from jobs import edit_people, edit_prices, facts
from jobs.edit_ops import (
    MAX_VALUE,
    AddPage,
    AddPerson,
    AddQuestion,
    AddTestimonial,
    EditTooBig,
    Operation,
    RemoveOffering,
    RemovePerson,
    SetContact,
    SetHours,
    SetOffering,
    Unclear,
)
from jobs.edit_split import Quoted
from jobs.sentences import cap

if TYPE_CHECKING:
    from jobs.edit_parse import Reader

_SPLIT = re.compile(r"\s*(?:,\s*(?:and\s+)?|\s+and\s+|\s*&\s*|\s+plus\s+)\s*", re.I)
_ARTICLE = re.compile(r"^(?:the|a|an|our|some|your|my)\s+", re.I)
_DAY = (
    r"(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?s?|weekdays?|weekends?|daily|every\s+day|"
    r"bank\s+holidays?"
)
_DAYS = re.compile(rf"\b(?:(?:on|at|for)\s+)?(?P<d>(?:{_DAY})(?:\s*(?:-|–|to|and|&|,)\s*(?:{_DAY}))*)\b", re.I)
_TIME = r"\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)?|noon|midday|midnight"
_RANGE = re.compile(rf"(?P<a>{_TIME})\s*(?:-|–|to|till|til|until)\s*(?P<b>{_TIME})", re.I)


def items(text: str) -> list[str]:
    """The items of a list ("the brownie and the flapjack" → ["brownie", "flapjack"])."""
    out = [_ARTICLE.sub("", i.strip(" .")).strip() for i in _SPLIT.split(text.strip(" ."))]
    return [i for i in out if i]


def _norm(name: str) -> str:
    words = re.findall(r"[a-z0-9]+", name.lower())
    return " ".join(w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words if w not in ("the", "a", "an"))


def find(names: list[str], query: str) -> str | None:
    """The one name on the site these words name: exactly, else the only one containing them (or inside them)."""
    q = _norm(query)
    if not q:
        return None
    exact = [n for n in names if _norm(n) == q]
    if exact:
        return exact[0]
    near = [
        n for n in names if re.search(rf"\b{re.escape(q)}\b", _norm(n)) or re.search(rf"\b{re.escape(_norm(n))}\b", q)
    ]
    return near[0] if len(near) == 1 else None


def read(r: Reader, clause: str) -> list[Operation] | Unclear | None:
    for reader in (_question, _testimonial, _contact, _hours, _people, edit_people.read, _offerings):
        if found := reader(r, clause):
            return found
    return None


_QUESTION = re.compile(
    r"^(?:add|put|include)\s+(?:a\s+|an\s+|another\s+|new\s+)*(?:faq|question|q\s*&\s*a|q&a)(?:\s+page)?"
    r"(?:\s+(?:to|on)\s+(?:the\s+)?(?P<p>[\w' -]+?)\s+page)?\s*(?:with|saying)?\s*[:\-–—]?\s*"
    r"(?:q\s*:\s*)?(?P<q>[^?]{3,200}\?)\s*(?:a\s*:\s*)?(?P<a>\S.{1,400})$",
    re.I,
)


def asks_question(r: Reader, clause: str) -> bool:
    return bool(_QUESTION.match(r.quoted.restore(clause)))


def _question(r: Reader, clause: str) -> list[Operation] | None:
    """ "add a faq - do i need a GP referral? no, you can book directly with us"; "add a faq to the programmes
    page: …" puts it on that page."""
    if not (m := _QUESTION.match(r.quoted.restore(clause))):
        return None
    page = r.page_named(m.group("p")) if m.group("p") else ""
    question, answer = cap(m.group("q").strip()), cap(m.group("a").strip(" -–—"))
    if len(question) > MAX_VALUE or len(answer) > 2 * MAX_VALUE:
        raise EditTooBig("a question and answer", len(question) + len(answer), 3 * MAX_VALUE)
    ask = AddQuestion(question=question, answer=answer if answer[-1] in ".!?" else f"{answer}.", page=page)
    new_page = re.search(r"\bfaq\s+page\b", m.group(0), re.I) and not any(p.kind == "faq" for p in r.spec.pages)
    return [AddPage(title="FAQ"), ask.model_copy(update={"page": "faq"})] if new_page else [ask]


def _testimonial(r: Reader, clause: str) -> list[Operation] | None:
    m = re.match(
        r"^(?:add|include|put)\s+(?:a\s+|an\s+|another\s+|this\s+)?(?:testimonial|review|quote)s?\s*:?\s*(?:saying\s+)?"
        r"(?P<q>.+?)(?:\s+(?:from|by)\s+|\s*[-—–]\s*)(?P<a>\w[\w.,' -]{0,60})$|"
        r"^(?:add|include|put)\s+(?:a\s+|an\s+|another\s+|this\s+)?(?:testimonial|review|quote)s?\s*:?\s*(?P<q2>.+)$",
        clause,
        re.I,
    )
    if not m:
        return None
    raw = m.group("q") or m.group("q2")
    quote = r.value(raw)
    author = r.value(m.group("a") or "") if m.group("a") else ""
    words_enough = Quoted.is_slot(raw) or len(quote.split()) >= 3  # "add a review section" is not a quote
    return [AddTestimonial(quote=quote, author=author)] if quote and words_enough else None


def _contact(r: Reader, clause: str) -> list[Operation] | None:
    text = r.quoted.restore(clause)
    low = text.lower()
    brief_country = str(r.spec.brief.get("country", "")) if r.spec.brief else ""
    found: list[Operation] = []
    if (emails := facts.emails(text)) and re.search(r"e-?mail|contact|address|reach|write", low):
        found.append(SetContact(field="email", value=emails[0][:120]))
    phone_words = r"\b(?:phone|telephone|number|no|mobile|cell|tel|call|ring|whatsapp)\b"
    if re.search(phone_words, low) and (phones := facts.phones(text, brief_country)):
        found.append(SetContact(field="phone", value=phones[0][:40]))
    if found:
        return found
    m = re.match(
        r"^(?:(?:change|update|set)\s+(?:the\s+|our\s+)?address\s+to|(?:the\s+|our\s+)?(?:new\s+)?address\s*"
        r"(?:is\s+now|is|:|should\s+be)|we(?:'ve|\s+have)?\s+moved\s+to|we(?:'re|\s+are)\s+now\s+at|"
        r"(?:new\s+)?address\s*:?)\s+(?P<v>.+)$",
        clause,
        re.I,
    )
    if m and (value := r.value(m.group("v"))):
        return [SetContact(field="address", value=value)]
    return None


def _hours(r: Reader, clause: str) -> list[Operation] | Unclear | None:
    text = r.quoted.restore(clause)
    low = text.lower()
    low = re.sub(r"\bshut\b(?!\s+(?:at\s+)?\d)", "closed", low)  # "we're shut mondays now"
    if not re.search(r"\b(?:open(?:s|ing)?|clos(?:e|ed|es|ing)|hours|times)\b", low):
        return None
    all_hours = re.match(
        r"^(?:change|set|update|make)\s+(?:the\s+|our\s+)?(?:opening\s+)?(?:hours|times)\s+(?:to|:)\s*(?P<v>.+)$|"
        r"^(?:the\s+|our\s+)?(?:new\s+)?(?:opening\s+)?(?:hours|times)\s*(?:are\s+now|are|:)\s*(?P<v2>.+)$",
        text,
        re.I,
    )
    if all_hours:
        days, time = facts.split_hours(r.value(all_hours.group("v") or all_hours.group("v2")))
        return [SetHours(days=cap(days), time=time, replace_all=True)] if time else None
    day = _DAYS.search(low)
    if not day:
        return _every_day(r, low)
    days = cap(" ".join(day.group("d").split()))
    if re.search(r"\bclosed\b|\bclose\s+on\b|\bnot\s+open(?:ing)?\b|\bno\s+longer\s+open", low):
        return [SetHours(days=days, time="Closed")]
    if rng := _RANGE.search(low):
        return [SetHours(days=days, time=f"{_t(rng.group('a'))}-{_t(rng.group('b'))}")]
    if m := re.search(rf"\b(?:open|opens|opening)\s+(?:from\s+|at\s+)?(?P<t>{_TIME})", low):
        return [SetHours(days=days, time=f"from {_t(m.group('t'))}")]
    if m := re.search(rf"\b(?:close|closes|closing|shut|shuts|till|until|til)\s+(?:at\s+)?(?P<t>{_TIME})", low):
        return [SetHours(days=days, time=f"until {_t(m.group('t'))}")]
    return None


def _every_day(r: Reader, low: str) -> list[Operation] | None:
    """ "We now close at 10pm", "open 9-5 now": no day named, so every open day's hours (the site must have some)."""
    if not r.spec.copy_text.get("hours") or re.search(r"\bclosed\b|\bnot\s+open\b", low):
        return None
    if rng := _RANGE.search(low):
        return [SetHours(days="", time=f"{_t(rng.group('a'))}-{_t(rng.group('b'))}")]
    if m := re.search(rf"\b(?:open|opens|opening)\s+(?:from\s+|at\s+)?(?P<t>{_TIME})", low):
        return [SetHours(days="", time=f"from {_t(m.group('t'))}")]
    if m := re.search(
        rf"\b(?:close|closes|closing|shut|shuts)\s+(?:at\s+|time\s+is\s+(?:now\s+)?)?(?P<t>{_TIME})", low
    ):
        return [SetHours(days="", time=f"until {_t(m.group('t'))}")]
    return None


def _t(time: str) -> str:
    return time.replace(" ", "")


def _people(r: Reader, clause: str) -> list[Operation] | None:
    text = r.quoted.restore(clause)
    name = r"(?P<n>[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+){0,3})"
    if m := re.match(
        rf"^(?:add|welcome)\s+(?:Dr\.?\s+)?{name}\s*(?:,|as|-|—)\s*"
        rf"(?:our\s+|the\s+|a\s+|an\s+|new\s+)*(?P<r>[\w' -]{{2,40}})$",
        text,
    ):
        role = re.sub(r"\s+to\s+the\s+team$", "", m.group("r"), flags=re.I)
        return [AddPerson(name=m.group("n"), role=cap(role))]
    if m := re.match(rf"^(?:add)\s+{name}\s+to\s+(?:the\s+|our\s+)?(?:team|staff|people)$", text):
        return [AddPerson(name=m.group("n"))]
    people = [str(p.get("name", "")) for p in r.spec.copy_text.get("team", []) if isinstance(p, dict)]
    m = re.match(
        r"^(?:remove|delete|drop|take)\s+(?P<n>.+?)(?:\s+(?:from|off)\s+(?:the\s+|our\s+)?(?:team|staff|site|page))?$",
        text,
        re.I,
    )
    m = m or re.match(r"^(?P<n>.+?)\s+(?:has|have)\s+left(?:\s+the\s+team)?$", text, re.I)
    if m and (who := find(people, m.group("n"))):
        return [RemovePerson(name=who)]
    return None


def _offer_names(r: Reader) -> list[str]:
    return list(dict.fromkeys(str(o.get("name", "")) for o in edit_prices.offers_on_site(r) if o.get("name")))


def _currency(r: Reader) -> str:
    return str(r.spec.brief.get("currency", "")) if r.spec.brief else ""


def _offerings(r: Reader, clause: str) -> list[Operation] | Unclear | None:
    text = r.quoted.restore(clause)
    names = _offer_names(r)
    price_of = re.match(
        r"^(?:(?:change|set|update|make|raise|lower|increase|reduce|drop|put)\s+(?:the\s+)?price\s+(?:of|for)\s+"
        r"(?P<n>.+?)\s+(?:to|at)|(?:make|put)\s+(?P<n2>.+?)(?:\s+to)?|(?:the\s+)?(?P<n3>.+?)\s+(?:now\s+)?"
        r"(?:costs?|is\s+now|are\s+now|should\s+(?:be|cost)|goes\s+up\s+to|goes\s+down\s+to|price\s+is\s+now|:))\s+"
        r"(?P<p>\S.*)$",
        text,
        re.I,
    )
    if price_of and (found := facts.offerings(f"x {price_of.group('p')}", _currency(r))[0]):
        query = price_of.group("n") or price_of.group("n2") or price_of.group("n3")
        if who := find(names, query):
            return [SetOffering(name=who, price=found[0].price, add=False)]
        if price_of.group("n") or price_of.group("n3"):
            return Unclear(
                text=text, example=r.words.examples["offer"], reason=f"there's no {query.strip()} on the site"
            )
    if (m := _res_add().match(text)) and not _names_text(r, text):
        found, _, _ = facts.offerings(text[m.end() :], _currency(r))
        found = found if all(o.name.strip(" .,:") for o in found) else []
        if not found and (one := edit_prices.new_item(text[m.end() :], _currency(r))):
            return [one]
        if found:
            return [SetOffering(name=cap(_ARTICLE.sub("", o.name)), price=o.price) for o in found]
        if re.search(r"\b(?:to|on)\s+the\s+(?:menu|list|range|shop|services|products)\b", text, re.I):
            rest = re.sub(r"\s+(?:to|on)\s+the\s+\w+$", "", text[m.end() :])
            return [SetOffering(name=cap(i)) for i in items(rest)] or None
    if m := _res_remove().match(text):
        rest = re.sub(r"\s+(?:from|off)\s+(?:the\s+|our\s+)?[\w ]+$", "", text[m.end() :])
        hits = [find(names, i) for i in items(rest)]
        if hits and all(hits):
            return [RemoveOffering(name=h) for h in dict.fromkeys(h for h in hits if h)]
    gone = re.match(
        r"^(?P<n>.+?)\s+(?:is|are|'s|'re)\s+(?:gone|no\s+more|discontinued|off\s+the\s+\w+|"
        r"no\s+longer\s+(?:available|offered|on\s+(?:the\s+)?\w+))\b",
        text,
        re.I,
    )
    if gone and (name := edit_prices.item_named(names, gone.group("n"))):  # "hydro is gone, the pool's closed"
        return [RemoveOffering(name=name)]
    return _new_price(r, text, names)


def _names_text(r: Reader, text: str) -> bool:
    """Whether the words name a text of the site ("add a headline that says 'Brownies £3'"): not an item."""
    low = _norm(text)
    return any(re.search(rf"\b{re.escape(_norm(t))}\b", low) for ts in r.words.texts.values() for t in ts)


def _new_price(r: Reader, text: str, names: list[str]) -> list[Operation] | None:
    """Any other wording that names items of the site with prices (`jobs/edit_prices.py`)."""
    return None if _names_text(r, text) else edit_prices.read(r, text, names, _currency(r))


def _res_add() -> re.Pattern[str]:
    return re.compile(r"^(?:add|include|we\s+now\s+(?:sell|offer|do|make)|now\s+selling|new)\b\s*:?\s*", re.I)


def _res_remove() -> re.Pattern[str]:
    return re.compile(
        r"^(?:remove|delete|drop|take|get\s+rid\s+of|we\s+(?:no\s+longer|don't|do\s+not)\s+(?:sell|offer|do|make)|"
        r"no\s+more|stop\s+selling|discontinue)\b\s*",
        re.I,
    )
