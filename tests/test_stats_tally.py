"""The aggregation core's streaming pass against a naive recomputation from every library's values
(read by the separate per-library path), on random reports: any value kind, flag, report status,
grouping and a fractional number. Both must agree cell by cell, coverage and honesty included."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from parskats.catalogue.models import Indicator
from parskats.reporting.models import Report, Value
from parskats.stats.aggregate import Cell, Scope, Table, aggregate, indicator_by_concept
from parskats.stats.measures import Measure, measures
from parskats.stats.performance import add_measures, library_measures
from parskats.stats.tally import ESTIMATE_FLAGS, NOT_APPLICABLE

from .factories import build_world

CODES = ["loans", "visits", "hours_week", "users", "population", "events"]
value = st.one_of(
    st.just("na"),
    st.just("unknown"),
    st.tuples(
        st.decimals(min_value=0, max_value=10**6, places=3), st.sampled_from(["reported", "estimated", "imputed"])
    ),
)
report = st.tuples(
    st.sampled_from(["approved", "submitted", "draft"]),
    st.dictionaries(st.sampled_from(CODES), value, max_size=len(CODES)),
)


def naive(table, ids: list[int], indicator: Indicator) -> tuple:
    """The rule written out plainly, one library at a time."""
    total, reported, unknown, na, estimated, pending, expected = Decimal(0), 0, 0, 0, 0, 0, 0
    for pk in ids:
        if not indicator.on_form(table.year, table.units[pk].library_type):
            continue
        expected += 1
        found = table.values.get(pk, {}).get(indicator.code)
        if found is None:
            continue
        if found.code == NOT_APPLICABLE:
            na += 1
        elif found.number is None:
            unknown += 1
        else:
            total += found.number
            reported += 1
            estimated += found.flag in ESTIMATE_FLAGS
            pending += not found.approved
    return total, reported, unknown, na, estimated, pending, expected - na


def naive_measure(table: Table, measure: Measure, ids: list[int]) -> Cell:
    """A measure over these libraries, the rule written out plainly: only libraries that gave both numbers."""
    numerator = indicator_by_concept(table.indicators, measure.numerator)
    denominator = indicator_by_concept(table.indicators, measure.denominator)
    if numerator is None or denominator is None:
        return Cell(None, 0, 0)
    top = bottom = Decimal(0)
    reported = expected = estimated = pending = 0
    for pk in ids:
        library_type = table.units[pk].library_type
        if not (numerator.on_form(table.year, library_type) and denominator.on_form(table.year, library_type)):
            continue
        values = table.inputs.get(pk, {})
        num, den = values.get(numerator.code), values.get(denominator.code)
        if (num and num.code == "na") or (den and den.code == "na"):
            continue
        expected += 1
        if num is None or den is None or num.number is None or den.number is None or den.number == 0:
            continue
        reported += 1
        top += num.number
        bottom += den.number
        estimated += num.flag in ("estimated", "imputed") or den.flag in ("estimated", "imputed")
        pending += not (num.approved and den.approved)
    value = top / bottom * measure.scale if bottom else None
    return Cell(value, reported, expected, estimated=estimated, pending=pending)


class TestStreamingEqualsNaive(TestCase):
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        reports=st.lists(report, min_size=3, max_size=3),
        group_by=st.sampled_from(["county", "library", "library_type", "network"]),
        approved_only=st.booleans(),
    )
    def test_every_cell_and_measure(self, reports, group_by, approved_only):
        world = build_world()
        indicators = {i.code: i for i in Indicator.objects.filter(survey=world.survey)}
        for library, (status, values) in zip([world.library_a, world.library_b, world.school], reports, strict=True):
            saved = Report.objects.create(unit=library, period=world.periods[2021], status=status)
            for code, raw in values.items():
                if raw in ("na", "unknown"):
                    Value.objects.create(report=saved, indicator=indicators[code], code=raw)
                else:
                    Value.objects.create(report=saved, indicator=indicators[code], number=raw[0], flag=raw[1])
        table = add_measures(
            aggregate(world.network, world.survey, 2021, Scope(group_by=group_by, approved_only=approved_only))
        )
        for row in [*table.rows, table.total]:
            for code in CODES:
                cell = row.cells[code]
                total, reported, unknown, na, estimated, pending, expected = naive(
                    table, row.library_ids, indicators[code]
                )
                assert (
                    cell.reported,
                    cell.unknown,
                    cell.not_applicable,
                    cell.estimated,
                    cell.pending,
                    cell.expected,
                ) == (
                    reported,
                    unknown,
                    na,
                    estimated,
                    pending,
                    expected,
                ), (row.key, code)
                if reported and indicators[code].aggregation == Indicator.Aggregation.SUM:
                    assert cell.value == total
                elif reported and indicators[code].aggregation == Indicator.Aggregation.AVERAGE:
                    assert cell.value == total / reported
                else:
                    assert cell.value is None
            for measure in measures():
                if measure.code in row.measures:
                    assert row.measures[measure.code] == naive_measure(table, measure, row.library_ids)
        for measure in measures():
            each = {pk: naive_measure(table, measure, [pk]).value for pk in table.units}
            assert library_measures(table, measure) == {pk: v for pk, v in each.items() if v is not None}


@pytest.mark.django_db
def test_library_values_are_read_only_when_asked(world, django_assert_num_queries):
    table = aggregate(world.network, world.survey, 2021, Scope(group_by="county", approved_only=False))
    with django_assert_num_queries(2):  # the year's reports, then their values
        table.values  # noqa: B018
    with django_assert_num_queries(0):
        table.values  # noqa: B018
