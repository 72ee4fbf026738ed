"""Photos from the console (and, through the same service call, from Slack and Discord): a build, three photos,
a version with them in hero and gallery; bad files are named and skipped; nothing usable charges nothing."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from PIL import Image
from rich.console import Console
from sqlalchemy import select

from bot import messages
from bot.attachments import Incoming
from bot.chat_text import plain
from bot.console import ConsoleChat, console_files
from jobs import photos
from jobs.photo_sync import photo_store
from storage.models import ProjectVersion
from tests.helpers import actor, assert_ledger_consistent
from tests.jobs.test_photos_site import Refs, assert_every_reference_resolves, jpeg

PROMPT = "Lens & Light, a wedding photographer in Bristol, with a gallery, about and contact page"


def built(service, run_jobs, who: str = "alice") -> int:
    reply = service.handle(actor(who), f"build {PROMPT}")
    assert reply.project_id is not None and run_jobs()
    return int(reply.project_id)


def versions(ctx, pid: int) -> list[ProjectVersion]:
    with ctx.db.session() as s:
        query = select(ProjectVersion).where(ProjectVersion.project_id == pid).order_by(ProjectVersion.number)
        return list(s.execute(query).scalars())


def balance(service, who: str = "alice") -> str:
    return str(service.handle(actor(who), "credits").text)


def png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims `width` × `height` (a decompression bomb's calling card) and no real pixels."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    pixels = zlib.compress(b"\0" * 4096)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def with_exif(width: int, height: int) -> bytes:
    """A JPEG taken sideways (EXIF orientation 6) with a GPS position and a camera model."""
    img = Image.new("RGB", (width, height), (200, 40, 40))
    img.paste((40, 40, 200), (0, 0, width // 4, height))  # a blue band on the left: on top once upright
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x0110] = "SecretCam 9000"
    exif[0x8825] = {1: "N", 2: (51.0, 27.0, 0.0), 3: "W", 4: (2.0, 35.0, 0.0)}
    buf = io.BytesIO()
    img.save(buf, format="JPEG", exif=exif)
    return buf.getvalue()


BAD = {
    "bomb.png": png_header(100_000, 100_000),
    "logo.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "cut.jpg": jpeg(1200, 800, (10, 20, 30))[:3000],
    "huge.jpg": b"\xff\xd8\xff" + b"\0" * (50 * 1024 * 1024),
    "anim.gif": b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
    "phone.heic": b"\0\0\0\x18ftypheic\0\0\0\0mif1heic",
}


def test_a_build_then_three_photos_in_the_console_puts_them_in_hero_and_gallery(service, ctx, run_jobs, tmp_path):
    pid = built(service, run_jobs)
    files = []
    for name, size in (("shopfront.jpg", (1600, 1000)), ("IMG_0001.jpg", (900, 1300)), ("rings.jpg", (1400, 900))):
        path = tmp_path / name
        path.write_bytes(jpeg(*size, (120, 60, 30)))
        files.append(str(path))
    out = io.StringIO()
    chat = ConsoleChat(service, Console(file=out, width=200), user="alice")
    reply = chat.say(f"images #{pid} {' '.join(files)}")
    assert reply.version_id is not None, reply.text
    said = plain(reply.text)
    assert "shopfront.jpg → hero" in said and "IMG_0001.jpg → gallery" in said
    assert "rings.jpg → gallery" in said and said in out.getvalue()
    assert run_jobs()
    v2 = versions(ctx, pid)[-1]
    assert (v2.kind, v2.status) == ("images", "succeeded")
    site = ctx.settings.sites_dir / str(pid) / "v2"
    assert_every_reference_resolves(site)
    hero = next(i for i in Refs((site / "index.html").read_text()).imgs if "fetchpriority" in i)
    assert str(hero["src"]).startswith("images/photo-") and "400w" in str(hero["srcset"])
    gallery_page = next(
        p for p in site.glob("*.html") if 'class="mosaic"' in p.read_text() or 'class="gallery"' in p.read_text()
    )
    shown = [i for i in Refs(gallery_page.read_text()).imgs if "photo-" in str(i["src"])]
    assert len(shown) == 2 and all(i.get("loading") == "lazy" and i.get("sizes") for i in shown)
    with zipfile.ZipFile(site.with_suffix(".zip")) as archive:
        assert {n for n in archive.namelist() if n.startswith("images/photo-")} == {
            f"images/{p.name}" for p in (site / "images").glob("photo-*")
        }
    assert "credits held" in reply.text and f"{ctx.settings.image_cost} credits" in reply.text
    assert_ledger_consistent(ctx.db)


def test_the_preview_serves_photos_as_webp(service, ctx, run_jobs, storage_settings, job_settings):
    from bot.preview import make_app
    from tests.bot.test_preview import fetch
    from tests.helpers import preview_token

    pid = built(service, run_jobs)
    shot = Incoming(name="hall.jpg", data=jpeg(1400, 900, (50, 80, 90)))
    assert service.handle_files(actor(), f"images #{pid}", [shot]).version_id is not None and run_jobs()
    name = next((ctx.settings.sites_dir / str(pid) / "v2" / "images").glob("photo-*-400.webp")).name
    token = preview_token(ctx.db, pid)
    status, body, kind = fetch(make_app(storage_settings, job_settings), f"/p/{token}/images/{name}")[0]
    assert (status, kind, body[:4], body[8:12]) == (200, "image/webp", b"RIFF", b"WEBP")


def test_exif_orientation_is_applied_and_every_piece_of_metadata_is_dropped(tmp_path):
    photo = photos.ingest(with_exif(1200, 800), "DSC_0042.jpg", tmp_path)
    assert (photo.width, photo.height) == (800, 1200)  # stood up
    for width in photo.widths:
        with Image.open(photos.derived_path(tmp_path, photo.id, width)) as img:
            assert img.format == "WEBP" and not img.getexif() and "exif" not in img.info and "xmp" not in img.info
            top = img.convert("RGB").getpixel((img.width // 2, 2))
            assert isinstance(top, tuple) and top[2] > 150  # the blue band is on top
    assert photo.alt == ""  # a camera's file name says nothing about the picture
    data = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"SecretCam" not in data and b"GPS" not in data


def test_the_same_photo_sent_twice_is_encoded_once(tmp_path):
    data = jpeg(1000, 700, (1, 2, 3))
    first = photos.ingest(data, "a.jpg", tmp_path)
    stamps = {p: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    again = photos.ingest(data, "a-again.jpg", tmp_path)
    assert again.id == first.id and again.widths == first.widths
    assert {p: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == stamps


def test_each_bad_file_is_refused_with_one_clear_reason(tmp_path):
    reasons = {}
    for name, data in BAD.items():
        try:
            photos.ingest(data, name, tmp_path)
        except photos.BadPhoto as exc:
            reasons[name] = exc.reason
    assert reasons == {
        "bomb.png": "pixels",
        "logo.svg": "format",
        "cut.jpg": "corrupt",
        "huge.jpg": "too_big",
        "anim.gif": "format",
        "phone.heic": "format",
    }
    assert not list(tmp_path.iterdir())
    assert "JPEG, PNG or WebP" in messages.photo_refused("anim.gif", "format")


def test_nothing_usable_changes_nothing_and_charges_nothing(service, ctx, run_jobs):
    pid = built(service, run_jobs)
    before = balance(service)
    files = [Incoming(name=n, data=d) for n, d in BAD.items()]
    files += [Incoming(name="elsewhere.jpg", refused="host"), Incoming(name="bounce.jpg", refused="redirect")]
    reply = service.handle_files(actor(), f"images #{pid} for the gallery", files)
    refused = [
        (f.name, r) for f, r in zip(files, ["pixels", "format", "corrupt", "too_big", "format", "format"], strict=False)
    ]
    refused += [("elsewhere.jpg", "host"), ("bounce.jpg", "redirect")]
    assert (reply.text, reply.ephemeral, reply.version_id) == (messages.no_usable_photos(refused), True, None)
    assert len(versions(ctx, pid)) == 1 and balance(service) == before
    assert not photo_store(ctx.settings.sites_dir, pid).exists()
    assert len(reply.text.splitlines()) == len(files) + 1  # one line per file


def test_a_bad_file_beside_good_ones_is_skipped_and_named(service, ctx, run_jobs):
    pid = built(service, run_jobs)
    files = [
        Incoming(name="cake.jpg", data=jpeg(1200, 800, (9, 9, 9))),
        Incoming(name="anim.gif", data=BAD["anim.gif"]),
    ]
    reply = service.handle_files(actor(), f"images #{pid} this one is the hero", files)
    assert reply.version_id is not None
    assert messages.photos_placed([("cake.jpg", "hero")], [("anim.gif", "format")]) in reply.text
    assert run_jobs()
    assert versions(ctx, pid)[-1].status == "succeeded"


def test_another_teams_project_gets_no_photos(service, ctx, run_jobs):
    pid = built(service, run_jobs)
    stranger = actor("mallory", team="other")
    reply = service.handle_files(stranger, f"images #{pid}", [Incoming(name="x.jpg", data=jpeg(800, 600, (1, 1, 1)))])
    assert reply.text == messages.no_such_project(pid) and reply.version_id is None
    assert not photo_store(ctx.settings.sites_dir, pid).exists()


def test_a_rollback_keeps_the_photos_of_the_version_it_restores(service, ctx, run_jobs):
    pid = built(service, run_jobs)
    shot = Incoming(name="hall.jpg", data=jpeg(1400, 900, (50, 80, 90)))
    assert service.handle_files(actor(), f"images #{pid}", [shot]).version_id is not None and run_jobs()
    assert service.handle(actor(), f"edit #{pid} make it teal").version_id is not None and run_jobs()
    assert "v2" in service.handle(actor(), f"rollback #{pid} 2").text
    site = ctx.settings.sites_dir / str(pid) / "v2"
    assert_every_reference_resolves(site)
    assert list((site / "images").glob("photo-*.webp"))


def test_console_words_that_name_files_are_files_and_the_rest_is_the_hint():
    assert console_files('images #4 a.jpg "my pics/b c.png" these are for the gallery') == (
        ["a.jpg", "my pics/b c.png"],
        "images #4 these are for the gallery",
    )
    assert console_files("images #4 3 latte art") == ([], "images #4 3 latte art")
    assert console_files("build a site with a.jpg") == ([], "build a site with a.jpg")


def test_placement_follows_the_words_then_the_shape():
    wide = photos.Photo(id="a" * 32, width=1600, height=900, widths=[400])
    tall = photos.Photo(id="b" * 32, width=900, height=1600, widths=[400])
    other = photos.Photo(id="c" * 32, width=1200, height=800, widths=[400])
    assert [p.role for p in photos.place([], [tall, wide], "")] == ["gallery", "hero"]
    assert [p.role for p in photos.place([], [wide, other], "these are for the gallery")] == ["gallery", "gallery"]
    assert [p.role for p in photos.place([], [tall, wide], "this one is the hero")] == ["hero", "gallery"]
    first = photos.place([], [wide], "")
    assert [(p.id[0], p.role) for p in photos.place(first, [other], "new hero")] == [("a", "gallery"), ("c", "hero")]


def test_hero_photo_on_an_imageless_hero_gets_a_picture_hero_and_the_gallery_one_is_added():
    spec = {"pages": [{"slug": "index", "sections": ["navbar", "hero-minimal", "footer"]}], "photos": []}
    wide = photos.Photo(id="a" * 32, width=1600, height=900, widths=[400])
    other = photos.Photo(id="c" * 32, width=1200, height=800, widths=[400])
    out, placed = photos.apply(spec, [wide, other], "")
    assert out["pages"][0]["sections"] == ["navbar", "hero-image", "gallery", "footer"]
    assert [p.role for p in placed] == ["hero", "gallery"] and spec["pages"][0]["sections"][1] == "hero-minimal"


def test_file_names_in_replies_are_escaped_on_every_surface(service):
    from bot.chat_text import for_discord, for_slack

    shown = messages.photos_placed([("<!channel>*bold*.jpg", "hero")], [("@everyone.gif", "format")])
    assert "<!channel>" not in for_slack(shown) and "&lt;!channel&gt;" in for_slack(shown)
    assert "@everyone" not in for_discord(shown)
    assert "<!channel>*bold*.jpg → hero" in plain(shown)
    assert len(plain(messages.file_name("x" * 300))) == 58


def test_the_message_describes_photos_whose_file_names_say_nothing():
    spec = {"pages": [{"slug": "index", "sections": ["navbar", "hero-split", "gallery", "footer"]}], "photos": []}
    named = photos.Photo(id="a" * 32, width=1600, height=900, widths=[400], alt="Shopfront")
    camera = photos.Photo(id="b" * 32, width=1200, height=800, widths=[400])
    again = photos.Photo(id="c" * 32, width=1200, height=800, widths=[400])
    _, placed = photos.apply(spec, [named, camera, again], "latte art on our wooden counter")
    assert [p.alt for p in placed] == [
        "Shopfront",
        "Latte art on our wooden counter (1 of 2)",
        "Latte art on our wooden counter (2 of 2)",
    ]
    _, placed = photos.apply(spec, [camera], "these are for the gallery")
    assert placed[0].alt == ""  # only where they go: the section gives the alt text when the page is made


def test_gallery_photos_stop_the_final_message_asking_for_them():
    spec = {
        "pages": [
            {"slug": "index", "sections": ["navbar", "hero-split", "footer"]},
            {"slug": "work", "sections": ["gallery"]},
        ],
        "photos": [],
        "missing": ["photos for the Our work page (drop them in the thread)", "your opening hours"],
    }
    tall = photos.Photo(id="b" * 32, width=900, height=1600, widths=[400])
    out, _ = photos.apply(spec, [tall], "for the gallery")
    assert out["missing"] == ["your opening hours"]


def test_a_photo_that_names_a_team_member_goes_on_their_tile():
    spec = {
        "pages": [{"slug": "index", "sections": ["navbar", "hero-split", "team", "gallery", "footer"]}],
        "copy_text": {"team": [{"name": "Ben Lee (owner)"}, {"name": "Ana Smith (barista)"}]},
        "photos": [],
    }
    shot = photos.Photo(id="b" * 32, name="IMG_9.jpg", width=900, height=1200, widths=[400])
    _, placed = photos.apply(spec, [shot], "this is Ana")
    assert [(p.role, p.alt) for p in placed] == [("team", "Ana Smith (barista)")]
