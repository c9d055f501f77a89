"""Rate limits: guessing a password is slowed to a few tries per account, with a clear 429 answer;
comments and the API are limited per address (the API answers in JSON).

Written against behaviour, not one implementation: the login view and the rate limiter both limit
failed attempts, and whichever answers must pass this."""

import warnings

import pytest
from django.core.cache.backends.base import CacheKeyWarning
from django.test import Client
from django.urls import reverse

from parskats.news.models import Comment

from .conftest import client_for
from .factories import PASSWORD, article
from .news_support import comment_data


def attempt(email: str, password: str, address: str = "192.0.2.1"):
    return Client(REMOTE_ADDR=address).post(reverse("accounts:login"), {"username": email, "password": password})


def test_password_guessing_on_one_account_is_stopped(world, reporter_a, reporter_b):
    answers = [attempt(reporter_a.email, f"guess-{n}-wrong").status_code for n in range(12)]
    assert 429 in answers, answers
    assert answers.index(429) <= 10 and set(answers[: answers.index(429)]) == {200}
    blocked = attempt(reporter_a.email, PASSWORD)  # even the right password waits now
    assert blocked.status_code == 429
    assert any(word in blocked.content.decode() for word in ("Pārāk daudz", "mēģinājumu"))
    assert attempt(reporter_b.email, PASSWORD, address="198.51.100.7").status_code == 302  # others are not affected
    assert Client().get(reverse("accounts:login")).status_code == 200  # the form itself stays open


def test_the_limit_and_its_retry_after_come_from_settings(world, reporter_a, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "comments": "2/60"}
    from parskats.core.ratelimit import over_limit

    assert [over_limit("comments", "192.0.2.9") for _ in range(3)][:2] == [0, 0]
    assert 0 < over_limit("comments", "192.0.2.9") <= 60
    assert over_limit("comments", "192.0.2.10") == 0  # another key has its own count


def test_a_malformed_rate_stops_start_up():
    from .test_settings import start

    result = start(PARSKATS_RATE_COMMENTS="ten per minute")
    assert result.returncode != 0 and "PARSKATS_RATE_COMMENTS='ten per minute'" in result.stderr


class Clock:
    """Stands in for the rate limiter's clock, so that a window can pass without waiting."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0  # the start of a 60 s and of a 600 s window

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr("parskats.core.ratelimit.time", fake)
    return fake


@pytest.fixture
def item(world, methodologist):
    return article(world.network, "Ātruma ierobežojuma raksts")


def comment(item, address: str, text: str = "Malači!"):
    return client_for(None).post(item.get_absolute_url(), comment_data(text), REMOTE_ADDR=address)


def test_comment_posts_over_the_limit_get_the_429_page_per_address_until_the_window_ends(item, settings, clock):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "comments": "3/600"}
    answers = [comment(item, "203.0.113.7", f"Komentārs {n}").status_code for n in range(3)]
    assert answers == [302, 302, 302]
    clock.now += 100
    refused = comment(item, "203.0.113.7", "Ceturtais")
    assert refused.status_code == 429 and refused["Retry-After"] == "500"
    assert "Pārāk daudz mēģinājumu" in refused.content.decode()
    assert Comment.objects.filter(text="Ceturtais").count() == 0
    assert (
        client_for(None).get(item.get_absolute_url(), REMOTE_ADDR="203.0.113.7").status_code == 200
    )  # reading is not limited
    assert comment(item, "198.51.100.9", "No citas adreses").status_code == 302  # another address is unaffected
    clock.now += 500  # the window has ended
    assert comment(item, "203.0.113.7", "Pēc pauzes").status_code == 302
    assert Comment.objects.count() == 5


@pytest.fixture
def api_url(world):
    return reverse("api:networks")


def api(url: str, address: str):
    return client_for(None).get(url, REMOTE_ADDR=address)


def test_api_requests_over_the_limit_get_a_json_429_per_address_until_the_window_ends(api_url, settings, clock):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api": "4/60"}
    assert [api(api_url, "192.0.2.50").status_code for _ in range(3)] == [200, 200, 200]
    assert api(reverse("api:units", args=["nav-tada"]), "192.0.2.50").status_code == 404  # errors count too
    clock.now += 15
    refused = api(api_url, "192.0.2.50")
    assert refused.status_code == 429 and refused["Content-Type"] == "application/json"
    assert refused["Retry-After"] == "45"
    assert refused.json()["error"] == {"status": 429, "message": "Pārāk daudz pieprasījumu: mēģiniet vēlreiz pēc 45 s."}
    assert api(api_url, "192.0.2.51").status_code == 200  # another address is unaffected
    clock.now += 45
    assert api(api_url, "192.0.2.50").status_code == 200


def test_any_typed_login_makes_a_cache_key_every_cache_accepts(world):
    """memcached refuses keys with spaces or control characters (a 500 in production); the
    local-memory cache of the tests only warns, so the warning is made an error here."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheKeyWarning)
        for typed in ("' OR '1'='1", "x\x00y", "ā " * 150):
            assert attempt(typed, "nav-pareiza").status_code == 200
