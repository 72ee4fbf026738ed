"""`credits` and `credits grant <user> <n>` through CommandService.handle, on real Postgres, Redis and Mongo.

Every refusal is checked for its exact one-line text and for what it wrote: no ledger row, no hold, no project.
The only rows a refused command may leave are the sender's own first-use signup and the chat history.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from bot import messages
from bot.commands import MAX_GRANT
from bot.service import CommandService
from jobs.context import JobContext
from jobs.queue import BUILDS, queue
from storage import accounts
from storage.models import CreditTransaction, Project, ProjectVersion, User
from tests.helpers import actor

ADMIN = "admin"  # console:local:admin is in the bot_settings fixture's ADMIN_IDS
PROMPT = "a landing page for Sweet Crumbs, a bakery in Leeds"


def snapshot(ctx: JobContext) -> dict[str, Any]:
    """Everything a credits command could change."""
    with ctx.db.session() as s:
        return {
            "users": sorted((u.id, u.balance, u.held) for u in s.execute(select(User)).scalars()),
            "ledger": [
                (t.user_id, t.type, t.amount, t.hold_delta, t.actor)
                for t in s.execute(select(CreditTransaction).order_by(CreditTransaction.id)).scalars()
            ],
            "projects": s.execute(select(func.count()).select_from(Project)).scalar_one(),
            "versions": s.execute(select(func.count()).select_from(ProjectVersion)).scalar_one(),
        }


def user_row(ctx, name: str, *, platform: str = "console", team: str = "local") -> User:
    with ctx.db.session() as s:
        user = accounts.find_user(s, platform, team, name)
        assert user is not None, name
        return user


def grants_to(ctx, user_id: int) -> list[CreditTransaction]:
    with ctx.db.session() as s:
        return list(
            s.execute(
                select(CreditTransaction)
                .where(CreditTransaction.user_id == user_id, CreditTransaction.type == "grant")
                .order_by(CreditTransaction.id)
            ).scalars()
        )


def meet(service: CommandService, *names: str) -> None:
    """Each of them uses the bot once (so they exist, with their signup credits)."""
    for name in names:
        assert "available" in service.handle(actor(name), "credits").text


# --- credits --------------------------------------------------------------------------------------------------


def test_credits_shows_balance_open_holds_and_the_last_five_transactions(service, ctx):
    first = service.handle(actor(), "credits")
    assert (first.text, first.ephemeral) == (messages.credits_summary(50, 0, [("grant", 50, "")]), True)

    build = service.handle(actor(), f"build {PROMPT}")
    hold_ref = f"#{build.project_id} v1 build"  # one line per operation, named as the user knows it
    assert service.handle(actor(), "credits").text == messages.credits_summary(
        50, 10, [("held", -10, hold_ref), ("grant", 50, "")]
    )
    meet(service, ADMIN)
    for n in (1, 2, 3, 4):
        service.handle(actor(ADMIN), f"credits grant alice {n}")
    text = service.handle(actor(), "credits").text
    assert text == messages.credits_summary(
        60, 10, [("grant", 4, ""), ("grant", 3, ""), ("grant", 2, ""), ("grant", 1, ""), ("held", -10, hold_ref)]
    )
    assert text.startswith("You have 50 credits available (60 balance, 10 held).")


# --- grants by admins -------------------------------------------------------------------------------------------


def test_an_admin_grants_and_the_ledger_row_records_who(service, ctx):
    meet(service, ADMIN, "bob")
    reply = service.handle(actor(ADMIN), "credits grant bob 25")
    assert (reply.text, reply.ephemeral) == (messages.granted(25, "bob", 75), True)
    bob = user_row(ctx, "bob")
    assert (bob.balance, bob.held) == (75, 0)
    grant = grants_to(ctx, bob.id)[-1]
    assert (grant.amount, grant.actor, grant.note) == (25, "console:local:admin", "granted by console:local:admin")
    assert grant.balance_after == 75 and grant.idempotency_key.startswith("grant:")
    # Bob sees it at once, although his balance was cached by his first `credits`.
    assert service.handle(actor("bob"), "credits").text == messages.credits_summary(
        75, 0, [("grant", 25, ""), ("grant", 50, "")]
    )


@pytest.mark.parametrize("target", ["@bob", "<@bob>", "console:local:bob"])
def test_the_target_may_be_a_mention_or_a_qualified_id(service, ctx, target):
    meet(service, ADMIN, "bob")
    reply = service.handle(actor(ADMIN), f"credits grant {target} 5")
    assert reply.text == messages.granted(5, target.strip("<@>"), 55)
    assert user_row(ctx, "bob").balance == 55


def test_an_admin_can_grant_to_a_user_on_another_platform(service, ctx):
    service.handle(actor("U7", platform="slack", team="T1"), "credits")
    reply = service.handle(actor(ADMIN), "credits grant slack:T1:U7 30")
    assert reply.text == messages.granted(30, "slack:T1:U7", 80)
    assert user_row(ctx, "U7", platform="slack", team="T1").balance == 80


def test_a_redelivered_grant_event_grants_once(service, ctx):
    meet(service, ADMIN, "bob")
    first = service.handle(actor(ADMIN, event_id="Ev42"), "credits grant bob 25")
    again = service.handle(actor(ADMIN, event_id="Ev42"), "credits grant bob 25")
    assert first.text == again.text == messages.granted(25, "bob", 75)
    assert [g.amount for g in grants_to(ctx, user_row(ctx, "bob").id)] == [50, 25]
    assert service.handle(actor(ADMIN, event_id="Ev43"), "credits grant bob 25").text == messages.granted(
        25, "bob", 100
    )


def test_the_largest_grant_is_accepted(service, ctx):
    meet(service, ADMIN, "bob")
    assert service.handle(actor(ADMIN), f"credits grant bob {MAX_GRANT}").text == messages.granted(
        MAX_GRANT, "bob", MAX_GRANT + 50
    )


# --- refusals: one line each, nothing written -------------------------------------------------------------------


@pytest.mark.parametrize(
    "sender",
    [
        actor("mallory"),
        actor("admin", team="other"),  # the same user id on another team is someone else
        actor("admin", platform="slack"),
    ],
)
def test_a_non_admin_is_refused_and_nothing_is_granted(service, ctx, sender):
    meet(service, "bob")
    service.handle(sender, "credits")  # the sender's own signup, written before they try
    before = snapshot(ctx)
    reply = service.handle(sender, "credits grant bob 25")
    assert (reply.text, reply.ephemeral) == (messages.not_admin(), True)
    reply = service.handle(sender, f"credits grant {sender.platform}:{sender.team_id}:{sender.user_id} 25")
    assert reply.text == messages.not_admin()  # not even to themselves
    assert snapshot(ctx) == before


def test_a_refused_grant_from_a_first_time_non_admin_writes_nothing(service, ctx):
    meet(service, "bob")
    before = snapshot(ctx)
    assert service.handle(actor("mallory"), "credits grant bob 1000").text == messages.not_admin()
    assert snapshot(ctx) == before  # not even an account for mallory: a refused command changes nothing
    with ctx.db.session() as s:
        assert accounts.find_user(s, "console", "local", "mallory") is None
    assert user_row(ctx, "bob").balance == 50


@pytest.mark.parametrize("target", ["nobody", "@nobody", "slack:T9:U9", "console:other:bob"])
def test_a_grant_to_an_unknown_user_is_refused_and_nothing_is_written(service, ctx, target):
    meet(service, ADMIN, "bob")
    before = snapshot(ctx)
    reply = service.handle(actor(ADMIN), f"credits grant {target} 25")
    assert (reply.text, reply.ephemeral) == (messages.unknown_user(target.strip("<@>")), True)
    assert snapshot(ctx) == before


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("-5", messages.grant_bad_amount(MAX_GRANT)),
        ("-0", messages.grant_bad_amount(MAX_GRANT)),
        ("0", messages.grant_bad_amount(MAX_GRANT)),
        ("abc", messages.grant_bad_amount(MAX_GRANT)),
        ("1.5", messages.grant_bad_amount(MAX_GRANT)),
        ("1e3", messages.grant_bad_amount(MAX_GRANT)),
        (str(MAX_GRANT + 1), messages.grant_bad_amount(MAX_GRANT)),
        ("999999999", messages.grant_bad_amount(MAX_GRANT)),
        ("99999999999999999999999", messages.grant_bad_amount(MAX_GRANT)),
        ("", messages.grant_usage()),
        ("5 extra", messages.grant_usage()),
    ],
)
def test_a_bad_amount_is_refused_and_nothing_is_written(service, ctx, amount, expected):
    meet(service, ADMIN, "bob")
    before = snapshot(ctx)
    reply = service.handle(actor(ADMIN), f"credits grant bob {amount}".rstrip())
    assert (reply.text, reply.ephemeral) == (expected, True)
    assert "\n" not in reply.text
    assert snapshot(ctx) == before


def test_a_bad_amount_from_a_non_admin_gets_the_amount_message_and_creates_nobody(service, ctx):
    """Parsing comes first: a malformed command writes nothing, not even the sender's signup."""
    before = snapshot(ctx)
    assert service.handle(actor("mallory"), "credits grant bob -5").text == messages.grant_bad_amount(MAX_GRANT)
    assert snapshot(ctx) == before == {"users": [], "ledger": [], "projects": 0, "versions": 0}


# --- builds without enough credits ------------------------------------------------------------------------------


def test_a_build_with_too_few_credits_is_refused_and_nothing_is_held(ctx, bot_settings):
    poor = CommandService(ctx, bot_settings.model_copy(update={"signup_credits": 5}))
    poor.handle(actor(), "credits")
    before = snapshot(ctx)
    reply = poor.handle(actor(), f"build {PROMPT}")
    assert (reply.text, reply.ephemeral) == (messages.insufficient_credits("build", 10, 5), True)
    assert reply.project_id is None
    assert snapshot(ctx) == before  # no project, no version, no hold
    assert queue(ctx.redis, BUILDS).count == 0
    assert poor.handle(actor(), "credits").text == messages.credits_summary(5, 0, [("grant", 5, "")])


def test_open_holds_count_against_the_next_build(ctx, bot_settings):
    service = CommandService(ctx, bot_settings.model_copy(update={"signup_credits": 15}))
    first = service.handle(actor(), f"build {PROMPT}")
    assert first.project_id is not None
    before = snapshot(ctx)
    second = service.handle(actor(), "build a portfolio for a wedding photographer in Bath")
    assert second.text == messages.insufficient_credits("build", 10, 5)
    assert snapshot(ctx) == before
    assert queue(ctx.redis, BUILDS).count == 1


def test_an_admin_grant_lets_a_refused_user_build(ctx, bot_settings):
    service = CommandService(ctx, bot_settings.model_copy(update={"signup_credits": 0}))
    meet(service, ADMIN)
    assert service.handle(actor(), f"build {PROMPT}").text == messages.insufficient_credits("build", 10, 0)
    assert service.handle(actor(ADMIN), "credits grant alice 10").text == messages.granted(10, "alice", 10)
    accepted = service.handle(actor(), f"build {PROMPT}")
    assert accepted.project_id is not None
    alice = user_row(ctx, "alice")
    assert (alice.balance, alice.held) == (10, 10)


def test_credits_lists_one_line_per_operation_with_its_net_effect(service, ctx, run_jobs):
    """A hold and its capture (or release) are one operation: "-10 for #1 v1 build", not "hold -10, capture -10",
    which read as a double charge."""
    built = service.handle(actor(), f"build {PROMPT}")
    assert run_jobs()
    edit = service.handle(actor(), f"edit #{built.project_id} make it green")
    service.handle(actor(), f"cancel #{built.project_id}")
    text = service.handle(actor(), "credits").text
    pid = built.project_id
    assert edit.version_id is not None
    assert text == messages.credits_summary(
        40, 0, [("released", 0, f"#{pid} v2 edit"), ("charged", -10, f"#{pid} v1 build"), ("grant", 50, "")]
    )
    assert "• -10 for #1 v1 build" in text.replace(f"#{pid}", "#1") and "hold" not in text
