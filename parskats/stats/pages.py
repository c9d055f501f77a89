"""What the figure pages show, built from the core: query parameters, headline figures with change,
charts, one table per section, performance indicators, the year-over-year view, a library's series
and peers. Views (signed-in and public) only pick the network, the access rule and the template."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from parskats.accounts.access import two_level
from parskats.catalogue.models import Indicator, Section, Survey
from parskats.core.changes import Marker
from parskats.core.freetext import is_whole_number
from parskats.network.models import Network, OrgUnit
from parskats.network.timeline import year_end

from . import charts
from .aggregate import (
    Cell,
    Row,
    Scope,
    StatsError,
    Table,
    UnknownYear,
    default_survey,
    indicator_by_concept,
    parse_boundaries,
    survey_years,
)
from .cache import measured_tables
from .compare import Change, place, year_change
from .marks import cell_marks, legend_lines, values_shown
from .measures import Measure
from .performance import available_measures
from .tally import LibraryValue

SERIES_LENGTH = 5  # years shown in the year-over-year view
DASHBOARD_FILE = Path(__file__).resolve().parent / "data" / "dashboard.toml"


@lru_cache(maxsize=1)
def dashboard_config() -> dict[str, Any]:
    return tomllib.loads(DASHBOARD_FILE.read_text(encoding="utf-8"))


def axis_title(indicator: Indicator) -> str:
    """What an axis counts: the indicator's name, with its unit when the unit says more than "a
    count of" ("Apmeklējumu kopskaits", "Izdevumi, EUR"); never a bare "vienības"."""
    if indicator.unit in (Indicator.Unit.COUNT, Indicator.Unit.UNITS, Indicator.Unit.ITEMS):
        return indicator.name
    return f"{indicator.name}, {indicator.get_unit_display()}"


def decimals_for(indicator: Indicator) -> int:
    if indicator.aggregation == Indicator.Aggregation.AVERAGE:
        return 1
    return 2 if indicator.value_type == Indicator.ValueType.DECIMAL else 0


@dataclass
class Query:
    """The page's choices, from the query string; bad values raise StatsError with a reason."""

    survey: Survey
    years: list[int]
    year: int
    boundaries: dt.date | None  # None: each year on its own map
    boundaries_choice: str  # "year", "today" or a date as given
    approved_only: bool
    with_imputed: bool = False  # the imputation run's estimates stand in for numbers not reported
    accepted_only: bool = False  # only the reports the national level has accepted
    two_level: bool = False  # the network reviews on two levels: "accepted nationally" may be chosen
    may_see_unapproved: bool = False  # the reader may choose reports not yet approved, for this year

    def map_date(self, network: Network) -> dt.date:
        return self.boundaries or year_end(self.year, network)

    def params(self, **overrides: object) -> str:
        values: dict[str, object] = {"year": self.year, "boundaries": self.boundaries_choice}
        if not self.approved_only:
            values["status"] = "all"
        elif self.accepted_only:
            values["status"] = "accepted"
        if self.with_imputed:
            values["values"] = "imputed"
        values.update(overrides)
        return "&".join(f"{key}={value}" for key, value in values.items())


def parse_query(request: HttpRequest, network: Network, may_see_unapproved: bool | Callable[[int], bool]) -> Query:
    """`may_see_unapproved` may depend on the year asked (a part of the map changes over time)."""
    survey = default_survey(network)
    years = survey_years(network, survey)
    raw_year = request.GET.get("year", "")
    if not raw_year:
        year = years[0]
    elif not is_whole_number(raw_year) or int(raw_year) not in years:
        raise UnknownYear(_("No reporting period for the year “%(year)s”.") % {"year": raw_year[:20]})
    else:
        year = int(raw_year)
    choice = request.GET.get("boundaries", "year") or "year"
    boundaries = parse_boundaries(choice)
    status = request.GET.get("status", "approved")
    national = two_level(network)
    if status not in ("approved", "all") and not (status == "accepted" and national):
        if national:
            raise StatsError(_("Status must be “approved”, “accepted” or “all”."))
        raise StatsError(_("Status must be “approved” or “all”."))
    shown = request.GET.get("values", "reported") or "reported"
    if shown not in ("reported", "imputed"):
        raise StatsError(_("Values must be “reported” or “imputed”."))
    sees = may_see_unapproved(year) if callable(may_see_unapproved) else may_see_unapproved
    approved_only = not (status == "all" and sees)
    return Query(
        survey,
        years,
        year,
        boundaries,
        choice[:20],
        approved_only,
        shown == "imputed",
        status == "accepted",
        national,
        sees,
    )


@dataclass
class Column:
    code: str
    name: str
    unit: str
    decimals: int
    percent: bool = False
    part: bool = False  # an "of which" indicator
    definition: str = ""


@dataclass
class TableRow:
    label: str
    key: str
    unit: OrgUnit | None
    cells: list[tuple[Cell, int, bool]]
    reports: int
    libraries: int


@dataclass
class PageTable:
    key: str
    title: str
    columns: list[Column]
    rows: list[TableRow]
    total: TableRow | None


def _columns_for(indicators: list[Indicator]) -> list[Column]:
    return [
        Column(i.code, i.name, i.unit_label, decimals_for(i), part=i.parent_id is not None, definition=i.definition)
        for i in indicators
    ]


def _measure_columns(found: list[Measure]) -> list[Column]:
    return [
        Column(m.code, m.name, "%" if m.is_percent else "", m.decimals, m.is_percent, definition=m.definition)
        for m in found
    ]


def _page_row(row: Row, columns: list[Column]) -> TableRow:
    return TableRow(
        row.label,
        row.key,
        row.unit,
        [(row.cell(c.code), c.decimals, c.percent) for c in columns],
        row.reports,
        len(row.library_ids),
    )


def page_table(
    key: str, title: str, table: Table, columns: list[Column], with_total: bool = True, rows: list[Row] | None = None
) -> PageTable:
    return PageTable(
        key,
        title,
        columns,
        [_page_row(row, columns) for row in (table.rows if rows is None else rows)],
        _page_row(table.total, columns) if with_total else None,
    )


def section_tables(table: Table, rows: list[Row] | None = None) -> list[PageTable]:
    by_section: dict[int, list[Indicator]] = {}
    for indicator in table.indicators:
        by_section.setdefault(indicator.section_id, []).append(indicator)
    sections = Section.objects.filter(survey=table.survey, pk__in=by_section).order_by("order")
    return [
        page_table(section.code, section.name, table, _columns_for(by_section[section.pk]), rows=rows)
        for section in sections
    ]


def performance_table(table: Table, rows: list[Row] | None = None) -> PageTable:
    title = _("By library") if table.group_by == "library" else _("By county")
    return page_table("performance", title, table, _measure_columns(available_measures(table)), rows=rows)


# An area with more libraries than this (a US state has up to 750) shows them a page at a time; the
# totals, series and exports cover them all.
AREA_ROWS = 50


@dataclass
class Paging:
    number: int
    count: int
    first: int  # 1-based position of the first row shown
    last: int
    total: int
    links: list[tuple[int, str]]  # page number → query string
    previous: str | None
    next: str | None


def _paging(query: Query, rows: list[Row], raw_page: str | None) -> tuple[list[Row], Paging | None]:
    if len(rows) <= AREA_ROWS:
        return rows, None
    page = Paginator(rows, AREA_ROWS).get_page(raw_page)
    link = {n: query.params(lapa=n) for n in page.paginator.page_range}
    return list(page.object_list), Paging(
        page.number,
        page.paginator.num_pages,
        page.start_index(),
        page.end_index(),
        page.paginator.count,
        list(link.items()),
        link[page.number - 1] if page.has_previous() else None,
        link[page.number + 1] if page.has_next() else None,
    )


@dataclass
class Headline:
    code: str
    name: str
    unit: str
    decimals: int
    cell: Cell
    change: Change | None


@dataclass
class SeriesLine:
    code: str
    name: str
    decimals: int
    percent: bool
    cells: list[Cell]
    change: Change | None  # last year against the one before
    since_first: Change | None  # last year against the first year shown (2019: before the pandemic)


@dataclass
class Figures:
    query: Query
    table: Table
    tables: dict[int, Table]
    headline: list[Headline]
    charts: list[charts.Chart]
    sections: list[PageTable]
    performance: PageTable
    series_years: list[int]
    series: list[SeriesLine]
    series_boundaries: dt.date
    within: OrgUnit | None = None
    notes: list[str] = field(default_factory=list)
    paging: Paging | None = None


def _pick(indicators: list[Indicator], names: list[str]) -> list[Indicator]:
    found = [indicator_by_concept(indicators, name) for name in names]
    return [indicator for indicator in found if indicator is not None]


def _localised(entry: dict[str, Any], key: str) -> str:
    lang = (get_language() or "lv").split("-")[0]
    return str(entry.get(f"{key}_{lang}") or entry.get(f"{key}_lv") or "")


def _chart_marks(cells: list[Cell], with_imputed: bool) -> tuple[list[str], list[str]]:
    """Each drawn figure's marks (for the chart's data table) and the chart's legend: the same
    marks and words as the tables beside it, and, with imputed values, the sentence that says so."""
    found = [cell_marks(cell) for cell in cells]
    used = {mark for marks in found for mark in marks}
    if not with_imputed:
        return ["".join(marks) for marks in found], legend_lines(used)
    # The sentence already says what ≈ is; the methods are in the page's legend above the charts.
    return ["".join(marks) for marks in found], [values_shown(True), *legend_lines(used - {Marker.IMPUTED})]


def build_figures(
    network: Network, query: Query, within: OrgUnit | None = None, page: str | None = None, group_by: str | None = None
) -> Figures:
    """Everything a dashboard (region, or one unit with `within`) shows for the chosen year; an area's
    libraries a `page` at a time when there are many. `group_by`: the rows (by default by library
    within a unit, by county for the whole network)."""
    group_by = group_by or ("library" if within is not None else "county")
    series_years = sorted(y for y in query.years if y <= query.year)[-SERIES_LENGTH:]
    # The series is counted on one map (the chosen one, or the chosen year's) so that it compares
    # like with like across a reform; the year's own table is part of it.
    boundaries = query.map_date(network)
    tables = measured_tables(
        network,
        query.survey,
        series_years,
        Scope(
            group_by=group_by,
            boundaries=boundaries,
            approved_only=query.approved_only,
            within=within,
            imputed=query.with_imputed,
            accepted_only=query.accepted_only,
        ),
    )
    table = tables[query.year]
    previous = tables.get(series_years[-2]) if len(series_years) > 1 else None
    config = dashboard_config()
    shown, paging = _paging(query, table.rows, page) if group_by == "library" else (table.rows, None)

    headline = [
        Headline(
            i.code,
            i.name,
            i.unit_label,
            decimals_for(i),
            table.total.cell(i.code),
            year_change(table, previous, i.code) if previous else None,
        )
        for i in _pick(table.indicators, config["headline"])
    ]

    figures_charts: list[charts.Chart] = []
    group_word = _("by library") if group_by == "library" else _("by county")
    compared = indicator_by_concept(table.indicators, config["compare"])
    if compared is not None:
        cells = [row.cell(compared.code) for row in shown]
        figures_charts.append(
            charts.bar(
                "compare",
                f"{compared.name} {group_word}, {query.year}",
                axis_title(compared),
                [(row.label, cell.value) for row, cell in zip(shown, cells, strict=True)],
                decimals_for(compared),
                *_chart_marks(cells, query.with_imputed),
            )
        )
    measure = next((m for m in available_measures(table) if m.code == config["compare_measure"]), None)
    if measure is not None:
        figures_charts.append(
            charts.bar(
                "measure",
                f"{measure.name} {group_word}, {query.year}",
                measure.name,
                [(row.label, row.cell(measure.code).value) for row in shown],
                measure.decimals,
                *_chart_marks([row.cell(measure.code) for row in shown], query.with_imputed),
            )
        )
    for split in config.get("split", []):
        parts = _pick(table.indicators, split["parts"])
        if len(parts) < 2 or len(series_years) < 2:
            continue
        points: dict[str, dict[int, Decimal | None]] = {
            _part_name(p): {y: tables[y].total.cell(p.code).value for y in series_years} for p in parts
        }
        title, value_title = _localised(split, "title"), axis_title(parts[0].parent or parts[0])
        chart = charts.series(split["code"], title, value_title, points)
        totals = [tables[y].total.cell(p.code) for p in parts for y in series_years]
        chart.notes = _chart_marks(totals, query.with_imputed)[1]
        figures_charts.append(chart)

    series_lines = [
        _series_line(i.code, i.name, decimals_for(i), False, [tables[y] for y in series_years], "total")
        for i in _pick(table.indicators, config["headline"])
    ] + [
        _series_line(m.code, m.name, m.decimals, m.is_percent, [tables[y] for y in series_years], "total")
        for m in available_measures(table)
    ]
    return Figures(
        query=query,
        table=table,
        tables=tables,
        headline=headline,
        charts=figures_charts,
        sections=section_tables(table, shown),
        performance=performance_table(table, shown),
        series_years=series_years,
        series=series_lines,
        series_boundaries=boundaries,
        within=within,
        paging=paging,
    )


def _part_name(indicator: Indicator) -> str:
    """ "t. sk. klātienē" → "klātienē": the part's own words, for a chart legend."""
    return indicator.name.removeprefix("t. sk. ").removeprefix("of which ")


def _series_line(code: str, name: str, decimals: int, percent: bool, tables: list[Table], row_key: str) -> SeriesLine:
    """One figure over the years of `tables` (oldest first) for one row, with its like-for-like
    change on the year before and since the first year."""
    cells = [_row_cell(table, row_key, code) for table in tables]
    last = year_change(tables[-1], tables[-2], code, row_key) if len(tables) > 1 else None
    first = year_change(tables[-1], tables[0], code, row_key) if len(tables) > 2 else None
    return SeriesLine(code, name, decimals, percent, cells, last, first)


def _row_cell(table: Table, row_key: str, code: str) -> Cell:
    row = table.total if row_key == "total" else table.row(row_key)
    return row.cell(code) if row is not None else Cell(None, 0, 0)


@dataclass
class LibraryLine:
    code: str
    name: str
    decimals: int
    part: bool
    values: list[LibraryValue | None]


@dataclass
class PeerLine:
    measure: Measure
    value: Decimal
    group: str
    rank: int
    of: int
    quartile: int
    q1: Decimal
    median: Decimal
    q3: Decimal


@dataclass
class LibraryFigures:
    query: Query
    unit: OrgUnit
    years: list[int]
    lines: list[LibraryLine]
    measures: list[SeriesLine]
    peers: list[PeerLine]
    charts: list[charts.Chart]
    statuses: list[bool]  # a counted report per year


def build_library(network: Network, query: Query, unit: OrgUnit) -> LibraryFigures:
    """One library: every indicator over the years, its performance indicators and its peers."""
    years = sorted(y for y in query.years if y <= query.year)[-SERIES_LENGTH:]
    tables = measured_tables(
        network,
        query.survey,
        years,
        Scope(
            group_by="library",
            boundaries=query.boundaries,
            approved_only=query.approved_only,
            imputed=query.with_imputed,
            accepted_only=query.accepted_only,
        ),
    )
    table = tables[query.year]
    seen: dict[str, Indicator] = {}
    for y in years:
        for indicator in tables[y].indicators:
            if indicator.on_form(y, unit.library_type):
                seen.setdefault(indicator.code, indicator)
    ordered = sorted(seen.values(), key=lambda i: (i.order, i.pk))
    lines = [
        LibraryLine(
            i.code,
            i.name,
            decimals_for(i),
            i.parent_id is not None,
            [tables[y].library(unit.pk).get(i.code) for y in years],
        )
        for i in ordered
    ]
    row_of = {y: tables[y].row(unit.code) or Row(unit.code, unit.name, unit, [], 0) for y in years}
    measure_lines = [
        _series_line(m.code, m.name, m.decimals, m.is_percent, [tables[y] for y in years], unit.code)
        for m in available_measures(table)
    ]
    peer_lines = []
    for m in available_measures(table):
        found = place(table, m, unit.pk)
        if found is None:
            continue
        spot, stats = found
        q1, q2, q3 = stats.quartiles() or (spot.value, spot.value, spot.value)
        peer_lines.append(PeerLine(m, spot.value, spot.group.name, spot.rank, spot.of, spot.quartile, q1, q2, q3))
    library_charts = []
    config = dashboard_config()
    for split in config.get("split", []):
        parts = _pick(table.indicators, split["parts"])
        parts = [p for p in parts if p.code in seen]
        if len(parts) < 2 or len(years) < 2:
            continue
        points: dict[str, dict[int, Decimal | None]] = {}
        for part in parts:
            name = _part_name(part)
            points[name] = {}
            for y in years:
                value = tables[y].library(unit.pk).get(part.code)
                points[name][y] = value.number if value else None
        library_charts.append(
            charts.series(split["code"], _localised(split, "title"), parts[0].get_unit_display(), points)
        )
    return LibraryFigures(
        query=query,
        unit=unit,
        years=years,
        lines=lines,
        measures=measure_lines,
        peers=peer_lines,
        charts=library_charts,
        statuses=[bool(row_of[y].reports) for y in years],
    )
