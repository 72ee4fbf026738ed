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
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFont

IMAGE_NAMES = ("hero.png", "logo.png", "favicon.png", "og.png")


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def _gradient(size: tuple[int, int], start: str, end: str) -> Image.Image:
    """A diagonal blend of two colours, built from Pillow's 256-pixel gradient (fast at any size)."""
    down = Image.linear_gradient("L")  # 256 × 256, black at the top to white at the bottom
    across = down.transpose(Image.Transpose.ROTATE_90)
    # The mean of the two runs corner to corner with no seams (a rotated square left dark corners).
    mask = ImageChops.add(down, across, scale=2.0).resize(size)
    return Image.composite(Image.new("RGB", size, _rgb(end)), Image.new("RGB", size, _rgb(start)), mask)


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
    img.paste(logo(name, palette, 160), (80, 80), logo(name, palette, 160))
    draw.text((80, 300), name[:40], font=_font(72), fill=_rgb(palette["on_primary"]))
    draw.text((80, 400), tagline[:70], font=_font(34), fill=_rgb(palette["on_primary"]))
    return img


IMAGE_STYLE = 2
"""Bump when the drawing code changes: cached images are keyed by it and by every input."""


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

    With `cache` (a directory beside the sites), each image is kept there under a hash of what it is drawn from,
    and the next site that needs the same image (an edit's re-render, a rebuild) links it instead of drawing and
    encoding it again: PNG encoding was most of a build's own CPU."""
    out_dir.mkdir(parents=True, exist_ok=True)
    mark = functools.cache(lambda: logo(name, palette))
    drawings: dict[str, tuple[tuple[object, ...], Callable[[], Image.Image]]] = {
        "hero.png": ((name, palette, seed), lambda: hero(name, palette, seed_text=seed)),
        "logo.png": ((name, palette), mark),
        "favicon.png": ((name, palette), lambda: mark().resize((32, 32), Image.Resampling.LANCZOS)),
        "og.png": ((name, tagline, palette), lambda: og_card(name, tagline, palette)),
    }
    for i in range(1, gallery + 1):
        drawings[f"gallery-{i}.png"] = (
            (name, palette, seed, i),
            functools.partial(tile, name, palette, i, seed_text=seed),
        )
    paths = []
    for filename, (inputs, draw) in drawings.items():
        path = out_dir / filename
        _write(path, draw, None if cache is None else _cached_path(cache, filename, inputs))
        paths.append(path)
    return paths


def _cached_path(cache: Path, filename: str, inputs: tuple[object, ...]) -> Path:
    key = hashlib.sha256(json.dumps([IMAGE_STYLE, filename.split("-")[0], inputs], sort_keys=True).encode()).hexdigest()
    return cache / key[:2] / f"{key}.png"


def _write(path: Path, draw: Callable[[], Image.Image], cached: Path | None) -> None:
    if cached is not None and cached.is_file():
        shutil.copyfile(cached, path)  # a copy, not a link: a site's file may be rewritten in place later
        return
    draw().save(path, format="PNG", optimize=False, compress_level=6)
    if cached is not None:
        with contextlib.suppress(OSError):  # a cache that cannot be written only costs the next build time
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_name(f"{cached.name}.{os.getpid()}.tmp")
            shutil.copyfile(path, tmp)
            tmp.replace(cached)  # atomic: a concurrent reader sees the whole file or none
