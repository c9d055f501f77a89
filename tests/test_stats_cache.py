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


# Each year's table is kept on its own: a change of one year's values recomputes that year only.


def series(world):
    from parskats.stats.aggregate import Scope
    from parskats.stats.cache import measured_tables

    return measured_tables(world.network, world.survey, [2020, 2021], Scope(boundaries=dt.date(2021, 12, 31)))


def approved_2020(world, **values: int) -> None:
    report = report_with(world.library_a, world.periods[2020], **values)
    report.status = Report.Status.APPROVED
    report.save()


def total(table, code: str = "loans"):
    return table.total.cell(code).value


def test_a_value_of_one_year_recomputes_that_year_only(figures, methodologist, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        approved_2020(figures, loans=900)
    first = series(figures)
    assert series(figures)[2020] is first[2020] and series(figures)[2021] is first[2021]  # both kept
    report = Report.objects.create(unit=figures.school, period=figures.periods[2021])
    with django_capture_on_commit_callbacks(execute=True):
        save_value(methodologist, report, "loans", "55", 0)
    second = series(figures)
    assert second[2020] is first[2020], "2020's table stays: nothing of 2020 changed"
    assert second[2021] is not first[2021]
    # A change of the map moves every year.
    with django_capture_on_commit_callbacks(execute=True):
        move_unit(figures.library_b, figures.valmiera, dt.date(2021, 3, 1))
    third = series(figures)
    assert third[2020] is not second[2020] and third[2021] is not second[2021]


def test_years_computed_apart_equal_the_years_computed_together(
    figures, methodologist, django_capture_on_commit_callbacks
):
    from parskats.stats.aggregate import Scope, aggregate_years

    with django_capture_on_commit_callbacks(execute=True):
        approved_2020(figures, loans=900, users=80)
    series(figures)  # both years kept
    report = Report.objects.get(unit=figures.library_b, period=figures.periods[2021])
    with django_capture_on_commit_callbacks(execute=True):
        report.status = Report.Status.SUBMITTED
        report.save()  # only 2021 moves and is computed alone
    kept = series(figures)
    together = aggregate_years(figures.network, figures.survey, [2020, 2021], Scope(boundaries=dt.date(2021, 12, 31)))
    for year in (2020, 2021):
        for code in ("loans", "users"):
            assert kept[year].total.cell(code) == together[year].total.cell(code), (year, code)
        assert [r.key for r in kept[year].rows] == [r.key for r in together[year].rows]
    assert total(kept[2021]) == 1200 and total(kept[2020]) == 900
