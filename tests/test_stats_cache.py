"""The figures cache: a page's figures are computed once per change of the network's data, and a
change shows on the next request once it is committed, whichever way it was made (a field saved,
a report approved, a library moved, the population register, the catalogue, a bulk import)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from parskats.catalogue.models import Indicator
from parskats.core.numbers import format_number
from parskats.network.models import PopulationServed
from parskats.network.timeline import move_unit
from parskats.reporting.entry import save_value
from parskats.reporting.models import Report, Value
from parskats.review.workflow import approve_report
from parskats.stats.cache import data_changed, data_version, store

from .conftest import client_for
from .factories import report_with

DASHBOARD = "/skaitli/testa/?year=2021"


@pytest.fixture(autouse=True)
def figures_cache(settings):
    settings.FIGURES_CACHE_ENTRIES = 8
    store.clear()
    yield
    store.clear()


def without_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def row_of(html: str, county: str) -> str:
    found = re.search(rf'<th scope="row">{county}</th><td class="num">([^<]*)</td>', html)
    assert found, county
    return found.group(1)


def page(url: str = DASHBOARD, client=None) -> str:
    response = (client or client_for(None)).get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_second_reader_gets_the_figures_without_computing_them(figures, django_assert_max_num_queries):
    first = page()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as computed:
        page("/skaitli/testa/?year=2021&boundaries=today")
    with CaptureQueriesContext(connection) as cached:
        second = page()
    assert without_tokens(second) == without_tokens(first)
    value_reads = [q for q in cached.captured_queries if "reporting_value" in q["sql"]]
    assert value_reads == [], "a cached page reads no values"
    assert len(cached.captured_queries) < len(computed.captured_queries)


def test_an_approval_shows_at_once(figures, methodologist, django_capture_on_commit_callbacks):
    assert format_number(1900) in page()
    report = report_with(figures.school, figures.periods[2021], loans=100)
    report.status = Report.Status.SUBMITTED
    report.save()
    with django_capture_on_commit_callbacks(execute=True):
        approve_report(methodologist, report)
    assert format_number(2000) in page()


def test_nothing_moves_before_the_commit(figures, methodologist, django_capture_on_commit_callbacks):
    before = data_version(figures.network.pk)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        data_changed(figures.network.pk)
    assert data_version(figures.network.pk) == before and len(callbacks) == 1


def test_a_saved_field_shows_on_the_internal_dashboard(figures, methodologist, django_capture_on_commit_callbacks):
    client = client_for(methodologist)
    url = "/n/testa/figures/?year=2021&status=all"
    assert format_number(1900) in page(url, client)
    report = Report.objects.create(unit=figures.school, period=figures.periods[2021])
    with django_capture_on_commit_callbacks(execute=True):
        save_value(methodologist, report, "loans", "55", 0)
    assert format_number(1955) in page(url, client)


def test_a_library_moved_counts_in_its_new_county(figures, django_capture_on_commit_callbacks):
    assert (row_of(page(), "Valmieras novads"), row_of(page(), "Valkas novads")) == (format_number(1200), "700")
    with django_capture_on_commit_callbacks(execute=True):
        move_unit(figures.library_b, figures.valmiera, dt.date(2021, 3, 1))
    assert (row_of(page(), "Valmieras novads"), row_of(page(), "Valkas novads")) == (format_number(1900), "—")


def test_the_register_and_the_catalogue_move_the_figures(figures, django_capture_on_commit_callbacks):
    public = page("/skaitli/testa/?year=2021&status=all")
    with django_capture_on_commit_callbacks(execute=True):
        PopulationServed.objects.update_or_create(unit=figures.library_a, year=2021, defaults={"persons": 987654})
    assert page("/skaitli/testa/?year=2021&status=all") != public
    cell = format_number(1900)
    assert cell in page()
    with django_capture_on_commit_callbacks(execute=True):
        loans = Indicator.objects.get(survey=figures.survey, code="loans")
        loans.aggregation = Indicator.Aggregation.AVERAGE
        loans.save()
    assert format_number(950) in page()


def test_bulk_writes_say_so_themselves(figures, django_capture_on_commit_callbacks):
    assert format_number(1900) in page()
    Value.objects.filter(indicator__code="loans", report__unit=figures.library_a).update(number=Decimal(1300))
    assert format_number(1900) in page(), "an update() sends no signal: the cache still holds the old table"
    with django_capture_on_commit_callbacks(execute=True):
        data_changed(figures.network.pk)
    assert format_number(2000) in page()
