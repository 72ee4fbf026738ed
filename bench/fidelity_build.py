"""The build path of bench/fidelity.py: a prompt becomes a site on disk the way the worker makes it (brief →
template → spec → files), with the catalog read from the package data instead of MongoDB."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from jobs import brief as briefs
from jobs import generator, plan
from storage.catalog import load_package_data


@functools.cache
def _catalog() -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    templates, components = load_package_data()
    return templates, {c["slug"]: c for c in components}


def choose_template(words: list[str]) -> dict[str, Any]:
    """The same choice as `storage.catalog.Catalog.choose_template`, over the package data."""
    templates, _ = _catalog()
    terms = {w.lower() for w in words}
    candidates = sorted(
        (t for t in templates if terms & (set(t.get("keywords", [])) | set(t.get("industries", [])))),
        key=lambda t: str(t["slug"]),
    )
    if candidates:
        return max(
            candidates,
            key=lambda t: 2 * len(terms & set(t.get("industries", []))) + len(terms & set(t.get("keywords", []))),
        )
    defaults = [t for t in templates if t.get("default")]
    return defaults[0] if defaults else templates[0]


def build(prompt: str, out: Path) -> None:
    brief = briefs.parse(prompt)
    spec = plan.make_spec(brief, choose_template(brief.words))
    _, components = _catalog()
    generator.render_site(spec, components, out, base_url="https://example.test/p/x/")
