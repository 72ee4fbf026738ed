"""CommandService.handle, command by command, on real Postgres, Redis and Mongo.

Every refusal is checked twice: the exact text (from bot.messages) and that nothing was written or held.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer
from sqlalchemy import func, select

from bot import messages
from bot.service import CommandService
from bot.settings import BotSettings
from jobs.brief import COLOURS, MAX_PROMPT
from jobs.context import JobContext
from jobs.queue import BUILDS, build_job_id, queue
from jobs.settings import JobSettings
from storage.catalog import load_package_data
from storage.models import CreditTransaction, Project, ProjectVersion, User
from storage.settings import StorageSettings
from tests.helpers import actor, preview_token

PROMPT = "a landing page for Sweet Crumbs, a bakery in Leeds, with a menu and contact page"
CLOSED_PORT_REDIS = "redis://127.0.0.1:1/0"
CLOSED_PORT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:1/autoweb"
REF = re.compile(r"\(ref ([0-9A-F]{4})\)")


# --- helpers --------------------------------------------------------------------------------------------------
def written(ctx: JobContext) -> dict[str, int]:
    """Row counts of what a command may write, and the credits held across all users."""
    with ctx.db.session() as s:
        count = {
            name: s.execute(select(func.count()).select_from(model)).scalar_one()
            for name, model in (
                ("credit_transactions", CreditTransaction),
                ("projects", Project),
                ("project_versions", ProjectVersion),
            )
        }
        count["held"] = s.execute(select(func.coalesce(func.sum(User.held), 0))).scalar_one()
    return count


def versions(ctx: JobContext, project_id: int) -> list[ProjectVersion]:
    with ctx.db.session() as s:
        return list(
            s.execute(
                select(ProjectVersion).where(ProjectVersion.project_id == project_id).order_by(ProjectVersion.number)
            ).scalars()
        )


def balance(ctx: JobContext, user: str = "alice") -> tuple[int, int]:
    with ctx.db.session() as s:
        row = s.execute(select(User).where(User.display_name == user)).scalar_one()
        return row.balance, row.held


def ledger_types(ctx: JobContext) -> list[str]:
    with ctx.db.session() as s:
        return [t.type for t in s.execute(select(CreditTransaction).order_by(CreditTransaction.id)).scalars()]


def built(service: CommandService, run_jobs, who: str = "alice") -> int:
    """A project whose v1 has been built and succeeded."""
    reply = service.handle(actor(who), f"build {PROMPT}")
    assert reply.project_id is not None and run_jobs()
    return reply.project_id


def site_dir(ctx: JobContext, project_id: int, number: int) -> Path:
    return ctx.settings.sites_dir / str(project_id) / f"v{number}"


def matches_with_ref(text: str, message) -> bool:
    """True when `text` is `message(ref)` for the short reference it carries."""
    found = REF.search(text)
    return found is not None and text == message(found.group(1))


# --- build ----------------------------------------------------------------------------------------------------
def test_build_replies_with_project_place_in_line_and_hold(service, ctx):
    first = service.handle(actor(), f"build {PROMPT}")
    assert first.text == messages.build_accepted("Sweet Crumbs", first.project_id, 1, 0, 10)
    assert "next in line · 10 credits held" in first.text
    assert (first.version, first.ephemeral) == (1, False)

    second = service.handle(actor(), "build a portfolio for Ana Lux, a wedding photographer in Bath")
    assert second.text == messages.build_accepted("Ana Lux", second.project_id, 1, 1, 10)
    assert "queued, 2nd in line" in second.text

    assert queue(ctx.redis, BUILDS).job_ids == [build_job_id(first.version_id), build_job_id(second.version_id)]
    assert written(ctx) == {"credit_transactions": 3, "projects": 2, "project_versions": 2, "held": 20}
    assert balance(ctx) == (50, 20)


def test_help_and_empty_text_show_the_help(service, ctx):
    for text in ("help", "", "  "):
        reply = service.handle(actor(), text)
        assert (reply.text, reply.ephemeral) == (messages.help_text(), True)
    assert written(ctx) == {"credit_transactions": 0, "projects": 0, "project_versions": 0, "held": 0}


# --- edits ----------------------------------------------------------------------------------------------------
def test_edits_become_new_versions_with_the_change_applied(service, ctx, run_jobs):
    pid = built(service, run_jobs)
    name = "Sweet Crumbs"
    for number, instruction in enumerate(
        ["make the header dark green", "add a pricing page", "remove the pricing page", "rename to Crumbs & Co"],
        start=2,
    ):
        reply = service.handle(actor(), f"edit #{pid} {instruction}")
        accepted = messages.build_accepted(name, pid, number, 0, 10)
        assert reply.text.startswith(f"{accepted}\nChanges:\n• "), instruction  # then what changed, one line each
        assert run_jobs()
        latest = versions(ctx, pid)[-1].spec
        assert latest is not None
        name = latest["name"]  # the name a rename gave it, from the next version on

    v1, green, pricing, no_faq, renamed = versions(ctx, pid)
    assert [v.status for v in (v1, green, pricing, no_faq, renamed)] == ["succeeded"] * 5
    assert [v.kind for v in (green, pricing, no_faq, renamed)] == ["edit"] * 4
    assert green.spec and green.spec["palette"]["primary"] == COLOURS["dark green"]
    assert v1.spec and v1.spec["palette"]["primary"] != COLOURS["dark green"]  # v1 is never changed
    assert pricing.spec and [p["slug"] for p in pricing.spec["pages"]] == ["index", "menu", "contact", "pricing"]
    assert any(p["slug"] == "pricing" for p in pricing.spec["pages"])
    assert no_faq.spec and not any(p["slug"] == "pricing" for p in no_faq.spec["pages"])
    assert renamed.spec and renamed.spec["name"] == "Crumbs & Co"
    assert "Crumbs &amp; Co" in (site_dir(ctx, pid, 5) / "index.html").read_text()
    assert (site_dir(ctx, pid, 3) / "pricing.html").is_file()
    assert (site_dir(ctx, pid, 1) / "index.html").is_file()  # earlier versions are kept

    assert balance(ctx) == (0, 0)  # 50 signup credits, five versions at 10 each
    history = service.handle(actor(), f"history #{pid}")
    assert history.text == messages.history(
        pid,
        [
            (1, "build", "succeeded", ""),
            (2, "edit", "succeeded", "make the header dark green"),
            (3, "edit", "succeeded", "add a pricing page"),
            (4, "edit", "succeeded", "remove the pricing page"),
            (5, "edit", "succeeded", "rename to Crumbs & Co"),
        ],
        live=5,
    )


@pytest.mark.parametrize(
    "instruction",
    [
        "do a barrel roll",
        "remove the faq",  # the bakery site has no FAQ anywhere: nothing to remove
        "rename to Sweet Crumbs",  # already its name: the new version would be the same
        "rename to ...",
        "add testimonials",  # already on the home page
    ],
)
def test_an_edit_that_changes_nothing_is_refused_and_nothing_is_held(service, ctx, run_jobs, instruction):
    pid = built(service, run_jobs)
    before = written(ctx)
    reply = service.handle(actor(), f"edit #{pid} {instruction}")
    assert reply.text.startswith(f"I couldn't make any change to #{pid}, so nothing was built or charged:\n• ")
    assert reply.ephemeral and "Try e.g. `" in reply.text
    assert written(ctx) == before
    assert queue(ctx.redis, BUILDS).count == 0


# --- rollback -------------------------------------------------------------------------------------------------
def test_rollback_makes_an_old_version_live_at_once_and_free(service, ctx, run_jobs):
    pid = built(service, run_jobs)
    service.handle(actor(), f"edit #{pid} make it purple")
    assert run_jobs()
    before = written(ctx)

    reply = service.handle(actor(), f"rollback #{pid} v1")
    settings, token = ctx.settings, preview_token(ctx.db, pid)
    assert reply.text == messages.rolled_back(
        "Sweet Crumbs", 1, settings.preview_url(token), [settings.preview_url(token, 2)]
    )
    assert not run_jobs()  # nothing was queued: nothing is built
    assert [v.number for v in versions(ctx, pid)] == [1, 2]
    with ctx.db.session() as s:
        project = s.get(Project, pid)
        assert project is not None and project.current_version == 1
    assert written(ctx) == before and balance(ctx) == (30, 0)  # free: no version, no ledger row
    history = service.handle(actor(), f"history #{pid}").text
    assert "• v1 build · succeeded · live" in history and "v2 edit · succeeded · make it purple" in history

    again = service.handle(actor(), f"rollback #{pid} 1")  # the bare number works too
    assert again.text == messages.already_live(pid, 1)
    forward = service.handle(actor(), f"rollback #{pid} 2")
    assert forward.text == messages.rolled_back("Sweet Crumbs", 2, settings.preview_url(token), [])

    service.handle(actor(), f"rollback #{pid} v1")
    edit = service.handle(actor(), f"edit #{pid} add a faq")
    assert edit.version_id is not None and run_jobs()
    first, newest = versions(ctx, pid)[0], versions(ctx, pid)[-1]
    assert newest.number == 3 and newest.spec is not None and first.spec is not None
    assert newest.spec["palette"] == first.spec["palette"]  # the edit starts from the live v1, not v2


@pytest.mark.parametrize("version", [0, 9])
def test_rollback_to_a_version_that_never_succeeded_is_refused(service, ctx, run_jobs, version):
    pid = built(service, run_jobs)
    before = written(ctx)
    reply = service.handle(actor(), f"rollback #{pid} v{version}")
    assert reply.text == messages.no_such_version(pid, version)
    assert written(ctx) == before


def test_rollback_to_a_cancelled_version_is_refused(service, ctx, run_jobs):
    pid = built(service, run_jobs)
    service.handle(actor(), f"edit #{pid} make it red")
    service.handle(actor(), f"cancel #{pid}")
    before = written(ctx)
    assert service.handle(actor(), f"rollback #{pid} v2").text == messages.no_such_version(pid, 2)
    assert written(ctx) == before


# --- cancel ---------------------------------------------------------------------------------------------------
def test_cancel_of_a_queued_build_releases_the_hold_and_takes_it_off_the_queue(service, ctx, run_jobs):
    build = service.handle(actor(), f"build {PROMPT}")
    pid = build.project_id
    assert balance(ctx) == (50, 10) and queue(ctx.redis, BUILDS).count == 1

    reply = service.handle(actor(), f"cancel #{pid}")
    assert reply.text == messages.cancel_requested(pid, 1)
    assert (reply.version, reply.version_id) == (1, build.version_id)

    (version,) = versions(ctx, pid)
    assert version.status == "cancelled"
    assert ledger_types(ctx) == ["grant", "hold", "release"]
    assert balance(ctx) == (50, 0)
    assert queue(ctx.redis, BUILDS).count == 0
    job = Job.fetch(build_job_id(version.id), connection=ctx.redis, serializer=JSONSerializer)
    assert job.get_status() == JobStatus.CANCELED
    assert not run_jobs()
    assert not site_dir(ctx, pid, 1).exists()

    before = written(ctx)
    again = service.handle(actor(), f"cancel #{pid}")
    assert again.text == messages.nothing_to_cancel(pid)
    assert written(ctx) == before


def test_cancel_with_nothing_queued_or_running_changes_nothing(service, ctx, run_jobs):
    pid = built(service, run_jobs)
    before = written(ctx)
    reply = service.handle(actor(), f"cancel #{pid}")
    assert (reply.text, reply.ephemeral) == (messages.nothing_to_cancel(pid), True)
    assert written(ctx) == before
    assert versions(ctx, pid)[0].status == "succeeded"


# --- read-only commands ---------------------------------------------------------------------------------------
def test_status_projects_and_history_follow_a_build(service, ctx, run_jobs):
    assert service.handle(actor(), "projects").text == messages.projects_list([])
    assert service.handle(actor(), "status").text == messages.projects_list([])

    pid = service.handle(actor(), f"build {PROMPT}").project_id
    status = service.handle(actor(), f"status #{pid}")
    assert status.text == messages.project_status(pid, "Sweet Crumbs", 1, "queued", "queued", 0, None)
    assert status.text == f"#{pid} Sweet Crumbs v1: queued · 0 %"
    assert service.handle(actor(), "projects").text == messages.projects_list([(pid, "Sweet Crumbs", None, "queued")])
    assert service.handle(actor(), f"history #{pid}").text == messages.history(pid, [(1, "build", "queued", "")])

    assert run_jobs()
    preview = f"https://preview.example.com/p/{preview_token(ctx.db, pid)}/"
    status = service.handle(actor(), f"status #{pid}")
    assert status.text == messages.project_status(pid, "Sweet Crumbs", 1, "succeeded", "done", 100, preview)
    assert status.text == f"#{pid} Sweet Crumbs v1: succeeded · {preview}"
    listed = messages.projects_list([(pid, "Sweet Crumbs", 1, "succeeded")])
    assert service.handle(actor(), "projects").text == listed
    assert service.handle(actor(), "status").text == listed
    assert service.handle(actor(), f"history #{pid}").text == messages.history(
        pid, [(1, "build", "succeeded", "")], live=1
    )
    # A team-mate on the same platform and team sees the team's projects.
    assert service.handle(actor("carol"), "projects").text == listed


def _catalog_rows(category: str | None) -> list[tuple[str, str, str]]:
    templates, _ = load_package_data()
    return [
        (t["name"], t["category"], t.get("style", ""))
        for t in sorted(templates, key=lambda t: t["slug"])
        if category is None or t["category"] == category
    ]


@pytest.mark.parametrize(
    ("text", "category"), [("templates", None), ("templates food", "food"), ("templates SaaS", "saas")]
)
def test_templates_lists_the_catalog(service, text, category):
    rows = _catalog_rows(category)
    assert rows
    reply = service.handle(actor(), text)
    assert (reply.text, reply.ephemeral) == (messages.templates_list(rows, category), True)


def test_templates_of_an_unknown_category_says_so(service):
    assert service.handle(actor(), "templates spaceships").text == messages.templates_list([], "spaceships")


# --- images ---------------------------------------------------------------------------------------------------
def test_images_makes_a_version_with_new_pictures_at_the_image_price(service, ctx, run_jobs):
    pid = built(service, run_jobs)
    reply = service.handle(actor(), f"images #{pid} 2")
    drawn = messages.images_drawn(2)  # no image service in the tests: the reply says what will be drawn
    assert reply.text == f"{messages.build_accepted('Sweet Crumbs', pid, 2, 0, 4)}\n{drawn}"  # image_cost 2 × 2
    assert balance(ctx) == (40, 4)

    assert run_jobs()
    v1, v2 = versions(ctx, pid)
    assert (v2.kind, v2.status, v2.instruction) == ("images", "succeeded", "new images")
    assert v2.spec and v1.spec and v2.spec["gallery_images"] == 2 and v2.spec["image_seed"] != v1.spec["image_seed"]
    pictures = sorted(p.name for p in (site_dir(ctx, pid, 2) / "images").glob("gallery-*.png"))
    assert pictures == ["gallery-1.png", "gallery-2.png"]
    assert balance(ctx) == (36, 0)


# --- credits --------------------------------------------------------------------------------------------------
def test_credits_and_an_admin_grant(service, ctx):
    alice = service.handle(actor(), "credits")
    assert (alice.text, alice.ephemeral) == (messages.credits_summary(50, 0, [("grant", 50, "")]), True)

    before = written(ctx)
    assert service.handle(actor("admin"), "credits grant bob 20").text == messages.unknown_user("bob")
    assert service.handle(actor(), "credits grant alice 20").text == messages.not_admin()
    assert written(ctx) == before  # a refused command writes nothing, not even the admin's own account

    service.handle(actor("bob"), "credits")  # bob has used the bot once; his balance is now cached
    assert service.handle(actor("admin"), "credits grant @bob 20").text == messages.granted(20, "bob", 70)
    bob = service.handle(actor("bob"), "credits")
    assert bob.text == messages.credits_summary(70, 0, [("grant", 20, ""), ("grant", 50, "")])


def test_a_build_without_enough_credits_is_refused_and_nothing_is_held(service, ctx):
    for _ in range(5):
        service.handle(actor(), f"build {PROMPT}")
    before = written(ctx)
    reply = service.handle(actor(), f"build {PROMPT}")
    assert (reply.text, reply.ephemeral) == (messages.insufficient_credits("build", 10, 0), True)
    assert written(ctx) == before and before["held"] == 50
    assert queue(ctx.redis, BUILDS).count == 5


# --- other teams' projects ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "stranger",
    [actor("bob", team="other"), actor("bob", platform="slack"), actor("alice", team="other")],
    ids=["other team", "other platform", "same name elsewhere"],
)
@pytest.mark.parametrize(
    "command",
    ["edit #{p} make it green", "rollback #{p} v1", "cancel #{p}", "history #{p}", "status #{p}", "images #{p} 2"],
)
def test_a_project_of_another_team_is_invisible(service, ctx, run_jobs, stranger, command):
    pid = built(service, run_jobs)
    service.handle(stranger.model_copy(update={"event_id": "first"}), "credits")  # the stranger's signup
    before = written(ctx)
    reply = service.handle(stranger, command.format(p=pid))
    assert (reply.text, reply.ephemeral) == (messages.no_such_project(pid), True)
    assert written(ctx) == before
    assert service.handle(stranger, "projects").text == messages.projects_list([])


def test_a_project_that_does_not_exist_is_not_found(service, ctx):
    assert service.handle(actor(), "history #999999").text == messages.no_such_project(999999)
    assert service.handle(actor(), "edit #0 make it red").text == messages.no_such_project(0)


# --- busy projects --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("command", ["edit #{p} make it green", "images #{p} 2"])
def test_changing_a_project_whose_first_build_is_queued_says_it_is_busy(service, ctx, command):
    pid = service.handle(actor(), f"build {PROMPT}").project_id
    before = written(ctx)
    reply = service.handle(actor(), command.format(p=pid))
    assert (reply.text, reply.ephemeral) == (messages.project_busy(pid), True)
    assert written(ctx) == before and before["held"] == 10
    assert queue(ctx.redis, BUILDS).count == 1


@pytest.mark.parametrize("command", ["edit #{p} add a pricing page", "rollback #{p} v1", "images #{p} 2"])
def test_changing_a_project_while_an_edit_is_queued_says_it_is_busy(service, ctx, run_jobs, command):
    pid = built(service, run_jobs)
    service.handle(actor(), f"edit #{pid} make it green")
    before = written(ctx)
    reply = service.handle(actor(), command.format(p=pid))
    assert reply.text == messages.project_busy(pid)
    assert written(ctx) == before and before["held"] == 10
    assert queue(ctx.redis, BUILDS).count == 1


# --- bad input ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("build", messages.empty_prompt("build")),
        ("build " + "x" * (MAX_PROMPT + 1), messages.prompt_too_long(MAX_PROMPT + 1, MAX_PROMPT)),
        ("build " + "x" * 5000, messages.prompt_too_long(5000, MAX_PROMPT)),
        ("buidl a bakery", messages.unknown_command("buidl", "build")),
        ("frobnicate", messages.unknown_command("frobnicate", None)),
        ("edit make it green", messages.needs_project("edit")),
        ("edit #1", messages.empty_prompt("edit")),
        ("rollback #1", messages.needs_version()),
        ("cancel", messages.needs_project("cancel")),
        ("images #1 0", messages.bad_image_count(8)),
        ("images #1 9", messages.bad_image_count(8)),
        ("images #1 -1", messages.bad_image_count(8)),
        ("credits grant bob", messages.grant_usage()),
        ("credits grant bob 0", messages.grant_bad_amount(100_000)),
    ],
)
def test_bad_input_gets_exactly_its_message_and_writes_nothing(service, ctx, text, message):
    reply = service.handle(actor(), text)
    assert (reply.text, reply.ephemeral) == (message, True)
    assert written(ctx) == {"credit_transactions": 0, "projects": 0, "project_versions": 0, "held": 0}
    assert queue(ctx.redis, BUILDS).count == 0


@pytest.mark.parametrize(
    "text",
    [
        "images #1 ²",
        "images #1 --3",
        "images #1 " + "9" * 5000,
        "status #٤٢",
        "credits grant <@> 5",
        "build \x00\x1b[31m café 🍰 \u202e for Sweet Crumbs",
        "edit #1 \ud800 make it red",
        "\x00" * 10,
    ],
)
def test_strange_input_never_becomes_an_internal_error(service, text):
    reply = service.handle(actor(), text)
    assert "Something went wrong" not in reply.text
    assert "Traceback" not in reply.text and "\x00" not in reply.text


# --- rate limit -----------------------------------------------------------------------------------------------
def test_the_rate_limit_says_when_to_retry_and_writes_nothing(ctx):
    limited = CommandService(
        ctx,
        BotSettings(_env_file=None, signup_credits=50, user_rate_per_minute=2, team_rate_per_minute=300),
    )
    assert "Easy there" not in limited.handle(actor(), "credits").text
    assert "Easy there" not in limited.handle(actor(), "projects").text
    before = written(ctx)
    reply = limited.handle(actor(), f"build {PROMPT}")
    # Two a minute: the next token comes 30 s after the first two were spent (29 s on a very slow machine).
    assert reply.text in {messages.rate_limited(30), messages.rate_limited(29)}
    assert reply.ephemeral
    assert written(ctx) == before
    assert queue(ctx.redis, BUILDS).count == 0
    # The limit is per user: a team-mate is not held back by it.
    assert "Easy there" not in limited.handle(actor("carol"), "credits").text


# --- outages --------------------------------------------------------------------------------------------------
@pytest.fixture
def redis_down(storage_settings: StorageSettings, job_settings: JobSettings) -> Iterator[JobContext]:
    down = JobContext.from_settings(
        StorageSettings(
            _env_file=None,
            database_url=storage_settings.database_url,
            redis_url=CLOSED_PORT_REDIS,
            mongo_url=storage_settings.mongo_url,
        ),
        job_settings,
    )
    yield down
    down.close()


@pytest.fixture
def postgres_down(storage_settings: StorageSettings, job_settings: JobSettings) -> Iterator[JobContext]:
    down = JobContext.from_settings(
        StorageSettings(
            _env_file=None,
            database_url=CLOSED_PORT_POSTGRES,
            redis_url=storage_settings.redis_url,
            mongo_url=storage_settings.mongo_url,
        ),
        job_settings,
    )
    yield down
    down.close()


NOTHING = {"credit_transactions": 0, "projects": 0, "project_versions": 0, "held": 0}


@pytest.mark.parametrize("text", [f"build {PROMPT}", "edit #1 make it green", "credits", "projects"])
def test_redis_down_says_the_queue_is_unreachable_and_holds_nothing(ctx, redis_down, bot_settings, text):
    reply = CommandService(redis_down, bot_settings).handle(actor(), text)
    assert matches_with_ref(reply.text, messages.queue_unavailable), reply.text
    assert reply.ephemeral
    assert written(ctx) == NOTHING
    with ctx.db.session() as s:
        assert s.execute(select(func.count()).select_from(User)).scalar_one() == 0


def test_redis_lost_before_the_enqueue_releases_the_hold(ctx, redis_down, bot_settings):
    service = CommandService(redis_down, bot_settings)
    service.limiter = CommandService(ctx, bot_settings).limiter  # the rate limit still answers; the queue does not
    reply = service.handle(actor(), f"build {PROMPT}")
    assert matches_with_ref(reply.text, messages.queue_unavailable), reply.text
    assert balance(ctx) == (50, 0)
    assert ledger_types(ctx) == ["grant", "hold", "release"]
    with ctx.db.session() as s:
        version = s.execute(select(ProjectVersion)).scalar_one()
    assert (version.status, version.step) == ("failed", "queueing")


@pytest.mark.parametrize("text", [f"build {PROMPT}", "edit #1 make it green", "credits", "projects", "status #1"])
def test_postgres_down_says_the_database_is_unreachable_and_writes_nothing(ctx, postgres_down, bot_settings, text):
    reply = CommandService(postgres_down, bot_settings).handle(actor(), text)
    assert matches_with_ref(reply.text, messages.database_unavailable), reply.text
    assert reply.ephemeral
    assert written(ctx) == NOTHING
    assert queue(ctx.redis, BUILDS).count == 0


def test_a_redelivery_racing_its_original_on_a_project_is_a_duplicate_never_busy(service, ctx, run_jobs):
    """Two deliveries of one edit (a double click) at the same moment: one version, and the other is told
    "Already on it", whichever commits first."""
    from concurrent.futures import ThreadPoolExecutor

    first = service.handle(actor(), f"build {PROMPT}")
    run_jobs()
    busy = messages.project_busy(first.project_id)
    for round_ in range(4):  # 50 signup credits: one build and four edits
        who = actor(event_id=f"click-{round_}")
        with ThreadPoolExecutor(2) as pool:
            edit = f"edit #{first.project_id} rename to Crumbs {round_}"  # a real change every round
            replies = list(pool.map(service.handle, (who, who), (edit, edit)))
        texts = sorted(r.text for r in replies)
        assert busy not in texts
        assert sum(t == messages.duplicate_request(first.project_id) for t in texts) == 1
        run_jobs()
    with ctx.db.session() as s:
        assert s.execute(select(func.count()).select_from(ProjectVersion)).scalar_one() == 1 + 4
