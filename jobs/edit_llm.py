"""Optional: the parts of an edit the local reader did not understand, mapped by an OpenAI-compatible API onto the
same operations. The local reader is the floor: the API is asked only about the unclear parts, its answer must
validate as operations that name what the site has (its pages, sections, copy keys, fonts, templates), and any
failure leaves those parts unclear. Its operations are stored and applied like the local ones.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import structlog

from jobs.brief import TONES
from jobs.edit_ops import MAX_VALUE, OPERATIONS, Operation, Unclear, Understood, edit_words
from jobs.generator import SiteSpec
from jobs.llm import ApiError, ApiProvider

log = structlog.get_logger(__name__)

MAX_ASKED = 5
"""Most unclear parts of one message sent to the API."""


def _site(spec: SiteSpec, templates: list[dict[str, Any]]) -> dict[str, Any]:
    w = edit_words()
    return {
        "pages": [{"slug": p.slug, "title": p.title} for p in spec.pages],
        "text_keys": sorted(w.texts),
        "section_kinds": sorted(w.sections),
        "offerings": [str(o.get("name", "")) for o in spec.copy_text.get("offers", []) if isinstance(o, dict)],
        "people": [str(p.get("name", "")) for p in spec.copy_text.get("team", []) if isinstance(p, dict)],
        "fonts": sorted(w.fonts),
        "templates": [t["slug"] for t in templates],
    }


def _request(api: ApiProvider, spec: SiteSpec, parts: list[str], templates: list[dict[str, Any]]) -> dict[str, Any]:
    schema = OPERATIONS.json_schema()
    instructions = (
        "You map website edit requests onto operations. Answer with one JSON object "
        '{"answers": [{"text": <the request>, "operations": [...]}]}, one answer per request, in order. '
        "Operations follow this JSON schema and may only name what the site has (see `site`); answer an empty list "
        "when a request maps onto none. Plain text values only, at most 200 characters each. Schema: "
        + json.dumps(schema)
    )
    return {
        "model": api.model,
        "response_format": {"type": "json_object"},
        "messages": [
            {"role": "system", "content": instructions},
            {"role": "user", "content": json.dumps({"site": _site(spec, templates), "requests": parts})},
        ],
    }


def _allowed(op: Operation, site: dict[str, Any]) -> bool:
    """Only operations on what the site has, with bounded plain text."""
    fields = op.model_dump()
    texts = [v for v in fields.values() if isinstance(v, str)]
    if any(len(v) > MAX_VALUE or re.search(r"[\x00-\x1f<>]", v) for v in texts):
        return False
    pages = {p["slug"] for p in site["pages"]}
    checks: dict[str, Callable[[str], bool]] = {
        "key": lambda v: v in site["text_keys"],
        "kind": lambda v: v in site["section_kinds"],
        "other": lambda v: not v or v in site["section_kinds"] or v in pages,
        "page": lambda v: not v or v in pages,
        "slug": lambda v: v in pages or v in site["templates"],
        "colour": lambda v: bool(re.fullmatch(r"#[0-9a-fA-F]{6}", v)),
        "stack": lambda v: v in edit_words().fonts.values(),
        "tone": lambda v: v in TONES,
    }
    return all(check(fields[name]) for name, check in checks.items() if name in fields)


def understand(api: ApiProvider, spec: SiteSpec, understood: Understood, templates: list[dict[str, Any]]) -> Understood:
    """`understood` with the API's operations for its unclear parts; unchanged on any failure."""
    asked = [u for u in understood.unclear if not u.reason][:MAX_ASKED]
    if not asked:
        return understood
    site = _site(spec, templates)
    try:
        answer = api.post("/chat/completions", _request(api, spec, [u.text for u in asked], templates))
        content = answer["choices"][0]["message"]["content"]
        if not isinstance(content, str):
            raise ApiError("content is not text")
        answers = json.loads(content)["answers"]
        if not isinstance(answers, list) or len(answers) != len(asked):
            raise ApiError("answers do not match the requests")
        found = [OPERATIONS.validate_python(a.get("operations", [])) for a in answers]
    except Exception as exc:  # any failure: the local understanding stands
        log.warning("llm edit mapping failed, local understanding kept", error=type(exc).__name__)
        return understood
    out = understood.model_copy(deep=True)
    still: list[Unclear] = [u for u in understood.unclear if u not in asked]
    for part, ops in zip(asked, found, strict=True):
        kept = [op for op in ops if _allowed(op, site)]
        if kept:
            out.operations += kept
            out.sources += [part.text] * len(kept)
        else:
            still.append(part)
    out.unclear = still
    return out
