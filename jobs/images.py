"""Procedural images in the site's palette (Pillow): hero, logo mark, favicon and Open Graph card.

Deterministic: the same name and palette give byte-identical PNG files.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image, ImageChops, ImageDraw, ImageFont


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def _gradient(size: tuple[int, int], start: str, end: str) -> Image.Image:
    """A diagonal blend of two colours, built from Pillow's 256-pixel gradient (fast at any size).

    The blend is a palette lookup of the grey mask (the same pixels as compositing two filled images through it,
    at 40 % of the CPU)."""
    down = Image.linear_gradient("L")  # 256 × 256, black at the top to white at the bottom
    across = down.transpose(Image.Transpose.ROTATE_90)
    # The mean of the two runs corner to corner with no seams (a rotated square left dark corners).
    mask = ImageChops.add(down, across, scale=2.0).resize(size)
    a, b = _rgb(start), _rgb(end)
    mask.putpalette([round(a[c] + (b[c] - a[c]) * v / 255) for v in range(256) for c in range(3)])  # L → P
    return mask.convert("RGB")


def _seed(name: str) -> list[int]:
    return list(hashlib.sha256(name.encode()).digest())


def _initials(name: str) -> str:
    letters = [w[0] for w in name.split() if w[:1].isalnum()]
    return ("".join(letters[:2]) or name[:1] or "A").upper()


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def hero(name: str, palette: dict[str, str], size: tuple[int, int] = (1200, 800), seed_text: str = "") -> Image.Image:
    img = _gradient(size, palette["primary"], palette["secondary"])
    draw = ImageDraw.Draw(img, "RGBA")
    seed = _seed(name + seed_text)
    accent = _rgb(palette["accent"])
    for i in range(6):  # soft circles whose places come from the name, so each business gets its own
        x = seed[i] * size[0] // 255
        y = seed[i + 6] * size[1] // 255
        r = 80 + seed[i + 12] % 160
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(*accent, 70))
    return img


def tile(
    name: str, palette: dict[str, str], index: int, size: tuple[int, int] = (800, 600), seed_text: str = ""
) -> Image.Image:
    """A gallery picture of its own: one of several compositions (by `index`) in the site's palette, placed by
    the name and seed, so no two slots of a gallery look alike."""
    colours = [palette["primary"], palette["secondary"], palette["accent"]]
    start, end = colours[index % 3], colours[(index + 1) % 3]
    img = (
        _gradient(size, start, end)
        if index % 2
        else _gradient(size, end, start).transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    )
    draw = ImageDraw.Draw(img, "RGBA")
    seed = _seed(f"{name}{seed_text}#{index}")
    ink = (*_rgb(colours[(index + 2) % 3]), 90)
    w, h = size
    style = (index - 1) % 4
    for i in range(7):
        x, y, r = seed[i] * w // 255, seed[i + 7] * h // 255, 40 + seed[i + 14] % 140
        if style == 0:  # soft circles
            draw.ellipse((x - r, y - r, x + r, y + r), fill=ink)
        elif style == 1:  # diagonal bands
            draw.polygon([(x - r, 0), (x + r // 2, 0), (x + r // 2 - h, h), (x - r - h, h)], fill=ink)
        elif style == 2:  # rings
            draw.ellipse((x - r, y - r, x + r, y + r), outline=ink, width=6 + seed[i + 21] % 18)
        else:  # scattered squares
            draw.rounded_rectangle((x - r // 2, y - r // 2, x + r // 2, y + r // 2), radius=r // 6, fill=ink)
    return img


def logo(name: str, palette: dict[str, str], size: int = 96) -> Image.Image:
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 4, fill=_rgb(palette["primary"]))
    draw.text(
        (size / 2, size / 2),
        _initials(name),
        font=_font(size // 2 - 4),
        anchor="mm",
        fill=_rgb(palette["on_primary"]),
    )
    return img


def og_card(name: str, tagline: str, palette: dict[str, str]) -> Image.Image:
    img = _gradient((1200, 630), palette["primary"], palette["secondary"])
    draw = ImageDraw.Draw(img)
    mark = logo(name, palette, 160)
    img.paste(mark, (80, 80), mark)
    draw.text((80, 300), name[:40], font=_font(72), fill=_rgb(palette["on_primary"]))
    draw.text((80, 400), tagline[:70], font=_font(34), fill=_rgb(palette["on_primary"]))
    return img


IMAGE_STYLE = 3
"""Bump when the drawing or encoding code changes: cached images are keyed by it and by every input."""

PICTURE: dict[str, Any] = {"format": "PNG", "compress_level": 6, "compress_type": 3}
"""Hero, gallery and OG card (1200×800, 1200×630): zlib's run-length strategy. Measured on 4 sites (bench
notes in docs/BENCHMARKS.md): 21 ms and 116 KB per site's images vs 32 ms and 87 KB at the default strategy,
level 6; level 1 costs the same CPU as RLE for 159 KB. WebP lossless (method 0) would be cheaper and smaller
(10 ms, 66 KB) but changes the files' names, which the catalog's components and chat previews use."""
MARK: dict[str, Any] = {"format": "PNG", "compress_level": 6}
"""Logo and favicon (96 px, 32 px, sharp edges and text): default zlib, well under a millisecond."""

CACHE_MAX_BYTES = 512 * 2**20
"""The image cache is swept back to 3/4 of this, least recently used first (a hit touches its file)."""
SWEEP_EVERY = 200
"""A process sweeps the cache on its first image written to it, then after every this many more."""
_written = 0


def cache_dir(sites_dir: Path) -> Path:
    """The image cache of the sites in `sites_dir`: beside them, out of reach of any preview URL (those start with
    a project id)."""
    return sites_dir / ".cache" / "images"


def write_images(
    out_dir: Path,
    name: str,
    tagline: str,
    palette: dict[str, str],
    *,
    seed: str = "",
    gallery: int = 0,
    cache: Path | None = None,
) -> list[Path]:
    """Write every site image into `out_dir` and return their paths.

    With `cache` (`cache_dir(SITES_DIR)`), each image is kept there under a hash of what it is drawn from (its
    kind, size, text, palette, seed, `IMAGE_STYLE` and encoder settings), and the next site that needs the same
    image (an edit's re-render, a rebuild, another version of the same business) copies it instead of drawing
    and encoding it again: PNG encoding was most of a build's own CPU."""
    out_dir.mkdir(parents=True, exist_ok=True)
    mark = functools.cache(lambda: logo(name, palette))
    drawings: dict[str, tuple[tuple[object, ...], Callable[[], Image.Image], dict[str, Any]]] = {
        "hero.png": ((name, palette, seed, (1200, 800)), lambda: hero(name, palette, seed_text=seed), PICTURE),
        "logo.png": ((name, palette, 96), mark, MARK),
        "favicon.png": ((name, palette, 32), lambda: mark().resize((32, 32), Image.Resampling.LANCZOS), MARK),
        "og.png": ((name, tagline, palette, (1200, 630)), lambda: og_card(name, tagline, palette), PICTURE),
    }
    for i in range(1, gallery + 1):
        drawings[f"gallery-{i}.png"] = (
            (name, palette, seed, i, (800, 600)),
            functools.partial(tile, name, palette, i, seed_text=seed),
            PICTURE,
        )
    paths = []
    stored = 0
    for filename, (inputs, draw, encoding) in drawings.items():
        path = out_dir / filename
        cached = None if cache is None else _cached_path(cache, filename, inputs, encoding)
        stored += _write(path, draw, encoding, cached)
        paths.append(path)
    if cache is not None and stored:
        _maybe_sweep(cache, stored)
    return paths


def _cached_path(cache: Path, filename: str, inputs: tuple[object, ...], encoding: dict[str, Any]) -> Path:
    kind = filename.split("-")[0].split(".")[0]
    blob = json.dumps([IMAGE_STYLE, kind, inputs, encoding], sort_keys=True).encode()
    key = hashlib.sha256(blob).hexdigest()
    return cache / key[:2] / f"{key}.png"


def _write(path: Path, draw: Callable[[], Image.Image], encoding: dict[str, Any], cached: Path | None) -> int:
    """Write one image, from the cache when it has it; 1 if it was added to the cache, else 0."""
    if cached is not None:
        try:
            shutil.copyfile(cached, path)  # a copy, not a link: a site's file may be rewritten in place later
            os.utime(cached)  # recently used: the sweep keeps it
            return 0
        except FileNotFoundError:
            pass
    draw().save(path, optimize=False, **encoding)
    if cached is None:
        return 0
    try:  # a cache that cannot be written only costs the next build time
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_name(f"{cached.name}.{os.getpid()}.tmp")
        shutil.copyfile(path, tmp)
        tmp.replace(cached)  # atomic: a concurrent reader sees the whole file or none
    except OSError:
        return 0
    return 1


def _maybe_sweep(cache: Path, stored: int) -> None:
    global _written
    first = _written == 0
    _written += stored
    if first or _written >= SWEEP_EVERY:
        _written = 1
        sweep(cache, CACHE_MAX_BYTES)


def sweep(cache: Path, max_bytes: int, *, stale_tmp_seconds: float = 3600) -> int:
    """Keep the cache under `max_bytes`: drop the least recently used images down to 3/4 of it, and temporary files
    a crashed writer left behind. Returns the number of files removed. Safe while other processes use the cache:
    a reader that loses its file to the sweep draws the image again."""
    now = time.time()
    files: list[tuple[float, int, Path]] = []
    removed = 0
    for path in cache.glob("*/*"):
        try:
            st = path.stat()
        except FileNotFoundError:
            continue
        if path.name.endswith(".tmp"):
            if now - st.st_mtime > stale_tmp_seconds:
                removed += _unlink(path)
            continue
        files.append((st.st_mtime, st.st_size, path))
    total = sum(size for _, size, _ in files)
    if total <= max_bytes:
        return removed
    for _, size, path in sorted(files):
        if total <= max_bytes * 3 // 4:
            break
        removed += _unlink(path)
        total -= size
    return removed


def _unlink(path: Path) -> int:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
        return 1
    return 0
