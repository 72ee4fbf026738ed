"""The Redis cache: balances filled on read and dropped after every ledger commit, the catalog versioned by seeds,
and a stale cached balance that can never let a hold through."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import messages
from jobs.context import JobContext
from storage import accounts, keys, ledger
from storage.cache import Cache
from storage.errors import InsufficientCredits
from storage.models import CreditTransaction, Project
from tests.helpers import actor


def new_user(ctx: JobContext, name: str = "alice", credits: int = 50) -> int:
    with ctx.db.session() as s:
        user, _ = accounts.get_or_create_user(s, "console", "local", name, signup_credits=credits)
        return user.id


def cached_balance(ctx: JobContext, user_id: int) -> dict[str, int]:
    """Read the balance through the cache, the way the `credits` command does."""

    def load() -> dict[str, int]:
        with ctx.db.session() as s:
            b = ledger.balance_of(s, user_id)
        return {"balance": b.balance, "held": b.held}

    return ctx.cache.balance(user_id, load)


def raw(ctx: JobContext, user_id: int) -> dict[str, int] | None:
    value = ctx.redis.get(keys.balance_key(user_id))
    return None if value is None else json.loads(value)


# --- balances ---------------------------------------------------------------------------------------------


def test_the_balance_is_cached_on_first_read_with_a_five_minute_ttl(ctx):
    uid = new_user(ctx)
    loads = []

    def load() -> dict[str, int]:
        loads.append(1)
        return {"balance": 50, "held": 0}

    assert raw(ctx, uid) is None
    assert ctx.cache.balance(uid, load) == {"balance": 50, "held": 0}
    assert ctx.cache.balance(uid, load) == {"balance": 50, "held": 0}
    assert len(loads) == 1
    assert raw(ctx, uid) == {"balance": 50, "held": 0}
    assert 0 < ctx.redis.ttl(keys.balance_key(uid)) <= keys.BALANCE_TTL == 300


def test_every_kind_of_ledger_commit_drops_the_cached_balance(ctx):
    uid = new_user(ctx)
    writes: list[Callable[[Session], object]] = [
        lambda s: ledger.credit(s, uid, 10, key="grant:1", actor="console:local:admin"),
        lambda s: ledger.place_hold(s, uid, 20, key="hold:1", reference="version:1"),
        lambda s: ledger.capture(s, ledger.recent(s, uid, 1)[0].id),
        lambda s: ledger.place_hold(s, uid, 5, key="hold:2", reference="version:2"),
        lambda s: ledger.release(s, ledger.recent(s, uid, 1)[0].id),
        lambda s: ledger.credit(s, uid, 3, key="refund:1", type="refund"),
        lambda s: ledger.credit(s, uid, -1, key="adj:1", type="adjustment", actor="ops"),
    ]
    expected = [(60, 0), (60, 20), (40, 0), (40, 5), (40, 0), (43, 0), (42, 0)]
    for write, (balance, held) in zip(writes, expected, strict=True):
        cached_balance(ctx, uid)
        assert raw(ctx, uid) is not None
        with ctx.db.session() as s:
            write(s)
            # Dropped after the commit, not before: a reader in between would only re-cache the old value.
            assert raw(ctx, uid) is not None
        assert raw(ctx, uid) is None
        assert cached_balance(ctx, uid) == {"balance": balance, "held": held}


def test_a_repeated_idempotent_call_writes_nothing_and_keeps_the_cache(ctx):
    uid = new_user(ctx)
    with ctx.db.session() as s:
        ledger.credit(s, uid, 10, key="grant:1")
    cached_balance(ctx, uid)
    with ctx.db.session() as s:
        ledger.credit(s, uid, 10, key="grant:1")
    assert raw(ctx, uid) == {"balance": 60, "held": 0}


def test_one_transaction_touching_two_users_drops_both(ctx):
    a, b = new_user(ctx, "alice"), new_user(ctx, "bob")
    cached_balance(ctx, a), cached_balance(ctx, b)
    with ctx.db.session() as s:
        ledger.place_hold(s, a, 10, key="hold:a", reference="")
        ledger.credit(s, b, 10, key="grant:b")
    assert raw(ctx, a) is None and raw(ctx, b) is None


def test_a_rolled_back_write_leaves_the_cache_and_no_trace_for_the_next_session(ctx):
    uid, other = new_user(ctx, "alice"), new_user(ctx, "bob")
    cached_balance(ctx, uid)
    with pytest.raises(RuntimeError), ctx.db.session() as s:
        ledger.place_hold(s, uid, 10, key="hold:1", reference="")
        raise RuntimeError("enqueue failed")
    assert raw(ctx, uid) == {"balance": 50, "held": 0}  # still true: nothing committed
    with ctx.db.session() as s:
        ledger.credit(s, other, 1, key="grant:other")
    assert raw(ctx, uid) == {"balance": 50, "held": 0}


def test_the_credits_command_shows_the_hold_of_a_build_right_away(service, ctx):
    first = service.handle(actor(), "credits")
    assert first.text.startswith(messages.credits_summary(50, 0, []))
    uid = new_user_id(ctx, "alice")
    assert raw(ctx, uid) == {"balance": 50, "held": 0}
    build = service.handle(actor(), "build a landing page for Sweet Crumbs, a bakery in Leeds")
    assert build.project_id is not None
    assert raw(ctx, uid) is None
    assert service.handle(actor(), "credits").text.startswith(messages.credits_summary(50, 10, []))


def new_user_id(ctx: JobContext, name: str) -> int:
    with ctx.db.session() as s:
        user = accounts.find_user(s, "console", "local", name)
        assert user is not None
        return user.id


def test_a_redis_outage_falls_back_to_postgres(ctx):
    uid = new_user(ctx)
    down = Cache(redis.Redis(host="127.0.0.1", port=1, retry=Retry(NoBackoff(), 0)))  # nothing listens there
    assert down.balance(uid, lambda: {"balance": 7, "held": 0}) == {"balance": 7, "held": 0}
    down.invalidate_balances({uid})  # swallowed: the TTL bounds any staleness
    down.after_commit({"ledger_users": {uid}})


def test_a_read_racing_a_commit_does_not_re_cache_the_old_balance(ctx):
    uid = new_user(ctx)

    def load_then_someone_commits() -> dict[str, int]:
        with ctx.db.session() as s:
            b = ledger.balance_of(s, uid)
        with ctx.db.session() as s:  # another process's hold commits (and drops the key) right now
            ledger.place_hold(s, uid, 10, key="hold:1", reference="")
        return {"balance": b.balance, "held": b.held}

    ctx.cache.balance(uid, load_then_someone_commits)
    assert raw(ctx, uid) in (None, {"balance": 50, "held": 10})


# --- a stale cache never lets a hold through --------------------------------------------------------------


def test_a_stale_cached_balance_does_not_let_a_hold_through(ctx):
    uid = new_user(ctx, credits=50)
    ctx.redis.set(keys.balance_key(uid), json.dumps({"balance": 1_000_000, "held": 0}), ex=300)
    assert cached_balance(ctx, uid) == {"balance": 1_000_000, "held": 0}
    with pytest.raises(InsufficientCredits) as refused, ctx.db.session() as s:
        ledger.place_hold(s, uid, 60, key="hold:1", reference="version:1")
    assert refused.value.available == 50
    with ctx.db.session() as s:
        assert ledger.balance_of(s, uid) == ledger.Balance(balance=50, held=0)


def test_a_stale_cached_balance_does_not_let_a_build_through(service, ctx, bot_settings):
    service.handle(actor(), "credits")  # creates alice with 50 and caches it
    uid = new_user_id(ctx, "alice")
    with ctx.db.session() as s:
        ledger.credit(s, uid, -45, key="adj:1", type="adjustment", actor="ops")
    ctx.redis.set(keys.balance_key(uid), json.dumps({"balance": 50, "held": 0}), ex=300)  # stale: says 50

    reply = service.handle(actor(), "build a landing page for Sweet Crumbs, a bakery in Leeds")
    assert reply.text == messages.insufficient_credits("build", 10, 5)
    with ctx.db.session() as s:
        assert s.execute(select(func.count()).select_from(Project)).scalar_one() == 0
        assert s.execute(select(func.count()).where(CreditTransaction.type == "hold")).scalar_one() == 0
        assert ledger.balance_of(s, uid) == ledger.Balance(balance=5, held=0)


# --- catalog ----------------------------------------------------------------------------------------------


def test_the_catalog_is_cached_per_version_and_a_seed_invalidates_it(ctx):
    version = ctx.cache.catalog_version()
    assert version >= 1  # the fixture seeded once
    before = ctx.catalog.templates()
    assert ctx.redis.exists(keys.catalog_key(version, "templates:*"))
    assert 0 < ctx.redis.ttl(keys.catalog_key(version, "templates:*")) <= keys.CATALOG_TTL

    extra = dict(before[0], slug="zz-extra", name="Extra")
    ctx.catalog.db["templates"].insert_one(extra)
    assert [t["slug"] for t in ctx.catalog.templates()] == [t["slug"] for t in before]  # served from Redis

    result = ctx.catalog.seed()
    assert result.inserted == 0  # nothing shipped was missing ...
    assert ctx.cache.catalog_version() == version + 1  # ... yet the cache moved on
    after = [t["slug"] for t in ctx.catalog.templates()]
    assert "zz-extra" in after and len(after) == len(before) + 1
    assert ctx.redis.exists(keys.catalog_key(version + 1, "templates:*"))


def test_a_seed_restores_a_changed_template_and_readers_see_it(ctx):
    slug = ctx.catalog.templates()[0]["slug"]
    ctx.catalog.db["templates"].update_one({"slug": slug}, {"$set": {"name": "Vandalised"}})
    ctx.cache.invalidate_catalog()
    assert next(t for t in ctx.catalog.templates() if t["slug"] == slug)["name"] == "Vandalised"
    ctx.catalog.seed()
    assert next(t for t in ctx.catalog.templates() if t["slug"] == slug)["name"] != "Vandalised"


def test_a_catalog_hit_is_decoded_once_per_process_and_a_seed_elsewhere_invalidates_it(ctx):
    first = ctx.catalog.templates()
    key = keys.catalog_key(ctx.cache.catalog_version(), "templates:*")
    ctx.redis.delete(key)  # gone from Redis: this process still answers from what it decoded, with one GET
    assert ctx.catalog.templates() is first

    other = Cache(ctx.redis)  # another process: it has decoded nothing, and bumps the version by its seed
    other.invalidate_catalog()
    ctx.catalog.db["templates"].delete_one({"slug": first[0]["slug"]})
    assert [t["slug"] for t in ctx.catalog.templates()] == [t["slug"] for t in first[1:]]
