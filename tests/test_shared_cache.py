"""Rate limits and login lockouts on the real shared cache (Redis, as REDIS_URL sets in production):
exact when many processes and threads count at once. Redis must be running (127.0.0.1:6379 or
PARSKATS_TEST_REDIS): a missing Redis fails these tests, it does not skip them. The same limits
through nginx and 4 gunicorn workers: deploy/smoke/test_through_nginx.py (CI's deployment run)."""

from __future__ import annotations

import multiprocessing
import os
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import cache

from parskats.accounts import lockout
from parskats.core.ratelimit import over_limit

REDIS = os.environ.get("PARSKATS_TEST_REDIS", "redis://127.0.0.1:6379/0")


@pytest.fixture
def shared_cache(settings):
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS,
            "KEY_PREFIX": prefix,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
        }
    }
    cache.set("ping", 1)  # fails here, loudly, when Redis is not running
    assert cache.get("ping") == 1
    yield prefix
    import redis

    client = redis.Redis.from_url(REDIS)
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def _hits(scope: str, key: str, count: int) -> list[int]:
    from django.db import connections

    connections.close_all()  # a forked process must not share the parent's database connection
    return [over_limit(scope, key) for _ in range(count)]


def test_a_rate_limit_is_exact_across_processes_and_threads(shared_cache, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "comments": "25/3600"}
    context = multiprocessing.get_context("fork")
    with context.Pool(4) as pool:
        results = pool.starmap(_hits, [("comments", "192.0.2.77", 15)] * 4)
    with ThreadPoolExecutor(8) as threads:
        results.append(list(threads.map(lambda _: over_limit("comments", "192.0.2.77"), range(20))))
    answers = [wait for chunk in results for wait in chunk]
    assert len(answers) == 80
    assert answers.count(0) == 25  # 25 allowed, 55 refused, however the counts interleave
    assert over_limit("comments", "192.0.2.78") == 0  # another address has its own count


def test_concurrent_wrong_logins_for_one_pair_let_exactly_the_free_attempts_through(shared_cache):
    def try_once(_: int) -> lockout.Attempt | int:
        return lockout.begin("metodikis@example.org", "203.0.113.5")

    with ThreadPoolExecutor(10) as threads:
        outcomes = list(threads.map(try_once, range(20)))
    through = [o for o in outcomes if isinstance(o, lockout.Attempt)]
    waits = [o for o in outcomes if isinstance(o, int)]
    assert len(through) == 5 and sorted(a.number for a in through) == [1, 2, 3, 4, 5]
    assert len(waits) == 15 and all(1 <= w <= 60 for w in waits)
    # Her own address is another pair: she logs in at once.
    assert isinstance(lockout.begin("metodikis@example.org", "198.51.100.1"), lockout.Attempt)


def test_a_success_clears_the_pair_on_the_shared_cache(shared_cache):
    for _ in range(4):
        assert isinstance(lockout.begin("a@example.org", "203.0.113.9"), lockout.Attempt)
    last = lockout.begin("a@example.org", "203.0.113.9")
    assert isinstance(last, lockout.Attempt)
    last.succeeded()
    assert all(isinstance(lockout.begin("a@example.org", "203.0.113.9"), lockout.Attempt) for _ in range(5))
    assert isinstance(lockout.begin("a@example.org", "203.0.113.9"), int)
