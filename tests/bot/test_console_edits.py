"""Edits from chat, on real Postgres, Redis and Mongo: the console's plain line, stdin mode, and every refusal
(unknown project, empty, over a cap, nothing understood, nothing changed) free, with nothing written."""

from __future__ import annotations

import io
import time

import pytest
from rich.console import Console
from sqlalchemy import select

from bot import console, messages
from bot.chat_text import plain
from bot.service import CommandService
from jobs.brief import MAX_PROMPT
from jobs.edit_ops import MAX_INSTRUCTION, MAX_SPEC_BYTES, MAX_VALUE
from jobs.queue import BUILDS, queue
from storage.models import Project, ProjectVersion
from tests.bot.test_service import PROMPT, balance, built, site_dir, versions, written
from tests.helpers import actor


def chat_for(service: CommandService, user: str = "alice") -> tuple[console.ConsoleChat, io.StringIO]:
    out = io.StringIO()
    return console.ConsoleChat(service, Console(file=out, width=200, highlight=False), user=user), out


# --- the console's plain line -----------------------------------------------------------------------------------
def test_a_plain_line_edits_the_project_last_worked_on_and_says_which(service, ctx, run_jobs):
    chat, _ = chat_for(service)
    first = chat.say(f"build {PROMPT}")
    assert first.project_id is not None and run_jobs()
    reply = chat.say('change the headline to "Roasted under the northern lights" and remove the menu page')
    assert plain(reply.text).startswith(f"Editing #{first.project_id}: ")
    assert "• Home: headline → “Roasted under the northern lights”" in plain(reply.text)
    assert "• Menu: removed the “Menu” page (links to it removed)" in plain(reply.text)
    assert run_jobs()
    v2 = site_dir(ctx, first.project_id, 2)
    assert "Roasted under the northern lights" in (v2 / "index.html").read_text()
    assert not (v2 / "menu.html").exists()
    assert not any('href="menu.html"' in p.read_text() for p in v2.glob("*.html"))


def test_a_new_console_session_edits_the_newest_project(service, ctx, run_jobs):
    pid = built(service, run_jobs, who="alice")
    chat, _ = chat_for(service, "alice")
    assert chat.say("make it navy").text.startswith(f"Editing #{pid}: ")


def test_a_plain_line_with_no_project_asks_for_one_and_writes_nothing(service, ctx):
    chat, _ = chat_for(service, "newcomer")
    before = written(ctx)
    assert chat.say("make the headline bolder").text == messages.nothing_to_edit()
    assert chat.say("biuld a site").text == messages.unknown_command("biuld", "build")  # a typo is not an edit
    assert written(ctx) == before


def test_stdin_mode_runs_each_line_and_returns_after_the_last(service, ctx):
    chat, out = chat_for(service)
    lines = [f"build {PROMPT}\n", "\n", "remove the brownie and make it navy\n", "credits\n"]
    console.scripted(chat, iter(lines))
    text = out.getvalue()
    assert text.count("autoweb> ") == 3
    assert "✅ Done" in text and "Editing #" in text
    pid = newest_project(ctx)
    assert [v.status for v in versions(ctx, pid)] == ["succeeded", "succeeded"]
    assert "credits" in text.rsplit("autoweb> ", 1)[1].lower()


def newest_project(ctx) -> int:
    with ctx.db.session() as s:
        return int(s.execute(select(Project.id).order_by(Project.id.desc())).scalars().one())


# --- refusals: free, nothing written ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("edit #999 make it navy", lambda pid: messages.no_such_project(999)),
        ("edit", lambda pid: messages.needs_project("edit")),
        ("edit #{pid}", lambda pid: messages.empty_prompt("edit")),
        ("edit #{pid}    ", lambda pid: messages.empty_prompt("edit")),
        (
            "edit #{pid} " + "make it navy " * 80,
            lambda pid: messages.edit_too_big("the instruction", len(("make it navy " * 80).strip()), MAX_INSTRUCTION),
        ),
        (
            'edit #{pid} replace "e" with "' + "E" * 300 + '"',
            lambda pid: messages.edit_too_big("a new text", 300, MAX_VALUE),
        ),
    ],
)
def test_bad_edits_are_refused_with_one_line_and_nothing_written(service, ctx, run_jobs, text, expected):
    pid = built(service, run_jobs)
    before = written(ctx), balance(ctx)
    reply = service.handle(actor(), text.replace("{pid}", str(pid)))
    assert (reply.text, reply.ephemeral) == (expected(pid), True)
    assert (written(ctx), balance(ctx)) == before
    assert queue(ctx.redis, BUILDS).count == 0


@pytest.mark.parametrize("instruction", ["do a barrel roll", "make the headline bolder", "remove the faq section"])
def test_an_edit_with_nothing_to_do_asks_and_charges_nothing(service, ctx, run_jobs, instruction):
    pid = built(service, run_jobs)
    before = written(ctx), balance(ctx)
    reply = service.handle(actor(), f"edit #{pid} {instruction}")
    assert plain(reply.text).startswith(f"I couldn't make any change to #{pid}, so nothing was built or charged:\n• “")
    assert f"“{instruction}”" in plain(reply.text) and "Try e.g. `" in plain(reply.text)
    assert (written(ctx), balance(ctx)) == before


def test_the_amplification_case_is_refused_in_under_50_ms_with_nothing_stored(service, ctx, run_jobs):
    pid = built(service, run_jobs)
    huge = "E" * 2000
    for _ in range(2):  # the attack, twice: over the prompt cap before anything is read
        before = written(ctx), balance(ctx)
        started = time.perf_counter()
        reply = service.handle(actor(), f'edit #{pid} replace "e" with "{huge}"')
        assert time.perf_counter() - started < 0.05
        assert plain(reply.text) == messages.prompt_too_long(len(f'replace "e" with "{huge}"'), MAX_PROMPT)
        assert (written(ctx), balance(ctx)) == before

    grow = 'replace "e" with "' + "E" * MAX_VALUE + '"'  # within every cap once …
    assert service.handle(actor(), f"edit #{pid} {grow}").version == 2 and run_jobs()
    before = written(ctx), balance(ctx)
    started = time.perf_counter()
    again = 'replace "E" with "' + "E" * MAX_VALUE + '"'  # … and refused when it would pass the stored-spec cap
    reply = service.handle(actor(), f"edit #{pid} {again}")
    assert time.perf_counter() - started < 0.05
    assert plain(reply.text).startswith("That edit is too big: the edited site's text would be ")
    assert f"(the cap is {MAX_SPEC_BYTES:,})" in plain(reply.text)
    assert (written(ctx), balance(ctx)) == before


def test_the_worker_applies_the_stored_operations_to_the_base_version(service, ctx, run_jobs):
    pid = built(service, run_jobs)
    reply = service.handle(actor(), f"edit #{pid} add a gluten-free loaf at £4.50; make it teal")
    queued = versions(ctx, pid)[-1].spec
    assert queued is not None and queued["edit"]["base"] == 1
    assert [op["op"] for op in queued["edit"]["operations"]] == ["set_offering", "set_colour"]
    assert len(str(queued)) < 1000  # the operations, not a copy of the site
    assert reply.version == 2 and run_jobs()
    done = versions(ctx, pid)[-1]
    assert done.status == "succeeded" and done.spec and "pages" in done.spec
    assert "Gluten-free loaf" in (site_dir(ctx, pid, 2) / "index.html").read_text()
    assert balance(ctx) == (30, 0)  # build and one edit, 10 each


def test_a_long_change_list_is_cut_to_fit_a_chat_message():
    changes = [("Home", f"added Item {i} (£{i})") for i in range(20)] + [("", "main colour → navy")]
    text = plain(messages.edit_accepted("🧱 accepted", changes, [("make it pop", "", "make it navy")] * 30))
    lines = text.splitlines()
    assert lines[:3] == ["🧱 accepted", "Changes:", "• Home: added Item 0 (£0)"]
    assert lines[2 + messages.EDIT_LINES] == "• … and 6 more (`/autoweb history` lists the versions)"
    assert text.count("“make it pop”") == messages.EDIT_LINES and len(text) < 3000


def test_stdin_mode_waits_out_the_rate_limit_instead_of_dropping_a_line(ctx, bot_settings):
    strict = CommandService(ctx, bot_settings.model_copy(update={"user_rate_per_minute": 60}))
    try:
        chat, out = chat_for(strict)
        lines = ["credits\n"] * 62  # two over the minute's allowance: the script waits about a second each
        started = time.monotonic()
        console.scripted(chat, iter(lines))
        assert time.monotonic() - started < 10
        assert "Easy there" not in out.getvalue()
        assert out.getvalue().count("You have") == 62
    finally:
        strict.close()


def test_each_line_of_a_multi_line_edit_is_a_request(service, ctx, run_jobs):
    pid = built(service, run_jobs)
    reply = service.handle(actor(), f"edit #{pid} make it teal\r\nadd a testimonial “Lovely bread” from Jo\n\n")
    assert "• Every page: main colour → teal" in plain(reply.text)
    assert "added a testimonial from Jo" in plain(reply.text) and "Not done" not in plain(reply.text)


def test_the_worker_checks_the_caps_again_and_releases_the_hold(service, ctx, run_jobs):
    pid = built(service, run_jobs)
    assert service.handle(actor(), f"edit #{pid} make it navy").version == 2
    grow = {"op": "replace_text", "old": "e", "new": "E" * MAX_VALUE}
    with ctx.db.session() as s:  # what reaches the worker differs from what the service checked
        version = s.execute(select(ProjectVersion).where(ProjectVersion.number == 2)).scalar_one()
        version.spec = {"edit": {"base": 1, "operations": [grow, {**grow, "old": "E"}]}}
    assert balance(ctx) == (40, 10)
    run_jobs()
    v2 = versions(ctx, pid)[-1]
    assert (v2.status, v2.error) == ("failed", "EditTooBig")
    assert balance(ctx) == (40, 0)  # the hold is released, nothing charged
    assert not site_dir(ctx, pid, 2).exists()
