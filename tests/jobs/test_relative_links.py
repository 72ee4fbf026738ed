"""Links in built pages are relative, so a change of PUBLIC_BASE_URL (or the store a version is served from)
never breaks an old version. The documented exceptions: Open Graph URLs (`og:url`, `og:image`), which crawlers
need absolute, and sitemap.xml / robots.txt, whose formats require absolute URLs."""

from __future__ import annotations

from html.parser import HTMLParser

from tests.helpers import actor
from tests.security.preview_client import PROMPT

LINK_ATTRIBUTES = {"href", "src", "srcset", "action", "poster", "data"}


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.og: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "meta" and (values.get("property") or "").startswith("og:") and "content" in values:
            self.og.append(values["content"] or "")
        for name, value in attrs:
            if name in LINK_ATTRIBUTES and value:
                self.links += [part.strip().split(" ")[0] for part in value.split(",")] if name == "srcset" else [value]


def test_every_page_links_relatively_except_open_graph(service, ctx, run_jobs):
    reply = service.handle(actor(), f"build {PROMPT}")
    assert run_jobs()
    store = ctx.settings.site_store
    pages = [n for n in store.files(reply.project_id, 1) if n.endswith(".html")]
    assert len(pages) >= 3
    for name in pages:
        found = store.read(reply.project_id, 1, name)
        assert found is not None
        parser = Links()
        parser.feed(found.data.decode())
        assert parser.links, name
        for link in parser.links:
            absolute = "://" in link.split("#")[0] or link.startswith("/")
            assert not absolute or link.startswith(("mailto:", "tel:")), (name, link)
        assert all(url.startswith(ctx.settings.public_base_url) for url in parser.og if "://" in url)
