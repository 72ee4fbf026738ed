"""User text inside chat messages: marked where a message is written, escaped where it is shown.

A message stays one string. `bot/messages.py` passes every part that came from a person (a project name, a prompt,
an instruction, a name they typed, a line the job derived from them) through `user()`, which wraps it between two
private-use characters when it holds anything beyond letters, digits, spaces and plain punctuation. Each surface
then renders the whole message once, escaping exactly those parts its own way:

- Slack (`for_slack`): `&`, `<`, `>` become entities everywhere (Slack's documented escaping; without it
  `<!channel>` pings a channel and `<https://evil|label>` hides a link), except the bot's own `<@U…>` mention in
  its text; in user parts the mrkdwn marks `*`, `_`, `~` and the backtick are swapped for look-alikes (mrkdwn has
  no escape character), so a name cannot bold, strike or code-span the bot's own words.
- Discord (`for_discord`): user parts get discord.py's `escape_markdown` and `escape_mentions` (masked links,
  headings, quotes, `@everyone`, `<@id>`, `<@&role>`); the adapters also send `allowed_mentions` with nothing
  allowed on every message, so no text can ping.
- The terminal (`for_console`) and stored history (`plain`): the text as typed, without the marks; the terminal
  also drops ANSI escape sequences and control characters from user parts.

In every rendering, user parts lose control characters (bidi overrides and zero-width ones included) and their
line breaks become spaces: user text is inline and cannot start a line of its own. A mark that reached a message
without `user()` (e.g. typed by a person) is harmless: `user()` strips marks from what it wraps, an unmatched
opening mark makes the rest of the text user text, and an unmatched closing one is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import discord.utils

OPEN, CLOSE = "\ue000", "\ue001"
"""Private-use characters around a user part (never shown: every rendering removes them)."""
_NO_MARKS = str.maketrans("", "", OPEN + CLOSE)
_PLAIN_PUNCTUATION = frozenset(" .,'’-!?/\"():;%+=$€£·–—")
"""Characters that mean nothing to Slack, Discord or a terminal: text made only of these (and letters and
digits) needs no mark."""
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-_])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_LINE_BREAKS = re.compile(r"[\t\n\r\u0085\u2028\u2029]+")
_SLACK_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_SLACK_MARKS = str.maketrans({"*": "∗", "_": "ˍ", "~": "∼", "`": "ˋ"})
_SLACK_OWN_MENTION = re.compile(r"(<@[UW][A-Z0-9]{1,20}>)")
_SLACK_SPECIAL_WORD = re.compile(r"@(?=(?:channel|here|everyone)\b)", re.I)


def user(text: object) -> str:
    """Mark `text` as coming from a person (a no-op for plain words, which read the same everywhere)."""
    s = str(text).translate(_NO_MARKS)
    if all(c.isalnum() or c in _PLAIN_PUNCTUATION for c in s):
        return s
    return f"{OPEN}{s}{CLOSE}"


def parts(text: str) -> Iterator[tuple[str, bool]]:
    """(piece, is_user_text) in order; marks removed."""
    rest = text
    while rest:
        head, opened, tail = rest.partition(OPEN)
        if head:
            yield head.replace(CLOSE, ""), False
        if not opened:
            return
        inner, _, rest = tail.partition(CLOSE)  # no closing mark: the rest is user text
        if inner:
            yield inner.replace(OPEN, ""), True


def render(text: str, *, literal: Callable[[str], str], person: Callable[[str], str]) -> str:
    return "".join(person(clean(piece)) if is_user else literal(piece) for piece, is_user in parts(text))


def clean(text: str) -> str:
    """User text made inline and inert: no ANSI sequences, no control or invisible characters, one line."""
    return _CONTROL.sub("", _ANSI.sub("", _LINE_BREAKS.sub(" ", text)))


def plain(text: str) -> str:
    """The message as a person reads it, without marks or escaping (history rows, thread titles, labels)."""
    return render(text, literal=str, person=str)


def for_console(text: str) -> str:
    return plain(text)


def for_slack(text: str) -> str:
    """Slack `text` and mrkdwn fields."""
    return render(text, literal=_slack_literal, person=_slack_person)


def for_discord(text: str) -> str:
    """Discord content, embed titles and descriptions."""
    return render(text, literal=str, person=_discord_person)


def cut(text: str, limit: int) -> str:
    """At most `limit` characters of rendered text, never ending inside an entity or after a lone backslash."""
    if len(text) <= limit:
        return text
    head = re.sub(r"&[a-z]{0,4}$", "", text[: limit - 1]).rstrip("\\")
    return head + "…"


def _slack_literal(text: str) -> str:
    pieces = _SLACK_OWN_MENTION.split(text)
    return "".join(p if i % 2 else p.translate(_SLACK_ENTITIES) for i, p in enumerate(pieces))


def _slack_person(text: str) -> str:
    return _SLACK_SPECIAL_WORD.sub("@\u2060", text.translate(_SLACK_ENTITIES).translate(_SLACK_MARKS))


def _discord_person(text: str) -> str:
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))
