"""The Slack app manifests ask for every scope and event the code needs, and nothing it does not.

The Web API methods the code calls are found by scanning bot/ for the names of slack_sdk's client methods (as
attributes, `client.users_info(...)`, or as strings, `_call(team, "chat_postMessage", ...)`); their dotted names
come from slack_sdk itself. Each must be in bot/slack_app.py's table, and each scope it needs in both manifests.
"""

from __future__ import annotations

import ast
import inspect
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.web.async_client import AsyncWebClient

from bot import slack, slack_app
from bot.commands import parse

ROOT = Path(__file__).resolve().parent.parent.parent
MANIFESTS = {"http": ROOT / "slack" / "manifest.yml", "socket": ROOT / "slack" / "manifest.socket.yml"}


def manifest(kind: str) -> dict[str, Any]:
    return dict(yaml.safe_load(MANIFESTS[kind].read_text()))


@cache
def api_methods() -> dict[str, str]:
    """slack_sdk's client method name → the Web API method it calls (`users_info` → `users.info`)."""
    names: dict[str, str] = {}
    for name, fn in inspect.getmembers(AsyncWebClient, inspect.isfunction):
        if name.startswith("_"):
            continue
        found = re.search(r'api_call\(\s*"([A-Za-z.]+)"', inspect.getsource(fn))
        if found:
            names[name] = found.group(1)
    return names


def source_trees() -> list[ast.AST]:
    return [ast.parse(path.read_text(), str(path)) for path in sorted((ROOT / "bot").glob("*.py"))]


def methods_called() -> set[str]:
    known = api_methods()
    called = set()
    for tree in source_trees():
        for node in ast.walk(tree):
            name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "value", None)
            if isinstance(name, str) and name in known:
                called.add(known[name])
    return called


def listener_args(kind: str) -> set[str]:
    """First string argument of every `<app>.<kind>("…")` call in bot/slack.py (Bolt listeners)."""
    tree = ast.parse((ROOT / "bot" / "slack.py").read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == kind:
            if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                found.add(node.args[0].value)
    return found


def test_the_scanner_finds_the_calls_it_must():
    """Guard against a scan that silently finds nothing: these calls are in bot/slack.py and bot/doctor.py."""
    assert api_methods()["chat_postMessage"] == "chat.postMessage"
    assert {"chat.postMessage", "chat.update", "chat.postEphemeral", "users.info", "auth.test"} <= methods_called()


@pytest.mark.parametrize("kind", MANIFESTS)
def test_every_method_the_code_calls_has_its_scopes_in_the_manifest(kind):
    scopes = set(manifest(kind)["oauth_config"]["scopes"]["bot"])
    for method in sorted(methods_called()):
        assert method in slack_app.METHOD_SCOPES, f"{method} is called: add it and its scopes to bot/slack_app.py"
        missing = set(slack_app.METHOD_SCOPES[method]) - scopes
        assert not missing, f"{MANIFESTS[kind].name} lacks {sorted(missing)}, needed by {method}"


@pytest.mark.parametrize("kind", MANIFESTS)
def test_every_event_the_code_listens_to_is_subscribed_with_its_scope(kind):
    settings = manifest(kind)["settings"]
    scopes = set(manifest(kind)["oauth_config"]["scopes"]["bot"])
    listened = listener_args("event")
    assert listened >= {"app_mention", "message"}
    subscribed = set(settings["event_subscriptions"]["bot_events"])
    for event in listened:
        assert set(slack_app.EVENT_SUBSCRIPTIONS[event]) <= subscribed, f"subscribe to the events behind {event}"
    for event in subscribed:
        assert set(slack_app.EVENT_SCOPES[event]) <= scopes, f"{event} needs {slack_app.EVENT_SCOPES[event]}"
    assert subscribed == set(slack_app.bot_events())
    assert listener_args("action") == set() or settings["interactivity"]["is_enabled"] is True


@pytest.mark.parametrize("kind", MANIFESTS)
def test_the_manifest_asks_for_exactly_the_scopes_the_oauth_install_asks_for(kind):
    listed = manifest(kind)["oauth_config"]["scopes"]["bot"]
    assert listed == sorted(listed) and len(listed) == len(set(listed))
    assert listed == slack.SCOPES == slack_app.bot_scopes()
    assert {"users:read.email", "files:read", "commands"} <= set(listed)
    assert listener_args("command") == {"/autoweb"}
    (command,) = manifest(kind)["features"]["slash_commands"]
    assert command["command"] == "/autoweb" and command["should_escape"] is True


def test_the_http_manifest_points_every_url_at_the_adapters_paths():
    m = manifest("http")
    oauth = AsyncOAuthSettings(client_id="x", client_secret="y")
    assert '"/slack/events"' in (ROOT / "bot" / "slack.py").read_text()  # the path web_app() serves
    urls = [
        m["features"]["slash_commands"][0]["url"],
        m["settings"]["event_subscriptions"]["request_url"],
        m["settings"]["interactivity"]["request_url"],
    ]
    assert urls == ["https://YOUR-HOST/slack/events"] * 3
    assert m["oauth_config"]["redirect_urls"] == [f"https://YOUR-HOST{oauth.redirect_uri_path}"]
    assert m["settings"]["socket_mode_enabled"] is False


def test_the_socket_manifest_is_the_http_one_without_urls():
    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in ("url", "request_url", "redirect_urls")}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    http, socket = manifest("http"), manifest("socket")
    assert socket["settings"]["socket_mode_enabled"] is True
    assert strip(socket) == socket  # no URL at all: Socket Mode connects out
    http["settings"]["socket_mode_enabled"] = True
    assert strip(http) == socket


def test_an_escaped_mention_grants_to_the_users_id():
    """`should_escape: true` sends `@bob` as `<@U…|bob>`: the grammar takes the id."""
    assert parse("credits grant <@U0BOB|bob> 5").target_user == "U0BOB"
    assert parse("credits grant <@U0BOB> 5").target_user == "U0BOB"
