"""The build path of bench/fidelity.py: a prompt becomes a site on disk the way the worker makes it (brief →
template → spec → files), with the catalog read from the package data instead of MongoDB."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from jobs import brief as briefs
from jobs import generator, packs, plan
from storage.catalog import best_template, load_package_data


@functools.cache
def _catalog() -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    templates, components = load_package_data()
    return templates, {c["slug"]: c for c in components}


def choose_template(words: list[str], kind: str = "") -> dict[str, Any]:
    """The same choice as `storage.catalog.Catalog.choose_template`, over the package data."""
    templates, _ = _catalog()
    family = packs.family(kind)
    among = [t for t in templates if t.get("category") in family.categories]
    if among:
        return best_template(among, words, favourite=family.favourite)
    terms = {w.lower() for w in words}
    candidates = [t for t in templates if terms & (set(t.get("keywords", [])) | set(t.get("industries", [])))]
    if candidates:
        return best_template(candidates, words)
    defaults = [t for t in templates if t.get("default")]
    return defaults[0] if defaults else templates[0]


def build(prompt: str, out: Path) -> None:
    brief = briefs.parse(prompt)
    spec = plan.make_spec(brief, choose_template(brief.words, brief.kind))
    _, components = _catalog()
    generator.render_site(spec, components, out, base_url="https://example.test/p/x/")
