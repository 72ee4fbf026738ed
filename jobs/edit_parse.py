"""Edit instruction → typed operations, read against the site's brief and plan (its pages, offerings, people).

Each clause of the message (`jobs.edit_split`) is read by the first reader that recognises it: text, the name,
pages, facts (offerings, hours, contact details, people, testimonials), sections, the look (template, font,
colour, tone), then a plain "change X to Y" of words on the site. A clause none of them reads is kept as
unclear, with a phrasing that works. The words are data (`jobs/data/edits.toml`); nothing here reads page HTML.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from jobs import edit_facts, edit_order, edit_style
from jobs.edit_ops import (
    MAX_VALUE,
    AddPage,
    AddSection,
    EditTooBig,
    EditWords,
    MovePage,
    MoveSection,
    Operation,
    RemovePage,
    RemoveSection,
    Rename,
    RenamePage,
    ReplaceText,
    SetText,
    Unclear,
    Understood,
    edit_words,
)
from jobs.edit_split import Quoted, clauses
from jobs.generator import SiteSpec


def alt(words: list[str] | set[str]) -> str:
    """A regex alternation of phrases, longest first, spaces matching any run of spaces."""
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


@functools.cache
def _res() -> dict[str, re.Pattern[str]]:
    w = edit_words()
    targets = alt({t for ts in w.texts.values() for t in ts})
    add, remove = alt(w.add), alt(w.remove)
    return {
        "filler": re.compile(rf"^(?:(?:{alt(w.fillers)})\b[\s,]*)+", re.I),
        "to_value": re.compile(
            rf"^(?:{alt(w.change)})\s+(?:the\s+|our\s+|my\s+)?(?:home(?:\s*page)?\s+|main\s+)?(?P<t>{targets})"
            r"(?:\s+text)?\s+(?:to\s+(?:say|read)|to|with|as|so\s+(?:it|that\s+it)\s+(?:says|reads)|into|say|read|:)"
            r"\s*:?\s*"
            r"(?P<v>.+)$",
            re.I,
        ),
        "should": re.compile(
            rf"^(?:the\s+|our\s+|my\s+)?(?:new\s+)?(?P<t>{targets})\s*(?:should|must|needs?\s+to|has\s+to|can|could)"
            r"\s+(?:say|read|be)\s*:?\s*(?P<v>.+)$",
            re.I,
        ),
        "is_now": re.compile(
            rf"^(?:the\s+|our\s+|my\s+)?(?:new\s+)?(?P<t>{targets})\s*(?:is\s+now|now|is|:|=)\s*(?P<v>.+)$", re.I
        ),
        "use_as": re.compile(
            rf"^(?:use|make|put|have|set)\s+(?P<v>.+?)\s+(?:as|for|in)\s+(?:the\s+|our\s+)?(?P<t>{targets})$", re.I
        ),
        "target": re.compile(rf"\b(?:{targets})\b", re.I),
        "rename": re.compile(
            r"^(?:rename\s+(?:it|us|the\s+(?:site|business|company|shop|website))?\s*(?:to|as)?|call\s+(?:it|us|the\s+"
            r"(?:site|business))|change\s+(?:the\s+|our\s+)?(?:business\s+|site\s+|company\s+|shop\s+)?name\s+to|"
            r"(?:the\s+|our\s+)?(?:business\s+|site\s+|company\s+)?name\s+(?:should\s+be|is\s+now|is)|"
            r"we(?:'re|\s+are)\s+now\s+called|we\s+are\s+called|it'?s\s+(?:now\s+)?called)\s+(?P<v>.+)$",
            re.I,
        ),
        "add": re.compile(rf"^(?:{add})\b\s*", re.I),
        "remove": re.compile(rf"^(?:{remove})\b\s*", re.I),
        "move": re.compile(rf"^(?:{alt(w.move)})\b\s*", re.I),
        "replace": re.compile(
            r"^(?:replace|change|swap|switch|turn|update)\s+(?:the\s+(?:words?|text|phrase)\s+)?(?P<o>.+?)\s+"
            r"(?:with|to|for|by|into)\s+(?P<v>.+)$",
            re.I,
        ),
    }


class Reader:
    """Reads the clauses of one message against one site."""

    def __init__(self, spec: SiteSpec, templates: list[dict[str, Any]]) -> None:
        self.spec, self.templates = spec, templates
        self.words: EditWords = edit_words()
        self.quoted = Quoted("")

    def value(self, raw: str) -> str:
        text = self.quoted.restore(raw).strip()
        text = re.sub(r"^(?:say|read|says|reads)\s*:?\s+", "", text, flags=re.I)
        if not Quoted.is_slot(raw):  # a trailing full stop goes, unless the text is sentences ("Climb more. Go.")
            end = text.rstrip()[-1:] if re.search(r"[.!?]\s+\S", text) and text.rstrip()[-1:] in ".!?" else ""
            text = text.strip(" .,:;!\"'“”‘’") + end
        if len(text) > MAX_VALUE:
            raise EditTooBig("a new text", len(text), MAX_VALUE)
        return text

    def example(self, clause: str) -> str:
        low, ex = clause.lower(), self.words.examples
        checks: list[tuple[bool, str]] = [
            (bool(_res()["target"].search(low)), "text"),
            ("template" in low or "theme" in low, "template"),
            ("font" in low or "typeface" in low, "font"),
            (bool(re.search(r"colou?r|shade|palette", low)), "colour"),
            ("tone" in low or "voice" in low, "tone"),
            (bool(re.search(r"\bpages?\b", low)), "page"),
            (bool(re.search(r"\bopen|clos|hours\b", low)), "hours"),
            (bool(re.search(r"\bprice|£|\$|€|\bcost", low)), "offer"),
            (bool(re.search(r"\bphone|e-?mail|address", low)), "contact"),
            (bool(re.search(r"testimonial|review|quote", low)), "testimonial"),
            (bool(re.search(r"\bsections?\b", low)), "section"),
        ]
        return ex[next((k for hit, k in checks if hit), "general")]

    def read(self, instruction: str) -> Understood:
        parts, self.quoted = clauses(instruction)
        out = Understood()
        for clause in parts:
            clause = _res()["filler"].sub("", clause).strip()
            if not clause:
                continue
            found = self.clause(clause)
            if isinstance(found, Unclear):
                out.unclear.append(found)
            else:
                out.operations += found
                out.sources += [self.quoted.restore(clause)[:120]] * len(found)
        return out

    def clause(self, clause: str) -> list[Operation] | Unclear:
        readers: list[Callable[[str], list[Operation] | Unclear | None]] = [
            self._text,
            self._rename,
            self._pages,
            lambda c: edit_facts.read(self, c),
            lambda c: edit_order.read(self, c),
            self._sections,
            lambda c: edit_style.read(self, c),
            self._replace,
        ]
        for reader in readers:
            found = reader(clause)
            if found:
                return found
        return Unclear(text=self.quoted.restore(clause)[:120], example=self.example(clause))

    # --- words on the site ----------------------------------------------------------------------------------
    def text_key(self, target: str) -> str:
        target = " ".join(target.lower().split())
        return next(k for k, ts in self.words.texts.items() if target in ts)

    def _text(self, clause: str) -> list[Operation] | Unclear | None:
        r = _res()
        for name in ("to_value", "should", "use_as", "is_now"):
            if (m := r[name].match(clause)) and (value := self.value(m.group("v"))):
                if name == "is_now" and not (Quoted.is_slot(m.group("v")) or ":" in clause or "now" in clause):
                    continue
                return [SetText(key=self.text_key(m.group("t")), value=value)]
        return None

    def _rename(self, clause: str) -> list[Operation] | None:
        if re.search(r"\bpage\b", clause, re.I) and not re.match(r"^(?:rename|call)\s+(?:it|us)\b", clause, re.I):
            return None
        page = re.match(
            r"^(?:rename|retitle)\s+(?:the\s+|our\s+)?(?P<p>[\w' -]+?)\s+(?:to|as)\s+(?P<v>.+)$", clause, re.I
        )
        if page and (slug := self.page_named(page.group("p"))) and slug != "index":  # "rename reviews to Kind Words"
            return [RenamePage(slug=slug, title=_title(self.value(page.group("v")))[:40])]
        if (m := _res()["rename"].match(clause)) and (name := self.value(m.group("v"))[:60].rstrip()):
            return [Rename(name=name)]
        return None

    # --- pages ----------------------------------------------------------------------------------------------
    def page_named(self, words: str) -> str:
        """The slug of the site's page these words name ("the menu", "Our Menu", "menu"), "" when none."""
        low = " ".join(re.sub(r"\b(?:the|our|my|a|an|page|pages|tab)\b", " ", words.lower()).split())
        if not low:
            return ""
        for p in self.spec.pages:
            if low in (p.slug, p.title.lower(), p.slug.replace("-", " ")):
                return p.slug
        for p in self.spec.pages:
            if p.slug != "index" and re.search(rf"\b{re.escape(low)}\b", p.title.lower()):
                return p.slug
        return "index" if low in ("home", "homepage", "home page", "front", "main") else ""

    def _pages(self, clause: str) -> list[Operation] | Unclear | None:
        if not re.search(r"\b(?:pages?|tabs?)\b", clause, re.I):
            return None
        low = clause.lower()
        if m := re.match(
            r"^(?:rename|retitle|call|change\s+the\s+(?:title|name)\s+of)\s+(?P<p>.+?\bpage)\s+(?:to\s+|as\s+)?(?P<v>.+)$"
            r"|^(?P<p2>(?:the\s+)?.+?\bpage)\s+should\s+be\s+called\s+(?P<v2>.+)$",
            clause,
            re.I,
        ):
            slug = self.page_named(m.group("p") or m.group("p2"))
            title = _title(self.value(m.group("v") or m.group("v2")))[:40].strip()
            if slug and title:
                return [RenamePage(slug=slug, title=title)]
            return Unclear(text=clause, example=self.words.examples["page"], reason="I can't find that page")
        if _res()["move"].match(clause):
            return self._move_page(clause)
        if m := _res()["remove"].match(clause):  # "get rid of the FAQ page we dont need it": up to "page"
            named = re.split(r"\bpages?\b", clause[m.end() :], maxsplit=1, flags=re.I)[0]
            slugs = [self.page_named(i) for i in edit_facts.items(named)]
            if slugs and all(slugs):
                return [RemovePage(slug=s) for s in dict.fromkeys(slugs)]
            return Unclear(text=clause, example=self.words.examples["page"], reason="there's no such page")
        if (m := _res()["add"].match(clause)) and not self._where(clause)[1]:
            rest = clause[m.end() :]
            if n := re.match(r"^(?:an?\s+)?(?:new\s+)?pages?\s+(?:called|named|for|about|titled)\s+(.+)$", rest, re.I):
                titles = [self.value(n.group(1))]
            else:
                named = [re.split(r"\s+pages?\b", i, maxsplit=1, flags=re.I)[0] for i in edit_facts.items(rest)]
                titles = [re.sub(r"^(?:an?|the|new|one)\s+", "", i, flags=re.I) for i in named]
            titles = [_title(self.quoted.restore(t)) for t in titles if t and len(t.split()) <= 4]
            if titles and "index" not in low.split():
                return [AddPage(title=t[:40]) for t in titles]
        return None

    def _move_page(self, clause: str) -> list[Operation] | Unclear:
        m = re.match(
            r"^\w+\s+(?P<p>.+?\bpage)\s+(?:to\s+the\s+)?(?P<w>first|front|start|beginning|left|last|end|right|"
            r"before|after)\b(?:\s+(?:the\s+)?(?P<o>.+))?$",
            clause,
            re.I,
        )
        slug = self.page_named(m.group("p")) if m else ""
        if not m or not slug or slug == "index":
            return Unclear(text=clause, example="move the contact page first", reason="I can't find that page")
        where = {"front": "first", "start": "first", "beginning": "first", "left": "first"}.get(m.group("w").lower())
        where = where or {"end": "last", "right": "last"}.get(m.group("w").lower(), m.group("w").lower())
        other = self.page_named(m.group("o") or "") if where in ("before", "after") else ""
        if where in ("before", "after") and not other:
            return Unclear(text=clause, example="move the contact page before the menu page")
        return [MovePage(slug=slug, where=where, other=other)]

    # --- sections -------------------------------------------------------------------------------------------
    def section_kind(self, words: str) -> str:
        low = " ".join(re.sub(r"\b(?:the|our|my|a|an|new|sections?|blocks?|parts?|area)\b", " ", words.lower()).split())
        for kind, section in self.words.sections.items():
            if low in section.words:
                return kind
        return ""

    def _where(self, clause: str) -> tuple[str, str]:
        """The clause without "on the X page" / "to the X page", and that page's slug ("" when none is named)."""
        if m := re.search(
            r"\s+(?:on|to|from|in|onto|off)\s+(?P<p>(?:the\s+)?[\w' -]+?\s+page|the\s+home\s*page)$", clause, re.I
        ):
            return clause[: m.start()], self.page_named(m.group("p")) or "?"
        return clause, ""

    def _sections(self, clause: str) -> list[Operation] | Unclear | None:
        body, page = self._where(clause)
        if page == "?":
            return Unclear(text=clause, example=self.words.examples["section"], reason="I can't find that page")
        if m := _res()["move"].match(body):
            return self._move_section(body[m.end() :], page or "index")
        for verb, make in (("add", AddSection), ("remove", RemoveSection)):
            if m := _res()[verb].match(body):
                items = edit_facts.items(body[m.end() :])
                kinds = [self.section_kind(i) for i in items]
                slugs = [self.page_named(i) for i in items]
                if verb == "remove" and items and all(slugs) and not re.search(r"\bsections?\b", body, re.I):
                    gone: list[Operation] = [RemovePage(slug=s) for s in slugs if s != "index"]
                    return gone + [RemoveSection(kind=k, optional=True) for k in dict.fromkeys(kinds) if k] or None
                if kinds and all(kinds):
                    target = page or ("index" if verb == "add" else "")
                    return [make(kind=k, page=target) for k in dict.fromkeys(kinds)]
        return None

    def _move_section(self, rest: str, page: str) -> list[Operation] | Unclear | None:
        m = re.match(
            r"^(?P<s>.+?)\s+(?:section\s+)?(?:(?:up\s+)?to\s+the\s+)?(?P<w>top|first|up|bottom|end|last|down|higher|"
            r"lower|before|after|above|below|under)\b(?:\s+(?:the\s+)?(?P<o>.+))?$",
            rest,
            re.I,
        )
        if not m or not (kind := self.section_kind(m.group("s"))):
            return None
        w = m.group("w").lower()
        where = {"first": "top", "higher": "up", "end": "bottom", "last": "bottom", "lower": "down"}.get(w, w)
        where = {"above": "before", "below": "after", "under": "after"}.get(where, where)
        other = self.section_kind(m.group("o") or "") if where in ("before", "after") else ""
        if where in ("before", "after") and not other:
            return Unclear(text=rest, example="move the faq section above the testimonials")
        return [MoveSection(kind=kind, where=where, other=other, page=page)]

    # --- "change X to Y" of any words on the site -----------------------------------------------------------
    def _replace(self, clause: str) -> list[Operation] | None:
        if not (m := _res()["replace"].match(clause)):
            return None
        old, new = self.value(m.group("o")), self.value(m.group("v"))
        old = (
            re.sub(r"^(?:the\s+)?(?:words?|text|phrase)\s+", "", old, flags=re.I)
            if not Quoted.is_slot(m.group("o"))
            else old
        )
        if old and old != new:
            return [ReplaceText(old=old, new=new)]
        return None


def _title(text: str) -> str:
    text = re.sub(r"\s+(?:instead|please|pls|now|thanks)$", "", text.strip(" .,!\"'"), flags=re.I).strip(" .,\"'")
    return "FAQ" if text.lower() in ("faq", "faqs") else text[:1].upper() + text[1:]


def understand(spec: SiteSpec, instruction: str, templates: list[dict[str, Any]] | None = None) -> Understood:
    """The operations `instruction` asks for on this site, and the parts of it that were not understood."""
    return Reader(spec, templates or []).read(instruction)
