"""Promise 5: hostile input. Property-based (hypothesis) over the grammar and the Slack HTTP endpoint: random
unicode, control characters, 100 KB bodies, malformed form and JSON, markup — never a 5xx, never a traceback to a
user, never unescaped markup in a site; forged, stale, replayed and tampered signatures are rejected."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_bolt.request.internals import parse_body
from sqlalchemy import func, select

from bot import commands
from bot.errors import UserError
from storage.models import CreditTransaction, ProjectVersion
from tests.bot.test_slack import FORM, SECRET
from tests.fakes.slack_api import command_body, event_body, signed_headers, text_of
from tests.helpers import actor

TRIED = {"grammar": 0, "http": 0}
MARKUP = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "{{7*7}}", "{% raw %}", "javascript:alert(1)"]
LEAKS = ("Traceback", 'File "', "Error:", "Exception")

# Text as chat delivers it: any unicode (control characters, surrogates excluded by the transport), markup, and
# up to 100 KB made by repeating a random piece.
chat_text = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=50),
    st.sampled_from(MARKUP),
    st.builds(lambda piece, n: (piece * n)[:100_000], st.text(min_size=1, max_size=40), st.integers(1, 5000)),
)
verbs = st.sampled_from([*commands.VERBS, "credits grant", "edit #1", "rollback #1", "images #1", "cancel #1", ""])


@settings(max_examples=1500, deadline=None)
@given(verb=verbs, rest=chat_text)
def test_the_grammar_answers_any_text_with_a_command_or_a_user_error(verb: str, rest: str) -> None:
    TRIED["grammar"] += 1
    try:
        command = commands.parse(f"{verb} {rest}")
    except UserError as exc:
        assert exc.message and not any(leak in exc.message for leak in LEAKS[:2])
        return
    assert command.name in commands.VERBS or command.name == "grant"


def _send(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def _signed(body: bytes, content_type: str, *, secret: str = SECRET, ts: int | None = None) -> dict[str, str]:
    return signed_headers(secret, body.decode(errors="surrogateescape"), content_type, timestamp=ts)


# What only Slack can send (signed): well-formed envelopes carrying hostile text.
signed_bodies = st.one_of(
    chat_text.map(lambda t: command_body(t).encode()),
    chat_text.map(
        lambda t: event_body(
            {"type": "app_mention", "user": "U1", "channel": "C1", "text": t}, event_id=t[:30] or "E"
        ).encode()
    ),
    chat_text.map(
        lambda t: event_body(
            {"type": "message", "user": "U1", "channel": "C1", "text": t, "thread_ts": "1.1"}, event_id=t[:30] or "E"
        ).encode()
    ),
)
# What anyone can send: anything at all (it must be refused with 401).
bodies = st.one_of(
    signed_bodies,
    chat_text.map(lambda t: t.encode("utf-8", "surrogatepass")),  # not a form at all
    st.binary(max_size=2000),
    chat_text.map(lambda t: urlencode({"payload": t}).encode()),  # interactivity with a broken payload
    chat_text.map(lambda t: json.dumps({"type": "event_callback", "event": t, "event_id": t[:20]}).encode()),
    st.builds(lambda n: b"text=" + b"A" * n, st.integers(90_000, 100_000)),
)
content_types = st.sampled_from([FORM, "application/json", "text/plain", "multipart/form-data; boundary=x", ""])


@pytest.mark.timeout(600)
def test_the_slack_endpoint_never_answers_5xx_or_a_traceback(start_slack, fake_slack, ctx):
    slack = start_slack()

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        request=st.one_of(
            st.tuples(signed_bodies, st.just(FORM), st.just(True)),
            st.tuples(bodies, content_types, st.just(False)),
        )
    )
    def hostile(request: tuple[bytes, str, bool]) -> None:
        body, content_type, signed = request
        if signed and body.startswith(b"{"):
            content_type = "application/json"
        TRIED["http"] += 1
        headers = _signed(body, content_type) if signed else {"Content-Type": content_type}
        if not content_type:
            headers.pop("Content-Type", None)
        status, reply = _send(slack.url, body, headers)
        assert status < 500, (status, reply[:200])
        assert not any(leak in reply for leak in LEAKS[:2]), reply[:300]
        if _bolt_cannot_parse(body, content_type):
            assert status == 400  # bot/slack.py's reject_unparsable, before Bolt would raise
        if not signed:
            assert status in (400, 401)  # unreadable, or unsigned: refused either way

    hostile()
    time.sleep(1.0)  # replies posted after the ack
    for call in fake_slack.calls:
        assert not any(leak in text_of(call) for leak in LEAKS[:2]), text_of(call)[:300]
    print(f"\ngrammar: {TRIED['grammar']} inputs, HTTP endpoint: {TRIED['http']} requests, no 5xx, no traceback")


def _bolt_cannot_parse(body: bytes, content_type: str) -> bool:
    """Bodies Bolt's own parser raises on (or turns into a non-object), before any signature check: without
    bot/slack.py's middleware, aiohttp would answer them with a 500."""
    try:
        parsed = parse_body(body.decode(), content_type or None)  # Bolt decodes strictly, too
    except ValueError:
        return True
    return not isinstance(parsed, dict)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (command_body("help"), "application/json"),
        ("payload", FORM),
        ("payload=%7Bnot", FORM),
        ("{oops", FORM),
        ("\udc80", FORM),  # not UTF-8 on the wire (sent as the byte 0x80)
        (command_body("help"), "bad timestamp"),  # X-Slack-Request-Timestamp that is not a number
        ('{"type": "event_callback", "event": ""}', "signed"),  # signed, but an envelope Bolt's middleware trips on
    ],
)
def test_a_body_bolt_cannot_parse_gets_a_400_not_a_500(start_slack, body: str, content_type: str):
    slack = start_slack()
    signed = content_type == "signed"
    headers = _signed(body.encode(), "application/json") if signed else {"Content-Type": content_type}
    if content_type == "bad timestamp":
        headers = {**_signed(body.encode(), FORM), "X-Slack-Request-Timestamp": "yesterday"}
    status, reply = _send(slack.url, body.encode("utf-8", "surrogateescape"), headers)
    assert (status, reply) == (400, "Bad request")


def test_forged_stale_replayed_and_tampered_signatures_are_rejected_and_change_nothing(start_slack, fake_slack, ctx):
    slack = start_slack()
    body = command_body("build a landing page for Sweet Crumbs, a bakery in Leeds").encode()
    now = int(time.time())
    captured = _signed(body, FORM, ts=now - 6 * 60)  # a genuine request, replayed six minutes later
    tampered = {**_signed(command_body("credits").encode(), FORM)}  # a valid signature over another body
    cases = {
        "forged": _signed(body, FORM, secret="not-the-secret"),
        "stale replay": captured,
        "from the future": _signed(body, FORM, ts=now + 6 * 60),
        "tampered": tampered,
        "unsigned": {"Content-Type": FORM},
        "garbage signature": {**_signed(body, FORM), "X-Slack-Signature": "v0=" + "0" * 64},
    }
    for name, headers in cases.items():
        assert _send(slack.url, body, headers)[0] == 401, name
    garbage_ts = {**_signed(body, FORM), "X-Slack-Request-Timestamp": "yesterday"}
    assert _send(slack.url, body, garbage_ts)[0] == 400
    time.sleep(0.3)
    with ctx.db.session() as s:
        assert s.execute(select(func.count()).select_from(ProjectVersion)).scalar_one() == 0
        assert s.execute(select(func.count()).select_from(CreditTransaction)).scalar_one() == 0
    assert fake_slack.of("chat.postMessage") == []


def test_markup_in_a_prompt_is_escaped_in_the_built_site(service, ctx, run_jobs):
    payload = "<script>alert(1)</script>"
    reply = service.handle(actor("mallory"), f'build a site for "{payload}" Bakery, a bakery in Leeds {MARKUP[1]}')
    assert reply.version_id is not None and run_jobs()
    pages = list(Path(ctx.settings.sites_dir, str(reply.project_id), "v1").glob("*.html"))
    assert pages
    for page in pages:
        html = page.read_text()
        assert payload not in html and "<img src=x" not in html
