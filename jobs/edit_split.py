"""One message, several requests: split an edit instruction into clauses, keeping quoted text whole.

Quoted text ("…", “…”, '…') is set aside first, so nothing inside quotes splits a request or is read as one.
A message splits at new lines, at ";" and at the end of a sentence; inside a sentence it splits at "and", "," or
"then" only where what follows starts a request of its own ("… and remove the menu page"); otherwise the words
after it belong to the same request ("add a gallery page and a faq page", "change the tagline to bread and cakes").
"""

from __future__ import annotations

import functools
import re

from jobs.edit_ops import edit_words

_QUOTE = re.compile(r"\"([^\"]*)\"|“([^”]*)”|(?<![\w])'([^']*)'(?![\w])|‘([^’]*)’")
_SLOT = re.compile(r"\x00(\d+)\x00")
_HARD = re.compile(r"\s*(?:[\n;]+|(?<=[.!?])\s+(?=\S))\s*")
_ABBREVIATION = re.compile(r"(?:\b(?:dr|st|mr|mrs|ms|mx|prof|no|e\.g|i\.e|etc|approx|vs)\.|\.\.\.)$", re.I)
_SOFT = re.compile(r"\s*(?:,\s*(?:and\s+|then\s+|also\s+|plus\s+)?|\s+(?:and|then|&|\+|plus)\s+(?:also\s+|then\s+)?)")
_QUESTION_START = re.compile(r"^(?:add|put|include)\s+(?:a\s+|an\s+|another\s+|new\s+)*(?:faq|question|q&a)\b", re.I)
"""A request that adds a question and its answer: nothing inside it starts another request."""


class Quoted:
    """The quoted parts of one message, each replaced by a slot marker."""

    def __init__(self, text: str) -> None:
        self.parts: list[str] = []
        self.text = _QUOTE.sub(self._keep, text)

    def _keep(self, m: re.Match[str]) -> str:
        self.parts.append(next(g for g in m.groups() if g is not None))
        return f"\x00{len(self.parts) - 1}\x00"

    def restore(self, text: str) -> str:
        return _SLOT.sub(lambda m: self.parts[int(m.group(1))], text)

    @staticmethod
    def is_slot(text: str) -> bool:
        return bool(_SLOT.fullmatch(text.strip()))


def _starts_request(piece: str) -> bool:
    low = piece.lower().lstrip()
    return any(low == w or low.startswith(f"{w} ") for w in edit_words().starts) or bool(
        re.match(r"^(?:the|our|its|my)\s+[\w -]{1,30}?\s+(?:should|must|needs?|is now|are now|to)\b", low)
        or re.match(r"^[\w'’-]+(?:\s+[\w'’-]+)?\s+(?:is\s+now|is\s+our|got\s+promoted|has\s+left|left)\b", low)
        or re.match(r"^[\w'’ -]{1,40}?\s+is\s+(?:now\b|gone\b|no\s+more\b|[$£€¥₹]?\d)", low)  # "hydro is gone"
    )


@functools.cache
def _text_label() -> re.Pattern[str]:
    """ "headline:", "new tagline:" … opening a sentence (any name of a text of the site)."""
    targets = "|".join(re.escape(t) for ts in edit_words().texts.values() for t in sorted(ts, key=len, reverse=True))
    return re.compile(rf"^(?:new\s+|the\s+)?(?:{targets})\s*:\s*\S", re.I)


def _text_goes_on(sentence: str, piece: str) -> bool:
    """Whether a new text was being given ("headline: Climb more.") and the next sentence is more of it."""
    said = _text_label().match(sentence) or (_QUESTION_START.match(sentence) and sentence.rstrip().endswith("?"))
    return bool(said) and "\n" not in piece and not _starts_request(piece) and len(piece.split()) <= 12


def clauses(text: str) -> tuple[list[str], Quoted]:
    """The requests of one message (with quoted text in slots) and the quoted text."""
    quoted = Quoted(" ".join(text.replace("\r", "\n").split(" ")))
    out: list[str] = []
    sentences: list[str] = []
    for piece in _HARD.split(quoted.text):
        if sentences and (_ABBREVIATION.search(sentences[-1]) or _text_goes_on(sentences[-1], piece)):
            sentences[-1] = f"{sentences[-1]} {piece}"  # "Dr. Khan", "headline: Climb more. Think less."
        else:
            sentences.append(piece)
    for sentence in sentences:
        keep = sentence.rstrip()[-1:] if re.search(r"[.!?]\s+\S", sentence) else ""  # "headline: Go. Now."
        sentence = sentence.strip(" .!?\t") + (keep if keep in (".", "!", "?") else "")
        if _QUESTION_START.match(sentence):
            out.append(sentence)
            continue
        current, start, previous_end = "", 0, 0
        for m in [*_SOFT.finditer(sentence), None]:
            end = m.start() if m else len(sentence)
            piece = sentence[start:end].strip()
            if piece and current and not _starts_request(piece):
                current = f"{current}{sentence[previous_end:start]}{piece}"
            elif piece:
                out.append(current)
                current = piece
            previous_end, start = end, (m.end() if m else end)
        out.append(current)
    return [" ".join(c.split()) for c in out if c.strip(" .,")], quoted
