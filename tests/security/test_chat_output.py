"""Issue 19, "Chat output cannot ping or phish": user text reaches Slack escaped and Discord unable to ping.

Through the real adapters (Bolt over HTTP, discord.py over the gateway) and the local stand-ins of the Slack Web API
and Discord REST (tests/fakes/): the assertions are on what those stand-ins received.
"""

from __future__ import annotations

import functools
import io
import json
from typing import Any

from rich.console import Console
from sqlalchemy import select, update

from bot.console import ConsoleChat
from bot.service import CommandService
from storage.models import Project, ProjectMessage, UserSession
from tests.bot.test_discord import bot, content, discord_settings, fake_discord, only, with_text  # noqa: F401
from tests.bot.test_discord import build as discord_build
from tests.bot.test_slack import count, root_of, slack  # noqa: F401
from tests.fakes.discord_api import slash
from tests.fakes.slack_api import FakeSlackApi, blocks_of, event_body, text_of

PHISH = "<!channel> <https://evil.example|Click for free credits>"
"""The project name from the issue: a channel-wide ping and a link disguised as text."""
PHISH_ON_SLACK = "&lt;!channel&gt; &lt;https://evil.example|Click for free credits&gt;"
PING = "@everyone <@&123456789012345678> [Free](https://evil.io)"
"""A Discord name that would ping everyone and a role, with a masked link."""
PING_ON_DISCORD = "@\u200beveryone <@\u200b&123456789012345678> \\[Free](https://evil.io)"
DISCORD_SENDS = ("callback", "original.edit", "followup", "message.post", "message.edit")


def slack_texts(fake: FakeSlackApi) -> list[str]:
    """Every text Slack was asked to show: `text` fields, mrkdwn blocks and acks."""
    shown = []
    for call in fake.calls:
        shown.append(text_of(call))
        shown += [b["text"]["text"] for b in blocks_of(call) if b.get("type") == "section"]
    return shown


def test_slack_shows_a_phishing_project_name_as_text_everywhere(slack, fake_slack, ctx, run_jobs):  # noqa: F811
    assert slack.command(f'build a site called "{PHISH}" with a menu page')[0] == 200
    root = fake_slack.wait_for(lambda: root_of(fake_slack))
    pid = only(ctx, Project).id
    accepted = f"<@U1> 🧱 {PHISH_ON_SLACK} · project #{pid} · next in line · 10 credits held"
    assert text_of(root) == accepted and blocks_of(root)[0]["text"] == {"type": "mrkdwn", "text": accepted}
    fake_slack.wait_for(lambda: count(ctx, UserSession, UserSession.thread_id == root.ts))  # thread → project
    assert run_jobs()
    final = fake_slack.wait_for(lambda: [c for c in fake_slack.thread("C1", root.ts) if "is live" in text_of(c)])[0]
    assert text_of(final).startswith(f"✅ {PHISH_ON_SLACK} v1 is live: ")
    assert blocks_of(final)[0]["text"]["text"] == text_of(final)

    # A reply in the thread (Slack sends a typed @here as <!here>) is an edit; its instruction shows in history.
    reply = {"type": "message", "user": "U1", "channel": "C1", "ts": "1700000100.000001", "thread_ts": root.ts}
    reply["text"] = "add a pricing page <!here> *now* `x"
    assert slack.send(event_body(reply, event_id="EvPhish"), "application/json")[0] == 200
    fake_slack.wait_for(lambda: any(" v2 · " in text_of(c) for c in fake_slack.thread("C1", root.ts)))

    def answer(command: str, marker: str) -> str:
        """The reply: the ack's own text (private replies), else the post in the project's thread."""
        status, body = slack.command(command)
        assert status == 200
        if body:
            return str(json.loads(body)["text"])
        return text_of(
            fake_slack.wait_for(lambda: [c for c in fake_slack.thread("C1", root.ts) if marker in text_of(c)])[0]
        )

    assert answer(f"status #{pid}", f"#{pid} {PHISH_ON_SLACK} v2:").startswith(f"#{pid} {PHISH_ON_SLACK} v2: queued")
    assert answer(f"history #{pid}", "History of") == (
        f"History of #{pid}:\n• v1 build · succeeded · live\n"
        "• v2 edit · queued · add a pricing page &lt;!here&gt; ∗now∗ ˋx"
    )
    ack = functools.partial(answer, marker="-")
    assert ack("projects") == f"Your projects:\n• #{pid} {PHISH_ON_SLACK} · v1 live · queued"
    assert ack("<!channel> please").startswith("I don't know `&lt;!channel&gt;`.")  # an error echoing input
    for shown in slack_texts(fake_slack):
        assert "<!" not in shown and "<http" not in shown, shown

    def stored() -> list[str]:
        with ctx.db.session() as s:
            return [m.text for m in s.execute(select(ProjectMessage).where(ProjectMessage.role == "bot")).scalars()]

    # Our own history keeps what people read: the name as typed, without escaping or the marks around user text.
    assert fake_slack.wait_for(lambda: [t for t in stored() if t.startswith(f"✅ {PHISH} v1 is live: ")])
    assert not [t for t in stored() if "\ue000" in t or "\ue001" in t or "&lt;" in t]


def test_discord_never_pings_and_shows_a_hostile_name_as_text(bot, fake_discord, ctx, run_jobs):  # noqa: F811
    _, thread = discord_build(fake_discord, ctx)
    pid = only(ctx, Project).id
    assert run_jobs()
    fake_discord.wait_for(lambda: with_text(fake_discord, thread, "v1 is live"))
    fake_discord.dispatch("INTERACTION_CREATE", slash("edit", {"project": pid, "instruction": f"rename to {PING}"}))
    fake_discord.wait_for(lambda: with_text(fake_discord, thread, "v2 ·"))
    assert run_jobs()
    final = fake_discord.wait_for(lambda: with_text(fake_discord, thread, "v2 is live"))
    assert final["embeds"][0]["title"].startswith(f"✅ {PING_ON_DISCORD} v2 is live: ")

    fake_discord.dispatch("INTERACTION_CREATE", slash("history", {"project": pid}))
    fake_discord.dispatch("INTERACTION_CREATE", slash("status", {"project": pid}))
    fake_discord.wait_for(lambda: len(fake_discord.of("original.edit")) == 4)
    shown = [content(c.body) for c in fake_discord.of("original.edit")]
    assert (
        f"History of #{pid}:\n• v1 build · succeeded\n"
        f"• v2 edit · succeeded · live · rename to @\u200beveryone <@\u200b&123456789012345678> …"
    ) in shown
    assert any(s and s.startswith(f"#{pid} {PING_ON_DISCORD} v2: succeeded") for s in shown)

    # A refusal after a public defer goes out as a private follow-up: that send carries no pings either.
    fake_discord.dispatch("INTERACTION_CREATE", slash("edit", {"project": pid, "instruction": "make it pop @everyone"}))
    assert fake_discord.wait_for(lambda: fake_discord.of("followup"))[0].body["content"].startswith("I couldn't tell")
    sends = [c for c in fake_discord.calls if c.route in DISCORD_SENDS and _shows_something(c.body)]
    assert {c.route for c in sends} == {"original.edit", "followup", "message.post", "message.edit"}
    assert len(sends) >= 10
    for call in sends:
        assert call.body["allowed_mentions"] == {"parse": []}, (call.route, call.body)
        assert "@everyone" not in json.dumps(call.body, ensure_ascii=False)
    assert fake_discord.of("thread.start")[0].body["name"] == f"#{pid} Sweet Crumbs"


def test_the_console_prints_no_terminal_escapes_from_user_text(ctx, bot_settings, run_jobs):
    """A name from elsewhere (a migrated project, another platform) may hold ANSI sequences: the terminal gets text."""
    service = CommandService(ctx, bot_settings)
    out = io.StringIO()
    chat = ConsoleChat(service, Console(file=out, force_terminal=True, width=200), user="ann")
    try:
        pid = chat.say("build a landing page for Sweet Crumbs, a bakery in Leeds").project_id
        with ctx.db.session() as s:
            s.execute(
                update(Project).where(Project.id == pid).values(name="\x1b]0;pwned\x07\x1b[2J\x1b[31mRed\u202eCo")
            )
        out.seek(0)
        out.truncate()
        chat.say(f"status #{pid}")
        assert out.getvalue().startswith(f"#{pid} RedCo v1: queued")
        assert "\x1b]" not in out.getvalue() and "\x1b[2J" not in out.getvalue() and "\u202e" not in out.getvalue()
    finally:
        chat.close()
        service.close()


def _shows_something(body: Any) -> bool:
    """A message body with content or embeds (a defer or a thread start shows no text of its own)."""
    if not isinstance(body, dict):
        return False
    data = body.get("data") if "type" in body and isinstance(body.get("data"), dict) else body
    return bool(data and (data.get("content") or data.get("embeds")))
