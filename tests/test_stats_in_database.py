"""The aggregation core's two faster paths give the figures of the old one, cell for cell:

- a year's tallies summed by the database (`tally.tally_in_database`, GROUP BY per group and
  indicator) against every value streamed through Python (`aggregate.IN_DATABASE = False`);
- a kept table refreshed in the rows of the libraries that changed (`aggregate.refresh`, used by
  the figures cache after a value or a report of one library changes) against the year computed
  again, with the performance measures and every like-for-like change.

Every cell is compared on all its counts (value, n of N, unknown, not applicable, estimated,
pending, imputed), on the demo's networks and on generated values."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parskats.accounts.models import User
from parskats.catalogue.models import Indicator
from parskats.network.models import Network, OrgUnit
from parskats.reporting.entry import save_value
from parskats.reporting.models import Report, ReportingPeriod, Value
from parskats.review.workflow import approve_report, reopen_report
from parskats.stats import aggregate as core
from parskats.stats import cache
from parskats.stats.aggregate import Scope, Table, aggregate_years
from parskats.stats.compare import year_change
from parskats.stats.measures import measures
from parskats.stats.performance import add_measures
from parskats.stats.tally import Slot, tally_in_database

from .factories import report_with

TODAY = "2022-03-10"


def cells_of(table: Table) -> dict[tuple[str, str], object]:
    """Every cell of the table (rows and total, indicators and measures) with the rows' make-up."""
    found: dict[tuple[str, str], object] = {}
    for row in [*table.rows, table.total]:
        found[(row.key, "")] = (row.label, sorted(row.library_ids), row.reports)
        for code, cell in {**row.cells, **row.measures}.items():
            found[(row.key, code)] = cell
    return found


def assert_same(new: Table, old: Table) -> None:
    assert [row.key for row in new.rows] == [row.key for row in old.rows]
    new_cells, old_cells = cells_of(new), cells_of(old)
    assert new_cells.keys() == old_cells.keys()
    for key, cell in old_cells.items():
        assert new_cells[key] == cell, key
    assert new.statuses == old.statuses
    assert new.group_of == old.group_of
    assert new.inputs == old.inputs


def both_ways(network: Network, survey, years, scope: Scope) -> tuple[dict[int, Table], dict[int, Table]]:
    core.IN_DATABASE = False
    try:
        streamed = aggregate_years(network, survey, years, scope)
    finally:
        core.IN_DATABASE = True
    return aggregate_years(network, survey, years, scope), streamed


def scopes(network: Network) -> list[Scope]:
    county = OrgUnit.objects.filter(network=network, level=OrgUnit.Level.COUNTY).order_by("code").first()
    found = [
        Scope(group_by=group_by, approved_only=approved_only, imputed=imputed)
        for group_by in ("county", "region", "library", "library_type", "network")
        for approved_only in (True, False)
        for imputed in (False, True)
    ]
    found += [Scope(accepted_only=True), Scope(group_by="library", within=county, approved_only=False)]
    return found


@pytest.fixture
def demo(db):
    call_command("load_demo", "--today", TODAY, stdout=StringIO())


def test_the_database_sums_the_demo_as_python_does_on_every_cell(demo):
    compared = 0
    for network in Network.objects.all():
        surveys = {period.survey for period in ReportingPeriod.objects.filter(network=network).select_related("survey")}
        for survey in surveys:
            years = sorted(
                set(ReportingPeriod.objects.filter(network=network, survey=survey).values_list("year", flat=True))
            )
            for scope in scopes(network):
                summed, streamed = both_ways(network, survey, years, scope)
                for year in years:
                    assert_same(summed[year], streamed[year])
                    compared += sum(len(row.cells) for row in summed[year].rows)
    assert compared > 1000


NUMBERS = st.one_of(
    st.integers(min_value=0, max_value=10**12),
    st.decimals(min_value=0, max_value=10**8, places=3, allow_nan=False, allow_infinity=False),
    st.sampled_from(["na", "unknown"]),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    values=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 5), NUMBERS, st.booleans()), max_size=40),
    statuses=st.lists(st.sampled_from([s.value for s in Report.Status]), min_size=3, max_size=3),
)
def test_the_database_sums_generated_values_as_python_does(world, values, statuses):
    libraries = [world.library_a, world.library_b, world.school]
    codes = list(Indicator.objects.filter(survey=world.survey).order_by("order").values_list("code", flat=True)[:6])
    Report.objects.filter(period=world.periods[2021]).delete()
    reports = [Report.objects.create(unit=library, period=world.periods[2021]) for library in libraries]
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=codes, survey=world.survey)}
    for library, code_index, raw, estimated in values:
        fields = {"code": raw, "number": None} if raw in ("na", "unknown") else {"code": "num", "number": Decimal(raw)}
        flag = Value.Flag.ESTIMATED if estimated else Value.Flag.REPORTED
        Value.objects.update_or_create(
            report=reports[library], indicator=indicators[codes[code_index]], defaults={**fields, "flag": flag}
        )
    for report, status in zip(reports, statuses, strict=True):
        Report.objects.filter(pk=report.pk).update(status=status)
    for scope in (Scope(), Scope(group_by="library", approved_only=False), Scope(group_by="network")):
        summed, streamed = both_ways(world.network, world.survey, [2021], scope)
        assert_same(summed[2021], streamed[2021])


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL sums NUMERIC exactly")
def test_a_number_sqlite_cannot_sum_exactly_is_streamed(world):
    report = report_with(world.library_a, world.periods[2021], loans=10, users=3)
    report_with(world.library_b, world.periods[2021], loans=5)
    Report.objects.filter(period=world.periods[2021]).update(status=Report.Status.APPROVED)
    slots = {report.pk: Slot({}, {}, True)}
    assert tally_in_database(slots)
    # A number with a fourth decimal (only raw SQL can store one): SQLite keeps it as a float.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE reporting_value SET number = 1.0005 WHERE report_id = %s", [report.pk])
    assert not tally_in_database(slots)
    summed, streamed = both_ways(world.network, world.survey, [2021], Scope())
    assert_same(summed[2021], streamed[2021])
    assert summed[2021].total.cell("loans").value == Decimal("1.0005") + 5


def changes_of(tables: dict[int, Table], years: list[int]) -> dict[tuple[int, str, str], object]:
    found = {}
    for current, previous in zip(years[1:], years[:-1], strict=True):
        table = tables[current]
        codes = [i.code for i in table.indicators] + [m.code for m in measures()]
        for row_key in ["total", *(row.key for row in table.rows)]:
            for code in codes:
                found[(current, row_key, code)] = year_change(table, tables[previous], code, row_key)
    return found


@pytest.mark.django_db(transaction=True)
def test_a_refreshed_table_is_the_year_computed_again(settings, monkeypatch):
    """After each change of one library (a value typed, its report reopened or approved), the cached
    tables are refreshed in that library's row, not computed again: and they equal the computation."""
    call_command("load_demo", "--today", TODAY, stdout=StringIO())
    settings.FIGURES_CACHE_ENTRIES = 64
    cache.store.clear()
    refreshed: list[Table] = []
    real = cache.refresh

    def spy(*args, **kwargs):
        found = real(*args, **kwargs)
        if found is not None:
            refreshed.append(found[0])
        return found

    monkeypatch.setattr(cache, "refresh", spy)
    network = Network.objects.get(slug="valka")
    methodologist = User.objects.get(email="metodikis@example.org")
    period = ReportingPeriod.objects.filter(network=network).order_by("-year").first()
    survey = period.survey
    years = sorted(ReportingPeriod.objects.filter(network=network, survey=survey).values_list("year", flat=True))
    chosen = [
        Scope(),
        Scope(approved_only=False),
        Scope(group_by="region", approved_only=False),
        Scope(group_by="library", approved_only=False),
        Scope(group_by="library_type", approved_only=False, imputed=True),
    ]
    reports = list(Report.objects.filter(period=period, status=Report.Status.APPROVED).order_by("unit__code")[:2])
    assert len(reports) == 2
    steps = 0

    def check() -> None:
        for scope in chosen:
            kept = cache.measured_tables(network, survey, years, scope)  # refreshed after a change
            fresh = {
                each: add_measures(table) for each, table in aggregate_years(network, survey, years, scope).items()
            }
            for each in years:
                assert_same(kept[each], fresh[each])
            # Asked of the kept tables, the changes are kept with them and carried over to the next refresh.
            assert changes_of(kept, years) == changes_of(fresh, years)

    check()
    for report in reports:
        reopen_report(methodologist, report, "A number to mend")
        check()
        value = Value.objects.filter(report=report, number__isnull=False).select_related("indicator").first()
        for number in ("12345", "0"):
            current = Value.objects.get(pk=value.pk)
            save_value(methodologist, report, value.indicator.code, number, current.version)
            steps += 1
            check()
        report.refresh_from_db()
        report.status = Report.Status.SUBMITTED
        report.save()
        approve_report(methodologist, report)
        check()
    assert steps == 4
    assert len(refreshed) >= 4 * len(chosen)  # the changes were applied to kept tables, not recomputed
