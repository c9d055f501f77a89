"""Comparisons built on the core: like-for-like change between years, and peers (quartiles within a
size class)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from decimal import Decimal

from parskats.catalogue.models import Indicator
from parskats.network.models import OrgUnit
from parskats.reporting.models import Report

from .aggregate import EMPTY, Cell, Table, indicator_by_concept
from .measures import Measure, PeerGroup, get_measure, input_names, peer_groups
from .performance import library_measures, peer_group_of, population_of
from .tally import RUN_ESTIMATE, LibraryValue, as_decimal, exact, few, indicator_values


@dataclass(frozen=True)
class Change:
    """A year-over-year change over the libraries that gave the figure in both years (like for like),
    with the totals of everyone who reported each year beside it.

    Comparing the totals alone would show a fall wherever fewer libraries reported this year; the
    change compares the same libraries, on the current table's map, and says how many they are."""

    current: Decimal | None  # this year, over the libraries compared
    previous: Decimal | None  # the year before, over the same libraries
    libraries: int  # libraries that gave the figure in both years
    previous_year: int
    current_total: Cell  # everyone who reported this year
    previous_total: Cell  # everyone who reported the year before
    points: bool = False  # a percentage: its change is in percentage points
    estimated: bool = False  # a compared value is estimated or imputed
    pending: bool = False  # a compared value is not yet approved

    @property
    def absolute(self) -> Decimal | None:
        if self.current is None or self.previous is None:
            return None
        return self.current - self.previous

    @property
    def ratio(self) -> Decimal | None:
        """The relative change (0.12 for +12 %), None when there is no base (or for a percentage)."""
        if self.absolute is None or not self.previous or self.points:
            return None
        return self.absolute / self.previous

    @property
    def everyone(self) -> bool:
        """Every library that reported either year is compared: the totals tell the same story."""
        return self.libraries == self.current_total.reported == self.previous_total.reported

    def as_dict(self) -> dict[str, object]:
        return {
            "previous_year": self.previous_year,
            "libraries_compared": self.libraries,
            "current": _float(self.current),
            "previous": _float(self.previous),
            "absolute": _float(self.absolute),
            "percent": None if self.ratio is None else round(float(self.ratio) * 100, 2),
            "percentage_points": _float(self.absolute) if self.points else None,
            "includes_estimates": self.estimated,
            "pending": self.pending,
            "total_current": _float(self.current_total.value),
            "total_previous": _float(self.previous_total.value),
        }


def _float(number: Decimal | None) -> float | None:
    return None if number is None else float(number)


def year_change(current: Table, previous: Table, code: str, row_key: str = "total") -> Change:
    """The like-for-like change of an indicator or performance measure `code` for one row of
    `current` (its total by default) against `previous`: over the row's libraries (on the current
    table's map) that gave a number in both years. The one place a change is computed.

    Kept in the current table's memo: a cached national table is asked the same changes by every
    reader of the dashboard, and each walks every library of the row (most of a warm request)."""
    key = ("change", id(previous), code, row_key)
    found = current.memo.get(key)
    # The previous table is kept beside the change, so its id cannot be reused by another table.
    if isinstance(found, tuple) and found[0] is previous:
        return found[1]  # type: ignore[no-any-return]
    change = _year_change(current, previous, code, row_key)
    current.memo[key] = (previous, change)
    return change


def _year_change(current: Table, previous: Table, code: str, row_key: str) -> Change:
    row = current.total if row_key == "total" else current.row(row_key)
    ids = row.library_ids if row is not None else []
    before = previous.total if row_key == "total" else previous.row(row_key)
    cell, before_cell = (row.cell(code) if row else EMPTY), (before.cell(code) if before else EMPTY)
    measure = get_measure(code)
    if measure is not None and code not in {i.code for i in current.indicators}:
        return _measure_change(current, previous, measure, ids, cell, before_cell)
    indicator = next((i for i in current.indicators if i.code == code), None)
    if indicator is None or not any(i.code == code for i in previous.indicators):
        return Change(None, None, 0, previous.year, cell, before_cell)
    now, then = _numbers(current, indicator), _numbers(previous, indicator)
    pairs = [(now[pk], then[pk]) for pk in ids if pk in now and pk in then]
    values: list[Decimal | None] = [None, None]
    if pairs and indicator.aggregation != Indicator.Aggregation.NONE:
        for side in (0, 1):
            summed = sum((pair[side].number or Decimal(0) for pair in pairs), Decimal(0))
            average = indicator.aggregation == Indicator.Aggregation.AVERAGE
            values[side] = summed / len(pairs) if average else summed
    return Change(
        values[0],
        values[1],
        len(pairs),
        previous.year,
        cell,
        before_cell,
        estimated=any(v.flag in ESTIMATES for pair in pairs for v in pair),
        pending=any(not v.approved for pair in pairs for v in pair),
    )


ESTIMATES = ("estimated", "imputed")


def _measure_change(
    current: Table, previous: Table, measure: Measure, ids: list[int], cell: Cell, before_cell: Cell
) -> Change:
    """A ratio over the libraries that gave both its numbers in both years."""
    top, bottom = (
        indicator_by_concept(current.indicators, measure.numerator),
        indicator_by_concept(current.indicators, measure.denominator),
    )
    if top is None or bottom is None:
        return Change(None, None, 0, previous.year, cell, before_cell, measure.is_percent)
    now, then = _pairs(current, top.code, bottom.code), _pairs(previous, top.code, bottom.code)
    matched: list[tuple[LibraryValue, ...]] = [now[pk] + then[pk] for pk in ids if pk in now and pk in then]
    if not matched:
        return Change(None, None, 0, previous.year, cell, before_cell, measure.is_percent)

    def ratio(numerator: int, denominator: int) -> Decimal:
        over = sum((m[denominator].number or Decimal(0) for m in matched), Decimal(0))
        return sum((m[numerator].number or Decimal(0) for m in matched), Decimal(0)) / over * measure.scale

    return Change(
        ratio(0, 1),
        ratio(2, 3),
        len(matched),
        previous.year,
        cell,
        before_cell,
        measure.is_percent,
        estimated=any(v.flag in ESTIMATES for m in matched for v in m),
        pending=any(not v.approved for m in matched for v in m),
    )


def _pairs(table: Table, top: str, bottom: str) -> dict[int, tuple[LibraryValue, LibraryValue]]:
    """Library id → its own numbers of a measure's two inputs, where it gave both and the bottom
    one is not zero; once per table and measure, not once per row asked."""
    key = ("pairs", top, bottom)
    if key not in table.memo:
        found = {}
        for pk, inputs in table.inputs.items():
            a, b = inputs.get(top), inputs.get(bottom)
            if a is not None and b is not None and _own_number(a) and _own_number(b) and b.number:
                found[pk] = (a, b)
        table.memo[key] = found
    return table.memo[key]  # type: ignore[return-value]


def _own_number(value: LibraryValue) -> bool:
    return value.code == "num" and value.number is not None and value.flag != RUN_ESTIMATE


def _numbers(table: Table, indicator: Indicator) -> dict[int, LibraryValue]:
    """The libraries of the table that gave a number for the indicator (library id → value), read
    once per table and indicator. The measures' inputs (population with the register's figures
    among them) are already in the table; any other indicator is read on its own."""
    key = ("numbers", indicator.pk)
    if key not in table.memo:
        names = input_names()
        if indicator.concept in names or indicator.code in names:
            found = {pk: v[indicator.code] for pk, v in table.inputs.items() if indicator.code in v}
        else:
            found = {}
            rows = indicator_values(
                table.period_id, table.approved_only, few(table.group_of), [indicator.pk], table.accepted_only
            )
            for unit_id, _indicator, code, number, flag, status in rows:
                if unit_id in table.group_of:
                    found[unit_id] = LibraryValue(
                        code, as_decimal(exact(number)), flag, status == Report.Status.APPROVED
                    )
        # A library's own numbers only: an imputation run's estimate is not one it gave.
        table.memo[key] = {
            pk: v for pk, v in found.items() if v.code == "num" and v.number is not None and v.flag != RUN_ESTIMATE
        }
    return table.memo[key]  # type: ignore[return-value]


@dataclass
class PeerStats:
    group: PeerGroup
    measure: Measure
    members: list[tuple[OrgUnit, Decimal]] = field(default_factory=list)  # highest first

    @property
    def values(self) -> list[Decimal]:
        return [value for _unit, value in self.members]

    def quartiles(self) -> tuple[Decimal, Decimal, Decimal] | None:
        """(Q1, median, Q3) with the inclusive method; one member is its own quartiles."""
        data = sorted(self.values)
        if not data:
            return None
        if len(data) == 1:
            return data[0], data[0], data[0]
        q1, q2, q3 = statistics.quantiles(data, n=4, method="inclusive")
        return q1, q2, q3

    @property
    def median(self) -> Decimal | None:
        quartiles = self.quartiles()
        return quartiles[1] if quartiles else None


@dataclass(frozen=True)
class Place:
    unit: OrgUnit
    value: Decimal
    group: PeerGroup
    rank: int  # 1 = the highest value in the group
    of: int
    quartile: int  # 4 = top quarter, 1 = bottom quarter


def peers(table: Table, measure: Measure) -> list[PeerStats]:
    """Libraries with a population served, by size class, each with the measure's value; worked
    out once per table (a cached national table serves every library page)."""
    key = ("peers", measure.code)
    if key not in table.memo:
        stats = {group.code: PeerStats(group, measure) for group in peer_groups()}
        for pk, value in library_measures(table, measure).items():
            group = peer_group_of(population_of(table, pk))
            if group is not None:
                stats[group.code].members.append((table.units[pk], value))
        for entry in stats.values():
            entry.members.sort(key=lambda member: member[1], reverse=True)
        table.memo[key] = [entry for entry in stats.values() if entry.members]
    return table.memo[key]  # type: ignore[return-value]


def place(table: Table, measure: Measure, library_id: int) -> tuple[Place, PeerStats] | None:
    for entry in peers(table, measure):
        for index, (unit, value) in enumerate(entry.members):
            if unit.pk == library_id:
                q1, q2, q3 = entry.quartiles() or (value, value, value)
                quartile = 4 if value >= q3 else 3 if value >= q2 else 2 if value >= q1 else 1
                return Place(unit, value, entry.group, index + 1, len(entry.members), quartile), entry
    return None
