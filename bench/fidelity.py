"""Fidelity benchmark: does a built site say what the prompt asked, and nothing made up?

    python bench/fidelity.py [--prompts FILE.toml] [--keep DIR] [-v]

Builds every prompt of the set (`bench/fidelity_prompts.toml` by default; any file of the same form works, so the
same measure runs on prompts kept outside the repository) through the worker's own path (brief → template → spec
→ files), then reads the built pages as a visitor would and prints:

- fact recall: facts of the prompt found in the visible text of the site ÷ facts given. A site that pastes the
  prompt as a block (70 % of it in one text block, or 90 % of it in a row across the page) scores no
  facts for that prompt.
- invented claims: numbers (prices, counts, ratings, percentages, years, phone numbers), testimonials and claim
  words ("guarantee", "award"…) on the site that the prompt did not give.
- pages asked for that exist: a link with that name reaching an existing page or section, or a heading with it.
- CTAs with a real target: buttons leading to another page or section that exists, or to a mailto:/tel: from the
  prompt; never back to the page they are on.

No database is needed: templates and components are read from the package data, as `catalog seed` loads them.
Targets: recall ≥ 0.9, invented 0, pages 100 %, CTAs 100 %.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
import tempfile
import tomllib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.fidelity_build import build  # noqa: E402

PROMPTS = Path(__file__).with_name("fidelity_prompts.toml")
CLAIM_WORDS = (
    "guarantee",
    "award",
    "rated",
    "review",
    "trusted by",
    "certified",
    "accredited",
    "insured",
    "five-star",
    "5-star",
    "years of experience",
    "satisfaction",
    "best in",
)
"""Words that make a claim a prompt must have given to be on its site."""
SKIP_TAGS = {"script", "style", "head", "title", "template", "noscript"}


@dataclass
class Page:
    name: str
    text: list[str] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    links: list[tuple[str, str, bool]] = field(default_factory=list)
    """(href, link text, is a button)"""
    headings: list[str] = field(default_factory=list)
    quotes: int = 0


class _Reader(HTMLParser):
    def __init__(self, page: Page) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.skip = 0
        self.link: tuple[str, bool] | None = None
        self.link_text: list[str] = []
        self.heading: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag in SKIP_TAGS:
            self.skip += 1
        if a.get("id"):
            self.page.ids.add(a["id"])
        if tag == "a":
            classes = a.get("class", "")
            self.link, self.link_text = (a.get("href", ""), "button" in classes.split() or "button" in classes), []
        if tag in {"h1", "h2", "h3"}:
            self.heading = []
        if tag == "blockquote":
            self.page.quotes += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
        if tag == "a" and self.link is not None:
            self.page.links.append((self.link[0], " ".join("".join(self.link_text).split()), self.link[1]))
            self.link = None
        if tag in {"h1", "h2", "h3"} and self.heading is not None:
            self.page.headings.append(" ".join("".join(self.heading).split()))
            self.heading = None

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        self.page.text.append(data)
        if self.link is not None:
            self.link_text.append(data)
        if self.heading is not None:
            self.heading.append(data)


def read_site(site: Path) -> dict[str, Page]:
    pages = {}
    for path in sorted(site.glob("*.html")):
        page = Page(path.name)
        _Reader(page).feed(path.read_text(encoding="utf-8"))
        pages[path.name] = page
    return pages


def norm(text: str) -> str:
    text = text.lower().replace("’", "'").replace("‘", "'").replace("–", "-").replace("—", "-")
    return re.sub(r"\s+", "", text)


def visible(pages: dict[str, Page]) -> str:
    return "\n".join(" ".join(" ".join(p.text).split()) for p in pages.values())


def fact_found(fact: str, text: str) -> bool:
    if fact.startswith("tel:"):
        digits = re.sub(r"\D", "", fact[4:])
        return digits[-8:] in re.sub(r"\D", "", text)
    if fact.startswith("price:"):
        m = re.match(r"(\D*?)\s*([\d.,]+)\s*(\D*)$", fact[6:])
        assert m, fact
        sign = re.escape((m.group(1) or m.group(3)).strip().lower())
        amount = re.sub(r"\\?[.,]", "[.,]", re.escape(m.group(2)))
        t = " ".join(text.lower().split())
        return bool(re.search(rf"{sign}\s?{amount}(?![\d]|[.,]\d)|(?<![\d.,]){amount}\s?{sign}", t))
    return norm(fact) in norm(text)


def _run(prompt_words: list[str], text: str) -> int:
    words = re.findall(r"\w+", text.lower())
    matcher = difflib.SequenceMatcher(None, prompt_words, words, autojunk=False)
    return matcher.find_longest_match(0, len(prompt_words), 0, len(words)).size


def pasted(prompt: str, pages: dict[str, Page]) -> bool:
    """True when one block of the site (a text node) holds 70 % of the prompt or more as one run of words, or the
    whole visible text holds 90 % of it in a row."""
    pw = re.findall(r"\w+", prompt.lower())
    blocks = [t for page in pages.values() for t in page.text if len(t.split()) >= 8]
    if any(_run(pw, t) >= max(10, int(0.7 * len(pw))) for t in blocks):
        return True
    return _run(pw, visible(pages)) >= max(12, int(0.9 * len(pw)))


def invented(prompt: str, pages: dict[str, Page]) -> list[str]:
    text = re.sub(r"©\s*\d{4}", "©", visible(pages))
    given = set(re.findall(r"\d+", prompt))
    found = [f"number {n}" for n in re.findall(r"\d+", text) if n not in given]
    low, plow = text.lower(), prompt.lower()
    found += [f"claim '{w}'" for w in CLAIM_WORDS if w in low and w not in plow]
    quotes = sum(p.quotes for p in pages.values())
    if quotes and '"' not in prompt and "“" not in prompt:
        found.append(f"{quotes} testimonial(s)")
    return found


def _target_ok(page: str, href: str, pages: dict[str, Page], prompt: str) -> bool:
    if href.startswith("mailto:"):
        return href[7:].split("?")[0].lower() in prompt.lower()
    if href.startswith("tel:"):
        digits = re.sub(r"\D", "", href)
        return len(digits) >= 6 and digits[-8:] in re.sub(r"\D", "", prompt)
    if href.startswith(("http:", "https:")):
        return href in prompt
    file, _, anchor = href.partition("#")
    file = file or page
    if file not in pages or (file == page and not anchor):
        return False
    return not anchor or anchor in pages[file].ids


def pages_found(asked: list[str], pages: dict[str, Page], prompt: str) -> int:
    found = 0
    for name in asked:
        key = norm(name)
        links = [(p, href) for p, page in pages.items() for href, text, _ in page.links if key in norm(text)]
        heads = [h for page in pages.values() for h in page.headings if key in norm(h)]
        if heads or any(_target_ok("", href, pages, prompt) or href == p for p, href in links):
            found += 1
    return found


def ctas(pages: dict[str, Page], prompt: str) -> tuple[int, int, list[str]]:
    total, ok, bad = 0, 0, []
    for name, page in pages.items():
        for href, text, button in page.links:
            if not button:
                continue
            total += 1
            if _target_ok(name, href, pages, prompt):
                ok += 1
            else:
                bad.append(f"{name}: '{text}' → {href}")
    return total, ok, bad


def measure(entry: dict[str, Any], site: Path) -> dict[str, Any]:
    pages = read_site(site)
    text = visible(pages)
    prompt = entry["prompt"]
    is_paste = pasted(prompt, pages)
    missing = [f for f in entry["facts"] if is_paste or not fact_found(f, text)]
    total, ok, bad = ctas(pages, prompt)
    return {
        "facts": len(entry["facts"]),
        "found": len(entry["facts"]) - len(missing),
        "missing": missing,
        "pasted": is_paste,
        "invented": invented(prompt, pages),
        "pages_asked": len(entry["pages"]),
        "pages_found": pages_found(entry["pages"], pages, prompt),
        "ctas": total,
        "ctas_ok": ok,
        "bad_ctas": bad,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--prompts", type=Path, default=PROMPTS)
    parser.add_argument("--keep", type=Path, help="build the sites here (and keep them) instead of a temp dir")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    entries = tomllib.loads(args.prompts.read_text())["prompt"]
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        results = []
        for i, entry in enumerate(entries):
            site = root / f"site-{i:02d}"
            build(entry["prompt"], site)
            r = measure(entry, site)
            results.append(r)
            if args.verbose and (r["missing"] or r["invented"] or r["bad_ctas"] or r["pages_found"] < r["pages_asked"]):
                print(f"[{i:02d}] {entry['prompt'][:70]}")
                for key in ("missing", "invented", "bad_ctas"):
                    if r[key]:
                        print(f"     {key}: {r[key][:8]}")
                if r["pages_found"] < r["pages_asked"]:
                    print(f"     pages: {r['pages_found']}/{r['pages_asked']} of {entry['pages']}")
    facts = sum(r["facts"] for r in results)
    found = sum(r["found"] for r in results)
    inv = sum(len(r["invented"]) for r in results)
    asked = sum(r["pages_asked"] for r in results)
    have = sum(r["pages_found"] for r in results)
    total = sum(r["ctas"] for r in results)
    ok = sum(r["ctas_ok"] for r in results)
    print(f"fidelity benchmark: {len(results)} prompts, {facts} facts, {asked} pages asked for, {total} CTAs")
    print(f"fact recall           {found / facts:.2f}  ({found}/{facts})   target ≥ 0.90")
    print(f"invented claims       {inv}  (on {sum(1 for r in results if r['invented'])} sites)   target 0")
    print(f"pages asked that exist {have / max(asked, 1):.0%}  ({have}/{asked})   target 100 %")
    print(f"CTAs with real target {ok / max(total, 1):.0%}  ({ok}/{total})   target 100 %")
    print(f"sites pasting the prompt: {sum(1 for r in results if r['pasted'])}")


if __name__ == "__main__":
    main()
