"""Small helpers shared by the tests."""

from __future__ import annotations

import uuid

from bot.commands import Actor


def actor(
    user: str = "alice",
    *,
    team: str = "local",
    platform: str = "console",
    event_id: str | None = None,
    channel: str = "C1",
    thread: str = "",
) -> Actor:
    return Actor(
        platform=platform,
        team_id=team,
        user_id=user,
        user_name=user,
        channel_id=channel,
        thread_id=thread,
        event_id=event_id or uuid.uuid4().hex,
    )
