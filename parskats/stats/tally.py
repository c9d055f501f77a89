"""The aggregation core's one pass over the value rows (see aggregate.py for the rules).

At national scale a year has hundreds of thousands of value rows, so the pass adds each row into
its group's tally as it streams from the database and keeps no per-value object, except for the
few indicators the performance measures divide (they need both numbers of one library). Every
library's full set of values is read only when a page asks for it (`library_values`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import OperationalError, connection, transaction
from django.db.models import BigIntegerField, BooleanField, Case, F, IntegerField, Q, QuerySet, When
from django.db.models import Value as SQLValue
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

from parskats.catalogue.models import Indicator
from parskats.network.models import OrgUnit, PopulationServed
from parskats.reporting.models import Report, Value

from .models import ImputedValue

ESTIMATE_FLAGS = frozenset({Value.Flag.ESTIMATED.value, Value.Flag.IMPUTED.value})
# The flag of an imputation run's estimate among a table's measure inputs: not one a library gave, so
# a like-for-like change (compare.py) leaves it out, while the measures count it.
RUN_ESTIMATE = "imputation_run"
NOT_APPLICABLE = Value.Code.NOT_APPLICABLE.value
# What a value row is, worked out by the database so that the hot loop compares small integers.
NUMBER, NOT_APPLICABLE_KIND, UNKNOWN_KIND, ESTIMATE = 0, 1, 2, 3
FEW = 2000  # up to this many units the SQL itself filters by unit (a county, a state)
DbRow = tuple[Any, ...]  # a row as the database driver gives it


class LibraryValue(NamedTuple):
    """One library's value of one indicator as the core saw it (a tuple: there are many)."""

    code: str  # Value.Code: "num", "na", "unknown"
    number: Decimal | None
    flag: str
    approved: bool


@dataclass(slots=True)
class Tally:
    """What a group's rows of one indicator add up to. Slots keep attribute access as cheap as a
    list index in the hot loop, and the names say what each count is."""

    total: Decimal | int = 0  # the numbers added up
    reported: int = 0  # rows with a number
    unknown: int = 0
    not_applicable: int = 0
    estimated: int = 0  # numbers flagged estimated or imputed
    pending: int = 0  # numbers from reports not yet approved
    imputed: int = 0  # numbers of an imputation run standing in for ones not reported

    def add(self, other: Tally, approved: bool) -> None:
        """Add another group's tally; every number of a part not approved counts as pending."""
        self.total += other.total
        self.reported += other.reported
        self.unknown += other.unknown
        self.not_applicable += other.not_applicable
        self.estimated += other.estimated
        self.pending += other.pending if approved else other.reported
        self.imputed += other.imputed


class Slot(NamedTuple):
    """Where one report's rows go: indicator id → its group's tally (only the indicators on the
    library's form have one), and the library's own values of the measure inputs."""

    tallies: dict[int, Tally]
    inputs: dict[str, LibraryValue]
    approved: bool


# A measure input as the measures read it: they ask only whether a number is there and estimated.
KIND_CODES = {NUMBER: "num", ESTIMATE: "num", NOT_APPLICABLE_KIND: NOT_APPLICABLE, UNKNOWN_KIND: "unknown"}
KIND_FLAGS = {NUMBER: "reported", ESTIMATE: "estimated", NOT_APPLICABLE_KIND: "reported", UNKNOWN_KIND: "reported"}


def exact(number: object) -> Decimal | int | None:
    """SQLite gives an int or a float for NUMERIC (a float's shortest repr is the stored decimal);
    PostgreSQL a Decimal. Ints stay ints while summing (cheaper), the rest become Decimals."""
    if number is None or number.__class__ is int or number.__class__ is Decimal:
        return number  # type: ignore[return-value]
    return Decimal(repr(number))


def as_decimal(number: Decimal | int | None) -> Decimal | None:
    return None if number is None else Decimal(number)


def few(unit_ids: Iterable[int]) -> list[int] | None:
    """The units to filter by in SQL, or None to read all and filter in memory (a long list of
    parameters costs more than it saves, and databases limit their number)."""
    ids = list(unit_ids)
    return ids if len(ids) <= FEW else None


def value_rows(
    period_ids: list[int], approved_only: bool, unit_ids: list[int] | None = None, accepted_only: bool = False
) -> Iterator[DbRow]:
    """(report id, indicator id, code, number, flag) of these periods."""
    values = _values(period_ids, approved_only, unit_ids, accepted_only)
    return _rows(values.values_list("report_id", "indicator_id", "code", "number", "flag"))


def kind_rows(
    period_ids: list[int],
    approved_only: bool,
    unit_ids: list[int] | None,
    report_ids: list[int],
    accepted_only: bool = False,
    indicator_ids: list[int] | None = None,
) -> Iterator[DbRow]:
    """(report id, indicator id, whole number, other number, kind): the aggregation's narrow read.
    A whole number comes as an integer (cheaper to make and to add than PostgreSQL's Decimal),
    any other as the database gives it."""
    kind = Case(
        When(code=NOT_APPLICABLE, then=SQLValue(NOT_APPLICABLE_KIND)),
        When(number__isnull=True, then=SQLValue(UNKNOWN_KIND)),
        When(flag__in=sorted(ESTIMATE_FLAGS), then=SQLValue(ESTIMATE)),
        default=SQLValue(NUMBER),
        output_field=IntegerField(),
    )
    as_integer = Cast("number", BigIntegerField())
    whole = Case(When(number=as_integer, then=as_integer), default=None, output_field=BigIntegerField())
    other = Case(When(~Q(number=as_integer), then=F("number")), default=None)
    if connection.vendor == "postgresql":
        # PostgreSQL plans the join to the year's reports as a scan of every value in the table; given
        # the reports (already chosen) as one array, it reads them from the index (4x faster).
        chosen = RawSQL('"reporting_value"."report_id" = ANY(%s)', (report_ids,), output_field=BooleanField())
        values = Value.objects.filter(chosen)
    elif indicator_ids is not None:
        # A few indicators of the chosen reports: SQLite then reads them by the (report, indicator)
        # index, report by report (2x faster than through the year's reports).
        chosen = RawSQL(
            '"reporting_value"."report_id" IN (SELECT value FROM json_each(%s))',
            (json.dumps(report_ids),),
            output_field=BooleanField(),
        )
        values = Value.objects.filter(chosen)
    else:
        values = _values(period_ids, approved_only, unit_ids, accepted_only)
    if indicator_ids is not None:
        values = values.filter(indicator_id__in=indicator_ids)
    values = values.annotate(kind=kind, whole=whole, other=other).order_by()
    return _rows(values.values_list("report_id", "indicator_id", "whole", "other", "kind"))


def _values(
    period_ids: list[int], approved_only: bool, unit_ids: list[int] | None, accepted_only: bool = False
) -> QuerySet[Value]:
    values = Value.objects.filter(report__period_id__in=period_ids)
    if approved_only or accepted_only:
        values = values.filter(report__status=Report.Status.APPROVED)
    if accepted_only:
        values = values.filter(report__national_status=Report.NationalStatus.ACCEPTED)
    if unit_ids is not None:
        values = values.filter(report__unit_id__in=unit_ids)
    return values


def _rows(query: QuerySet[Any]) -> Iterator[DbRow]:
    """The SQL the ORM builds, run on a plain cursor: at national scale the ORM's per-field
    converters would cost more than the aggregation itself."""
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(10000):
            yield from rows


def stream(rows: Iterable[DbRow], slots: dict[int, Slot], keep: dict[int, str], population_id: int | None) -> set[int]:
    """Add every row into its report's group tally; returns the reports that had a population value.

    The hot loop at national scale: local names, small-integer kinds and plain lookups only."""
    with_population: set[int] = set()
    slot_of = slots.get
    last_report: int | None = None
    slot: Slot | None = None
    tallies: dict[int, Tally] | None = None
    for report_id, indicator_id, whole, other, kind in rows:
        if report_id != last_report:
            last_report, slot = report_id, slot_of(report_id)
            tallies = slot.tallies if slot is not None else None
        if tallies is None:
            continue
        tally = tallies.get(indicator_id)
        if tally is None:  # not on this library's form
            continue
        # A number kind always has a number (the database chose the kind from it).
        number: Any = whole if other is None else exact(other)
        if kind == 0:  # NUMBER (literals: a global lookup per row costs)
            tally.total += number
            tally.reported += 1
        elif kind == 3:  # ESTIMATE
            tally.total += number
            tally.reported += 1
            tally.estimated += 1
        elif kind == 1:  # NOT_APPLICABLE_KIND
            tally.not_applicable += 1
        else:
            tally.unknown += 1
        if indicator_id in keep:
            assert slot is not None
            slot.inputs[keep[indicator_id]] = LibraryValue(
                KIND_CODES[kind], as_decimal(number), KIND_FLAGS[kind], slot.approved
            )
            if indicator_id == population_id:
                with_population.add(report_id)
    return with_population


def tally_in_database(slots: dict[int, Slot]) -> bool:
    """Add the rows of the slots' reports into their tallies with the sums and counts worked out by
    the database: one row per (tally map, indicator) comes back instead of one per value. False
    (and nothing added) where the database cannot sum exactly what `stream` would, so the caller
    streams the rows instead: on SQLite, a number stored with more than 3 decimals, or beyond
    ±10⁹ with decimals (SQLite keeps them as binary floats), or whole numbers whose sum overflows
    64 bits. PostgreSQL sums NUMERIC exactly, so it always answers.

    The tallies are the same as `stream`'s, count for count and to the last decimal (tested on
    every cell, tests/test_stats_in_database.py): whole numbers are summed as integers, the rest
    as decimals; "not applicable" before "unknown" before "estimated", as `kind_rows` decides."""
    index: dict[int, int] = {}  # id of a tally map → its number in the query
    maps: list[dict[int, Tally]] = []
    slot_of: dict[int, int] = {}
    for report_id, slot in slots.items():
        number = index.get(id(slot.tallies))
        if number is None:
            number = index[id(slot.tallies)] = len(maps)
            maps.append(slot.tallies)
        slot_of[report_id] = number
    if not slot_of:
        return True
    rows = _grouped_rows(slot_of)
    if rows is None:
        return False
    for number, indicator_id, not_applicable, unknown, reported, estimated, whole, fraction in rows:
        tally = maps[number].get(indicator_id)
        if tally is None:  # not on the form of this map's libraries
            continue
        if whole is not None:
            tally.total += int(whole)
        if fraction is not None:
            tally.total += fraction
        tally.reported += reported + estimated
        tally.estimated += estimated
        tally.not_applicable += not_applicable
        tally.unknown += unknown
    return True


_ESTIMATES_SQL = ", ".join(f"'{flag}'" for flag in sorted(ESTIMATE_FLAGS))
_NA_SQL = f"'{NOT_APPLICABLE}'"


def _grouped_rows(slot_of: dict[int, int]) -> list[DbRow] | None:
    """(map number, indicator id, not applicable, unknown, numbers, estimates, sum of the whole
    numbers, sum of the others as a Decimal) per map and indicator; None when SQLite cannot sum
    them exactly (see `tally_in_database`)."""
    table = Value._meta.db_table
    rows: list[DbRow] = []
    if connection.vendor == "postgresql":
        # NUMERIC sums are exact. The reports come as one array twice: joined for their group, and as
        # `= ANY` so that the values are read by the report index, not by a scan of every year's.
        # The planner overestimates the join a hundredfold and would compile the query (JIT) for
        # longer than it runs, so JIT is off for it.
        sql = (
            "SELECT g.slot, v.indicator_id, COUNT(*), COUNT(v.number), "  # noqa: S608 - no input in it
            f"COUNT(*) FILTER (WHERE v.code = {_NA_SQL}), "
            f"COUNT(v.number) FILTER (WHERE v.flag IN ({_ESTIMATES_SQL})), SUM(v.number) "
            f"FROM {table} v JOIN unnest(%s::bigint[], %s::integer[]) AS g(report_id, slot) "
            "ON g.report_id = v.report_id WHERE v.report_id = ANY(%s) GROUP BY g.slot, v.indicator_id"
        )
        reports = list(slot_of)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute(sql, [reports, list(slot_of.values()), reports])
            found = cursor.fetchall()
        for number, indicator_id, values, numbers, not_applicable, estimated, summed in found:
            # A sum of whole numbers as an integer, as `stream` adds them (the same value either way).
            whole = summed is not None and summed == summed.to_integral_value()
            counts = (values, numbers, not_applicable, estimated)
            rows.append(
                _grouped(number, indicator_id, counts, int(summed) if whole else None, None if whole else summed)
            )
        return rows
    # SQLite keeps a whole number as an INTEGER and any other as a binary float. Below 10⁹, a number
    # whose thousandths, rounded, give back the stored float exactly is that many thousandths (its
    # shortest repr, which is what `exact` reads): it is summed as an integer count of thousandths.
    # A value is a number exactly when its code is "num" (a check constraint of Value), so COUNT of
    # the numbers and of "not applicable" say the rest.
    sql = (
        "SELECT CAST(g.value AS INTEGER), v.indicator_id, COUNT(*), COUNT(v.number), "  # noqa: S608 - no input in it
        f"SUM(v.code = {_NA_SQL}), SUM(v.number IS NOT NULL AND v.flag IN ({_ESTIMATES_SQL})), "
        "SUM(CAST(ROUND(v.number * 1000) AS INTEGER)), "
        "SUM(abs(v.number) >= 1e9 OR ROUND(v.number * 1000) / 1000.0 <> v.number) "
        f"FROM json_each(%s) AS g JOIN {table} v ON v.report_id = CAST(g.key AS INTEGER) "
        "GROUP BY g.value, v.indicator_id"
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, [json.dumps({str(report): slot for report, slot in slot_of.items()})])
            found = cursor.fetchall()
    except OperationalError:  # "integer overflow": the thousandths add up beyond 64 bits
        return None
    for number, indicator_id, values, numbers, not_applicable, estimated, thousandths, odd in found:
        if odd:
            return None
        whole, fraction = (None, None) if thousandths is None else divmod(thousandths, 1000)
        counts = (values, numbers, not_applicable, estimated)
        rows.append(_grouped(number, indicator_id, counts, whole, Decimal(fraction).scaleb(-3) if fraction else None))
    return rows


def _grouped(
    number: int, indicator_id: int, counts: tuple[int, int, int, int], whole: int | None, fraction: Decimal | None
) -> DbRow:
    """One row of `_grouped_rows` from the database's counts (values, numbers, not applicable,
    estimates): what is neither a number nor "not applicable" is unknown."""
    values, numbers, not_applicable, estimated = counts
    unknown = values - numbers - not_applicable
    return (number, indicator_id, not_applicable, unknown, numbers - estimated, estimated, whole, fraction)


def stream_inputs(
    rows: Iterable[DbRow], slots: dict[int, Slot], keep: dict[int, str], population_id: int | None
) -> set[int]:
    """The measure inputs of `stream` alone, from the rows of the kept indicators, where the tallies
    are added up elsewhere (`tally_in_database`); returns the reports that had a population value."""
    with_population: set[int] = set()
    for report_id, indicator_id, whole, other, kind in rows:
        slot = slots.get(report_id)
        if slot is None or indicator_id not in slot.tallies:  # not counted, or not on its form
            continue
        number: Any = whole if other is None else exact(other)
        slot.inputs[keep[indicator_id]] = LibraryValue(
            KIND_CODES[kind], as_decimal(number), KIND_FLAGS[kind], slot.approved
        )
        if indicator_id == population_id:
            with_population.add(report_id)
    return with_population


def registered_population(network_id: int, years: Iterable[int]) -> dict[tuple[int, int], int]:
    """(year, unit id) → persons from the population register."""
    rows = PopulationServed.objects.filter(unit__network_id=network_id, year__in=list(years))
    return {(year, unit_id): persons for unit_id, year, persons in rows.values_list("unit_id", "year", "persons")}


def fills_population(population: Indicator, year: int, unit: OrgUnit) -> bool:
    return population.on_form(year, unit.library_type)


def library_values(
    period_id: int,
    approved_only: bool,
    units: dict[int, OrgUnit],
    indicators: list[Indicator],
    year: int,
    population: Indicator | None,
    persons: dict[tuple[int, int], int],
    accepted_only: bool = False,
) -> dict[int, dict[str, LibraryValue]]:
    """Every value of every counted library of one year (library id → indicator code → value),
    with the register's population where a report lacks its own: what library pages and per-library
    exports read."""
    reports = Report.objects.filter(period_id=period_id)
    if approved_only or accepted_only:
        reports = reports.filter(status=Report.Status.APPROVED)
    if accepted_only:
        reports = reports.filter(national_status=Report.NationalStatus.ACCEPTED)
    unit_of = {
        pk: (unit_id, status == Report.Status.APPROVED)
        for pk, unit_id, status in reports.values_list("id", "unit_id", "status")
        if unit_id in units
    }
    codes = {indicator.pk: indicator.code for indicator in indicators}
    values: dict[int, dict[str, LibraryValue]] = {}
    rows = value_rows([period_id], approved_only, few(units), accepted_only)
    for report_id, indicator_id, code, number, flag in rows:
        owner = unit_of.get(report_id)
        if owner is None or indicator_id not in codes:
            continue
        values.setdefault(owner[0], {})[codes[indicator_id]] = LibraryValue(
            code, as_decimal(exact(number)), flag, owner[1]
        )
    if population is not None:
        for pk, unit in units.items():
            registered = persons.get((year, pk))
            if (
                registered is not None
                and population.code not in values.get(pk, {})
                and fills_population(population, year, unit)
            ):
                values.setdefault(pk, {})[population.code] = LibraryValue(
                    Value.Code.NUMBER, Decimal(registered), Value.Flag.REPORTED, True
                )
    return values


def indicator_values(
    period_id: int,
    approved_only: bool,
    unit_ids: list[int] | None,
    indicator_ids: list[int],
    accepted_only: bool = False,
) -> Iterator[DbRow]:
    """(library id, indicator id, code, number, flag, report status) of a few indicators of one year:
    what a like-for-like change reads, without every library's every value."""
    values = _values([period_id], approved_only, unit_ids, accepted_only).filter(indicator_id__in=indicator_ids)
    return _rows(values.values_list("report__unit_id", "indicator_id", "code", "number", "flag", "report__status"))


def imputed_rows(
    period_id: int, approved_only: bool, unit_ids: list[int] | None, accepted_only: bool = False
) -> list[tuple[int, int, Any, str]]:
    """(library id, indicator id, number, what the library's counted report says: "num", "na",
    "unknown" or "" for nothing) of the year's imputation run in force. A library's own counted
    number always wins over the estimate, so the caller adds only those with "unknown" or ""."""
    imputed = ImputedValue.objects.filter(run__period_id=period_id, run__undone_at__isnull=True)
    if unit_ids is not None:
        imputed = imputed.filter(unit_id__in=unit_ids)
    rows = list(_rows(imputed.order_by().values_list("unit_id", "indicator_id", "number")))
    if not rows:
        return []
    indicators = sorted({indicator_id for _unit, indicator_id, _number in rows})
    counted = indicator_values(period_id, approved_only, unit_ids, indicators, accepted_only)
    given = {(unit_id, indicator_id): code for unit_id, indicator_id, code, *_rest in counted}
    return [(unit, indicator, exact(number), given.get((unit, indicator), "")) for unit, indicator, number in rows]
