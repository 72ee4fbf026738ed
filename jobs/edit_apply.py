"""Operations → the next spec (its brief and plan) and the list of what changed, page by page.

An operation that would change nothing ("remove the faq" on a site without one) is not an error: it comes back
as a skip with the reason, and the rest still apply. The caps are checked here, before a replacement is made
(from the count of what it would replace) and on the spec it gives.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from pydantic import BaseModel

from jobs import edit_facts_apply, edit_look
from jobs.brief import Brief
from jobs.edit_common import EVERY_PAGE, Skip, component_for, has_facts, line, page_of, title_of
from jobs.edit_ops import (
    MAX_SPEC_BYTES,
    AddPage,
    AddSection,
    Change,
    EditTooBig,
    MovePage,
    MoveSection,
    Operation,
    RemovePage,
    RemoveSection,
    Rename,
    RenamePage,
    ReplaceText,
    SetColour,
    SetFont,
    SetText,
    SetTone,
    SwapTemplate,
    Unclear,
    edit_words,
)
from jobs.generator import DEFAULT_SECTIONS, PAGE_TITLES, PageSpec, SiteSpec
from jobs.packs import site_words
from jobs.plan_pages import added_page
from jobs.reading import slugify

HOME_KEYS = {"hero_title", "hero_text", "kicker"}


class Applied(BaseModel):
    spec: dict[str, Any]
    changes: list[Change]
    skipped: list[Unclear]


# --- words ----------------------------------------------------------------------------------------------------
def _what(key: str) -> str:
    return edit_words().texts[key][0]


def _set_text(spec: SiteSpec, op: SetText) -> list[Change]:
    old = spec.copy_text.get(op.key)
    if old == op.value:
        raise Skip("same")
    spec.copy_text[op.key] = op.value
    where = "Home" if op.key in HOME_KEYS else EVERY_PAGE
    changes = [Change(page=where, text=line("set_text", what=_what(op.key), value=op.value))]
    if op.key == "hero_text" and old and spec.copy_text.get("footer_text") == old:  # the footer repeats the tagline
        spec.copy_text["footer_text"] = op.value
        changes.append(Change(page=EVERY_PAGE, text=line("set_text", what=_what("footer_text"), value=op.value)))
    return changes


def _walk(value: Any, fn: Any) -> Any:
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, list):
        return [_walk(v, fn) for v in value]
    if isinstance(value, dict):
        return {k: _walk(v, fn) for k, v in value.items()}
    return value


def _count(value: Any, pattern: re.Pattern[str]) -> int:
    if isinstance(value, str):
        return len(pattern.findall(value))
    if isinstance(value, list):
        return sum(_count(v, pattern) for v in value)
    if isinstance(value, dict):
        return sum(_count(v, pattern) for v in value.values())
    return 0


def _replace_text(spec: SiteSpec, op: ReplaceText) -> list[Change]:
    texts = [spec.copy_text, *(p.content for p in spec.pages)]
    pattern = re.compile(re.escape(op.old))
    count = sum(_count(t, pattern) for t in texts)
    if not count:
        pattern = re.compile(rf"\b{re.escape(op.old)}\b", re.I)
        count = sum(_count(t, pattern) for t in texts)
    if not count:
        raise Skip("no_text", old=op.old)
    growth = max(len(op.new.encode()) - len(op.old.encode()), 0) * 2  # JSON may escape each byte once more
    size = _size(spec) + count * growth
    if size > MAX_SPEC_BYTES:  # checked before the text is made: a replacement never builds a huge spec
        raise EditTooBig("the edited site's text", size, MAX_SPEC_BYTES)
    spec.copy_text = _walk(spec.copy_text, lambda s: pattern.sub(lambda _: op.new, s))
    for p in spec.pages:
        p.content = _walk(p.content, lambda s: pattern.sub(lambda _: op.new, s))
    places = "place" if count == 1 else "places"
    return [Change(page=EVERY_PAGE, text=line("replace_text", old=op.old, new=op.new, count=count, places=places))]


def _rename(spec: SiteSpec, op: Rename) -> list[Change]:
    if not op.name or op.name == spec.name:
        raise Skip("same")
    old, spec.name = spec.name, op.name
    pattern = re.compile(re.escape(old))
    spec.copy_text = _walk(spec.copy_text, lambda s: pattern.sub(lambda _: op.name, s))
    for p in spec.pages:
        p.content = _walk(p.content, lambda s: pattern.sub(lambda _: op.name, s))
    if spec.brief:
        spec.brief = {**spec.brief, "business_name": op.name}
    spec.missing = [m for m in spec.missing if old not in m]
    return [Change(page=EVERY_PAGE, text=line("rename", name=op.name))]


# --- sections -------------------------------------------------------------------------------------------------
def _add_section(spec: SiteSpec, op: AddSection) -> list[Change]:
    page = page_of(spec, op.page)
    options = edit_words().sections[op.kind].components
    if any(s in options for s in page.sections):
        raise Skip("has_section", page=page.title, section=op.kind)
    if not has_facts(spec, op.kind, page):
        raise Skip("no_facts", section=op.kind)
    page.sections.insert(len(page.sections) - 1, component_for(spec, op.kind))  # before the footer
    return [Change(page=page.title, text=line("add_section", section=op.kind))]


def _remove_section(spec: SiteSpec, op: RemoveSection) -> list[Change]:
    options = edit_words().sections[op.kind].components
    pages = [page_of(spec, op.page)] if op.page else spec.pages
    changes = []
    for page in pages:
        if any(s in options for s in page.sections):
            page.sections = [s for s in page.sections if s not in options]
            changes.append(Change(page=page.title, text=line("remove_section", section=op.kind)))
    if not changes and not op.optional:
        raise Skip("no_section", section=op.kind, where=f" on {pages[0].title}" if op.page else "")
    return changes


def _move_section(spec: SiteSpec, op: MoveSection) -> list[Change]:
    page = page_of(spec, op.page)
    options = edit_words().sections[op.kind].components
    here = [s for s in page.sections if s in options]
    if not here:
        raise Skip("no_section", section=op.kind, where=f" on {page.title}")
    fixed_top = [s for s in page.sections if s.startswith(("navbar", "hero")) and s not in options]
    body = [s for s in page.sections[:-1] if s not in fixed_top and s not in options]
    at = body.index(here[0]) if here[0] in body else None
    old_body = [s for s in page.sections[:-1] if s not in fixed_top]
    i = old_body.index(here[0])
    if op.where == "top":
        at = 0
    elif op.where == "bottom":
        at = len(body)
    elif op.where == "up":
        at = max(i - 1, 0)
    elif op.where == "down":
        at = min(i + 1, len(body))
    else:
        others = edit_words().sections[op.other].components
        target = next((j for j, s in enumerate(body) if s in others), None)
        if target is None:
            raise Skip("no_section", section=op.other, where=f" on {page.title}")
        at = target if op.where == "before" else target + 1
    sections = [*fixed_top, *body[:at], *here, *body[at:], page.sections[-1]]
    if sections == page.sections:
        raise Skip("unchanged")
    page.sections = sections
    where = {"before": f"above {op.other}", "after": f"below {op.other}", "top": "to the top"}.get(op.where, op.where)
    return [Change(page=page.title, text=line("move_section", section=op.kind, where=where))]


# --- pages ----------------------------------------------------------------------------------------------------
def _add_page(spec: SiteSpec, op: AddPage) -> list[Change]:
    slug = slugify(op.title)
    known = PAGE_TITLES.get(slug)
    title = known or op.title
    if any(p.slug == slug or p.title.lower() == title.lower() for p in spec.pages):
        raise Skip("has_page", title=title)
    planned = added_page(spec, title)
    if planned is None:
        sections = list(DEFAULT_SECTIONS.get(slug, DEFAULT_SECTIONS["about"]))
        spec.pages.append(PageSpec(slug=slug, title=title, sections=sections))
    else:
        spec.pages.append(planned[0])
        spec.missing = list(dict.fromkeys([*spec.missing, *planned[1]]))
    return [Change(page=title, text=line("add_page", title=title))]


def _remove_page(spec: SiteSpec, op: RemovePage) -> list[Change]:
    if op.slug == "index":
        raise Skip("home_page")
    page = page_of(spec, op.slug)
    spec.pages = [p for p in spec.pages if p.slug != op.slug]
    words = {page.title.lower(), page.slug.replace("-", " ")}
    label = str(spec.copy_text.get("cta_label", ""))
    if any(re.search(rf"\b{re.escape(w)}\b", label.lower()) for w in words):  # "See the menu" with no menu page
        spec.copy_text["cta_label"] = site_words().cta["label_page"]
    spec.missing = [m for m in spec.missing if page.title not in m]
    return [Change(page=page.title, text=line("remove_page", title=page.title))]


def _rename_page(spec: SiteSpec, op: RenamePage) -> list[Change]:
    page = page_of(spec, op.slug)
    if page.title == op.title:
        raise Skip("same")
    old, page.title = page.title, op.title
    return [Change(page=op.title, text=line("rename_page", old=old, title=op.title))]


def _move_page(spec: SiteSpec, op: MovePage) -> list[Change]:
    page = page_of(spec, op.slug)
    if op.slug == "index":
        raise Skip("home_page")
    home, rest = spec.pages[0], [p for p in spec.pages[1:] if p.slug != op.slug]
    at = {"first": 0, "last": len(rest)}.get(op.where)
    if at is None:
        other = next((i for i, p in enumerate(rest) if p.slug == op.other), None)
        if other is None:
            raise Skip("no_page", page=op.other)
        at = other if op.where == "before" else other + 1
    pages = [home, *rest[:at], page, *rest[at:]]
    if [p.slug for p in pages] == [p.slug for p in spec.pages]:
        raise Skip("unchanged")
    spec.pages = pages
    where = {"before": f"before {title_of(spec, op.other)}", "after": f"after {title_of(spec, op.other)}"}
    return [Change(page=EVERY_PAGE, text=line("move_page", title=page.title, where=where.get(op.where, op.where)))]


def _size(spec: SiteSpec) -> int:
    return len(json.dumps(spec.model_dump(mode="json"), ensure_ascii=False).encode())


def _one(spec: SiteSpec, op: Operation, templates: list[dict[str, Any]]) -> list[Change]:
    if isinstance(op, SwapTemplate):
        return edit_look.template(spec, op, templates)
    handlers: dict[type, Any] = {
        SetText: _set_text,
        ReplaceText: _replace_text,
        Rename: _rename,
        AddSection: _add_section,
        RemoveSection: _remove_section,
        MoveSection: _move_section,
        AddPage: _add_page,
        RemovePage: _remove_page,
        RenamePage: _rename_page,
        MovePage: _move_page,
        SetColour: edit_look.colour,
        SetFont: edit_look.font,
        SetTone: edit_look.tone,
    }
    handler = handlers.get(type(op))
    if handler is None:
        return edit_facts_apply.apply(spec, op)
    changes: list[Change] = handler(spec, op)
    return changes


def apply(
    current: dict[str, Any],
    operations: list[Operation],
    templates: list[dict[str, Any]],
    sources: list[str] | None = None,
) -> Applied:
    """The next spec from `current` (never changed) with each operation applied, and what changed; `sources`:
    the words each operation was read from, quoted back with the reason when it would change nothing."""
    spec = SiteSpec.model_validate(copy.deepcopy(current))  # nested copy is changed in place below
    if _size(spec) > MAX_SPEC_BYTES:
        raise EditTooBig("the site's stored text", _size(spec), MAX_SPEC_BYTES)
    changes: list[Change] = []
    skipped: list[Unclear] = []
    words = edit_words()
    for i, op in enumerate(operations):
        try:
            changes += _one(spec, op, templates)
        except Skip as skip:
            said = sources[i] if sources and i < len(sources) else _describe(op)
            if not any(u.text == said and u.reason == skip.reason for u in skipped):
                skipped.append(Unclear(text=said, example=words.examples[_example(op)], reason=skip.reason))
    if spec.brief:
        Brief.model_validate(spec.brief)
    result = spec.model_dump(mode="json")
    if (size := _size(spec)) > MAX_SPEC_BYTES:
        raise EditTooBig("the edited site's text", size, MAX_SPEC_BYTES)
    return Applied(spec=result, changes=changes, skipped=skipped)


def _describe(op: Operation) -> str:
    fields = op.model_dump(exclude={"op", "add", "optional", "replace_all"})
    words = " ".join(str(v) for v in fields.values() if v and isinstance(v, str) and not v.startswith(("#", "'")))
    return f"{op.op.replace('_', ' ')} {words}".strip()[:120]


def _example(op: Operation) -> str:
    kind = "rename" if op.op == "rename" else op.op.split("_", 1)[-1]
    return {
        "text": "text",
        "rename": "rename",
        "section": "section",
        "page": "page",
        "offering": "offer",
        "hours": "hours",
        "contact": "contact",
        "person": "people",
        "testimonial": "testimonial",
        "colour": "colour",
        "font": "font",
        "tone": "tone",
        "template": "template",
    }.get(kind, "general")
