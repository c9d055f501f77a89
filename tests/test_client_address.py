"""The client's address behind reverse proxies: X-Forwarded-For is believed only as far as
PARSKATS_TRUSTED_PROXIES says, so nobody escapes a rate limit by writing the header themselves."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from parskats.core.ratelimit import client_address
from parskats.news.comments import hash_address
from parskats.news.models import Comment

from .conftest import client_for
from .factories import PASSWORD, article
from .news_support import comment_data
from .test_settings import start

PROXY = "10.0.0.2"


def address(forwarded: str | None, remote: str = PROXY) -> str:
    meta = {"REMOTE_ADDR": remote} | ({"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {})
    return client_address(RequestFactory().get("/", **meta))


def test_by_default_the_header_is_ignored(settings):
    assert settings.PARSKATS_TRUSTED_PROXIES == 0
    assert address("203.0.113.9") == PROXY
    assert address("203.0.113.9, 198.51.100.1") == PROXY


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # the client wrote the left part itself
        (1, " 2001:db8::1 ", "2001:db8::1"),
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.1", "203.0.113.9"),
        (2, "203.0.113.9", PROXY),  # fewer entries than proxies: it did not come through them all
        (1, None, PROXY),
        (1, "", PROXY),
        (1, "not-an-address", PROXY),
        (1, "203.0.113.9, <script>", PROXY),
    ],
)
def test_behind_trusted_proxies_the_address_is_counted_from_the_right(settings, hops, forwarded, expected):
    settings.PARSKATS_TRUSTED_PROXIES = hops
    assert address(forwarded) == expected


def api(forwarded: str):
    return client_for(None).get(reverse("api:networks"), REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)


@pytest.mark.django_db
def test_a_spoofed_header_does_not_escape_the_limit_by_default(world, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api": "3/60"}
    answers = [api(f"198.51.100.{n}").status_code for n in range(4)]
    assert answers == [200, 200, 200, 429]


@pytest.mark.django_db
def test_behind_one_proxy_each_client_has_its_own_count_and_cannot_reset_it(world, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api": "3/60"}
    settings.PARSKATS_TRUSTED_PROXIES = 1
    answers = [api(f"6.6.6.{n}, 203.0.113.9").status_code for n in range(4)]  # a new spoofed prefix each time
    assert answers == [200, 200, 200, 429]
    assert api("203.0.113.10").status_code == 200  # another client behind the same proxy


@pytest.mark.parametrize("raw", ["one", "-1", "11", "1.5"])
def test_a_bad_proxy_count_stops_start_up(raw):
    result = start(PARSKATS_TRUSTED_PROXIES=raw)
    assert result.returncode != 0 and "PARSKATS_TRUSTED_PROXIES" in result.stderr


@pytest.mark.django_db
def test_comments_and_logins_count_the_client_behind_the_proxy(world, methodologist, reporter_a, settings):
    settings.PARSKATS_TRUSTED_PROXIES = 1
    item = article(world.network, "Aiz starpniekservera")
    for client in ("203.0.113.1", "203.0.113.2"):
        sent = client_for(None).post(
            item.get_absolute_url(), comment_data(), REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client
        )
        assert sent.status_code == 302
    assert sorted(Comment.objects.values_list("address_hash", flat=True)) == sorted(
        hash_address(a) for a in ("203.0.113.1", "203.0.113.2")
    )
    for n in range(5):  # failures from one client hold up that client, not the others behind the proxy
        log_in_from("203.0.113.1", reporter_a.email, f"nav-pareiza-{n}")
    assert log_in_from("203.0.113.1", reporter_a.email, PASSWORD).status_code == 429
    assert log_in_from("203.0.113.2", reporter_a.email, PASSWORD).status_code == 302


def log_in_from(client: str, email: str, password: str):
    return client_for(None).post(
        reverse("accounts:login"),
        {"username": email, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=client,
    )
