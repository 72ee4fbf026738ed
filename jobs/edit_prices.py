"""New prices said any way: "the rose box is £55 now", "bump the boiler service to £95", "flat white is €3.80 now
and oat latte €4.40", "large dog full groom is 120 now and small dog is 80", "shoe rental is free now".

Each price is paired with the words before it (back to the previous price); those words must name exactly one item
on the site, by its words in any order ("large dog full groom" is "Full groom large dog"). When any price names no
item, or more than one, nothing is read: the request is answered as not understood rather than half done.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from jobs import facts
from jobs.edit_ops import Operation, SetOffering, edit_words

if TYPE_CHECKING:
    from jobs.edit_parse import Reader

_FREE = re.compile(r"\b(?P<price>free)\b(?P<note>)", re.I)


def stem(word: str) -> str:
    """A word without its plural ending ("classes" → "class", "berries" → "berry", "pass" stays)."""
    word = edit_words().item_words.get(word, word)
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "ches", "shes", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _tokens(text: str) -> set[str]:
    filler = set(edit_words().price_fillers)
    said = [re.sub(r"['’]s$", "", w) for w in re.findall(r"[a-z0-9]+(?:['’][a-z]+)?", text.lower())]
    return {stem(w) for w in said if w not in filler} - filler


def item_named(names: list[str], text: str) -> str | None:
    """The one item these words name: all their words are the item's, or all the item's words are in them."""
    said = _tokens(text)
    if not said:
        return None
    hits = [n for n in names if (own := _tokens(n)) and (_within(said, own) or own <= said)]
    if (
        len(hits) > 1
    ):  # "full groom small dog" names "Full groom small dog", not "Full groom"; "brownie and bun" neither
        hits = [n for n in hits if all(_tokens(o) <= _tokens(n) for o in hits)]
    return hits[0] if len(hits) == 1 else None


def _within(said: set[str], own: set[str]) -> bool:
    """Every word said is one of the item's, or the start of one ("hydro" of "Hydrotherapy")."""
    return all(w in own or (len(w) >= 4 and any(o.startswith(w) for o in own)) for w in said)


def read(r: Reader, text: str, names: list[str], currency: str) -> list[Operation] | None:
    if _RELATIVE.search(text):
        return _relative(r, text, names)
    prices = [*facts.PRICE.finditer(text), *_FREE.finditer(text)] or [*facts.BARE.finditer(text)]
    prices = sorted((m for m in prices if m.group("price").lower() == "free" or _valid(m)), key=lambda m: m.start())
    if not prices or not names:
        return None
    ops: dict[str, SetOffering] = {}
    last, previous = 0, ""
    for m in prices:
        words = text[last : m.start()]
        name = item_named(names, words) if _tokens(words) else previous  # "sourdough from £4.50 to £5"
        if not name:
            return None
        price = "Free" if m.group("price").lower() == "free" else facts.price_text(m, _sign(r, name) or currency)
        ops[name] = SetOffering(name=name, price=price.removeprefix("from "), add=False)
        last, previous = m.end(), name
    return list(ops.values())


_NEW_ITEM = re.compile(
    r"^(?:an?\s+|new\s+|another\s+)*(?:(?P<l>[\w -]{1,20}):\s*)?(?P<n>[^,:]{2,60}?)(?:,\s*(?P<d>[^,]{2,40}?))?"
    r"\s*(?:,|\bfor\b|\bat\b|[-–—])?\s*$"
)


def new_item(text: str, currency: str) -> SetOffering | None:
    """A new item said with a label and details before its price: "a class: Comp Night, fridays 5pm, $20" →
    "Comp Night (fridays 5pm)" at $20."""
    prices = [m for m in facts.PRICE.finditer(text) if _valid(m)]
    if len(prices) != 1 or text[prices[0].end() :].strip(" .!"):
        return None
    m = _NEW_ITEM.match(text[: prices[0].start()])
    if not m:
        return None
    name = m.group("n").strip() + (f" ({m.group('d').strip()})" if m.group("d") else "")
    label = (m.group("l") or "").strip()
    return SetOffering(name=name[:1].upper() + name[1:], price=facts.price_text(prices[0], currency), label=label)


_AMOUNT = (
    r"(?:(?:[A-Z]{1,3}\$|[$£€¥₹]|R|kr)\s?)?\d[\d,]*(?:\.\d{1,2})?"
    r"(?:\s?(?:euros?|eur|dollars?|bucks|quid|pounds?|kr|kroner|rand|yen|rupees|zł|chf))?|an?\s+(?:fiver|tenner)"
)
_RELATIVE = re.compile(
    rf"\b(?P<d1>up|down)\s+(?:by\s+)?(?P<a1>{_AMOUNT})|(?P<a2>{_AMOUNT})\s+(?P<d2>off|more|less|cheaper|dearer|extra)\b|"
    rf"\bknock\s+(?:off\s+)?(?P<a3>{_AMOUNT})(?:\s+off)?|"
    rf"\b(?P<d4>raise|increase|lower|reduce|cut|drop)\b[^$£€¥₹\d]{{0,40}}?\bby\s+(?P<a4>{_AMOUNT})",
    re.I,
)
_DOWN = {"down", "off", "less", "cheaper", "lower", "reduce", "cut", "drop"}


def _relative(r: Reader, text: str, names: list[str]) -> list[Operation] | None:
    """ "hot desk goes up 10 euro, fixed desk up 20", "knock a fiver off follow ups": the item's price moves by
    the amount, in the item's own currency and form."""
    cues = list(_RELATIVE.finditer(text))
    ops: list[Operation] = []
    for i, cue in enumerate(cues):
        start = cues[i - 1].end() if i else 0
        end = cues[i + 1].start() if i + 1 < len(cues) else len(text)
        name = item_named(names, text[start : cue.start()]) or item_named(names, text[cue.end() : end])
        old = _price_of(r, name) if name else ""
        amount = next(cue.group(g) for g in ("a1", "a2", "a3", "a4") if cue.group(g))
        direction = (cue.group("d1") or cue.group("d2") or cue.group("d4") or "off").lower()
        new = moved(old, _number(amount), down=direction in _DOWN or bool(cue.group("a3")))
        if not name or not new:
            return None
        ops.append(SetOffering(name=name, price=new, add=False))
    return ops or None


def _number(amount: str) -> float:
    low = amount.lower()
    if "fiver" in low or "tenner" in low:
        return 5.0 if "fiver" in low else 10.0
    digits = re.search(r"\d[\d,]*(?:\.\d{1,2})?", amount)
    return float(digits.group(0).replace(",", "")) if digits else 0.0


def moved(old: str, by: float, *, down: bool) -> str:
    """ "£60" moved by 5 down → "£55"; "€150/month" up 10 → "€160/month"; "" when the old price has no amount."""
    m = re.match(r"^(?P<pre>\D*?)(?P<num>\d[\d,]*(?:\.\d+)?)(?P<post>.*)$", old)
    if not m or by <= 0:
        return ""
    value = float(m.group("num").replace(",", "")) + (-by if down else by)
    if value < 0:
        return ""
    cents = "." in m.group("num") or value != int(value)
    number = f"{value:,.2f}" if cents else f"{int(value):,}"
    number = number if "," in m.group("num") else number.replace(",", "")
    return f"{m.group('pre')}{number}{m.group('post')}"


def offers_on_site(r: Reader) -> list[dict[str, object]]:
    """Every item the site shows: the site's list, then each page's own (an item may be in several)."""
    lists = [r.spec.copy_text.get("offers", []), *(p.content.get("offers", []) for p in r.spec.pages)]
    return [o for offers in lists for o in offers if isinstance(o, dict)]


def _price_of(r: Reader, name: str) -> str:
    return next((str(o.get("price", "")) for o in offers_on_site(r) if o.get("name") == name), "")


def _sign(r: Reader, name: str) -> str:
    """The currency sign the item's price is written with now ("C$20" → "C$"), for a new price said bare."""
    m = re.match(r"^(?:from\s+)?([^\d\s]{1,4})\s?\d", _price_of(r, name))
    return m.group(1) if m else ""


def _valid(m: re.Match[str]) -> bool:
    return facts.valid_price(m.group("price").removeprefix("from "))
