"""The template and component catalog in MongoDB, seeded from package data and read through the Redis cache."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pymongo
from pymongo.errors import PyMongoError

from storage.cache import Cache
from storage.errors import CatalogEmpty, ServiceUnavailable

DATA_DIR = Path(__file__).parent / "catalog_data"
DEFAULT_DATABASE = "autoweb"


def best_template(templates: list[dict[str, Any]], words: list[str], *, favourite: str = "") -> dict[str, Any]:
    """The template sharing the most words with a prompt (its industries count twice); ties go to the template of
    the `favourite` pack, then to the first by slug, so the choice is deterministic."""
    terms = {w.lower() for w in words}

    def score(t: dict[str, Any]) -> tuple[int, bool]:
        fit = 2 * len(terms & set(t.get("industries", []))) + len(terms & set(t.get("keywords", [])))
        return fit, t.get("pack") == favourite

    return max(sorted(templates, key=lambda t: str(t["slug"])), key=score)


@dataclass(frozen=True)
class SeedResult:
    templates: int
    components: int
    inserted: int


def load_package_data() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Templates and components as shipped in `catalog_data/` (component markup read from its .html.j2 file)."""
    templates = json.loads((DATA_DIR / "templates.json").read_text())
    components = json.loads((DATA_DIR / "components.json").read_text())
    for component in components:
        component["source"] = (DATA_DIR / "components" / f"{component['slug']}.html.j2").read_text()
    return templates, components


def database_name(url: str) -> str:
    return urlparse(url).path.lstrip("/").split("?")[0] or DEFAULT_DATABASE


class Catalog:
    """Templates and components. Create it inside the process that uses it: PyMongo clients are not fork-safe."""

    def __init__(self, url: str, cache: Cache | None = None, *, timeout_ms: int = 3000) -> None:
        self.client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(
            url, serverSelectionTimeoutMS=timeout_ms, connectTimeoutMS=timeout_ms, tz_aware=True
        )
        self.db = self.client[database_name(url)]
        self.cache = cache

    def close(self) -> None:
        self.client.close()

    def ping(self) -> None:
        try:
            self.client.admin.command("ping")
        except PyMongoError as exc:
            raise ServiceUnavailable("MongoDB", type(exc).__name__) from exc

    def seed(self) -> SeedResult:
        """Upsert every shipped template and component by slug; running it twice changes nothing."""
        templates, components = load_package_data()
        inserted = 0
        try:
            for name, docs in (("templates", templates), ("components", components)):
                collection = self.db[name]
                collection.create_index("slug", unique=True)
                for doc in docs:
                    result = collection.replace_one({"slug": doc["slug"]}, doc, upsert=True)
                    inserted += 1 if result.upserted_id is not None else 0
        except PyMongoError as exc:
            raise ServiceUnavailable("MongoDB", type(exc).__name__) from exc
        if self.cache is not None:
            self.cache.invalidate_catalog()
        return SeedResult(templates=len(templates), components=len(components), inserted=inserted)

    def _find(self, collection: str, query: dict[str, Any]) -> list[dict[str, Any]]:
        try:
            return list(self.db[collection].find(query, {"_id": 0}).sort("slug", 1))
        except PyMongoError as exc:
            raise ServiceUnavailable("MongoDB", type(exc).__name__) from exc

    def _cached(self, name: str, collection: str, query: dict[str, Any]) -> list[dict[str, Any]]:
        if self.cache is None:
            return self._find(collection, query)
        return self.cache.catalog(name, lambda: self._find(collection, query))

    def templates(self, category: str | None = None) -> list[dict[str, Any]]:
        query = {"category": category.lower()} if category else {}
        return self._cached(f"templates:{category or '*'}", "templates", query)

    def matching_templates(self, words: list[str]) -> list[dict[str, Any]]:
        """Templates whose keywords or industries share a word with `words` (a `$in` query, cached)."""
        terms = sorted({w.lower() for w in words if w})
        query = {"$or": [{"keywords": {"$in": terms}}, {"industries": {"$in": terms}}]}
        return self._cached("match:" + ",".join(terms), "templates", query)

    def choose_template(
        self, words: list[str], *, preferred: str | None = None, categories: tuple[str, ...] = (), favourite: str = ""
    ) -> dict[str, Any]:
        """The template that best fits the words of a prompt, among those of `categories` when any (the kind of
        organisation decides the categories, the words pick within them); the catalog's default when none match."""
        if preferred:
            found = [t for t in self.templates() if t["slug"] == preferred]
            if found:
                return found[0]
        family = [t for t in self.templates() if t.get("category") in categories] if categories else []
        if family:
            return best_template(family, words, favourite=favourite)
        candidates = self.matching_templates(words)
        if candidates:
            return best_template(candidates, words)
        every = self.templates()
        if not every:
            raise CatalogEmpty("no templates: run `autoweb catalog seed`")
        defaults = [t for t in every if t.get("default")]
        return defaults[0] if defaults else every[0]

    def components(self, slugs: list[str]) -> dict[str, dict[str, Any]]:
        wanted = sorted(set(slugs))
        found = self._cached("components:" + ",".join(wanted), "components", {"slug": {"$in": wanted}})
        return {c["slug"]: c for c in found}
