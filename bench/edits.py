"""Edit benchmark: is each plain-words edit applied as asked, refused clearly, or does it change what was not asked?

    python bench/edits.py [--cases FILE.toml] [-v]

Each case names a site of the file (a build prompt), an instruction and machine checks of the effect on the built
pages. The site is built the way the worker builds it (brief → template → spec → files, catalog from the package
data); the instruction goes through the service's own steps (`jobs.edits.understand`, then `apply`), and the edited
spec is rendered beside the original. A case is:

- applied: a change was made, every check holds, and nothing outside the case's scope changed;
- unclear: nothing was changed and the answer says what was not understood (what the chat shows; nothing charged);
- wrong: something outside the scope changed (another page, the stylesheet, a page added or gone), or a change was
  made and a check fails while something else changed;
- missed: a change was made, nothing outside the scope changed, but a check fails.

Checks: `{page, has}` / `{page, lacks}` (visible text), `{gone}` (no such page, no link to it anywhere),
`{added}` (page exists and the home page links to it), `{css}` (in styles.css), `{spec, equals}` (a spec field),
`{page, before = [a, b]}` (a before b in the page's text), `{pages = [...]}` (page order). The scope is the pages
allowed to change: by default the pages the checks name; "*" for all; "css" for the stylesheet.
The last line reads `edits: applied=<x> unclear=<y> wrong=<n> total=<N>`. Targets: applied ≥ 90 %, wrong 0.
"""

from __future__ import annotations

import argparse
import functools
import html
import re
import sys
import tempfile
import tomllib
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.fidelity_build import _catalog, choose_template  # noqa: E402
from jobs import brief as briefs  # noqa: E402
from jobs import edits, generator, plan  # noqa: E402
from jobs.edit_ops import EditTooBig  # noqa: E402

CASES = Path(__file__).with_name("edits_cases.toml")
BASE_URL = "https://example.test/p/x/"


def visible(page_html: str) -> str:
    text = re.sub(r"<(script|style|head)\b.*?</\1>", " ", page_html, flags=re.S | re.I)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


@functools.cache
def base_spec(prompt: str) -> dict[str, Any]:
    brief = briefs.parse(prompt)
    return plan.make_spec(brief, choose_template(brief.words)).model_dump(mode="json")


def render(spec: dict[str, Any], out: Path) -> dict[str, str]:
    _, components = _catalog()
    generator.render_site(generator.SiteSpec.model_validate(spec), components, out, base_url=BASE_URL)
    return {p.name: p.read_text() for p in out.iterdir() if p.suffix in (".html", ".css")}


def compared(name: str, text: str | None) -> str | None:
    """What counts as a change of a file: a page without its theme-color (the main colour, a change of the
    stylesheet's), and of the stylesheet its variables (a component's own CSS comes with its section)."""
    if text is None:
        return None
    if name == "styles.css":
        return text.split("\n", 1)[0]
    return re.sub(r'<meta name="theme-color"[^>]*>', "", text)


def check(c: dict[str, Any], files: dict[str, str], spec: dict[str, Any]) -> bool:
    page = files.get(f"{c.get('page', 'index')}.html", "")
    if "has" in c:
        return bool(page) and c["has"].lower() in visible(page).lower()
    if "lacks" in c:
        return bool(page) and c["lacks"].lower() not in visible(page).lower()
    if "no_section" in c:
        return bool(page) and f'id="{c["no_section"]}-title"' not in page
    if "gone" in c:
        return f"{c['gone']}.html" not in files and not any(f'href="{c["gone"]}.html"' in f for f in files.values())
    if "added" in c:
        return f"{c['added']}.html" in files and f'href="{c["added"]}.html"' in files["index.html"]
    if "css" in c:
        return c["css"].lower() in files["styles.css"].lower()
    if "spec" in c:
        return bool(spec.get(c["spec"]) == c["equals"])
    if "before" in c:
        text = visible(page).lower()
        a, b = (text.find(x.lower()) for x in c["before"])
        return a >= 0 and b >= 0 and a < b
    if "pages" in c:
        return bool([p["slug"] for p in spec["pages"]] == c["pages"])
    raise ValueError(f"unknown check {c}")


def scope_of(case: dict[str, Any]) -> set[str]:
    scope = case.get("scope")
    if scope is None:
        named = {c.get("page", "index") for c in case["expect"] if "page" in c or "has" in c or "lacks" in c}
        named |= {"css" for c in case["expect"] if "css" in c}
        return named
    return set(scope)


def changed_outside(before: dict[str, str], after: dict[str, str], scope: set[str]) -> list[str]:
    if "*" in scope:
        return []
    out = []
    for name in sorted(set(before) | set(after)):
        own = "css" if name == "styles.css" else name.removesuffix(".html")
        if own not in scope and compared(name, before.get(name)) != compared(name, after.get(name)):
            out.append(name)
    return out


def run_case(case: dict[str, Any], sites: dict[str, str], tmp: Path, n: int) -> tuple[str, str]:
    spec = base_spec(sites[case["site"]])
    before = render(spec, tmp / f"{n}-before")
    try:
        understood = edits.understand(spec, case["say"], _catalog()[0])
        applied = edits.apply(spec, understood.operations, _catalog()[0], understood.sources)
    except EditTooBig as exc:
        return "unclear", f"over a cap: {exc}"
    if not applied.changes:
        said = [*understood.unclear, *applied.skipped]
        return ("unclear", "; ".join(u.reason or "not understood" for u in said)) if said else ("missed", "silent")
    after = render(applied.spec, tmp / f"{n}-after")
    failed = [c for c in case["expect"] if not check(c, after, applied.spec)]
    outside = changed_outside(before, after, scope_of(case))
    if outside:
        return "wrong", f"changed {', '.join(outside)}" + (f"; failed {failed}" if failed else "")
    if failed:
        return "missed", f"failed {failed}; changes {[ch.text for ch in applied.changes]}"
    return "applied", "; ".join(f"{ch.page or 'every page'}: {ch.text}" for ch in applied.changes)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=Path, default=CASES)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    data = tomllib.loads(args.cases.read_text(encoding="utf-8"))
    sites = {k: v["prompt"] for k, v in data["sites"].items()}
    counts = {"applied": 0, "unclear": 0, "wrong": 0, "missed": 0}
    with tempfile.TemporaryDirectory() as tmp:
        for n, case in enumerate(data["cases"]):
            outcome, detail = run_case(case, sites, Path(tmp), n)
            counts[outcome] += 1
            if args.verbose or outcome in ("wrong", "missed"):
                print(f"{outcome:8} [{case['site']}] {case['say']!r}: {detail}")
    total = sum(counts.values())
    share = {k: f"{100 * v / max(total, 1):.0f} %" for k, v in counts.items()}
    print(
        f"{total} instructions over {len(sites)} sites: applied {share['applied']}, "
        f"clear didn't-understand {share['unclear']}, wrong {counts['wrong']}, missed {counts['missed']}"
    )
    print(f"edits: applied={counts['applied']} unclear={counts['unclear']} wrong={counts['wrong']} total={total}")
    return 0 if counts["wrong"] == 0 and counts["applied"] >= 0.9 * total else 1


if __name__ == "__main__":
    raise SystemExit(main())
