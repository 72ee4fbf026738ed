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
    return {stem(w) for w in re.findall(r"[a-z0-9]+(?:['’][a-z]+)?", text.lower()) if w not in filler}


def item_named(names: list[str], text: str) -> str | None:
    """The one item these words name: all their words are the item's, or all the item's words are in them."""
    said = _tokens(text)
    if not said:
        return None
    hits = [n for n in names if (own := _tokens(n)) and (said <= own or own <= said)]
    if (
        len(hits) > 1
    ):  # "full groom small dog" names "Full groom small dog", not "Full groom"; "brownie and bun" neither
        hits = [n for n in hits if all(_tokens(o) <= _tokens(n) for o in hits)]
    return hits[0] if len(hits) == 1 else None


def read(r: Reader, text: str, names: list[str], currency: str) -> list[Operation] | None:
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


def _sign(r: Reader, name: str) -> str:
    """The currency sign the item's price is written with now ("C$20" → "C$"), for a new price said bare."""
    lists = [r.spec.copy_text.get("offers", []), *(p.content.get("offers", []) for p in r.spec.pages)]
    for offer in (o for offers in lists for o in offers if isinstance(o, dict) and o.get("name") == name):
        if m := re.match(r"^(?:from\s+)?([^\d\s]{1,4})\s?\d", str(offer.get("price", ""))):
            return m.group(1)
    return ""


def _valid(m: re.Match[str]) -> bool:
    return facts.valid_price(m.group("price").removeprefix("from "))
