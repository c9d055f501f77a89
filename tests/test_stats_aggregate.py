"""The aggregation core against hand-computed totals: sums, averages, "unknown" and "not applicable",
estimates, approval, a library that changed county in 2021, re-mapped series, performance
indicators, year-over-year change and peers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parskats.network.models import OrgUnit, PopulationServed
from parskats.reporting.models import Report, ReportingPeriod, Value
from parskats.stats.aggregate import (
    BadBoundaries,
    Scope,
    StatsError,
    UnknownUnit,
    UnknownYear,
    aggregate,
    aggregate_years,
)
from parskats.stats.compare import peers, place, year_change
from parskats.stats.measures import get_measure
from parskats.stats.performance import add_measures

from .factories import link, report_with, unit


def approved(report: Report) -> Report:
    report.status = Report.Status.APPROVED
    report.save()
    return report


@pytest.fixture
def figures(world):
    """2020: A (Strenči) loans 100 estimated, hours 40, visits n/a; B (Valka) loans 50, hours 20,
    visits 300; school (Valka) loans unknown, hours 30, visits 90.
    2021: A (now Valmiera) loans 120; B loans 70; school's report only submitted (loans 10)."""
    p20, p21 = world.periods[2020], world.periods[2021]
    a20 = approved(report_with(world.library_a, p20, loans=100, hours_week=40, visits="na", users=2420, events=10))
    Value.objects.filter(report=a20, indicator__code="loans").update(flag=Value.Flag.ESTIMATED)
    approved(report_with(world.library_b, p20, loans=50, hours_week=20, visits=300, users=121, events=5))
    approved(report_with(world.school, p20, loans="unknown", hours_week=30, visits=90, users=80))
    approved(report_with(world.library_a, p21, loans=120, hours_week=40, users=2000, events=8))
    approved(report_with(world.library_b, p21, loans=70, hours_week=25, users=100, events=4))
    school21 = report_with(world.school, p21, loans=10, hours_week=30)
    school21.status = Report.Status.SUBMITTED
    school21.save()
    return world


def test_county_totals_follow_each_rule(figures):
    table = aggregate(figures.network, figures.survey, 2020, Scope(group_by="county"))
    assert [row.label for row in table.rows] == ["Strenču novads", "Valkas novads"]
    strenci, valka = table.rows
    assert strenci.cells["loans"].value == 100
    assert strenci.cells["loans"].includes_estimates
    # Valka: B's 50; the school's "unknown" is not a zero, it is a gap in the coverage.
    loans = valka.cells["loans"]
    assert (loans.value, loans.reported, loans.expected, loans.unknown) == (50, 1, 2, 1)
    assert not loans.includes_estimates and not loans.complete
    # Opening hours average: (20 + 30) / 2 in Valka, (40 + 20 + 30) / 3 for the region.
    assert valka.cells["hours_week"].value == 25
    assert table.total.cells["hours_week"].value == 30
    # Visits: A said "not applicable", so A is not expected to report them at all.
    visits = table.total.cells["visits"]
    assert (visits.value, visits.reported, visits.expected, visits.not_applicable) == (390, 2, 2, 1)
    total = table.total.cells["loans"]
    assert (total.value, total.reported, total.expected, total.unknown) == (150, 2, 3, 1)
    assert total.includes_estimates
    # Population: public libraries only (school libraries do not report it), from the register.
    assert table.total.cells["population"].value == 12100 + 1210
    assert table.total.cells["population"].expected == 2


def test_indicators_not_summed_stay_untotalled(figures):
    from parskats.catalogue.models import Indicator

    Indicator.objects.filter(code="computers").update(aggregation=Indicator.Aggregation.NONE)
    Value.objects.create(
        report=Report.objects.get(unit=figures.library_b, period__year=2020),
        indicator=Indicator.objects.get(code="computers"),
        number=Decimal(4),
    )
    cell = aggregate(figures.network, figures.survey, 2020, Scope(group_by="network")).total.cells["computers"]
    assert cell.value is None and cell.reported == 1


def test_a_library_that_moved_counts_where_it_was_each_year(figures):
    tables = aggregate_years(figures.network, figures.survey, [2020, 2021], Scope(group_by="county"))
    assert tables[2020].row("strenci").cells["loans"].value == 100
    assert tables[2021].row("strenci") is None
    assert tables[2021].row("valmiera").cells["loans"].value == 120
    assert tables[2021].on_own_boundaries


def test_a_series_remapped_to_todays_boundaries_compares_like_with_like(figures):
    today = dt.date(2025, 1, 1)
    tables = aggregate_years(figures.network, figures.survey, [2020, 2021], Scope(group_by="county", boundaries=today))
    assert [row.key for row in tables[2020].rows] == ["valka", "valmiera"]
    assert tables[2020].row("valmiera").cells["loans"].value == 100
    assert tables[2021].row("valmiera").cells["loans"].value == 120
    assert tables[2020].boundaries == today and not tables[2020].on_own_boundaries
    moved = year_change(tables[2021], tables[2020], "loans", "valmiera")
    assert moved.absolute == 20 and moved.ratio == Decimal("0.2") and moved.libraries == 1


def test_only_approved_reports_count_unless_asked(figures):
    approved_only = aggregate(figures.network, figures.survey, 2021, Scope(group_by="network"))
    assert approved_only.total.cells["loans"].value == 190
    assert approved_only.total.reports == 2
    everything = aggregate(figures.network, figures.survey, 2021, Scope(group_by="network", approved_only=False))
    cell = everything.total.cells["loans"]
    assert (cell.value, cell.pending, everything.total.reports) == (200, 1, 3)


def test_grouping_by_library_type_and_within_a_unit(figures):
    by_type = aggregate(figures.network, figures.survey, 2020, Scope(group_by="library_type"))
    assert [(row.key, row.cells["visits"].value) for row in by_type.rows] == [("public", 300), ("school", 90)]
    valka = aggregate(figures.network, figures.survey, 2020, Scope(group_by="library", within=figures.valka))
    assert sorted(row.key for row in valka.rows) == ["ergeme", "valka-skola"]
    assert valka.total.label == "Valkas novads" and valka.total.cells["visits"].value == 390


def test_performance_indicators(figures):
    table = add_measures(aggregate(figures.network, figures.survey, 2020, Scope(group_by="county")))
    total = table.total.measures
    # users ÷ population over libraries that gave both: (2420 + 121) / (12100 + 1210) × 100
    assert total["population_coverage"].value == Decimal(2541) / Decimal(13310) * 100
    assert total["population_coverage"].reported == 2
    # loans per capita: only B gave both loans and... A too (estimated): (100 + 50) / 13310
    assert total["loans_per_capita"].value == Decimal(150) / Decimal(13310)
    assert total["loans_per_capita"].includes_estimates
    # loans per user: the school's loans are unknown, so only A and B: 150 / 2541
    assert total["loans_per_user"].value == Decimal(150) / Decimal(2541)
    assert total["events_per_1000"].value == Decimal(15) / Decimal(13310) * 1000
    # visits per capita: A said n/a for visits, B alone: 300 / 1210
    assert total["visits_per_capita"].value == Decimal(300) / Decimal(1210)
    assert total["visits_per_capita"].expected == 1


def test_share_and_turnover_measures(world):
    period = world.periods[2020]
    approved(
        report_with(
            world.library_b,
            period,
            events=20,
            events_virtual=5,
            event_attendance=300,
            visits=1000,
            visits_virtual=250,
            loans=900,
            collection=3000,
        )
    )
    measures = add_measures(aggregate(world.network, world.survey, 2020, Scope(group_by="network"))).total.measures
    assert measures["virtual_events_share"].value == 25
    assert measures["virtual_visits_share"].value == 25
    assert measures["attendance_per_event"].value == 15
    assert measures["collection_turnover"].value == Decimal("0.3")


def test_peers_place_a_library_in_its_size_class(world):
    period = world.periods[2020]
    region = world.region
    loans = {"p1": (600, 300), "p2": (700, 1400), "p3": (800, 800), "p4": (900, 2700)}
    for code, (persons, count) in loans.items():
        library = unit(world.network, code, OrgUnit.Level.LIBRARY, f"Bibliotēka {code}", OrgUnit.LibraryType.PUBLIC)
        link(library, region, dt.date(2015, 1, 1))
        PopulationServed.objects.create(unit=library, year=2020, persons=persons)
        approved(report_with(library, period, loans=count))
    table = aggregate(world.network, world.survey, 2020, Scope(group_by="library"))
    measure = get_measure("loans_per_capita")
    assert measure is not None
    group = next(entry for entry in peers(table, measure) if entry.group.code == "500-999")
    # per capita: p1 0,5; p2 2; p3 1; p4 3 → quartiles (inclusive) 0,875 / 1,5 / 2,25
    assert [u.code for u, _v in group.members] == ["p4", "p2", "p3", "p1"]
    assert group.quartiles() == (Decimal("0.875"), Decimal("1.5"), Decimal("2.25"))
    found = place(table, measure, OrgUnit.objects.get(code="p3").pk)
    assert found is not None
    assert (found[0].rank, found[0].of, found[0].quartile) == (3, 4, 2)


def test_bad_input_is_refused_with_a_reason(figures):
    with pytest.raises(UnknownYear):
        aggregate(figures.network, figures.survey, 1999)
    with pytest.raises(BadBoundaries):
        aggregate(figures.network, figures.survey, 2020, Scope(boundaries=dt.date(1990, 1, 1)))
    with pytest.raises(StatsError):
        aggregate(figures.network, figures.survey, 2020, Scope(group_by="planet"))
    with pytest.raises(UnknownUnit):
        aggregate(figures.network, figures.survey, 2020, Scope(within=figures.other_library))


def test_query_count_does_not_grow_with_libraries(figures):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            add_measures(aggregate(figures.network, figures.survey, 2020, Scope(group_by="county")))
        return len(captured)

    before = queries()
    for index in range(20):
        library = unit(figures.network, f"x{index}", OrgUnit.Level.LIBRARY, f"X {index}", OrgUnit.LibraryType.PUBLIC)
        link(library, figures.valka, dt.date(2015, 1, 1))
        approved(report_with(library, figures.periods[2020], loans=index, users=5))
    assert queries() == before
    assert ReportingPeriod.objects.count() == 2


def test_a_library_that_joined_later_is_not_expected_before(figures):
    ape = unit(figures.network, "ape", OrgUnit.Level.LIBRARY, "Apes bibliotēka", OrgUnit.LibraryType.PUBLIC)
    link(ape, figures.valka, dt.date(2021, 7, 1))
    tables = aggregate_years(figures.network, figures.survey, [2020, 2021], Scope(group_by="network", boundaries=None))
    assert ape.pk not in tables[2020].units
    assert ape.pk in tables[2021].units
    assert tables[2020].total.cells["loans"].expected == 3
    assert tables[2021].total.cells["loans"].expected == 4
