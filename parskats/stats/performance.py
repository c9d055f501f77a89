"""Performance indicators and peer groups, defined as data in stats/data/performance.toml.

A measure is numerator ÷ denominator × scale over the libraries that gave both numbers, so an
"unknown" never pulls a ratio towards zero; the measure's Cell says how many libraries that was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .aggregate import Cell, Row, Table, indicator_by_concept
from .measures import Measure, PeerGroup, measures, peer_groups
from .tally import LibraryValue


@dataclass(slots=True)
class MeasureTally:
    """A group's sums of one measure over the libraries that gave both numbers."""

    numerator: Decimal = field(default_factory=Decimal)
    denominator: Decimal = field(default_factory=Decimal)
    reported: int = 0  # libraries that gave both numbers
    expected: int = 0  # libraries the measure applies to (neither number "not applicable")
    estimated: int = 0
    pending: int = 0

    def add(self, other: MeasureTally) -> None:
        self.numerator += other.numerator
        self.denominator += other.denominator
        self.reported += other.reported
        self.expected += other.expected
        self.estimated += other.estimated
        self.pending += other.pending


def available_measures(table: Table) -> list[Measure]:
    """The measures whose numerator and denominator this survey and year have."""
    return [
        m
        for m in measures()
        if indicator_by_concept(table.indicators, m.numerator) and indicator_by_concept(table.indicators, m.denominator)
    ]


def add_measures(table: Table, keys: set[str] | None = None) -> Table:
    """Fill every row's (and the total's) `measures` with the available performance indicators,
    in one pass over the libraries: numerator and denominator summed over the libraries that gave both.
    With `keys` (a table refreshed in those rows, aggregate.refresh), only those rows' libraries are
    summed again; the other rows keep theirs, and the total adds every row's sums up."""
    found = available_measures(table)
    library_types = {unit.library_type for unit in table.units.values()}
    specs = []
    for measure in found:
        numerator = indicator_by_concept(table.indicators, measure.numerator)
        denominator = indicator_by_concept(table.indicators, measure.denominator)
        assert numerator is not None and denominator is not None  # available_measures checked
        types = {t for t in library_types if numerator.on_form(table.year, t) and denominator.on_form(table.year, t)}
        specs.append((measure.code, numerator.code, denominator.code, types))
    sums: dict[str, dict[str, MeasureTally]] = {}
    no_values: dict[str, LibraryValue] = {}
    for pk, unit in table.units.items():
        key = table.group_of[pk]
        if keys is not None and key not in keys:
            continue
        group = sums.setdefault(key, {})
        values = table.inputs.get(pk, no_values)
        for code, top_code, bottom_code, types in specs:
            if unit.library_type not in types:
                continue
            top, bottom = values.get(top_code), values.get(bottom_code)
            if (top is not None and top.code == "na") or (bottom is not None and bottom.code == "na"):
                continue
            tally = group.get(code)
            if tally is None:
                tally = group[code] = MeasureTally()
            tally.expected += 1
            if top is None or bottom is None or top.number is None or bottom.number is None or not bottom.number:
                continue
            tally.numerator += top.number
            tally.denominator += bottom.number
            tally.reported += 1
            if top.flag in ("estimated", "imputed") or bottom.flag in ("estimated", "imputed"):
                tally.estimated += 1
            if not (top.approved and bottom.approved):
                tally.pending += 1
    if keys is not None and table._measure_sums is not None:
        sums = {key: kept for key, kept in table._measure_sums.items() if key not in keys} | sums
    table._measure_sums = sums
    total: dict[str, MeasureTally] = {}
    for group in sums.values():
        for code, tally in group.items():
            total.setdefault(code, MeasureTally()).add(tally)
    scale = {measure.code: measure.scale for measure in found}

    def cells(tallies: dict[str, MeasureTally]) -> dict[str, Cell]:
        out = {}
        for measure in found:
            tally = tallies.get(measure.code)
            if tally is None:
                out[measure.code] = Cell(None, 0, 0)
                continue
            value = tally.numerator / tally.denominator * scale[measure.code] if tally.denominator else None
            out[measure.code] = Cell(
                value, tally.reported, tally.expected, estimated=tally.estimated, pending=tally.pending
            )
        return out

    for row in table.rows:
        if keys is None or row.key in keys:  # the other rows are the kept table's, measured already
            row.measures = cells(sums.get(row.key, {}))
    table.total.measures = cells(total)
    return table


def library_measures(table: Table, measure: Measure) -> dict[int, Decimal]:
    """Every library's own value of the measure (those that gave both numbers), in one pass, for the
    peers of a whole network."""
    numerator = indicator_by_concept(table.indicators, measure.numerator)
    denominator = indicator_by_concept(table.indicators, measure.denominator)
    if numerator is None or denominator is None:
        return {}
    types = {
        unit.library_type
        for unit in table.units.values()
        if numerator.on_form(table.year, unit.library_type) and denominator.on_form(table.year, unit.library_type)
    }
    out = {}
    for pk, values in table.inputs.items():
        top, bottom = values.get(numerator.code), values.get(denominator.code)
        if top is None or bottom is None or top.number is None or bottom.number is None or not bottom.number:
            continue
        if pk in table.units and table.units[pk].library_type in types:
            out[pk] = top.number / bottom.number * measure.scale
    return out


def population_of(table: Table, library_id: int) -> Decimal | None:
    population = indicator_by_concept(table.indicators, "population")
    if population is None:
        return None
    value = table.inputs.get(library_id, {}).get(population.code)
    return value.number if value else None


def peer_group_of(persons: Decimal | int | None) -> PeerGroup | None:
    if persons is None:
        return None
    return next((group for group in peer_groups() if group.holds(persons)), None)


def measure_row(row: Row, code: str) -> Cell:
    return row.measures.get(code) or Cell(None, 0, 0)
