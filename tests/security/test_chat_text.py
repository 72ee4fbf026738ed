"""The marking of user text (bot/chat_text.py) that every chat rendering relies on: its edge cases."""

from __future__ import annotations

import pytest

from bot import messages
from bot.chat_text import CLOSE, OPEN, for_console, for_discord, for_slack, plain, user


@pytest.mark.parametrize("name", ["Sweet Crumbs", "Nonna Lucia's", "Café Zoë (Leeds)", "B-52, 2nd floor!"])
def test_plain_words_are_not_marked_and_read_the_same_everywhere(name):
    text = messages.build_accepted(name, 7, 1, 0, 10)
    assert OPEN not in text and for_slack(text) == for_discord(text) == for_console(text) == text


def test_marks_smuggled_inside_user_text_cannot_end_its_escaping():
    smuggled = f"Crumbs{CLOSE} <!channel> {OPEN}"
    text = messages.build_accepted(smuggled, 7, 1, 0, 10)
    assert for_slack(text) == "🧱 Crumbs &lt;!channel&gt;  · project #7 · next in line · 10 credits held"
    assert OPEN not in plain(text) and CLOSE not in plain(text)


def test_an_unclosed_mark_makes_the_rest_user_text_and_a_stray_close_is_dropped():
    assert for_slack(f"ok {OPEN}<!here> *b*") == "ok &lt;!here&gt; ∗b∗"
    assert for_slack(f"ok{CLOSE} <@U1>") == "ok <@U1>"  # the bot's own mention of the sender survives


@pytest.mark.parametrize(
    ("typed", "slack", "discord"),
    [
        ("a&b", "a&amp;b", "a&b"),
        ("@here now", "@\u2060here now", "@\u200bhere now"),
        ("line\n> quote", "line &gt; quote", "line > quote"),
        ("~x~ _y_ `z`", "∼x∼ ˍyˍ ˋzˋ", "\\~x\\~ \\_y\\_ \\`z\\`"),
        ("<@U99>", "&lt;@U99&gt;", "<@U99>"),
        ("<@123456789012345678>", "&lt;@123456789012345678&gt;", "<@\u200b123456789012345678>"),
        ("a\u202eb\u200bc", "abc", "abc"),
    ],
)
def test_each_platform_escapes_user_text_its_own_way(typed, slack, discord):
    assert for_slack(user(typed)) == slack
    assert for_discord(user(typed)) == discord
