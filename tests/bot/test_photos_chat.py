# ruff: noqa: F811  (pytest fixtures imported from the Slack and Discord tests are parameters here)
"""Photos dropped in a project's thread on Slack and Discord (the local stand-ins serve the files), and the safe
download rules: platform host only, the token only there, no redirect elsewhere, size and time caps."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import aiohttp
import pytest

from bot import attachments
from bot.attachments import Refused, allowed_origins, download
from storage.models import CreditTransaction, Project, UserSession
from tests.bot.test_discord import bot, build, discord_settings, fake_discord, only, with_text  # noqa: F401
from tests.bot.test_photos import BAD
from tests.bot.test_slack import count, final_in, root_of, slack  # noqa: F401
from tests.fakes.discord_api import user_message
from tests.fakes.slack_api import text_of
from tests.jobs.test_photos_site import Refs, assert_every_reference_resolves, jpeg

PROMPT = "Lens & Light, a wedding photographer in Bristol, with a gallery, about and contact page"
_ts = itertools.count(200)


def three_photos() -> list[tuple[str, bytes]]:
    return [
        ("first-dance.jpg", jpeg(1600, 1000, (150, 60, 80))),
        ("rings.jpg", jpeg(1000, 1400, (40, 60, 140))),
        ("confetti.jpg", jpeg(1400, 900, (90, 140, 60))),
    ]


def slack_file(fake, name: str, data: bytes) -> dict[str, Any]:
    url = fake.shelf.put(name, data)
    return {"id": f"F{name}", "name": name, "size": len(data), "url_private_download": url}


def share(slack, thread_ts: str, files: list[dict[str, Any]], text: str = "", event_id: str = "") -> None:
    event = {
        "type": "message",
        "subtype": "file_share",
        "user": "U1",
        "channel": "C1",
        "text": text,
        "ts": f"1700000{next(_ts)}.000001",
        "thread_ts": thread_ts,
        "files": files,
    }
    assert slack.event(event, event_id or f"EvFiles{next(_ts)}")[0] == 200


def built_on_slack(slack, fake_slack, ctx, run_jobs) -> str:
    slack.command(f"build {PROMPT}")
    thread_ts: str = fake_slack.wait_for(lambda: root_of(fake_slack)).ts
    fake_slack.wait_for(lambda: count(ctx, UserSession, UserSession.thread_id == thread_ts))
    run_jobs()
    fake_slack.wait_for(lambda: final_in(fake_slack, thread_ts, "v1 is live"))
    return thread_ts


def site_of(ctx, number: int):
    with ctx.db.session() as s:
        project = s.query(Project).one()
    return ctx.settings.sites_dir / str(project.id) / f"v{number}"


def test_slack_three_photos_in_the_thread_make_a_version_with_them_in_hero_and_gallery(
    slack, fake_slack, ctx, run_jobs
):
    fake_slack.shelf.token = "xoxb-test"  # Slack serves files only with the bot token
    thread_ts = built_on_slack(slack, fake_slack, ctx, run_jobs)
    files = [slack_file(fake_slack, n, d) for n, d in three_photos()]
    share(slack, thread_ts, files, text="for the site")
    reply = fake_slack.wait_for(lambda: final_in(fake_slack, thread_ts, "📷"))
    assert "first-dance.jpg → hero" in text_of(reply) and "confetti.jpg → gallery" in text_of(reply)
    assert {auth for _, auth in fake_slack.shelf.requests} == {"Bearer xoxb-test"}
    run_jobs()
    fake_slack.wait_for(lambda: final_in(fake_slack, thread_ts, "v2 is live"))
    site = site_of(ctx, 2)
    assert_every_reference_resolves(site)
    home = Refs((site / "index.html").read_text())
    assert any("photo-" in str(i["src"]) and "fetchpriority" in i for i in home.imgs)


def test_slack_bad_files_are_each_named_and_nothing_is_charged(slack, fake_slack, ctx, run_jobs):
    fake_slack.shelf.token = "xoxb-test"
    thread_ts = built_on_slack(slack, fake_slack, ctx, run_jobs)
    ledger_rows = count(ctx, CreditTransaction)
    files = [slack_file(fake_slack, n, d) for n, d in BAD.items() if n != "huge.jpg"]
    files.append({"name": "huge.jpg", "size": 50 * 1024 * 1024, "url_private_download": fake_slack.shelf.base + "x"})
    files.append({"name": "elsewhere.jpg", "size": 10, "url_private_download": "https://evil.example.com/a.jpg"})
    files.append(
        {"name": "bounce.jpg", "size": 10, "url_private_download": fake_slack.shelf.redirect("b", "http://10.1.2.3/b")}
    )
    share(slack, thread_ts, files)
    refusal = fake_slack.wait_for(lambda: [c for c in fake_slack.of("chat.postEphemeral") if "No photo" in text_of(c)])
    text = text_of(refusal[0])
    for name in [*BAD, "elsewhere.jpg", "bounce.jpg"]:
        assert name in text
    assert "huge.jpg" not in [n for n, _ in fake_slack.shelf.requests]  # declared too big: never fetched
    assert not any(n == "a.jpg" for n, _ in fake_slack.shelf.requests)
    assert (
        count(ctx, CreditTransaction) == ledger_rows and len(list(site_of(ctx, 1).parent.glob("v*"))) == 2
    )  # v1 + zip


def test_discord_attachments_in_the_thread_become_the_projects_photos(bot, fake_discord, ctx, run_jobs):
    _, thread = build(fake_discord, ctx)
    run_jobs()
    fake_discord.wait_for(lambda: with_text(fake_discord, thread, "v1 is live"))
    message = user_message("this one is the hero", thread)
    message["attachments"] = [
        {"id": str(900 + i), "filename": n, "size": len(d), "url": fake_discord.shelf.put(n, d), "proxy_url": ""}
        for i, (n, d) in enumerate(three_photos())
    ]
    message["attachments"].append(
        {"id": "990", "filename": "x.jpg", "size": 5, "url": "https://cdn.example.org/x.jpg", "proxy_url": ""}
    )
    fake_discord.dispatch("MESSAGE_CREATE", message)
    reply = fake_discord.wait_for(lambda: with_text(fake_discord, thread, "📷"))
    assert "first-dance.jpg → hero" in reply["content"] and "rings.jpg → gallery" in reply["content"]
    assert "skipped x.jpg: not from the chat's own file storage" in reply["content"]
    run_jobs()
    fake_discord.wait_for(lambda: with_text(fake_discord, thread, "v2 is live"))
    project = only(ctx, Project)
    site = ctx.settings.sites_dir / str(project.id) / "v2"
    assert_every_reference_resolves(site)
    assert len(list((site / "images").glob("photo-*.webp"))) >= 3


# --- the download rules -------------------------------------------------------------------------------------------
def fetch(url: str, allowed: frozenset[tuple[str, str, int]], **kwargs: Any) -> bytes | str:
    async def go() -> bytes | str:
        async with aiohttp.ClientSession() as session:
            try:
                return await download(session, url, allowed, **kwargs)
            except Refused as exc:
                return exc.reason

    return asyncio.run(go())


def test_downloads_keep_to_the_platforms_host_its_size_and_its_time(fake_slack):
    shelf = fake_slack.shelf
    allowed = allowed_origins(attachments.SLACK_FILE_HOSTS, fake_slack.url)
    assert fetch(shelf.put("ok.jpg", b"abc"), allowed, token="t") == b"abc"
    assert fetch("https://files.slack.com.evil.example/ok.jpg", allowed, token="t") == "host"
    assert fetch("http://files.slack.com/ok.jpg", allowed) == "host"  # plain HTTP to the real host: no
    assert fetch(shelf.redirect("away", "https://evil.example/x"), allowed, token="t") == "redirect"
    assert fetch(shelf.redirect("home", shelf.base + "ok.jpg"), allowed, token="t") == b"abc"
    assert fetch(shelf.put("big.jpg", b"x" * 2048), allowed, max_bytes=1024) == "too_big"
    assert fetch(shelf.slow("slow.jpg"), allowed, timeout=0.5) == "download"
    assert fetch(shelf.base + "nothing-here.jpg", allowed) == "download"
    sent = {name: auth for name, auth in shelf.requests}
    assert sent["ok.jpg"] == "Bearer t" and "x" not in sent  # the token went to the allowed host only


@pytest.mark.parametrize("host", ["cdn.discordapp.com", "media.discordapp.net"])
def test_discords_cdn_hosts_are_allowed_over_https_only(host):
    allowed = allowed_origins(attachments.DISCORD_FILE_HOSTS, "https://discord.com/api/v10")
    assert ("https", host, 443) in allowed and ("http", host, 80) not in allowed
