"""Icons for feature, service and team tiles: Lucide SVGs kept as data (`jobs/data/icons/`), chosen by the words
of the tile from `keywords.toml`, inlined into the page (no extra request, nothing that can go missing)."""

from __future__ import annotations

import functools
import re
import tomllib
from pathlib import Path

from markupsafe import Markup

ICONS = Path(__file__).parent / "data" / "icons"
_WORD = re.compile(r"[\w&'-]+")


@functools.cache
def _table() -> tuple[dict[str, str], str, tuple[str, ...]]:
    data = tomllib.loads((ICONS / "keywords.toml").read_text(encoding="utf-8"))
    words = {word.lower(): icon for icon, listed in data["icons"].items() for word in listed}
    return words, str(data["person"]), tuple(data["fallback"])


@functools.cache
def svg(name: str) -> Markup:
    """The named icon as inline SVG, hidden from assistive technology (the tile's heading says what it is)."""
    source = (ICONS / "lucide" / f"{name}.svg").read_text(encoding="utf-8")
    body = " ".join(source.split())
    body = body.replace("<svg ", '<svg class="icon" aria-hidden="true" focusable="false" ', 1)
    return Markup(body.replace(" >", ">"))


def choose(text: str, index: int = 0) -> str:
    """The icon for a tile's text: the first listed word in it (also without a plural ending); else the
    `index`-th fallback, so unmatched tiles in one section still differ."""
    words, _, fallback = _table()
    for raw in _WORD.findall(text.lower()):
        for word in (raw, raw.removesuffix("es"), raw.removesuffix("s")):
            if word in words:
                return words[word]
    return fallback[index % len(fallback)]


def icon(text: str, index: int = 0) -> Markup:
    """Inline SVG for a tile (called from the component templates as `icon(text, loop.index0)`)."""
    return svg(choose(str(text), int(index)))


def person() -> Markup:
    """The icon of a team member who has no photo."""
    return svg(_table()[1])
