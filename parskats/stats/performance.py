"""Performance indicators and peer groups, defined as data in stats/data/performance.toml.

A measure is numerator ÷ denominator × scale over the libraries that gave both numbers, so an
"unknown" never pulls a ratio towards zero; the measure's Cell says how many libraries that was.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from django.utils.translation import get_language

from .aggregate import Cell, Row, Table, indicator_by_concept

DATA_FILE = Path(__file__).resolve().parent / "data" / "performance.toml"


class PerformanceDataError(ValueError):
    pass


@dataclass(frozen=True)
class Measure:
    code: str
    name_lv: str
    name_en: str
    definition_lv: str
    definition_en: str
    numerator: str
    denominator: str
    scale: int
    decimals: int
    format: str  # "number" or "percent"

    def _pick(self, field: str) -> str:
        lang = (get_language() or "lv").split("-")[0]
        return getattr(self, f"{field}_en") if lang == "en" else getattr(self, f"{field}_lv")

    @property
    def name(self) -> str:
        return self._pick("name")

    @property
    def definition(self) -> str:
        return self._pick("definition")

    @property
    def is_percent(self) -> bool:
        return self.format == "percent"


@dataclass(frozen=True)
class PeerGroup:
    code: str
    name_lv: str
    name_en: str
    min: int
    max: int | None

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "lv").startswith("en") else self.name_lv

    def holds(self, persons: Decimal | int) -> bool:
        return self.min <= persons and (self.max is None or persons <= self.max)


def _require(entry: dict, key: str, where: str) -> object:
    if key not in entry:
        raise PerformanceDataError(f"{DATA_FILE.name}, {where}: {key!r} is missing.")
    return entry[key]


@lru_cache(maxsize=1)
def _load() -> tuple[tuple[Measure, ...], tuple[PeerGroup, ...]]:
    data = tomllib.loads(DATA_FILE.read_text(encoding="utf-8"))
    measures = []
    for index, entry in enumerate(data.get("measure", []), start=1):
        where = f"measure {index}"
        fields = {key: _require(entry, key, where) for key in Measure.__dataclass_fields__}
        if fields["format"] not in ("number", "percent"):
            raise PerformanceDataError(f"{DATA_FILE.name}, {where}: format must be number or percent.")
        measures.append(Measure(**fields))  # type: ignore[arg-type]
    groups = [
        PeerGroup(
            code=str(_require(entry, "code", f"peer_group {i}")),
            name_lv=str(_require(entry, "name_lv", f"peer_group {i}")),
            name_en=str(_require(entry, "name_en", f"peer_group {i}")),
            min=int(entry.get("min", 0)),
            max=int(entry["max"]) if "max" in entry else None,
        )
        for i, entry in enumerate(data.get("peer_group", []), start=1)
    ]
    return tuple(measures), tuple(groups)


def measures() -> list[Measure]:
    return list(_load()[0])


def peer_groups() -> list[PeerGroup]:
    return list(_load()[1])


def get_measure(code: str) -> Measure | None:
    return next((m for m in measures() if m.code == code), None)


def available_measures(table: Table) -> list[Measure]:
    """The measures whose numerator and denominator this survey and year have."""
    return [
        m
        for m in measures()
        if indicator_by_concept(table.indicators, m.numerator) and indicator_by_concept(table.indicators, m.denominator)
    ]


def compute_measure(table: Table, measure: Measure, ids: list[int]) -> Cell:
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
        values = table.values.get(pk, {})
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


def add_measures(table: Table) -> Table:
    """Fill every row's (and the total's) `measures` with the available performance indicators,
    in one pass over the libraries (the same rule as compute_measure, at national scale)."""
    found = available_measures(table)
    library_types = {unit.library_type for unit in table.units.values()}
    specs = []
    for measure in found:
        numerator = indicator_by_concept(table.indicators, measure.numerator)
        denominator = indicator_by_concept(table.indicators, measure.denominator)
        assert numerator is not None and denominator is not None  # available_measures checked
        types = {t for t in library_types if numerator.on_form(table.year, t) and denominator.on_form(table.year, t)}
        specs.append((measure.code, numerator.code, denominator.code, types))
    # per group and measure: numerator sum, denominator sum, reported, expected, estimated, pending
    sums: dict[str, dict[str, list]] = {}
    no_values: dict = {}
    for pk, unit in table.units.items():
        key = table.group_of[pk]
        group = sums.setdefault(key, {})
        values = table.values.get(pk, no_values)
        for code, top_code, bottom_code, types in specs:
            if unit.library_type not in types:
                continue
            top, bottom = values.get(top_code), values.get(bottom_code)
            if (top is not None and top.code == "na") or (bottom is not None and bottom.code == "na"):
                continue
            tally = group.get(code)
            if tally is None:
                tally = group[code] = [Decimal(0), Decimal(0), 0, 0, 0, 0]
            tally[3] += 1
            if top is None or bottom is None or top.number is None or bottom.number is None or not bottom.number:
                continue
            tally[0] += top.number
            tally[1] += bottom.number
            tally[2] += 1
            if top.flag in ("estimated", "imputed") or bottom.flag in ("estimated", "imputed"):
                tally[4] += 1
            if not (top.approved and bottom.approved):
                tally[5] += 1
    total: dict[str, list] = {}
    for group in sums.values():
        for code, tally in group.items():
            merged = total.setdefault(code, [Decimal(0), Decimal(0), 0, 0, 0, 0])
            for index in range(6):
                merged[index] += tally[index]
    scale = {measure.code: measure.scale for measure in found}

    def cells(tallies: dict[str, list]) -> dict[str, Cell]:
        out = {}
        for measure in found:
            tally = tallies.get(measure.code)
            if tally is None:
                out[measure.code] = Cell(None, 0, 0)
                continue
            top, bottom, reported, expected, estimated, pending = tally
            value = top / bottom * scale[measure.code] if bottom else None
            out[measure.code] = Cell(value, reported, expected, estimated=estimated, pending=pending)
        return out

    for row in table.rows:
        row.measures = cells(sums.get(row.key, {}))
    table.total.measures = cells(total)
    return table


def library_measure(table: Table, measure: Measure, library_id: int) -> Decimal | None:
    return compute_measure(table, measure, [library_id]).value


def population_of(table: Table, library_id: int) -> Decimal | None:
    population = indicator_by_concept(table.indicators, "population")
    if population is None:
        return None
    value = table.values.get(library_id, {}).get(population.code)
    return value.number if value else None


def peer_group_of(persons: Decimal | int | None) -> PeerGroup | None:
    if persons is None:
        return None
    return next((group for group in peer_groups() if group.holds(persons)), None)


def measure_row(row: Row, code: str) -> Cell:
    return row.measures.get(code) or Cell(None, 0, 0)
