"""Rate limits: guessing a password is slowed to a few tries per account, with a clear 429 answer.

Written against behaviour, not one implementation: issue 4's login view also limits failed
attempts, and either must pass this."""

from django.test import Client
from django.urls import reverse

from .factories import PASSWORD


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

    result = start(PARSKATS_RATE_LOGIN="ten per minute")
    assert result.returncode != 0 and "PARSKATS_RATE_LOGIN='ten per minute'" in result.stderr
