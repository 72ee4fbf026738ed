"""The look of a site: its main colour, fonts, tone and template (the content stays)."""

from __future__ import annotations

from typing import Any

from jobs.edit_common import EVERY_PAGE, Skip, line
from jobs.edit_ops import Change, SetColour, SetFont, SetTone, SwapTemplate, edit_words
from jobs.generator import SHARED_KINDS, SiteSpec, with_primary


def colour(spec: SiteSpec, op: SetColour) -> list[Change]:
    if spec.palette.get("primary") == op.colour:
        raise Skip("unchanged")
    spec.palette = with_primary(spec.palette, op.colour)
    return [Change(page=EVERY_PAGE, text=line("colour", name=op.name))]


def font(spec: SiteSpec, op: SetFont) -> list[Change]:
    keys = ["heading", "body"] if op.which == "both" else [op.which]
    if all(spec.typography.get(k) == op.stack for k in keys):
        raise Skip("unchanged")
    spec.typography = {**spec.typography, **{k: op.stack for k in keys}}
    which = {"both": "heading and body", "heading": "heading", "body": "body"}[op.which]
    return [Change(page=EVERY_PAGE, text=line("font", which=which, name=op.name))]


def tone(spec: SiteSpec, op: SetTone) -> list[Change]:
    """A new tone shows on every page as its headings' font and corners (`tone_looks`); the words stay."""
    words = edit_words()
    look = words.tone_looks[op.tone]
    typography = {**spec.typography, "heading": words.fonts[look.heading], "radius": look.radius}
    if spec.tone == op.tone and spec.typography == typography:
        raise Skip("unchanged")
    spec.tone, spec.typography = op.tone, typography
    return [Change(page=EVERY_PAGE, text=line("tone", tone=op.tone, feel=look.feel))]


def _variant_in(template: dict[str, Any], kind: str) -> str:
    for sections in [template["pages"].get("index", []), *template["pages"].values()]:
        for s in sections:
            if s == kind or s.startswith(f"{kind}-"):
                return str(s)
    return ""


def template(spec: SiteSpec, op: SwapTemplate, templates: list[dict[str, Any]]) -> list[Change]:
    template = next((t for t in templates if t["slug"] == op.slug), None)
    if template is None:
        raise Skip("no_template")
    if spec.template == op.slug:
        raise Skip("same_template")
    spec.template, spec.template_name, spec.category = template["slug"], template["name"], template["category"]
    spec.palette = dict(template["palette"])
    if spec.brief.get("colour"):  # a colour the team asked for stays
        spec.palette = with_primary(spec.palette, str(spec.brief["colour"]))
    spec.typography = dict(template["typography"])
    for page in spec.pages:
        out = []
        for s in page.sections:
            kind = next((k for k in (*SHARED_KINDS, "hero") if s == k or s.startswith(f"{k}-")), "")
            out.append((_variant_in(template, kind) or s) if kind else s)
        page.sections = out
    return [Change(page=EVERY_PAGE, text=line("template", name=template["name"]))]
