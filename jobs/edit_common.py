"""What the edit appliers share: the skip of a request that would change nothing, the change lines, and where
on the site a kind of section is."""

from __future__ import annotations

from typing import Any

from jobs.edit_ops import Change, edit_words
from jobs.generator import PageSpec, SiteSpec

EVERY_PAGE = ""
"""The page of a change seen on every page (colours, fonts, the name, the menu)."""


class Skip(Exception):
    def __init__(self, key: str, **fields: Any) -> None:
        super().__init__(key)
        self.reason = edit_words().skips[key].format(**fields)


def line(key: str, **fields: Any) -> str:
    return edit_words().lines[key].format(**fields)


def title_of(spec: SiteSpec, slug: str) -> str:
    return next((p.title for p in spec.pages if p.slug == slug), slug)


def page_of(spec: SiteSpec, slug: str) -> PageSpec:
    page = next((p for p in spec.pages if p.slug == slug), None)
    if page is None:
        raise Skip("no_page", page=slug)
    return page


def component_for(spec: SiteSpec, kind: str) -> str:
    """The site's own variant of a kind of section (the one its template uses), else the plain one."""
    options = edit_words().sections[kind].components
    used = [s for p in spec.pages for s in p.sections if s in options]
    return used[0] if used else options[0]


def has_facts(spec: SiteSpec, kind: str, page: PageSpec | None = None) -> bool:
    needs = edit_words().sections[kind].needs
    return not needs or bool((page.content if page else {}).get(needs) or spec.copy_text.get(needs))


def ensure_section(spec: SiteSpec, kind: str, slug: str = "index") -> list[Change]:
    """Put a section of `kind` on a page when no page shows one (a fact was added that nothing shows)."""
    options = edit_words().sections[kind].components
    if any(s in options for p in spec.pages for s in p.sections):
        return []
    page = page_of(spec, slug)
    page.sections.insert(len(page.sections) - 1, component_for(spec, kind))
    return [Change(page=page.title, text=line("add_section", section=kind))]


def showing(spec: SiteSpec, kind: str) -> list[str]:
    options = edit_words().sections[kind].components
    return [p.title for p in spec.pages if any(s in options for s in p.sections)]
