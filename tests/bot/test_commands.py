"""The chat grammar: every verb parses to the right Command, every bad input gets exactly its message."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import messages
from bot.commands import MAX_GRANT, MAX_IMAGES, VERBS, Command, parse
from bot.errors import UserError
from jobs.brief import MAX_PROMPT

PROMPT = "a landing page for Sweet Crumbs, a bakery in Leeds, with a menu and contact page"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"build {PROMPT}", Command(name="build", prompt=PROMPT)),
        (f"BUILD   {PROMPT}", Command(name="build", prompt=PROMPT)),
        ("build a café\nwith a menu\tand prices", Command(name="build", prompt="a café with a menu and prices")),
        ("build " + "x" * MAX_PROMPT, Command(name="build", prompt="x" * MAX_PROMPT)),
        ("edit #42 make the header dark green", Command(name="edit", project=42, prompt="make the header dark green")),
        ("edit 42 add a pricing page", Command(name="edit", project=42, prompt="add a pricing page")),
        ("images #42", Command(name="images", project=42, count=1, prompt="")),
        ("images #42 3", Command(name="images", project=42, count=3, prompt="")),
        ("images #42 8 warm bread", Command(name="images", project=42, count=8, prompt="warm bread")),
        ("images #42 croissants at dawn", Command(name="images", project=42, count=1, prompt="croissants at dawn")),
        ("images #42 ² loaves", Command(name="images", project=42, count=1, prompt="² loaves")),
        ("status", Command(name="status")),
        ("status #7", Command(name="status", project=7)),
        ("projects", Command(name="projects")),
        ("history #7", Command(name="history", project=7)),
        ("rollback #7 v2", Command(name="rollback", project=7, version=2)),
        ("rollback #7 V2", Command(name="rollback", project=7, version=2)),
        ("rollback 7 2", Command(name="rollback", project=7, version=2)),
        ("cancel #7", Command(name="cancel", project=7)),
        ("credits", Command(name="credits")),
        ("credits grant @bob 50", Command(name="grant", target_user="bob", amount=50)),
        ("credits grant <@U123> 5", Command(name="grant", target_user="U123", amount=5)),
        ("credits Grant bob 5", Command(name="grant", target_user="bob", amount=5)),
        (f"credits grant bob {MAX_GRANT}", Command(name="grant", target_user="bob", amount=MAX_GRANT)),
        ("credits grant slack:T1:U1 7", Command(name="grant", target_user="slack:T1:U1", amount=7)),
        ("templates", Command(name="templates")),
        ("templates Food", Command(name="templates", category="food")),
        ("help", Command(name="help")),
        ("HELP me", Command(name="help")),
        ("", Command(name="help")),
        ("   \n\t ", Command(name="help")),
        ("\x00\x07\u200b", Command(name="help")),
        ("bu\u200bild a\u00a0site", Command(name="build", prompt="a site")),
    ],
)
def test_each_verb_parses_to_its_command(text, expected):
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("build", messages.empty_prompt("build")),
        ("build   \x00 ", messages.empty_prompt("build")),
        ("build " + "x" * (MAX_PROMPT + 1), messages.prompt_too_long(MAX_PROMPT + 1, MAX_PROMPT)),
        ("build " + "y" * 5000, messages.prompt_too_long(5000, MAX_PROMPT)),
        ("edit #42 " + "z" * 2001, messages.prompt_too_long(2001, MAX_PROMPT)),
        ("images #42 2 " + "w" * 2001, messages.prompt_too_long(2001, MAX_PROMPT)),
        ("edit", messages.needs_project("edit")),
        ("edit #42", messages.empty_prompt("edit")),
        ("edit the header make it green", messages.needs_project("edit")),
        ("edit #4x2 make it green", messages.needs_project("edit")),
        ("edit ## make it green", messages.needs_project("edit")),
        ("edit #1234567890123 make it green", messages.needs_project("edit")),
        ("images", messages.needs_project("images")),
        ("images sweet-crumbs 2", messages.needs_project("images")),
        ("images #42 0", messages.bad_image_count(MAX_IMAGES)),
        ("images #42 9", messages.bad_image_count(MAX_IMAGES)),
        ("images #42 -1", messages.bad_image_count(MAX_IMAGES)),
        ("images #42 " + "9" * 5000, messages.bad_image_count(MAX_IMAGES)),
        ("status abc", messages.needs_project("status")),
        ("history", messages.needs_project("history")),
        ("history #", messages.needs_project("history")),
        ("cancel", messages.needs_project("cancel")),
        ("cancel #-1", messages.needs_project("cancel")),
        ("rollback", messages.needs_project("rollback")),
        ("rollback v2", messages.needs_project("rollback")),
        ("rollback #7", messages.needs_version()),
        ("rollback #7 latest", messages.needs_version()),
        ("rollback #7 v", messages.needs_version()),
        ("credits grant", messages.grant_usage()),
        ("credits grant bob", messages.grant_usage()),
        ("credits grant bob 5 now", messages.grant_usage()),
        ("credits grant <@> 5", messages.grant_usage()),
        ("credits grant bob lots", messages.grant_bad_amount(MAX_GRANT)),
        ("credits grant bob 0", messages.grant_bad_amount(MAX_GRANT)),
        ("credits grant bob -5", messages.grant_bad_amount(MAX_GRANT)),
        ("credits grant bob 2.5", messages.grant_bad_amount(MAX_GRANT)),
        (f"credits grant bob {MAX_GRANT + 1}", messages.grant_bad_amount(MAX_GRANT)),
        ("credits grant bob 12345678901", messages.grant_bad_amount(MAX_GRANT)),
        ("buidl a bakery site", messages.unknown_command("buidl", "build")),
        ("Stauts #4", messages.unknown_command("stauts", "status")),
        ("rolback #4 v1", messages.unknown_command("rolback", "rollback")),
        ("xyzzy", messages.unknown_command("xyzzy", None)),
        ("grant bob 5", messages.unknown_command("grant", None)),
        ("q" * 100, messages.unknown_command("q" * 30, None)),
    ],
)
def test_each_bad_input_gets_exactly_its_message(text, message):
    with pytest.raises(UserError) as refused:
        parse(text)
    assert refused.value.message == message


def test_the_prompt_limit_counts_cleaned_characters():
    # Whitespace runs collapse before the length check, so padding does not push a prompt over the limit.
    assert parse("build " + "a  " * 1000).prompt == " ".join(["a"] * 1000)


def test_refusal_texts_say_what_to_do_next():
    assert "Did you mean `/autoweb build`?" in messages.unknown_command("buidl", "build")
    assert "Did you mean" not in messages.unknown_command("xyzzy", None)
    assert "2,001 characters" in messages.prompt_too_long(2001, MAX_PROMPT)
    assert "2,000" in messages.prompt_too_long(2001, MAX_PROMPT)
    assert "Nothing was started or charged." in messages.prompt_too_long(5000, MAX_PROMPT)


# --- nothing but UserError, whatever arrives --------------------------------------------------------------------
def _parses_or_refuses(text: str) -> None:
    try:
        command = parse(text)
    except UserError as exc:
        assert exc.message and "Traceback" not in exc.message
        return
    assert isinstance(command, Command)
    assert len(command.prompt) <= MAX_PROMPT
    assert "\x00" not in command.prompt and "\n" not in command.prompt


TOKENS = st.one_of(
    st.sampled_from(["#1", "#42", "42", "v2", "0", "-1", "9", "--3", "²", "٣", "grant", "@bob", "<@U1>", "#", "v"]),
    st.from_regex(r"-?[0-9]{1,30}", fullmatch=True),
    st.text(max_size=12),
)
COMMAND_LINES = st.tuples(
    st.sampled_from([*VERBS, "credits grant", "buidl", ""]),
    st.lists(TOKENS, max_size=5),
).map(lambda parts: " ".join([parts[0], *parts[1]]))
FUZZ = settings(max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.text())
def test_any_text_parses_or_is_refused_with_a_user_error(text):
    _parses_or_refuses(text)


@FUZZ
@given(COMMAND_LINES)
def test_any_arguments_to_a_verb_parse_or_are_refused(text):
    _parses_or_refuses(text)


@FUZZ
@given(st.text(alphabet=st.characters(codec="utf-8", categories=["Cc", "Cf", "Zs", "Zl", "Zp"])), COMMAND_LINES)
def test_control_and_format_characters_are_dropped(noise, line):
    _parses_or_refuses(noise + line + noise)
    mixed = "".join(ch + noise for ch in line)
    _parses_or_refuses(mixed)


@pytest.mark.parametrize("text", ["credits grant bob ٣", "credits grant bob ５"])
def test_grant_amounts_are_ascii_digits_only(text: str) -> None:
    with pytest.raises(UserError) as refused:
        parse(text)
    assert refused.value.message == messages.grant_bad_amount(MAX_GRANT)


@pytest.mark.parametrize("text", ["status #٣", "history ٤٢"])
def test_project_numbers_are_ascii_digits_only(text: str) -> None:
    with pytest.raises(UserError):
        parse(text)
