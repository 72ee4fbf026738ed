"""Photo benchmark: ingesting 8 photos (12 MP JPEGs made here) into a site, and its home page's weight.

    python bench/images.py [--shots DIR]

Prints (1) the time to ingest the 8 photos (check, orient, strip, encode every width) as a ratio to Pillow merely
decoding the same files once in the same run, and the bytes stored; (2) the bytes a headless Chromium fetches for
the home page at 375 px (device scale 1 and 2) and 1280 px wide, counted by the server that serves the site (only
what the browser asked for: lazy pictures below the fold are not fetched). With --shots, full-page screenshots at
1280 and 375 px are written there. Targets: ingest ≤ 3 s, home page ≤ 600 KB at 375 px.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import io
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image, ImageDraw, ImageFilter  # noqa: E402

from bench import browser  # noqa: E402
from jobs import brief, generator, photos, plan  # noqa: E402
from storage.catalog import load_package_data  # noqa: E402

PROMPT = "Lens & Light, a wedding photographer in Bristol, with about and contact pages"


def photo_like(i: int, size: tuple[int, int] = (4000, 3000)) -> bytes:
    """A 12 MP JPEG with a photo's kind of detail: texture at several scales over soft shapes and light, so it
    compresses about as a real photo does (a flat synthetic picture would make the byte counts flatter)."""
    w, h = size
    light = Image.linear_gradient("L").rotate(30 * i, expand=False).resize(size).convert("RGB")
    tint = Image.new("RGB", size, ((60 + 40 * i) % 255, (120 + 25 * i) % 255, (200 - 20 * i) % 255))
    img = Image.blend(light, tint, 0.55)
    draw = ImageDraw.Draw(img)
    for k in range(14):
        x, y, r = (k * 997 + i * 131) % w, (k * 571 + i * 313) % h, 150 + (k * 89) % 600
        draw.ellipse((x - r, y - r, x + r, y + r), fill=((k * 40) % 255, (i * 50 + k * 9) % 255, (k * 70 + i) % 255))
    img = img.filter(ImageFilter.GaussianBlur(12))
    for scale, amount in ((16, 0.22), (5, 0.16), (2, 0.10)):  # coarse to fine texture, as foliage, fabric, skin
        grain = Image.effect_noise((w // scale, h // scale), 60).resize(size, Image.Resampling.BICUBIC)
        img = Image.blend(img, Image.merge("RGB", (grain, grain, grain)), amount)
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=90)
    return buf.getvalue()


@contextmanager
def serving(root: Path) -> Iterator[str]:
    handler = functools.partial(Quiet, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shots", type=Path, default=None)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-images-"))
    files = [photo_like(i) for i in range(8)]
    started, cpu = time.perf_counter(), time.process_time()
    for data in files:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
    decode, decode_cpu = time.perf_counter() - started, time.process_time() - cpu
    store = work / "photos"
    started, cpu = time.perf_counter(), time.process_time()
    shots = [photos.ingest(data, f"wedding-{i + 1}.jpg", store) for i, data in enumerate(files)]
    ingest, ingest_cpu = time.perf_counter() - started, time.process_time() - cpu
    stored = sum(p.stat().st_size for p in store.iterdir())
    print(f"8 photos, {sum(map(len, files)) / 1e6:.1f} MB of 12 MP JPEGs")
    print(f"decode once (Pillow): {decode:.2f} s wall, {decode_cpu:.2f} s CPU")
    ratio = f"{ingest / decode:.2f} wall, {ingest_cpu / decode_cpu:.2f} CPU"
    print(f"ingest: {ingest:.2f} s wall, {ingest_cpu:.2f} s CPU; ratio to decoding {ratio}")
    print(f"stored: {stored / 1e3:.0f} KB in {len(list(store.iterdir()))} files")

    templates, components = load_package_data()
    template = next(t for t in templates if t["slug"] == "studio-portfolio")
    spec = plan.make_spec(brief.parse(PROMPT), template).model_dump(mode="json")
    spec, _ = photos.apply(spec, shots, "")
    site = work / "site"
    by_slug = {c["slug"]: c for c in components}
    generator.render_site(generator.SiteSpec.model_validate(spec), by_slug, site, base_url="/", photo_store=store)
    with serving(site) as url:
        for width, height, scale in ((375, 812, 1), (375, 812, 2), (375, 812, 3), (1280, 800, 1)):
            size, count = asyncio.run(browser.visit(url, width, height, scale))
            print(f"home page at {width} px (device scale {scale}): {size / 1e3:.0f} KB in {count} requests")
        if args.shots:
            args.shots.mkdir(parents=True, exist_ok=True)
            for width, height in ((1280, 800), (375, 812)):
                for page in ("index", "about"):
                    shot = args.shots / f"photos-{page}-{width}.png"
                    asyncio.run(browser.visit(f"{url}{page}.html", width, height, 1, shot=shot))
                    print(f"screenshot: {shot}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
