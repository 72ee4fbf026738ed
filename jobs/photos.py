"""A team's own photos: checked, cleaned and stored once per project, in the widths a site shows them at.

`ingest` decodes a file with Pillow only after its header passes the checks (JPEG, PNG or WebP; at most
`MAX_PIXELS`), applies the EXIF orientation, converts to sRGB and re-encodes from the pixels alone, so no
metadata (GPS, camera, comments) reaches a public site. The store is content-addressed: `<store>/<id>-<w>.webp`
where the id is the hash of the file as received, so the same photo dropped twice is encoded once. `place` says
where new photos go on the site, from their shape, their order and the words of the message they came with.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import io
import os
import re
import threading
import tomllib
import warnings
from pathlib import Path
from typing import Any

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError
from pydantic import BaseModel

ACCEPTED = ("JPEG", "PNG", "WEBP")
SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")
MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 60_000_000
"""Refused before decoding: a 60 MP photo is already larger than any phone or most cameras give."""
WIDTHS = (400, 800, 1200, 1600)
DRAFT = 1400
"""A JPEG is decoded at the smallest scale (1/2, 1/4, 1/8) that keeps both sides at least this long."""
QUALITY = 74
METHOD = 2
"""libwebp's effort (0-6): measured here on 12 MP photos, 2 encodes in under half the time of 3 and 4 for a
few percent more bytes (bench/images.py)."""
MAX_PHOTOS = 24
"""Photos a project keeps; the oldest gallery photos make way beyond it."""
ROLES = ("hero", "gallery", "about", "team", "product")
DATA = Path(__file__).parent / "data" / "photos.toml"


class Photo(BaseModel):
    """One stored photo of a project, as a site spec records it."""

    id: str
    name: str = ""
    width: int
    height: int
    widths: list[int]
    role: str = "gallery"
    alt: str = ""


class BadPhoto(Exception):
    """A file that cannot be a photo on the site; `reason` is one of: too_big, format, pixels, corrupt, empty."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def derived_path(store: Path, photo_id: str, width: int) -> Path:
    return store / f"{photo_id}-{width}.webp"


@functools.cache
def _data() -> dict[str, dict[str, list[str] | str]]:
    return tomllib.loads(DATA.read_text(encoding="utf-8"))


def _widths(width: int) -> list[int]:
    return sorted({min(w, width) for w in WIDTHS})


def ingest(data: bytes, name: str, store: Path) -> Photo:
    """Check, clean and store one file; raise BadPhoto (nothing written) when it cannot be used."""
    if not data:
        raise BadPhoto("empty")
    if len(data) > MAX_BYTES:
        raise BadPhoto("too_big")
    photo_id = hashlib.sha256(data).hexdigest()[:32]
    if (known := _stored(store, photo_id, name)) is not None:
        return known
    image = _decode(data)
    widths = _widths(image.width)
    store.mkdir(parents=True, exist_ok=True)
    source = image
    for width in reversed(widths):  # largest first, each smaller one resized from the one before: cheaper
        height = max(1, round(image.height * width / image.width))
        if width != source.width:
            source = source.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=2.0)
        path = derived_path(store, photo_id, width)
        if path.is_file():  # the same file was dropped before: already encoded
            continue
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        source.save(tmp, format="WEBP", quality=QUALITY, method=METHOD)
        tmp.replace(path)  # atomic: a reader sees the whole file or none
    return Photo(
        id=photo_id, name=name[:120], width=image.width, height=image.height, widths=widths, alt=alt_from(name)
    )


def ingest_all(files: list[tuple[str, bytes, str]], store: Path) -> tuple[list[Photo], list[tuple[str, str]]]:
    """Each (name, data, why it was not fetched) ingested in order: the photos (each once), and (name, reason) of
    every file refused, by the fetch or by `ingest`."""
    accepted: dict[str, Photo] = {}
    refused: list[tuple[str, str]] = []
    for name, data, why in files:
        if why:
            refused.append((name, why))
            continue
        try:
            photo = ingest(data, name, store)
        except BadPhoto as exc:
            refused.append((name, exc.reason))
            continue
        accepted.setdefault(photo.id, photo)
    return list(accepted.values()), refused


def _stored(store: Path, photo_id: str, name: str) -> Photo | None:
    """The photo as stored already (the same file sent before), read from its largest file's header."""
    found = sorted((int(p.stem.rsplit("-", 1)[1]), p) for p in store.glob(f"{photo_id}-*.webp"))
    if not found:
        return None
    try:
        with Image.open(found[-1][1], formats=["WEBP"]) as img:
            width, height = img.size
    except (OSError, UnidentifiedImageError):
        return None
    widths = _widths(width)
    if [w for w, _ in found] != widths:
        return None
    return Photo(id=photo_id, name=name[:120], width=width, height=height, widths=widths, alt=alt_from(name))


def _decode(data: bytes) -> Image.Image:
    """The pixels of an accepted file, upright, in sRGB, without metadata; BadPhoto otherwise."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=ACCEPTED) as img:
                if img.width * img.height > MAX_PIXELS or max(img.size) > 20_000:
                    raise BadPhoto("pixels")  # from the header alone, before any pixel is decoded
                if img.format == "JPEG":  # decode at 1/2, 1/4… of the size while it stays ≥ DRAFT: much faster
                    img.draft("RGB", (DRAFT, DRAFT))
                img.load()
                upright = ImageOps.exif_transpose(img)
                clean = _srgb(upright, img.info.get("icc_profile"))
    except BadPhoto:
        raise
    except UnidentifiedImageError as exc:  # an accepted kind's signature with a broken header is damaged
        raise BadPhoto("corrupt" if data.startswith(SIGNATURES) else "format") from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise BadPhoto("pixels") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:  # truncated or corrupt data
        raise BadPhoto("corrupt") from exc
    if max(clean.size) > max(WIDTHS):
        clean.thumbnail((max(WIDTHS), max(WIDTHS) * 4), Image.Resampling.LANCZOS, reducing_gap=2.0)
    return clean


def _srgb(img: Image.Image, icc: bytes | None) -> Image.Image:
    """A new image holding only the pixels (RGB, or RGBA when transparent), converted to sRGB from an embedded
    colour profile when there is one."""
    alpha = img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)
    mode = "RGBA" if alpha else "RGB"
    if icc and img.mode in ("RGB", "RGBA", "CMYK"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(img, source, ImageCms.createProfile("sRGB"), outputMode=mode)
            if converted is not None:
                img = converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # an unreadable profile: the pixels as they are
    return Image.frombytes(mode, img.size, img.convert(mode).tobytes())


def alt_from(name: str) -> str:
    """Alt text from a file name that describes the picture ("latte-art.jpg" → "Latte art"); "" for a camera's."""
    stem = Path(name).stem.strip()
    if not stem or any(re.search(p, stem, re.I) for p in _data()["camera_names"]["patterns"]):
        return ""
    words = " ".join(re.sub(r"[_\-.+]+", " ", stem).split())
    return (words[:1].upper() + words[1:])[:120] if re.search(r"[A-Za-z]{3}", words) else ""


def description(text: str) -> str:
    """What a message says about its pictures besides where they go ("latte art on our counter"), or ""."""
    skip = set(_data()["hint"]["filler"]) | {w for words in _data()["roles"].values() for w in words}
    words = re.findall(r"[\w'&-]+", text)
    if len([w for w in words if w.lower() not in skip]) < 2:
        return ""
    said = " ".join(text.split())[:120]
    return said[:1].upper() + said[1:]


def role_hint(text: str) -> str | None:
    """The place the message's words name first, if any."""
    roles = _data()["roles"]
    words = re.findall(r"[a-z]+", text.lower())
    for word in words:
        for role, listed in roles.items():
            if word in listed or word.rstrip("s") in listed:
                return role
    return None


def place(
    existing: list[Photo], new: list[Photo], hint: str, *, has_gallery: bool = True, has_about: bool = False
) -> list[Photo]:
    """The project's photos after adding `new` (each with its role set). A new hero moves the old one to the
    gallery; the same photo sent again moves to its new place; beyond MAX_PHOTOS the oldest gallery photos go."""
    wanted = role_hint(hint)
    fresh = {p.id for p in new}
    kept = [p for p in existing if p.id not in fresh]
    have = {p.role for p in kept}
    placed: list[Photo] = []
    for i, photo in enumerate(new):
        if wanted == "hero":
            role = "hero" if i == 0 else "gallery"
        elif wanted is not None:
            role = wanted
        elif "hero" not in have and "hero" not in {p.role for p in placed} and _first_wide(new) == i:
            role = "hero"
        elif has_about and "about" not in have and "about" not in {p.role for p in placed}:
            role = "about"
        else:
            role = "gallery" if has_gallery else "product"
        placed.append(photo.model_copy(update={"role": role}))
    if any(p.role == "hero" for p in placed):
        kept = [p.model_copy(update={"role": "gallery"}) if p.role == "hero" else p for p in kept]
    result = kept + placed
    while len(result) > MAX_PHOTOS:
        oldest = next((p for p in result if p.role == "gallery"), result[0])
        result.remove(oldest)
    return result


def _first_wide(photos: list[Photo]) -> int:
    """The first landscape photo (a hero is wide), else the first."""
    return next((i for i, p in enumerate(photos) if p.width >= p.height), 0)


def _person_named(spec: dict[str, Any], hint: str) -> str:
    """The team member whose first name the message says ("this is Ana"), or ""."""
    copies = [spec.get("copy_text") or {}, *((p.get("content") or {}) for p in spec.get("pages") or [])]
    words = set(re.findall(r"[^\W\d_]+", hint.lower()))
    for person in (person for c in copies for person in c.get("team") or []):
        name = str(person.get("name", ""))
        first = (re.findall(r"[^\W\d_]{2,}", name) or [""])[0].lower()
        if first and first in words:
            return name
    return ""


def _site_missing(key: str) -> str:
    data = tomllib.loads((Path(__file__).parent / "data" / "site.toml").read_text(encoding="utf-8"))
    return str(data["missing"][key])


def place_name(role: str) -> str:
    return str(_data()["places"].get(role, role))


IMAGELESS_HEROES = ("hero-minimal", "hero-centered")
"""Hero variants without a picture: a site given a hero photo shows it with `hero-image` instead."""


def apply(spec: dict[str, Any], new: list[Photo], hint: str) -> tuple[dict[str, Any], list[Photo]]:
    """A site spec (as stored) with `new` photos placed, and those photos with their places. A place the site
    has no section for gets one: a hero photo turns an imageless hero into a picture hero, gallery photos on a
    site without a gallery add one to the home page; a team or product photo with nowhere to go joins the
    gallery."""
    out = copy.deepcopy(spec)
    pages: list[dict[str, Any]] = out["pages"]
    sections = {s for page in pages for s in page["sections"]}
    gallery = any(s.startswith("gallery") for s in sections)
    listings = "listings" in sections
    existing = [Photo.model_validate(p) for p in out.get("photos") or []]
    named = _person_named(out, hint) if role_hint(hint) is None and "team" in sections else ""
    if named and len(new) == 1:  # "this is Ana": her photo, on her tile
        new = [new[0].model_copy(update={"alt": named})]
    wanted = "team" if named else hint
    placed = place(existing, new, wanted, has_gallery=gallery or not listings, has_about="about-split" in sections)
    homes = {"team": "team" in sections, "product": listings, "about": "about-split" in sections}
    placed = [p.model_copy(update={"role": "gallery"}) if not homes.get(p.role, True) else p for p in placed]
    roles = {p.role for p in placed}
    home = next((page for page in pages if page["slug"] == "index"), pages[0])
    if "hero" in roles:
        home["sections"] = ["hero-image" if s in IMAGELESS_HEROES else s for s in home["sections"]]
    if "gallery" in roles and not gallery:
        home["sections"].insert(max(len(home["sections"]) - 1, 1), "gallery")
    said = description(hint)
    if said:
        count = sum(1 for p in placed if p.id in {n.id for n in new} and not p.alt)
        numbered = iter(range(1, count + 1))
        placed = [
            p.model_copy(update={"alt": said if count == 1 else f"{said} ({next(numbered)} of {count})"})
            if p.id in {n.id for n in new} and not p.alt
            else p
            for p in placed
        ]
    if "gallery" in roles:  # the final message stops asking for the gallery's photos
        asked = re.compile(re.escape(_site_missing("page_gallery")).replace(re.escape("{title}"), ".*"))
        out["missing"] = [m for m in out.get("missing") or [] if not asked.fullmatch(m)]
    out["photos"] = [p.model_dump(mode="json") for p in placed]
    fresh = {p.id for p in new}
    return out, [p for p in placed if p.id in fresh]
