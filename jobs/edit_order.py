"""Edit requests about the order of pages said without the word "page": "put pricing before the gallery", "swap
the order so the gallery comes before the menu", "swap menu and gallery", "contact should go last".

Read only when the words name pages the site has; a request that says "section" is left to the section reader.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from jobs.edit_ops import MovePage, Operation

if TYPE_CHECKING:
    from jobs.edit_parse import Reader

_RELATION = re.compile(
    r"\b(?P<w>before|after|ahead\s+of|in\s+front\s+of|above|below|under|behind|first|last|to\s+the\s+(?:front|end))\b",
    re.I,
)
_WHERE = {"ahead of": "before", "in front of": "before", "above": "before", "below": "after", "under": "after"}
_WHERE |= {"behind": "after", "to the front": "first", "to the end": "last"}
_ORDER_WORDS = re.compile(r"\b(?:order|swap|switch|move|put|place|come|comes|go|goes|should|be|reorder|list)\b", re.I)


def pages_named(r: Reader, text: str) -> list[tuple[int, str]]:
    """The site's pages (not the home page) these words name, with where each is named, in the text's order."""
    low = text.lower()
    found: dict[str, int] = {}
    for page in r.spec.pages[1:]:
        for name in {page.title.lower(), page.slug.replace("-", " ")}:
            if m := re.search(rf"\b{re.escape(name)}\b", low):
                found[page.slug] = min(found.get(page.slug, m.start()), m.start())
    return sorted((at, slug) for slug, at in found.items())


def read(r: Reader, clause: str) -> list[Operation] | None:
    text = r.quoted.restore(clause)
    if re.search(r"\bsections?\b", text, re.I) or not _ORDER_WORDS.search(text):
        return None
    named = pages_named(r, text)
    if m := re.match(r"^(?:swap|switch|exchange|flip)\s+(?:round\s+|around\s+)?(?P<rest>.+)$", text, re.I):
        if len(named) == 2 and not _RELATION.search(m.group("rest")):
            return _swap(r, named[0][1], named[1][1])
    rel = _RELATION.search(text)
    if not rel:
        return None
    word = " ".join(rel.group("w").lower().split())
    where = _WHERE.get(word, word)
    before = [slug for at, slug in named if at < rel.start()]
    after = [slug for at, slug in named if at >= rel.end()]
    if where in ("first", "last") and len(named) == 1:
        return [MovePage(slug=named[0][1], where=where)]
    if where in ("before", "after") and before and after:
        return [MovePage(slug=before[-1], where=where, other=after[0])]
    return None


def _swap(r: Reader, a: str, b: str) -> list[Operation]:
    """Two pages trade places: one move when they are neighbours, two otherwise."""
    order = [p.slug for p in r.spec.pages[1:]]
    first, second = sorted((a, b), key=order.index)
    i, j = order.index(first), order.index(second)
    if j == i + 1:
        return [MovePage(slug=first, where="after", other=second)]
    return [
        MovePage(slug=first, where="after", other=second),
        MovePage(slug=second, where="before", other=order[i + 1]),
    ]
