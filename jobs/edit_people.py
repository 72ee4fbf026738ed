"""Edit requests about the people on the site, said the way teams say them: "add Dr Chloe Martin to the team, she's
our new associate dentist", "we hired Mei Tanaka as project architect", "New tutor: Karan Iyer, Maths",
"Beth has left, please take her off the team page", "Ben's moved on", "David is stepping down as accompanist,
Grace Kim is taking over".

Someone leaving must be a person on the site (by full or first name); someone new is a capitalised name of two or
three words that is not on the site yet. The words are in `jobs/data/edits.toml` (`people`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from jobs.edit_ops import AddPerson, Operation, RemovePerson, edit_words
from jobs.sentences import cap
from jobs.vocabulary import words

if TYPE_CHECKING:
    from jobs.edit_parse import Reader

_NAME = r"(?:(?:Dr|Prof|Mr|Mrs|Ms|Mx)\.?\s+)?[A-Z][\w'’-]+(?:\s+(?:van|de|von|da|del|di|le|la)?\s*[A-Z][\w'’-]+){1,2}"
_PLACE_WORDS = r"(?:team|staff|people|site|page|studio(?:\s+page)?|about(?:\s+page)?|team\s+page|list|website)"


def team_names(r: Reader) -> list[str]:
    return [str(p.get("name", "")) for p in r.spec.copy_text.get("team", []) if isinstance(p, dict) and p.get("name")]


def _on_site(r: Reader, said: str) -> str | None:
    """The person on the site these words name: their full name, or a first name only one of them has."""
    names = team_names(r)
    for name in names:
        if re.search(rf"\b{re.escape(_plain(name))}\b", said):
            return name
    firsts = {n: _plain(n).split()[0] for n in names if _plain(n)}
    hits = [n for n, first in firsts.items() if re.search(rf"\b{re.escape(first)}(?:['’]s)?\b", said)]
    return hits[0] if len(hits) == 1 else None


def _plain(name: str) -> str:
    return re.sub(r"^(?:Dr|Prof|Mr|Mrs|Ms|Mx)\.?\s+", "", name)


def read(r: Reader, clause: str) -> list[Operation] | None:
    text = r.quoted.restore(clause)
    said = edit_words().people
    leaving = re.search(rf"\b(?:{'|'.join(said['leaving'])})\b", text, re.I)
    joining = bool(re.search(rf"\b(?:{'|'.join(said['joining'])})\b", text, re.I) or _new_label(text))
    if not joining and re.match(r"^(?:add|include|put|list)\b", text, re.I):
        joining = bool(re.search(rf"\b(?:{'|'.join(said['team'])})\b", text, re.I))
    ops: list[Operation] = []
    gone = _on_site(r, text) if leaving else None
    if gone:
        ops.append(RemovePerson(name=gone))
    if joining or (gone and re.search(r"\btak(?:es|ing)\s+over\b|\breplac", text, re.I)):
        new = [
            n for n in re.findall(_NAME, text) if not _on_site(r, n) and n.split()[0].lower() not in said["not_names"]
        ]
        if new:  # the first new name is the person; any after it are their role ("…, Computer Science")
            role = _role(text, new[0]) or (_role_of(r, gone) if gone else "")
            ops.append(AddPerson(name=new[0], role=role))
    return ops or None


def _role(text: str, name: str) -> str:
    """The role said with a new person: "… as project architect", "…, she's our new junior groomer", "New tutor:
    Karan Iyer, Maths" (the detail after the name, else the label)."""
    after = text[text.index(name) + len(name) :]
    after = re.sub(rf"^\s*(?:to|on|onto)\s+(?:the\s+|our\s+)?{_PLACE_WORDS}\b", "", after, flags=re.I)
    m = re.match(
        r"^\s*(?:,|-|–|—|:|\bas\b|\bwho\s+is\b|\bis\s+joining\s+as\b|\bjoins\s+as\b)?\s*"
        r"(?:(?:s?he|they)\s*(?:['’]?s|\s+is|\s+are|['’]re)\s+)?(?:(?:our|the|a|an|new)\s+)*"
        r"(?P<r>[\w][\w &'/-]{1,40}?)\s*(?:,|$|\.|;|\band\s+(?:add|put)\b)",
        after,
        re.I,
    )
    role = m.group("r").strip() if m else ""
    if not role or re.match(rf"^(?:add|put|please|pls|is|was|will|has|have|takes|taking|{_PLACE_WORDS})\b", role, re.I):
        return _new_label(text)
    return cap(role)


def _new_label(text: str) -> str:
    """The role a message opens with: "New tutor: Karan Iyer" → "Tutor" (a role of brief.toml's people labels)."""
    m = re.match(r"^\s*(?:(?:a|our|the)\s+)?new\s+(?P<l>[\w -]{2,30}?)\s*:", text, re.I)
    label = m.group("l").strip() if m else ""
    known = words().people_labels
    return cap(label) if label and (label.lower() in known or label.lower().removesuffix("s") in known) else ""


def _role_of(r: Reader, name: str) -> str:
    team = [p for p in r.spec.copy_text.get("team", []) if isinstance(p, dict) and p.get("name") == name]
    return str(team[0].get("role", "")) if team else ""
