"""Comparisons built on the core: like-for-like change between years, and peers (quartiles within a
size class)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from decimal import Decimal

from parskats.catalogue.models import Indicator
from parskats.network.models import OrgUnit
from parskats.reporting.models import Report

from .aggregate import EMPTY, Cell, Row, Table, indicator_by_concept
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
    before = previous.total if row_key == "total" else previous.row(row_key)
    cell, before_cell = (row.cell(code) if row else EMPTY), (before.cell(code) if before else EMPTY)
    measure = get_measure(code)
    is_measure = measure is not None and code not in {i.code for i in current.indicators}
    points = measure.is_percent if is_measure and measure is not None else False
    if is_measure:
        assert measure is not None
        top = indicator_by_concept(current.indicators, measure.numerator)
        bottom = indicator_by_concept(current.indicators, measure.denominator)
        if top is None or bottom is None:
            return Change(None, None, 0, previous.year, cell, before_cell, points)
        aggregation = "ratio"
    else:
        indicator = next((i for i in current.indicators if i.code == code), None)
        if indicator is None or not any(i.code == code for i in previous.indicators):
            return Change(None, None, 0, previous.year, cell, before_cell)
        aggregation = indicator.aggregation
    if row is None:
        part = _Part(0, (), False, False)
    elif row_key == "total" and current.group_by != "network" and len(current.rows) <= PARTS:
        # The total as the sum of its rows' parts: a refreshed table (aggregate.refresh) keeps the
        # parts of the rows that did not change, so only the changed rows are matched again.
        part = _combined_part([_row_part(current, previous, code, each) for each in current.rows])
    else:
        part = _part(current, previous, code, row.library_ids)
    if not part.libraries:
        return Change(None, None, 0, previous.year, cell, before_cell, points)
    values: list[Decimal | None] = [None, None]
    if aggregation == "ratio":
        assert measure is not None
        now_top, now_bottom, then_top, then_bottom = part.sums
        values = [now_top / now_bottom * measure.scale, then_top / then_bottom * measure.scale]
    elif aggregation != Indicator.Aggregation.NONE:
        average = aggregation == Indicator.Aggregation.AVERAGE
        values = [summed / part.libraries if average else summed for summed in part.sums]
    return Change(
        values[0],
        values[1],
        part.libraries,
        previous.year,
        cell,
        before_cell,
        points,
        estimated=part.estimated,
        pending=part.pending,
    )


ESTIMATES = ("estimated", "imputed")
PARTS = 200  # up to this many rows, a total's change is added up from its rows' parts


@dataclass(frozen=True, slots=True)
class _Part:
    """What the libraries of one row give a change: how many gave the figure in both years, the sums
    (an indicator: this year's and last; a measure: this year's numerator and denominator, then last
    year's), and whether a compared value is estimated or not yet approved. Sums of decimals are exact,
    so a total's parts add up to what one pass over all its libraries gives."""

    libraries: int
    sums: tuple[Decimal, ...]
    estimated: bool
    pending: bool


def _combined_part(parts: list[_Part]) -> _Part:
    found = [part for part in parts if part.libraries]
    if not found:
        return _Part(0, (), False, False)
    width = len(found[0].sums)
    return _Part(
        sum(part.libraries for part in found),
        tuple(sum((part.sums[i] for part in found), Decimal(0)) for i in range(width)),
        any(part.estimated for part in found),
        any(part.pending for part in found),
    )


def _row_part(current: Table, previous: Table, code: str, row: Row) -> _Part:
    key = ("part", id(previous), code, row.key)
    found = current.memo.get(key)
    if isinstance(found, tuple) and found[0] is previous:
        return found[1]  # type: ignore[no-any-return]
    part = _part(current, previous, code, row.library_ids)
    current.memo[key] = (previous, part)
    return part


def _part(current: Table, previous: Table, code: str, ids: list[int]) -> _Part:
    """The libraries of `ids` that gave the indicator (or both numbers of the measure) in both years."""
    measure = get_measure(code)
    if measure is not None and code not in {i.code for i in current.indicators}:
        top = indicator_by_concept(current.indicators, measure.numerator)
        bottom = indicator_by_concept(current.indicators, measure.denominator)
        assert top is not None and bottom is not None  # _year_change checked
        now: dict[int, tuple[LibraryValue, ...]] = _pairs(current, top.code, bottom.code)
        then: dict[int, tuple[LibraryValue, ...]] = _pairs(previous, top.code, bottom.code)
    else:
        indicator = next(i for i in current.indicators if i.code == code)
        now = _numbers(current, indicator)
        then = _numbers(previous, indicator)
    matched = [(now[pk], then[pk]) for pk in ids if pk in now and pk in then]
    if not matched:
        return _Part(0, (), False, False)
    width = len(matched[0][0])
    sums = tuple(
        sum((pair[side][i].number or Decimal(0) for pair in matched), Decimal(0))
        for side in (0, 1)
        for i in range(width)
    )
    return _Part(
        len(matched),
        sums,
        any(v.flag in ESTIMATES for pair in matched for side in pair for v in side),
        any(not v.approved for pair in matched for side in pair for v in side),
    )


def _pairs(table: Table, top: str, bottom: str) -> dict[int, tuple[LibraryValue, ...]]:
    """Library id → its own numbers of a measure's two inputs, where it gave both and the bottom
    one is not zero; once per table and measure, not once per row asked."""
    key = ("pairs", top, bottom)
    if key not in table.memo:
        table.memo[key] = _found_pairs(table, top, bottom, table.inputs)
    return table.memo[key]  # type: ignore[return-value]


def _found_pairs(
    table: Table, top: str, bottom: str, inputs: dict[int, dict[str, LibraryValue]]
) -> dict[int, tuple[LibraryValue, ...]]:
    found: dict[int, tuple[LibraryValue, ...]] = {}
    for pk, values in inputs.items():
        a, b = values.get(top), values.get(bottom)
        if a is not None and b is not None and _own_number(a) and _own_number(b) and b.number:
            found[pk] = (a, b)
    return found


def _own_number(value: LibraryValue) -> bool:
    return value.code == "num" and value.number is not None and value.flag != RUN_ESTIMATE


def _numbers(table: Table, indicator: Indicator) -> dict[int, tuple[LibraryValue, ...]]:
    """The libraries of the table that gave a number for the indicator (library id → (value,)), read
    once per table and indicator. The measures' inputs (population with the register's figures
    among them) are already in the table; any other indicator is read on its own."""
    key = ("numbers", indicator.pk)
    if key not in table.memo:
        table.memo[key] = _found_numbers(table, indicator, None)
    return table.memo[key]  # type: ignore[return-value]


def _found_numbers(table: Table, indicator: Indicator, ids: set[int] | None) -> dict[int, tuple[LibraryValue, ...]]:
    """`_numbers` of the libraries `ids` (None: every library of the table)."""
    names = input_names()
    if indicator.concept in names or indicator.code in names:
        inputs = table.inputs if ids is None else {pk: table.inputs[pk] for pk in ids if pk in table.inputs}
        found = {pk: v[indicator.code] for pk, v in inputs.items() if indicator.code in v}
    else:
        found = {}
        within = table.group_of if ids is None else ids
        rows = indicator_values(table.period_id, table.approved_only, few(within), [indicator.pk], table.accepted_only)
        for unit_id, _indicator, code, number, flag, status in rows:
            if unit_id in within:
                found[unit_id] = LibraryValue(code, as_decimal(exact(number)), flag, status == Report.Status.APPROVED)
    # A library's own numbers only: an imputation run's estimate is not one it gave.
    return {pk: (v,) for pk, v in found.items() if v.code == "num" and v.number is not None and v.flag != RUN_ESTIMATE}


def carry_over(kept: Table, table: Table, keys: set[str]) -> None:
    """Give `table`, a refresh of `kept` in the rows `keys` (aggregate.refresh), what `kept` worked out
    that those rows do not change: the changes of the other rows, their parts of the total's change,
    and the per-library numbers compared, with the refreshed rows' libraries read again."""
    ids = {pk for row in table.rows if row.key in keys for pk in row.library_ids}
    for key, found in list(kept.memo.items()):  # a copy: other requests may add to it meanwhile
        if not isinstance(key, tuple):
            continue
        if key[0] in ("change", "part") and key[3] not in keys and key[3] != "total":
            table.memo[key] = found
        elif key[0] == "numbers":
            indicator = next((i for i in table.indicators if i.pk == key[1]), None)
            if indicator is not None:
                kept_numbers: dict[int, tuple[LibraryValue, ...]] = found  # type: ignore[assignment]
                fresh = _found_numbers(table, indicator, ids)
                table.memo[key] = {pk: v for pk, v in kept_numbers.items() if pk not in ids} | fresh
        elif key[0] == "pairs":
            kept_pairs: dict[int, tuple[LibraryValue, ...]] = found  # type: ignore[assignment]
            inputs = {pk: table.inputs[pk] for pk in ids if pk in table.inputs}
            fresh = _found_pairs(table, key[1], key[2], inputs)
            table.memo[key] = {pk: v for pk, v in kept_pairs.items() if pk not in ids} | fresh


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
