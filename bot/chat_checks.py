"""`autoweb doctor`'s checks of the chat platforms: is each configured token accepted, and does it carry what the
bot needs (Slack: the scopes of bot/slack_app.py, read from auth.test's `x-oauth-scopes` header; Discord: the
message-content intent when DISCORD_MESSAGE_CONTENT asks for it). Calls go to SLACK_API_URL / DISCORD_API_URL;
no token is ever printed.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import slack_app
from bot.settings import BotSettings

Check = tuple[str, bool, str]
"""(what, passed, detail or fix)"""
TIMEOUT = 5
MESSAGE_CONTENT_FLAGS = (1 << 18) | (1 << 19)
"""GATEWAY_MESSAGE_CONTENT (verified apps) or GATEWAY_MESSAGE_CONTENT_LIMITED (the portal's switch)."""
SLACK_FIX = "Copy the Bot User OAuth Token (xoxb-…) from OAuth & Permissions into SLACK_BOT_TOKEN (docs/SLACK.md)."
DISCORD_FIX = "Reset the token under Bot → Token in the developer portal and set DISCORD_BOT_TOKEN (docs/DISCORD.md)."


def slack(bot: BotSettings) -> Check:
    if bot.slack_bot_token is None:
        if bot.slack_client_id and bot.slack_client_secret:
            return "Slack", True, "multi-workspace (OAuth): each workspace's token comes with its install"
        return "Slack", True, "not configured (optional)"
    if bot.slack_signing_secret is None:
        return "Slack", False, "SLACK_SIGNING_SECRET is not set: copy it from Basic Information → App Credentials."
    client = WebClient(token=bot.slack_bot_token.get_secret_value(), base_url=bot.slack_api_url, timeout=TIMEOUT)
    try:
        response = client.auth_test()
    except SlackApiError as exc:
        return "Slack", False, f"Slack refused SLACK_BOT_TOKEN ({exc.response.get('error')}). {SLACK_FIX}"
    except (OSError, ValueError) as exc:
        return "Slack", False, f"Slack API unreachable ({type(exc).__name__}). Check SLACK_API_URL and the network."
    headers = {k.lower(): v for k, v in response.headers.items()}
    granted = {s.strip() for s in str(_first(headers.get("x-oauth-scopes", ""))).split(",") if s.strip()}
    missing = [scope for scope in slack_app.bot_scopes() if scope not in granted]
    who = f"@{response.get('user')} in {response.get('team') or response.get('team_id')}"
    if missing:
        return (
            "Slack",
            False,
            f"{who}: the token lacks {', '.join(missing)}. Add them (slack/manifest.yml lists all) under "
            "OAuth & Permissions → Scopes, then reinstall the app to the workspace.",
        )
    return "Slack", True, f"{who}, all {len(slack_app.bot_scopes())} scopes granted"


def discord(bot: BotSettings) -> Check:
    if bot.discord_bot_token is None:
        return "Discord", True, "not configured (optional)"
    token = bot.discord_bot_token.get_secret_value()
    try:
        me = _discord_get(bot.discord_api_url, "/users/@me", token)
        app = (
            _discord_get(bot.discord_api_url, "/oauth2/applications/@me", token) if bot.discord_message_content else {}
        )
    except urllib.error.HTTPError as exc:
        if exc.code == 401:
            return "Discord", False, f"Discord refused DISCORD_BOT_TOKEN (401). {DISCORD_FIX}"
        return "Discord", False, f"Discord answered HTTP {exc.code}. Try again later; check DISCORD_API_URL."
    except (OSError, ValueError) as exc:
        return "Discord", False, f"Discord API unreachable ({type(exc).__name__}). Check DISCORD_API_URL."
    who = f"bot {me.get('username')} ({me.get('id')})"
    if bot.discord_message_content and not int(app.get("flags", 0)) & MESSAGE_CONTENT_FLAGS:
        return (
            "Discord",
            False,
            f"{who}: DISCORD_MESSAGE_CONTENT=true, but the app's Message Content Intent is off. Turn it on under "
            "Bot → Privileged Gateway Intents, or set DISCORD_MESSAGE_CONTENT=false.",
        )
    return "Discord", True, f"{who}, token accepted"


def _discord_get(base: str, path: str, token: str) -> dict[str, Any]:
    request = urllib.request.Request(
        base.rstrip("/") + path,
        headers={"Authorization": f"Bot {token}", "User-Agent": "DiscordBot (autowebiq-bot, 0.1)"},
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 - the configured API's URL
        data = json.load(response)
    return dict(data) if isinstance(data, dict) else {}


def _first(value: object) -> object:
    """urllib gives one string per header; some transports give a list."""
    return value[0] if isinstance(value, list) and value else value
