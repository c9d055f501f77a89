"""Rate limits on the doors attackers knock on: password reset, comments, the API (failed logins
are counted by accounts.views.RateLimitedLoginView).

`ratelimit("comments", key=...)` wraps a view; POSTs (or every request, methods=None) count against
a fixed window per key in the cache; over the limit the answer is 429 with Retry-After and a page
saying when to try again. Rates are settings (RATE_LIMITS, env PARSKATS_RATE_<SCOPE>=count/seconds).

The default cache is per process (right for `make run`); with N gunicorn workers a limit would be
up to N times looser, so production sets REDIS_URL (settings.py) and every worker counts in Redis,
where the increment is one atomic INCR: exact across workers (tests/test_shared_cache.py and the
deployment smoke run through nginx, deploy/smoke/).
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template import loader


def parse_rate(rate: str) -> tuple[int, int]:
    count, _, seconds = rate.partition("/")
    return int(count), int(seconds)


def over_limit(scope: str, key: str) -> int:
    """Count one hit; 0 when allowed, else seconds until the window ends."""
    limit, window = parse_rate(settings.RATE_LIMITS[scope])
    now = int(time.time())
    start = now - now % window
    digest = hashlib.sha256(f"{scope}:{key}".encode()).hexdigest()[:32]
    name = f"ratelimit:{scope}:{digest}:{start}"
    cache.add(name, 0, timeout=window + 1)
    try:
        hits = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, timeout=window + 1)
        hits = 1
    return 0 if hits <= limit else max(1, start + window - now)


def client_address(request: HttpRequest) -> str:
    """The client's IP address: REMOTE_ADDR, or behind PARSKATS_TRUSTED_PROXIES reverse proxies the
    address the outermost of them saw, read from X-Forwarded-For counting from the right (each proxy
    appends its peer; what stands further left came from the client and could be anything)."""
    remote: str = request.META.get("REMOTE_ADDR", "")
    hops = settings.PARSKATS_TRUSTED_PROXIES
    if not hops:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < hops:  # it did not come through all our proxies
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-hops]))
    except ValueError:
        return remote


def too_many(request: HttpRequest, retry_after: int) -> HttpResponse:
    response = HttpResponse(loader.render_to_string("429.html", {"retry_after": retry_after}, request), status=429)
    response["Retry-After"] = str(retry_after)
    return response


def ratelimit(
    scope: str,
    key: Callable[[HttpRequest], str] = client_address,
    methods: tuple[str, ...] | None = ("POST",),
    answer: Callable[[HttpRequest, int], HttpResponseBase] = too_many,
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """`answer(request, retry_after)` is the refusal: the 429 page, or e.g. a JSON error for the API."""

    def decorate(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if methods is None or request.method in methods:
                wait = over_limit(scope, key(request))
                if wait:
                    return answer(request, wait)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
