"""Token buckets in real Redis: bursts, refusals with a retry time, user vs team buckets, several processes."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import redis

from storage import keys
from storage.ratelimit import Bucket, Limit, RateLimiter
from storage.redis_client import connect

SLOW = Limit(per_minute=6, burst=3)
"""One token every 10 s: nothing refills during a test."""


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    c = connect(redis_url)
    yield c
    c.close()


def user(ident: str, limit: Limit = SLOW) -> Bucket:
    return Bucket("user", ident, limit)


def team(ident: str, limit: Limit = SLOW) -> Bucket:
    return Bucket("team", ident, limit)


def tokens(client: redis.Redis, bucket: Bucket) -> float:
    return float(client.hget(keys.rate_key(bucket.scope, bucket.ident), "tokens") or "nan")


def test_the_burst_is_allowed_then_refused_with_a_sensible_retry_after(client):
    limiter = RateLimiter(client)
    alice = user("slack:T1:U1")
    assert [limiter.hit(alice) for _ in range(3)] == [0, 0, 0]
    wait = limiter.hit(alice)
    # 6 a minute is one token per 10 s: the bucket is empty, so the next one is 10 s away (rounded up).
    assert wait == 10
    assert limiter.hit(alice) == 10  # asking again is refused again, and costs nothing
    assert tokens(client, alice) == pytest.approx(0, abs=0.01)


def test_a_refilled_token_is_allowed_again(client):
    limiter = RateLimiter(client)
    fast = user("slack:T1:U1", Limit(per_minute=600, burst=2))  # 10 tokens a second
    assert [limiter.hit(fast) for _ in range(3)] == [0, 0, 1]
    time.sleep(0.15)
    assert limiter.hit(fast) == 0
    assert limiter.hit(fast) == 1


def test_the_bucket_key_expires_once_it_would_be_full_again(client):
    limiter = RateLimiter(client)
    alice = user("slack:T1:U1")
    limiter.hit(alice)
    ttl = client.ttl(keys.rate_key("user", "slack:T1:U1"))
    assert 0 < ttl <= 31  # 3 tokens at one per 10 s, plus a second


def test_users_have_separate_buckets(client):
    limiter = RateLimiter(client)
    for _ in range(3):
        assert limiter.hit(user("slack:T1:U1")) == 0
    assert limiter.hit(user("slack:T1:U1")) > 0
    assert limiter.hit(user("slack:T1:U2")) == 0


def test_a_refusal_by_the_team_bucket_does_not_spend_the_users_token(client):
    limiter = RateLimiter(client)
    small_team = Limit(per_minute=6, burst=2)
    roomy_user = Limit(per_minute=6, burst=5)
    a, b, t = user("slack:T1:A", roomy_user), user("slack:T1:B", roomy_user), team("slack:T1", small_team)
    assert limiter.hit(a, t) == 0
    assert limiter.hit(a, t) == 0
    assert limiter.hit(b, t) == 10  # the team is out of tokens
    assert limiter.hit(b, t) == 10
    assert tokens(client, b) == pytest.approx(5, abs=0.01)  # b's own bucket is untouched
    assert tokens(client, t) == pytest.approx(0, abs=0.01)
    # b still has a full burst of its own wherever the team limit does not apply.
    assert [limiter.hit(b) for _ in range(6)] == [0, 0, 0, 0, 0, 10]


def test_a_refusal_by_the_user_bucket_does_not_spend_the_teams_token(client):
    limiter = RateLimiter(client)
    a, b, t = user("slack:T1:A"), user("slack:T1:B"), team("slack:T1", Limit(per_minute=6, burst=4))
    assert [limiter.hit(a, t) for _ in range(5)] == [0, 0, 0, 10, 10]
    assert tokens(client, t) == pytest.approx(1, abs=0.01)
    assert limiter.hit(b, t) == 0
    assert limiter.hit(b, t) == 10


def test_the_retry_after_is_the_longest_wait_of_the_empty_buckets(client):
    limiter = RateLimiter(client)
    a = user("slack:T1:A", Limit(per_minute=6, burst=1))  # 10 s a token
    t = team("slack:T1", Limit(per_minute=2, burst=1))  # 30 s a token
    assert limiter.hit(a, t) == 0
    assert limiter.hit(a, t) == 30


def test_two_processes_share_one_limit(redis_url):
    """Two bot processes = two Redis connections: their hits draw from the same buckets."""
    first, second = connect(redis_url), connect(redis_url)
    try:
        one, two = RateLimiter(first), RateLimiter(second)
        alice, t = user("discord:G1:1"), team("discord:G1", Limit(per_minute=6, burst=10))
        assert one.hit(alice, t) == 0
        assert two.hit(alice, t) == 0
        assert one.hit(alice, t) == 0
        assert two.hit(alice, t) == 10
        assert one.hit(alice, t) == 10
    finally:
        first.close()
        second.close()


def test_concurrent_hits_from_two_processes_allow_exactly_the_burst(redis_url):
    """20 threads on each of two connections hammer one bucket: the script is atomic, so exactly 10 pass."""
    clients = [connect(redis_url), connect(redis_url)]
    limiters = [RateLimiter(c) for c in clients]
    bucket = team("slack:T1", Limit(per_minute=6, burst=10))
    barrier = threading.Barrier(40)
    results: list[int] = []
    lock = threading.Lock()

    def hammer(limiter: RateLimiter) -> None:
        barrier.wait()
        mine = [limiter.hit(bucket) for _ in range(5)]
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=hammer, args=(limiters[i % 2],)) for i in range(40)]
    try:
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    finally:
        for c in clients:
            c.close()
    assert len(results) == 200
    assert results.count(0) == 10
    # A refusal says when the next token comes: 10 s at 6 a minute, less as time passes during the hammering.
    assert all(1 <= w <= 10 for w in results if w)
