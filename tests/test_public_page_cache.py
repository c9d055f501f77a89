"""Public pages for readers come from a cache, and a change shows on the next request once it is
committed: an approval on the figures, an article or its edit on the news, a scheduled article when
its time comes. Logged-in people, sessions, pending messages and pages with a form never get a
stored page (core/pagecache.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from parskats.core.numbers import format_number
from parskats.reporting.entry import save_value
from parskats.reporting.models import Narrative, Report
from parskats.review.workflow import approve_report, reopen_report
from parskats.site.backup import all_models
from parskats.stats.cache import store

from .conftest import client_for
from .factories import article, report_with

DASHBOARD = "/skaitli/testa/?year=2021"


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 600
    settings.FIGURES_CACHE_ENTRIES = 8
    store.clear()
    yield
    store.clear()


def get(url, client=None):
    response = (client or client_for(None)).get(url)
    assert response.status_code == 200, url
    return response


def approve_school_report(figures, methodologist, capture) -> None:
    """The school's 2021 report (100 loans) submitted and approved, committed."""
    report = report_with(figures.school, figures.periods[2021], loans=100)
    report.status = Report.Status.SUBMITTED
    report.save()
    with capture(execute=True):
        approve_report(methodologist, report)


def test_a_second_reader_costs_one_query(figures):
    first = get(DASHBOARD)
    assert first["X-Page-Cache"] == "miss"
    with CaptureQueriesContext(connection) as cached:
        second = get(DASHBOARD)
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert len(cached.captured_queries) == 1, [q["sql"] for q in cached.captured_queries]
    assert "Accept-Language" in second["Vary"] and "Cookie" in second["Vary"]


def test_an_approval_shows_on_the_next_request(figures, methodologist, django_capture_on_commit_callbacks):
    assert format_number(1900) in get(DASHBOARD).content.decode()
    assert get(DASHBOARD)["X-Page-Cache"] == "hit"
    approve_school_report(figures, methodologist, django_capture_on_commit_callbacks)
    fresh = get(DASHBOARD)
    assert fresh["X-Page-Cache"] == "miss"
    assert format_number(2000) in fresh.content.decode()


def test_a_drafts_number_leaves_the_public_pages_cached(figures, methodologist, django_capture_on_commit_callbacks):
    # The public pages count approved reports only, so a draft saved on deadline day, field by field,
    # must not throw every reader's page away; the staff's own figures still show the number at once.
    get(DASHBOARD)
    report = Report.objects.create(unit=figures.school, period=figures.periods[2021])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        save_value(methodologist, report, "loans", "55", 0)
    assert callbacks, "the save must still move the staff's figures"
    cached = get(DASHBOARD)
    assert cached["X-Page-Cache"] == "hit"
    assert format_number(1955) not in cached.content.decode()
    staff = client_for(methodologist).get("/n/testa/figures/?year=2021&status=all").content.decode()
    assert format_number(1955) in staff


def test_reopening_an_approved_report_shows_on_the_next_request(
    figures, methodologist, django_capture_on_commit_callbacks
):
    assert format_number(1900) in get(DASHBOARD).content.decode()
    report = Report.objects.get(unit=figures.library_b, period=figures.periods[2021])
    with django_capture_on_commit_callbacks(execute=True):
        reopen_report(methodologist, report, "Jālabo izsniegumi.")
    fresh = get(DASHBOARD)
    assert fresh["X-Page-Cache"] == "miss"
    assert format_number(1900) not in fresh.content.decode()
    assert format_number(1200) in fresh.content.decode()


def test_a_drafts_story_leaves_the_public_pages_cached(figures, django_capture_on_commit_callbacks):
    get(DASHBOARD)
    draft = Report.objects.create(unit=figures.school, period=figures.periods[2021])
    approved = Report.objects.get(unit=figures.library_a, period=figures.periods[2021])
    section = Narrative._meta.get_field("section").related_model.objects.first()
    if section is None:
        pytest.fail("the test world has no narrative sections")
    with django_capture_on_commit_callbacks(execute=True):
        Narrative.objects.create(report=draft, section=section, text="Melnraksta stāsts")
    assert get(DASHBOARD)["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        Narrative.objects.create(report=approved, section=section, text="Apstiprināts stāsts")
    assert get(DASHBOARD)["X-Page-Cache"] == "miss"


def test_each_language_has_its_own_page(figures):
    latvian = get(DASHBOARD).content.decode()
    reader = client_for(None)
    reader.cookies["parskats_language"] = "en"
    english = get(DASHBOARD, reader)
    assert english["X-Page-Cache"] == "miss"
    assert english.content.decode() != latvian and 'lang="en"' in english.content.decode()
    assert get(DASHBOARD, reader)["X-Page-Cache"] == "hit"


def test_logged_in_people_and_sessions_never_get_a_stored_page(figures, methodologist):
    get(DASHBOARD)
    own = get(DASHBOARD, client_for(methodologist))
    assert "X-Page-Cache" not in own
    assert methodologist.email in own.content.decode() or "Iziet" in own.content.decode()
    reader = client_for(None)
    reader.cookies["messages"] = "pending"
    assert "X-Page-Cache" not in get(DASHBOARD, reader)


def test_news_change_on_the_next_request(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        item = article(world.network, "Pirmais raksts")
    assert "Pirmais raksts" in get("/jaunumi/").content.decode()
    assert get("/jaunumi/")["X-Page-Cache"] == "hit"
    assert get("/jaunumi/rss/")["X-Page-Cache"] == "miss" and get("/jaunumi/rss/")["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        item.title = "Labotais virsraksts"
        item.save()
    assert "Labotais virsraksts" in get("/jaunumi/").content.decode()
    assert "Labotais virsraksts" in get("/jaunumi/rss/").content.decode()


def test_a_scheduled_article_appears_when_its_time_comes(world, monkeypatch, django_capture_on_commit_callbacks):
    when = timezone.now() + dt.timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        article(world.network, "Ieplānots", status="scheduled", publish_at=when)
    assert "Ieplānots" not in get("/jaunumi/").content.decode()
    assert get("/jaunumi/")["X-Page-Cache"] == "hit"
    later = when + dt.timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert "Ieplānots" in get("/jaunumi/").content.decode(), "no write announced it: the clock did"


def test_a_page_with_a_form_is_not_stored(world, django_capture_on_commit_callbacks):
    """An article open for comments carries the reader's CSRF token: it is made for each reader."""
    with django_capture_on_commit_callbacks(execute=True):
        item = article(world.network, "Ar komentāriem")
    url = f"/jaunumi/{timezone.localtime(item.publish_at).year}/{item.slug}/"
    first = get(url)
    assert 'name="csrfmiddlewaretoken"' in first.content.decode()
    assert get(url)["X-Page-Cache"] == "miss"


def test_refusals_are_not_stored(world):
    reader = client_for(None)
    for _attempt in range(2):
        response = reader.get("/skaitli/testa/?year=1999")
        assert response.status_code == 404 and response.get("X-Page-Cache") != "hit"


def test_the_counters_are_not_backed_up():
    """A restored database starts a new epoch: pages cached under the old database's counters can
    never be served for the restored one."""
    assert "core.pageversion" not in {model._meta.label_lower for model in all_models()}


API_AGGREGATES = "/api/networks/testa/aggregates/?year=2021&group_by=network"


def test_the_api_figures_come_from_the_cache_and_move_with_an_approval(
    figures, methodologist, django_capture_on_commit_callbacks
):
    first = get(API_AGGREGATES)
    assert first["X-Page-Cache"] == "miss" and "Authorization" in first["Vary"]
    assert get(API_AGGREGATES)["X-Page-Cache"] == "hit"
    approve_school_report(figures, methodologist, django_capture_on_commit_callbacks)
    fresh = get(API_AGGREGATES)
    assert fresh["X-Page-Cache"] == "miss"
    assert fresh.json() != first.json()


def test_a_token_holder_never_gets_a_stored_answer(figures, methodologist):
    from parskats.stats.models import issue_token

    get(API_AGGREGATES)
    _token, raw = issue_token(methodologist, "test")
    answer = client_for(None).get(API_AGGREGATES + "&status=all", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert answer.status_code == 200 and "X-Page-Cache" not in answer
    again = client_for(None).get(API_AGGREGATES, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert "X-Page-Cache" not in again


def test_the_rate_limit_counts_answers_from_the_cache(figures, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api": "3/60"}
    answers = [client_for(None).get(API_AGGREGATES).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
