"""Failed logins slow down the pair that fails (this account from this address), not the account.

Counting per account would let anyone lock the methodologist out on deadline day by typing her
email five times from anywhere; counting per address alone would let one address try a password on
every account. So two counters, both in the cache (shared by all workers when REDIS_URL is set):

- per (account, address) pair: LOGIN_FREE_ATTEMPTS attempts, then one attempt per growing delay
  (LOGIN_FIRST_DELAY seconds, doubling each time, at most LOGIN_MAX_DELAY); a success clears it;
- per address over all accounts: at most LOGIN_ADDRESS_FAILURES failures in LOGIN_ADDRESS_WINDOW.

Attempts are counted *before* the password is checked (Redis INCR is atomic), so concurrent tries
spread over several workers cannot slip past the limit: with N free attempts exactly N are checked,
and attempt N+1 is refused with a Retry-After until the delay has passed. A refused attempt gives
its number back, so waiting out the delay is always enough.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

KEEP_SECONDS = 24 * 3600  # how long an unfinished run of failures is remembered


@dataclass(frozen=True)
class Attempt:
    """One login attempt let through to the password check; `finish` it with the outcome."""

    pair: str
    address: str
    number: int

    def succeeded(self) -> None:
        # The account's owner, from this address: start afresh; the address keeps no failure.
        numbers = range(1, self.number + 1)
        cache.delete_many([self.pair, *[f"{self.pair}:at:{n}" for n in numbers]])
        _give_back(self.address)


def _digest(text: str) -> str:
    # Hashed: whatever was typed (spaces, control characters) makes a key every cache accepts.
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def _count(key: str, timeout: int) -> int:
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1


def _give_back(key: str) -> None:
    with contextlib.suppress(ValueError):  # already expired: nothing to give back
        cache.decr(key)


def delay_after(excess: int) -> int:
    """Seconds to wait before excess attempt `excess` (1 = the first beyond the free ones)."""
    first, most = settings.LOGIN_FIRST_DELAY, settings.LOGIN_MAX_DELAY
    return int(min(most, first * 2 ** min(excess - 1, 30)))


def _wait_behind(pair: str, number: int, free: int, now: float) -> float:
    """Attempt `number` raced ahead of one still in progress, which will give its number back if it is
    refused: the wait is the one behind the last attempt let through (at least the first delay)."""
    for earlier in range(number - 2, max(0, number - 50), -1):
        started = cache.get(f"{pair}:at:{earlier}")
        if started is not None:
            delay = delay_after(max(1, earlier + 1 - free))
            return float(min(delay, max(started + delay - now, 1)))
    return float(delay_after(1))


def begin(email: str, address: str) -> Attempt | int:
    """An Attempt to go ahead with, or the seconds to wait (the 429's Retry-After)."""
    free = settings.LOGIN_FREE_ATTEMPTS
    pair = f"login:pair:{_digest(email.strip().lower()[:200] + '|' + address)}"
    now = time.time()
    window = settings.LOGIN_ADDRESS_WINDOW
    start = int(now) - int(now) % window
    by_address = f"login:address:{_digest(address)}:{start}"
    if _count(by_address, window + 1) > settings.LOGIN_ADDRESS_FAILURES:
        _give_back(by_address)
        return max(1, start + window - int(now))
    number = _count(pair, KEEP_SECONDS)
    if number > free:
        # Excess attempt k waits delay_after(k) after attempt number-1 began. That attempt writes
        # its time only once it is let through, so of two racing attempts the later always waits.
        previous = cache.get(f"{pair}:at:{number - 1}")
        now = time.time()  # the attempt before may have begun after this one's first reading
        delay = delay_after(number - free)
        wait = _wait_behind(pair, number, free, now) if previous is None else min(delay, previous + delay - now)
        if wait > 0:
            _give_back(pair)
            _give_back(by_address)
            return max(1, int(wait + 0.999))
    cache.set(f"{pair}:at:{number}", now, timeout=KEEP_SECONDS)
    return Attempt(pair=pair, address=by_address, number=number)
