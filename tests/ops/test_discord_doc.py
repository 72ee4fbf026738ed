"""docs/DISCORD.md's invite URL carries exactly the permissions the bot asks for, and its table adds up."""

from __future__ import annotations

import re
from pathlib import Path

import discord

from bot.discord_bot import INVITE_PERMISSIONS, INVITE_SCOPES

DOC = (Path(__file__).resolve().parent.parent.parent / "docs" / "DISCORD.md").read_text()


def table() -> dict[str, tuple[int, int]]:
    """permission name → (bit, value), from the doc's table."""
    rows = re.findall(r"^\| ([A-Z][A-Za-z ]+) \| (\d+) \| ([\d,]+) \|", DOC, re.M)
    return {name: (int(bit), int(value.replace(",", ""))) for name, bit, value in rows}


def test_the_invite_url_has_the_permission_integer_the_code_asks_for():
    (url,) = set(re.findall(r"https://discord\.com/oauth2/authorize\?\S+", DOC))
    assert f"scope={'+'.join(INVITE_SCOPES)}" in url
    assert re.search(r"permissions=(\d+)", url)[1] == str(INVITE_PERMISSIONS.value)  # type: ignore[index]
    assert f"**{INVITE_PERMISSIONS.value:,}**" in DOC


def test_the_table_lists_each_permission_with_its_bit_and_the_sum():
    rows = table()
    bits = {1 << b for b in range(INVITE_PERMISSIONS.value.bit_length()) if INVITE_PERMISSIONS.value >> b & 1}
    assert {value for _, value in rows.values()} == bits and len(rows) == len(bits)
    for name, (bit, value) in rows.items():
        flag = name.lower().replace(" ", "_").replace("view_channels", "view_channel")
        assert getattr(discord.Permissions, flag).flag == value == 1 << bit, name
    assert sum(value for _, value in rows.values()) == INVITE_PERMISSIONS.value
    assert not INVITE_PERMISSIONS.administrator and not INVITE_PERMISSIONS.manage_guild
