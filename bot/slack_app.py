"""What the Slack app needs from a workspace: the bot scopes behind each Web API method and event the adapter uses.

One table, read by the OAuth install (`bot.slack.SCOPES`), by `autoweb doctor` (the scopes a bot token must carry)
and by the tests, which check it against the methods and events the code calls and against `slack/manifest*.yml`.
"""

from __future__ import annotations

METHOD_SCOPES: dict[str, tuple[str, ...]] = {
    "auth.test": (),
    "apps.connections.open": (),  # Socket Mode, with the app-level token (connections:write), not the bot's
    "chat.postMessage": ("chat:write", "chat:write.public"),  # .public: post in public channels without joining
    "chat.postEphemeral": ("chat:write",),
    "chat.update": ("chat:write",),
    # After an ambiguous chat.postMessage failure, the thread (or channel) is searched for the message's metadata
    # key before posting again (bot/delivery.py): public and private channels. Not DMs (im:history): there a
    # lookup that Slack refuses falls back to posting again.
    "conversations.replies": ("channels:history", "groups:history"),
    "conversations.history": ("channels:history", "groups:history"),
    "users.info": ("users:read", "users:read.email"),  # .email: the account claim reads a confirmed email
    "files.info": ("files:read",),  # photos dropped in a project's thread (and their url_private_download)
}
"""Web API method → the bot scopes our use of it needs."""

EVENT_SUBSCRIPTIONS: dict[str, tuple[str, ...]] = {
    "app_mention": ("app_mention",),
    "message": ("message.channels", "message.groups"),  # replies in a project's thread, public and private
}
"""A Bolt event listener → the bot events the app subscribes to for it."""

EVENT_SCOPES: dict[str, tuple[str, ...]] = {
    "app_mention": ("app_mentions:read",),
    "message.channels": ("channels:history",),
    "message.groups": ("groups:history",),
}
"""Bot event → the scope Slack requires to deliver it."""

COMMAND_SCOPES = ("commands",)
"""Slash commands (`/autoweb`)."""


def bot_events() -> list[str]:
    return sorted({e for events in EVENT_SUBSCRIPTIONS.values() for e in events})


def bot_scopes() -> list[str]:
    """Every bot scope the app asks for, sorted."""
    scopes = {*COMMAND_SCOPES}
    for group in (*METHOD_SCOPES.values(), *EVENT_SCOPES.values()):
        scopes.update(group)
    return sorted(scopes)
