"""Which picture fills each image slot of a site, and the `<img>` attributes that show it.

A slot shows the team's own photo for its role when there is one (several WebP widths, `srcset`/`sizes`), else a
picture drawn in the site's palette (`jobs/images.py`). Every slot that shows a drawn picture gets its own: the
gallery's slots, the listings' cards and the about section never repeat one, and `tiles` says how many gallery
pictures the site needs drawn, so a page never refers to a file the version does not contain.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from jobs.photos import Photo, derived_path

DEFAULT_TILES = 3
"""Drawn gallery pictures on a site whose gallery has no photos, no captions and no `images` count."""
HERO_SIZE = (1200, 800)
TILE_SIZE = (800, 600)


@dataclass(frozen=True)
class Picture:
    """One image slot's picture. Templates write `<img {{ p.attrs(sizes) }} alt="{{ p.alt }}" …>`."""

    src: str
    width: int
    height: int
    alt: str = ""
    caption: str = ""
    srcset: tuple[tuple[str, int], ...] = ()

    def attrs(self, sizes: str = "100vw") -> Markup:
        """src, srcset and sizes (for a photo), width and height: escaped, ready for an `<img>` tag."""
        parts = [f'src="{escape(self.src)}"']
        if self.srcset:
            candidates = ", ".join(f"{src} {w}w" for src, w in self.srcset)
            parts += [f'srcset="{escape(candidates)}"', f'sizes="{escape(sizes)}"']
        parts.append(f'width="{self.width}" height="{self.height}"')
        return Markup(" ".join(parts))


@dataclass
class Layout:
    """The pictures of one site: the template context `images`, and the files it needs."""

    hero: Picture
    about: Picture
    gallery: list[Picture]
    listings: list[Picture]
    team: list[Picture | None]
    tiles: int
    """Drawn gallery pictures to write (`gallery-1.png` … `gallery-<tiles>.png`)."""
    photos: list[Photo] = field(default_factory=list)
    """The photos the pages show: their derived files are copied into the site."""
    og: str = "images/og.png"
    """The picture link previews show: the hero photo when there is one, else the drawn card."""

    def context(self) -> dict[str, Any]:
        return {
            "og": self.og,
            "hero": self.hero,
            "hero_alt": self.hero.alt,
            "about": self.about,
            "gallery": self.gallery,
            "listings": self.listings,
            "team": self.team,
        }


def photo_src(photo: Photo, width: int) -> str:
    return f"images/photo-{photo.id[:16]}-{width}.webp"


def _photo(photo: Photo, alt: str, caption: str = "") -> Picture:
    widths = sorted(photo.widths)
    top = widths[-1]
    height = round(photo.height * top / photo.width)
    srcset = tuple((photo_src(photo, w), w) for w in widths)
    middle = next((w for w in widths if w >= 800), top)
    return Picture(photo_src(photo, middle), top, height, photo.alt or alt, caption, srcset)


def _tile(i: int, alt: str, caption: str = "") -> Picture:
    return Picture(f"images/gallery-{i}.png", *TILE_SIZE, alt=alt, caption=caption)


def _uses(sections: set[str], kind: str) -> bool:
    return any(s == kind or s.startswith(f"{kind}-") for s in sections)


def layout(
    name: str,
    location: str,
    copy: dict[str, Any],
    sections: set[str],
    photos: list[Photo],
    *,
    gallery_images: int = 0,
) -> Layout:
    """The pictures of a site from its copy, the section slugs its pages use and its (available) photos."""
    by_role: dict[str, list[Photo]] = {}
    for p in photos:
        by_role.setdefault(p.role, []).append(p)
    place = f"{name}, {location}" if location else name
    hero = by_role["hero"][0] if by_role.get("hero") else None
    captions = [str(c) for c in copy.get("gallery") or []]
    shots = by_role.get("gallery", [])
    slots = max(len(shots), len(captions), 0 if shots else max(gallery_images, DEFAULT_TILES))
    if not _uses(sections, "gallery"):
        slots = max(len(captions), gallery_images) if not shots else len(shots)
    gallery = []
    for i in range(slots):
        caption = captions[i] if i < len(captions) else ""
        alt = caption or f"{name}: picture {i + 1}"
        gallery.append(_photo(shots[i], alt, caption) if i < len(shots) else _tile(i + 1, alt, caption))
    items = list(copy.get("listings") or []) if _uses(sections, "listings") else []
    products = by_role.get("product", []) + shots
    listings = [
        _photo(products[i], str(item.get("name", ""))) if i < len(products) else _tile(i + 1, str(item.get("name")))
        for i, item in enumerate(items)
    ]
    tiles = max([i + 1 for i in range(slots) if i >= len(shots)] + [i + 1 for i in range(len(items))] + [0])
    about_photo = by_role["about"][0] if by_role.get("about") else None
    if about_photo is not None:
        about = _photo(about_photo, f"{name}: about us")
    elif "about-split" in sections:
        tiles += 1  # its own drawn picture, after the gallery's
        about = _tile(tiles, f"{name}: about us")
    else:
        about = Picture("images/hero.png", *HERO_SIZE, alt=place)
    people = list(copy.get("team") or [])
    portraits = match_people([str(p.get("name", "")) for p in people], by_role.get("team", []))
    team = [
        _photo(shot, str(person.get("name", ""))) if shot else None
        for person, shot in zip(people, portraits, strict=True)
    ]
    shown: list[Photo | None] = [hero, about_photo, *shots, *products[: len(items)], *portraits]
    used = {p.id: p for p in shown if p is not None}
    hero_picture = _photo(hero, place) if hero is not None else Picture("images/hero.png", *HERO_SIZE, alt=place)
    og = photo_src(hero, max(w for w in hero.widths if w <= 1200 or w == min(hero.widths))) if hero else "images/og.png"
    return Layout(hero_picture, about, gallery, listings, team, tiles, list(used.values()), og)


def match_people(names: list[str], shots: list[Photo]) -> list[Photo | None]:
    """A photo for each person: the one whose file name or description has their first name ("ana.jpg" for Ana
    Smith), else the next unclaimed one in the order they were sent; None when there are none left."""
    free = list(shots)
    chosen: list[Photo | None] = [None] * len(names)
    for i, name in enumerate(names):
        first = (re.findall(r"[^\W\d_]{2,}", name) or [""])[0].lower()
        said = next((p for p in free if first and first in re.findall(r"[^\W\d_]+", f"{p.name} {p.alt}".lower())), None)
        if said is not None:
            chosen[i] = said
            free.remove(said)
    for i in range(len(names)):
        if chosen[i] is None and free:
            chosen[i] = free.pop(0)
    return chosen


def copy_photos(photos: list[Photo], store: Path | None, images_dir: Path) -> list[Path]:
    """Copy the derived files of the photos the pages show from the project's store into the site."""
    written: list[Path] = []
    if store is None:
        return written
    images_dir.mkdir(parents=True, exist_ok=True)
    for photo in photos:
        for width in photo.widths:
            target = images_dir / Path(photo_src(photo, width)).name
            shutil.copyfile(derived_path(store, photo.id, width), target)
            written.append(target)
    return written
