"""Rate limits: guessing a password is slowed to a few tries per account, with a clear 429 page."""

import pytest
from django.test import Client
from django.urls import reverse

from .factories import PASSWORD


@pytest.fixture(autouse=True)
def _tight_login_limit(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "3/300"}


def attempt(email: str, password: str, address: str = "192.0.2.1"):
    return Client(REMOTE_ADDR=address).post(reverse("accounts:login"), {"username": email, "password": password})


def test_login_attempts_per_account_are_limited(world, reporter_a, reporter_b):
    for _ in range(3):
        assert attempt(reporter_a.email, "wrong-guess-123").status_code == 200
    blocked = attempt(reporter_a.email.upper(), PASSWORD, address="198.51.100.7")  # any case, any address
    assert blocked.status_code == 429
    assert 0 < int(blocked["Retry-After"]) <= 300
    assert "Pārāk daudz mēģinājumu" in blocked.content.decode()
    assert attempt(reporter_b.email, PASSWORD).status_code == 302  # other accounts are not affected
    assert Client().get(reverse("accounts:login")).status_code == 200  # the form itself stays open


def test_a_malformed_rate_stops_start_up():
    from .test_settings import start

    result = start(PARSKATS_RATE_LOGIN="ten per minute")
    assert result.returncode != 0 and "PARSKATS_RATE_LOGIN='ten per minute'" in result.stderr
