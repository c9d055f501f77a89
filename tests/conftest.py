"""Personas shared by every test: a reporter of library A, a reporter of library B, the
methodologist, a viewer, a methodologist of another network, and the anonymous reader."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.test import Client

from parskats.accounts.models import Role, User

from .factories import World, build_world, give_role, user

# Playwright's sync API runs an event loop in the test thread; Django must still allow DB access there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# The commands speak the environment's language; the tests read their Latvian, whatever the shell is set to.
os.environ["LANGUAGE"] = "lv"
# The demo's years move with the date; the tests (and the commands they start) see it as on this day,
# when its last year is 2022 and that year's deadline is ahead.
DEMO_TODAY = "2023-02-01"
os.environ.setdefault("PARSKATS_DEMO_TODAY", DEMO_TODAY)


@pytest.fixture(autouse=True)
def _demo_on_a_fixed_day(settings):
    settings.PARSKATS_DEMO_TODAY = dt.date.fromisoformat(DEMO_TODAY)


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files (photos) of a test go to its own temporary directory, never into the repo."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters (parskats/core/ratelimit.py) live in the cache; each test starts at zero."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _figures_computed_afresh(settings):
    """The figures cache moves on when a transaction commits, and a test's transaction never does:
    tests compute figures afresh; tests/test_stats_cache.py turns the cache on and commits."""
    settings.FIGURES_CACHE_ENTRIES = 0
    settings.PAGE_CACHE_SECONDS = 0  # the same for public pages: tests/test_public_page_cache.py turns it on


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def reporter_a(world: World) -> User:
    person = user("reporter.a@example.org", "Anda Parauga")
    give_role(person, world.network, Role.Kind.REPORTER, world.library_a)
    return person


@pytest.fixture
def reporter_b(world: World) -> User:
    person = user("reporter.b@example.org", "Baiba Parauga")
    give_role(person, world.network, Role.Kind.REPORTER, world.library_b)
    return person


@pytest.fixture
def methodologist(world: World) -> User:
    person = user("metodikis@example.org", "Inese Parauga")
    give_role(person, world.network, Role.Kind.ADMIN)
    return person


@pytest.fixture
def viewer(world: World) -> User:
    person = user("skatitajs@example.org", "Jānis Paraugs")
    give_role(person, world.network, Role.Kind.VIEWER)
    return person


@pytest.fixture
def other_methodologist(world: World) -> User:
    person = user("cits@example.org", "Cita Metodiķe")
    give_role(person, world.other_network, Role.Kind.ADMIN)
    return person


@pytest.fixture
def part_methodologist_a(world: World) -> User:
    """The methodologist of library A's part of the map (Valmiera county, where A is from 1 July 2021)."""
    person = user("metodikis.valmiera@example.org", "Laima Parauga")
    give_role(person, world.network, Role.Kind.ADMIN, world.valmiera)
    return person


@pytest.fixture
def part_methodologist_b(world: World) -> User:
    """The methodologist of library B's part (Valka county)."""
    person = user("metodikis.valka@example.org", "Dace Parauga")
    give_role(person, world.network, Role.Kind.ADMIN, world.valka)
    return person


@pytest.fixture
def part_viewer_a(world: World) -> User:
    """A viewer over library A's part (the county's official)."""
    person = user("skatitajs.valmiera@example.org", "Guntis Paraugs")
    give_role(person, world.network, Role.Kind.VIEWER, world.valmiera)
    return person


def client_for(person: User | None) -> Client:
    client = Client()
    if person is not None:
        client.force_login(person)
    return client


@pytest.fixture(autouse=True)
def _latvian_after_each_test():
    """A request that asked for English leaves English active in the thread; the next test starts
    in the site's language, as a new request would."""
    yield
    from django.utils import translation

    translation.activate("lv")


@pytest.fixture
def figures(world, django_capture_on_commit_callbacks):
    """Approved 2021 reports of libraries A (1 200 loans) and B (700), committed so caches move."""
    from parskats.reporting.models import Report

    from .factories import report_with

    with django_capture_on_commit_callbacks(execute=True):
        for library, loans in ((world.library_a, 1200), (world.library_b, 700)):
            report = report_with(library, world.periods[2021], loans=loans, users=100)
            report.status = Report.Status.APPROVED
            report.save()
    return world
