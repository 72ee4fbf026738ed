"""Issue 19: "Slack buttons work once ever". A click is deduplicated on its own id (Slack's `action_ts`), not on
the message the button sits on: the same click delivered twice acts once, a second click minutes later acts again.

Rollback and Cancel are idempotent by themselves (tests/bot/test_slack.py double-clicks a rollback), so the click
here runs a command that queues a version and holds credits, where a wrong key shows: "Already on it".
"""

from __future__ import annotations

from sqlalchemy import func, select

from storage.models import CreditTransaction, Project, ProjectVersion
from tests.bot.test_discord import bot, discord_settings, fake_discord, only, with_text  # noqa: F401
from tests.bot.test_discord import build as discord_build
from tests.bot.test_slack import FORM, PROMPT, final_in, root_of, slack  # noqa: F401
from tests.fakes.discord_api import CHANNEL_ID, click, thread_channel
from tests.fakes.slack_api import action_body, text_of


def count(ctx, model, *where) -> int:
    with ctx.db.session() as s:
        return int(s.execute(select(func.count()).select_from(model).where(*where)).scalar_one())


def test_a_button_acts_on_every_click_and_once_per_click(slack, fake_slack, ctx, run_jobs):  # noqa: F811
    slack.command(f"build {PROMPT}")
    thread_ts = fake_slack.wait_for(lambda: root_of(fake_slack)).ts
    fake_slack.wait_for(lambda: len(fake_slack.thread("C1", thread_ts)) == 1)
    assert run_jobs()
    final = fake_slack.wait_for(lambda: final_in(fake_slack, thread_ts, "v1 is live"))
    pid = only(ctx, Project).id

    def button(value: str) -> str:
        return action_body(action_id="autoweb_command:9", value=value, message_ts=final.ts, thread_ts=thread_ts)

    click = button(f"images #{pid} 1")
    assert slack.send(click, FORM)[0] == 200
    fake_slack.wait_for(lambda: final_in(fake_slack, thread_ts, "v2 ·"))
    assert slack.send(click, FORM)[0] == 200  # the same click, delivered again
    assert run_jobs()
    fake_slack.wait_for(lambda: final_in(fake_slack, thread_ts, "v2 is live"))
    assert count(ctx, ProjectVersion) == 2 and count(ctx, CreditTransaction, CreditTransaction.type == "hold") == 2

    assert slack.send(button(f"images #{pid} 1"), FORM)[0] == 200  # a second click on that button, later
    fake_slack.wait_for(lambda: final_in(fake_slack, thread_ts, "v3 ·"))
    assert count(ctx, ProjectVersion) == 3 and count(ctx, CreditTransaction, CreditTransaction.type == "hold") == 3
    assert not [c for c in fake_slack.of("chat.postEphemeral") if "Already on it" in text_of(c)]


def test_a_discord_button_acts_on_every_click(bot, fake_discord, ctx, run_jobs):  # noqa: F811
    _, thread = discord_build(fake_discord, ctx)
    assert run_jobs()
    final = fake_discord.wait_for(lambda: with_text(fake_discord, thread, "v1 is live"))
    pid = only(ctx, Project).id
    where = thread_channel(thread, CHANNEL_ID, "t")
    fake_discord.dispatch("INTERACTION_CREATE", click(f"autoweb:images #{pid} 1", final, channel=where))
    fake_discord.wait_for(lambda: with_text(fake_discord, thread, "v2 ·"))
    assert run_jobs()
    fake_discord.wait_for(lambda: with_text(fake_discord, thread, "v2 is live"))
    fake_discord.dispatch("INTERACTION_CREATE", click(f"autoweb:images #{pid} 1", final, channel=where))
    fake_discord.wait_for(lambda: with_text(fake_discord, thread, "v3 ·"))
    assert count(ctx, ProjectVersion) == 3 and count(ctx, CreditTransaction, CreditTransaction.type == "hold") == 3
