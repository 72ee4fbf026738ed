"""A prompt's sentences: split where a sentence ends, not after "Dr." or inside "3.50" and e-mail addresses, with
greetings dropped and a build request split from the facts that follow it."""

from __future__ import annotations

import re

from jobs.vocabulary import words

BUILD = re.compile(
    r"^.*?\b(?:website|web site|site|landing page|homepage|home page|page|portfolio|one-pager)\s+(?:for|about)\s+",
    re.I,
)
"""The request part of a sentence ("Build a website for "), up to where the organisation is named."""
_GREETING = re.compile(r"(?:(?:hi|hello|hey|hiya|thanks|thank you|cheers|ok|okay)(?:\s+there)?[\s!.,]*)+", re.I)
_CLAUSE_START = re.compile(r"^(?:we|we're|our|i|i'm|it|it's|they|there|everyone|all)\b", re.I)


def cap(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def ends_abbreviation(text: str) -> bool:
    """Whether the text ends with an abbreviation's full stop ("… Dr."), where a sentence does not end."""
    before = text.rstrip(".").split()
    return bool(before) and before[-1].lower() in words().abbreviations


def sentences(text: str) -> list[str]:
    """The prompt's sentences (and ;-clauses), not split after "Dr." or inside "3.50" and e-mail addresses."""
    out: list[str] = []
    for part in re.split(r"(?<=[.!?;])\s+|\n+|\s+\|\s+|\s+[—–]\s+(?!(?:those|these|the|all)\s+(?:\w+\s+)?pages)", text):
        if out and out[-1].endswith(".") and ends_abbreviation(out[-1]):
            out[-1] = f"{out[-1]} {part}"
        elif part.strip(" ;") and not _GREETING.fullmatch(part.strip()):
            out.append(part)
    return [piece for s in out for piece in _split_intro(s.strip().rstrip(";").strip()) if piece.strip(" .;")]


def _split_intro(sentence: str) -> list[str]:
    """ "A site for the Riverside Book Club in Bristol: we meet on Tuesdays" is two sentences; a label and its
    list ("Menu: soup, bread") stay one."""
    if m := re.search(r",\s+and\s+(?=(?:we|i|they)\s)", sentence, re.I):  # "…, and we compete in Valorant"
        return [*_split_intro(sentence[: m.start()]), cap(sentence[m.end() :])]
    if (m := re.search(r",\s+(?=(?:we|we're|our|i|i'm|they)\s)", sentence, re.I)) and BUILD.match(sentence):
        return [*_split_intro(sentence[: m.start()]), sentence[m.end() :]]  # "a site for my band X, we play rock"
    head, colon, tail = sentence.partition(": ")
    if colon and len(head.split()) >= 4 and (BUILD.match(head + " ") or _CLAUSE_START.match(tail)):
        return [head, tail]
    return [sentence]
