"""Edits in plain words: "change the headline to …", "remove the menu page", "add a gluten-free loaf at £4.50".

An edit never changes a stored version: it gives the spec of the next one. `understand` reads an instruction
against the site into typed operations (`jobs.edit_parse`, vocabulary in `jobs/data/edits.toml`) and the parts
it did not understand; `apply` makes the next spec from the operations (`jobs.edit_apply`) and says what
changed, page by page. The service does both before holding any credit (a refusal is free) and stores the
operations with the version; the worker applies them again to the version they were read against.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jobs import edit_apply, edit_llm, edit_parse
from jobs.edit_apply import Applied
from jobs.edit_ops import MAX_INSTRUCTION, MAX_SITE_BYTES, OPERATIONS, EditTooBig, Operation, Understood
from jobs.errors import EditNotUnderstood
from jobs.generator import SiteSpec
from jobs.llm import ApiProvider

__all__ = ["MAX_INSTRUCTION", "Applied", "EditTooBig", "Understood", "apply", "apply_edit", "new_images"]


def check_length(instruction: str) -> None:
    """Refuse an instruction over the cap before reading it."""
    if len(instruction) > MAX_INSTRUCTION:
        raise EditTooBig("the instruction", len(instruction), MAX_INSTRUCTION)


def check_site(spec: dict[str, Any]) -> None:
    """Refuse a spec whose rendered site would be over the cap (each page shows at most the site's text)."""
    pages = len(spec.get("pages") or []) or 1
    estimate = len(json.dumps(spec, ensure_ascii=False).encode()) * pages
    if estimate > MAX_SITE_BYTES:
        raise EditTooBig("the rendered site", estimate, MAX_SITE_BYTES)


def check_rendered(site: Path) -> None:
    """Refuse a rendered site over the cap (its pages and stylesheet; pictures are bounded by their count)."""
    size = sum(p.stat().st_size for p in site.iterdir() if p.suffix in (".html", ".css", ".xml"))
    if size > MAX_SITE_BYTES:
        raise EditTooBig("the rendered site", size, MAX_SITE_BYTES)


def understand(
    current: dict[str, Any],
    instruction: str,
    templates: list[dict[str, Any]] | None = None,
    api: ApiProvider | None = None,
) -> Understood:
    """The operations `instruction` asks for on the site of spec `current`, and what was not understood; with
    `api`, the parts the local reader did not understand are asked of it (`jobs.edit_llm`)."""
    check_length(instruction)
    spec = SiteSpec.model_validate(current)
    understood = edit_parse.understand(spec, instruction, templates)
    if api is not None and understood.unclear:
        understood = edit_llm.understand(api, spec, understood, templates or [])
    return understood


def apply(
    current: dict[str, Any],
    operations: list[Operation],
    templates: list[dict[str, Any]] | None = None,
    sources: list[str] | None = None,
) -> Applied:
    """The next spec and the changes made (an operation that would change nothing is skipped, with its reason)."""
    return edit_apply.apply(current, operations, templates or [], sources)


def stored(operations: list[Operation]) -> list[dict[str, Any]]:
    """Operations as JSON, to store with the version."""
    dumped: list[dict[str, Any]] = OPERATIONS.dump_python(operations, mode="json")
    return dumped


def loaded(data: list[dict[str, Any]]) -> list[Operation]:
    return OPERATIONS.validate_python(data)


def apply_edit(current: dict[str, Any], instruction: str) -> dict[str, Any]:
    """Return the spec of the next version: `current` with `instruction` applied (EditNotUnderstood when it
    would change nothing)."""
    ops = understand(current, " ".join(instruction.split())).operations
    result = apply(current, ops)
    if not result.changes:
        raise EditNotUnderstood(instruction)
    return result.spec


def new_images(current: dict[str, Any], prompt: str, count: int) -> dict[str, Any]:
    """The spec with a fresh set of images: `count` gallery pictures and a new hero, seeded by the prompt."""
    spec = SiteSpec.model_validate(current)
    spec.image_seed = f"{spec.image_seed}|{prompt}|{count}"
    spec.gallery_images = count
    return spec.model_dump(mode="json")
