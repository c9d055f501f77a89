"""Login lockout: failures slow down this account from this address with a growing delay, never the
account itself, so that typing the methodologist's email five times elsewhere does not lock her out."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from .factories import PASSWORD

ATTACKER = "203.0.113.66"
OFFICE = "198.51.100.20"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr("parskats.accounts.lockout.time", fake)
    return fake


def attempt(email: str, password: str, address: str):
    return Client(REMOTE_ADDR=address).post(reverse("accounts:login"), {"username": email, "password": password})


def test_five_wrong_passwords_from_one_address_do_not_lock_the_methodologist_out(world, methodologist, clock):
    answers = [attempt(methodologist.email, f"mine-{n}", ATTACKER).status_code for n in range(5)]
    assert answers == [200] * 5
    refused = attempt(methodologist.email, PASSWORD, ATTACKER)  # even the right password waits there
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    assert "Pagaidiet 1 minūti" in refused.content.decode()
    # She logs in from her office at once, on deadline day.
    assert attempt(methodologist.email, PASSWORD, OFFICE).status_code == 302


def test_the_delay_grows_with_each_further_failure_and_a_success_clears_it(world, reporter_a, clock):
    for n in range(5):
        assert attempt(reporter_a.email, f"wrong-{n}", ATTACKER).status_code == 200
    waits = []
    for _ in range(3):
        refused = attempt(reporter_a.email, "again", ATTACKER)
        assert refused.status_code == 429
        waits.append(int(refused["Retry-After"]))
        clock.now += waits[-1] - 1
        assert attempt(reporter_a.email, "too-early", ATTACKER).status_code == 429  # a second short
        clock.now += 1
        assert attempt(reporter_a.email, "one-more-wrong", ATTACKER).status_code == 200  # one try, then wait
    assert waits == [60, 120, 240]
    clock.now += 480
    assert attempt(reporter_a.email, PASSWORD, ATTACKER).status_code == 302
    # Cleared: five free attempts again.
    assert [attempt(reporter_a.email, f"w{n}", ATTACKER).status_code for n in range(6)] == [200] * 5 + [429]


def test_the_delay_stops_growing_at_the_maximum(world, reporter_a, clock, settings):
    settings.LOGIN_MAX_DELAY = 100
    for n in range(5):
        attempt(reporter_a.email, f"wrong-{n}", ATTACKER)
    for expected in (60, 100, 100):
        refused = attempt(reporter_a.email, "x", ATTACKER)
        assert refused["Retry-After"] == str(expected)
        clock.now += expected
        assert attempt(reporter_a.email, "x", ATTACKER).status_code == 200


def test_one_address_trying_many_accounts_is_refused_after_the_address_limit(world, reporter_a, clock, settings):
    settings.LOGIN_ADDRESS_FAILURES = 8
    answers = [attempt(f"person{n}@example.org", "guess", ATTACKER).status_code for n in range(9)]
    assert answers == [200] * 8 + [429]
    assert attempt(reporter_a.email, PASSWORD, OFFICE).status_code == 302  # other addresses are unaffected


def test_successful_logins_do_not_use_up_the_address_limit(world, reporter_a, clock, settings):
    """A library network behind one address: dozens of colleagues log in at nine o'clock."""
    settings.LOGIN_ADDRESS_FAILURES = 3
    for _ in range(10):
        assert attempt(reporter_a.email, PASSWORD, OFFICE).status_code == 302


def test_letter_case_and_spaces_in_the_email_do_not_make_a_fresh_pair(world, reporter_a, clock):
    for n, typed in enumerate(["Reporter.A@example.org", " reporter.a@example.org", "REPORTER.A@EXAMPLE.ORG"] * 2):
        answer = attempt(typed, f"wrong-{n}", ATTACKER)
    assert answer.status_code == 429
