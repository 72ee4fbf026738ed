"""Finding: every team's sites and zips were readable at `/p/1/`, `/p/2/`, … and robots.txt said `Allow: /`.

A preview is reachable only through its project's unguessable token (≥ 128 bits); the sequential id serves
nothing; projects that existed before the token column get one in the migration; crawlers are told to stay out.
"""

from __future__ import annotations

import psycopg
from alembic import command

from bot.preview import make_app
from jobs.settings import JobSettings
from storage.db import _alembic_config, upgrade
from tests.helpers import actor, preview_token
from tests.security.preview_client import built_project, fetch


def test_a_sequential_id_serves_nothing_and_the_token_serves_the_site(
    service, ctx, run_jobs, storage_settings, job_settings
):
    pid = built_project(service, run_jobs)
    token = preview_token(ctx.db, pid)
    assert len(token) >= 32 and str(pid) != token  # token_urlsafe(24): 192 bits
    answers = fetch(
        make_app(storage_settings, job_settings),
        f"/p/{pid}/",
        f"/p/{pid}/v1/",
        f"/p/{pid}/v1.zip",
        f"/p/{pid}/v1/menu.html",
        f"/p/{token}/",
        f"/p/{token}/v1.zip",
        f"/p/{token[:-1]}x/",  # one character off
        "/robots.txt",
        f"/p/{token}/robots.txt",
    )
    by_id, by_id_v1, by_id_zip, by_id_page, site, archive, near_miss, robots, site_robots = answers
    assert [a.status for a in (by_id, by_id_v1, by_id_zip, by_id_page, near_miss)] == [404] * 5
    assert site.status == 200 and b"Sweet Crumbs" in site.body
    assert archive.status == 200 and archive.body[:2] == b"PK"
    assert robots.body == site_robots.body == b"User-agent: *\nDisallow: /\n"


def test_links_in_chat_carry_the_token(service, ctx, run_jobs):
    pid = built_project(service, run_jobs)
    token = preview_token(ctx.db, pid)
    status = service.handle(actor(), f"status #{pid}").text
    assert f"/p/{token}/" in status and f"/p/{pid}/" not in status
    assert JobSettings(public_base_url="https://x.example").preview_url(token, 2) == f"https://x.example/p/{token}/v2/"


def test_each_project_gets_its_own_token_and_old_projects_get_one_in_the_migration(database_url):
    command.downgrade(_alembic_config(database_url), "0004")
    libpq = database_url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(libpq, autocommit=True) as conn:
        uid = conn.execute("INSERT INTO users (display_name) VALUES ('old') RETURNING id").fetchone()[0]  # type: ignore[index]
        for name in ("one", "two", "three"):
            conn.execute(
                "INSERT INTO projects (owner_id, platform, team_id, name, prompt) VALUES (%s, 'slack', 'T', %s, '')",
                (uid, name),
            )
    upgrade(database_url)
    with psycopg.connect(libpq) as conn:
        tokens = [row[0] for row in conn.execute("SELECT preview_token FROM projects")]
    assert len(tokens) == len(set(tokens)) == 3
    assert all(len(t) >= 32 and t.replace("-", "").replace("_", "").isalnum() for t in tokens)
