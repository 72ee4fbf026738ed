"""Edit requests about the look: the template, a font, the main colour and the tone.

"switch to the Corner Cafe template", "use Oswald for the headings", "font: Lora please", "can we have a calm teal
colour for the site, #2a9d8f", "gold and black theme pls", "make it sound more fun and playful, its a bit stiff".
A request that also asks for what the look cannot change ("make the background navy", "make the logo red") is
answered as not understood rather than half done; those words are `look_refuse` in `jobs/data/edits.toml`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from jobs.brief import COLOURS, TONES
from jobs.edit_ops import Operation, SetColour, SetFont, SetTone, SwapTemplate, Unclear, edit_words
from jobs.generator import contrast

if TYPE_CHECKING:
    from jobs.edit_parse import Reader

_TONE_CUE = re.compile(r"\b(?:tone|more|less|sound|feel|voice|vibe|make\s+it|keep\s+it|style|look|go\s+for)\b")


def read(r: Reader, clause: str) -> list[Operation] | Unclear | None:
    low = clause.lower()
    if found := _template(r, clause, low):
        return found
    if found := _font(r, clause, low):
        return found
    ops: list[Operation] = []
    if colour := colour_in(low):
        ops.append(SetColour(colour=colour[1], name=colour[0]))
    tones = {t: t for t in TONES} | r.words.tones
    if (tone := next((w for w in tones if re.search(rf"\b{w}\b", low)), None)) and _TONE_CUE.search(low):
        ops.append(SetTone(tone=tones[tone]))
    refused = [w for w in r.words.look_refuse if re.search(rf"\b{re.escape(w)}\b", low)]
    if ops and refused:  # "make the background navy": more was asked than a main colour or a tone
        return Unclear(text=clause, example=r.words.examples["colour"], reason="I can only change the main colour")
    return ops or None


def _template(r: Reader, clause: str, low: str) -> list[Operation] | Unclear | None:
    if not re.search(r"\b(?:template|theme|layout|design)\b", low):
        return None
    for t in sorted(r.templates, key=lambda t: -len(t["name"])):
        if t["name"].lower() in low or t["slug"] in low or t["slug"].replace("-", " ") in low:
            return [SwapTemplate(slug=t["slug"])]
    if colour_in(low):  # "gold and black theme pls": a colour, not a template
        return None
    return Unclear(text=clause, example=r.words.examples["template"], reason="I don't know that template")


def _font(r: Reader, clause: str, low: str) -> list[Operation] | Unclear | None:
    words = r.words
    family = next((f for f in sorted(words.font_families, key=len, reverse=True) if _said(f.lower(), low)), "")
    plain = any(_said(f, low) for f in words.font_names)
    if not (family or plain or re.search(r"\b(?:fonts?|typefaces?|typography|lettering)\b", low)):
        return None
    which = "heading" if re.search(r"\b(?:headings?|headlines?|titles?)\b", low) else "both"
    which = "body" if re.search(r"\b(?:body|paragraphs?|main text)\b", low) else which
    if family:
        fallback = words.fonts[words.font_families[family]]
        name = f"{family} (a similar {words.font_families[family]} font where it is not installed)"
        return [SetFont(stack=f"'{family}', {fallback}", name=name, which=which)]
    name = next((f for f in sorted(words.fonts, key=len, reverse=True) if _said(f, low)), "")
    if not name:
        return Unclear(text=clause, example=words.examples["font"], reason="I don't know that font")
    return [SetFont(stack=words.fonts[name], name=name, which=which)]


def _said(phrase: str, low: str) -> bool:
    return bool(re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", low))


def colour_in(low: str) -> tuple[str, str] | None:
    """The colour a request names: a #hex code as written, else the first named colour that is not white (in
    "black and white" the white is the background's)."""
    if m := re.search(r"#[0-9a-f]{6}\b", low):
        return m.group(0), m.group(0)
    named = COLOURS | edit_words().colours
    said = sorted(
        ((m.start(), word) for word in named if (m := re.search(rf"\b{re.escape(word)}\b", low))),
        key=lambda hit: (hit[0], -len(hit[1])),
    )
    said = [(at, w) for at, w in said if not any(w != o and w in o and at >= a for a, o in said)]  # "dark green"
    light = [w for _, w in said if contrast(named[w], "#ffffff") < 1.3]
    pick = next((w for _, w in said if w not in light), said[0][1] if said else "")
    return (pick, named[pick]) if pick else None
