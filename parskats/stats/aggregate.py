"""The one aggregation core: a year's values added up per group of libraries, on a chosen map.

    table = aggregate(network, survey, 2021, group_by="county", boundaries=None, approved_only=True)
    table.rows[0].cells["loans"].value, .reported, .expected, .includes_estimates

Every page, chart, export, slide, document and API answer reads a `Table` from here, so one figure
is computed in one place. The rules:

- Which libraries belong to a year: the libraries in the network on the year's last day, plus any
  library that has a report for that year (e.g. one closed in the autumn).
- Where a library is counted: its ancestor at the grouping level on the `boundaries` date — the
  year's own last day by default, or any date (today, say) to re-map a series across a reform.
  A library not on that date's map (closed, not yet linked) is grouped under "not on this map".
- Each indicator follows its catalogue rule: `sum` sums, `average` averages the reported numbers,
  `none` is not totalled (the cell still carries its coverage).
- "Not applicable" and "unknown" never become zeros. A cell says how many libraries gave a number
  (n) out of those expected to (N: the indicator is on their form and not "not applicable"),
  how many said "unknown", and whether any number is estimated/imputed or not yet approved.

It is set-based: a fixed handful of queries whatever the number of libraries or years
(units, links, indicators, reports, values, population), then one pass in memory.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from parskats.catalogue.models import Indicator, Survey
from parskats.core.collation import sort_key
from parskats.network.models import Membership, Network, OrgUnit, PopulationServed
from parskats.network.timeline import Hierarchy, year_end
from parskats.reporting.models import Report, ReportingPeriod, Value

# Grouping levels: a level of the tree (the library's ancestor there), the library type, each
# library on its own row, or the whole selection as one row.
TREE_LEVELS = (OrgUnit.Level.COUNTRY, OrgUnit.Level.REGION, OrgUnit.Level.COUNTY)
GROUPINGS = ("county", "region", "country", "library_type", "library", "network")
ESTIMATE_FLAGS = {Value.Flag.ESTIMATED.value, Value.Flag.IMPUTED.value}
NOT_APPLICABLE = Value.Code.NOT_APPLICABLE.value
OFF_MAP = "-"  # the row key of libraries that are not on the chosen map


class StatsError(ValueError):
    """Bad input to the core (unknown year, unit, indicator, grouping, boundaries): the message says which."""


class UnknownYear(StatsError):
    pass


class UnknownUnit(StatsError):
    pass


class UnknownIndicator(StatsError):
    pass


class BadBoundaries(StatsError):
    pass


class LibraryValue(NamedTuple):
    """One library's value of one indicator as the core saw it (a tuple: there are many)."""

    code: str  # Value.Code: "num", "na", "unknown"
    number: Decimal | None
    flag: str
    approved: bool


@dataclass(frozen=True)
class Cell:
    """A total (or average, or ratio) with its honesty: coverage n of N and what went into it."""

    value: Decimal | None
    reported: int  # libraries that gave a number
    expected: int  # libraries expected to: on their form and not "not applicable"
    unknown: int = 0
    not_applicable: int = 0
    estimated: int = 0  # numbers flagged estimated or imputed
    pending: int = 0  # numbers from reports not yet approved

    @property
    def includes_estimates(self) -> bool:
        return self.estimated > 0

    @property
    def complete(self) -> bool:
        return self.reported >= self.expected

    @property
    def coverage(self) -> float | None:
        return self.reported / self.expected if self.expected else None

    def as_dict(self) -> dict:
        return {
            "value": None if self.value is None else float(self.value),
            "reported": self.reported,
            "expected": self.expected,
            "unknown": self.unknown,
            "not_applicable": self.not_applicable,
            "includes_estimates": self.includes_estimates,
            "pending": self.pending,
        }


EMPTY = Cell(None, 0, 0)


@dataclass
class Row:
    key: str  # unit code, library type, OFF_MAP or "total"
    label: str
    unit: OrgUnit | None
    library_ids: list[int]
    reports: int  # libraries of the row whose report is counted
    cells: dict[str, Cell] = field(default_factory=dict)  # by indicator code
    measures: dict[str, Cell] = field(default_factory=dict)  # performance indicators by code (performance.py)

    def cell(self, code: str) -> Cell:
        return self.cells.get(code) or self.measures.get(code) or EMPTY


@dataclass
class Table:
    network: Network
    survey: Survey
    year: int
    boundaries: dt.date
    group_by: str
    approved_only: bool
    within: OrgUnit | None
    indicators: list[Indicator]  # on the form that year, in catalogue order
    rows: list[Row]
    total: Row
    units: dict[int, OrgUnit]  # every library counted, by id
    values: dict[int, dict[str, LibraryValue]]  # library id → indicator code → value
    group_of: dict[int, str]  # library id → row key
    statuses: dict[int, str]  # library id → status of its counted report

    @property
    def on_own_boundaries(self) -> bool:
        return self.boundaries == year_end(self.year)

    def indicator(self, code: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.code == code:
                return indicator
        raise UnknownIndicator(f"No indicator {code!r} in {self.survey.code} for {self.year}.")

    def row(self, key: str) -> Row | None:
        return next((row for row in self.rows if row.key == key), None)


def indicator_by_concept(indicators: Iterable[Indicator], name: str) -> Indicator | None:
    """An indicator by shared concept (survey-agnostic), else by its own code."""
    indicators = list(indicators)
    return next((i for i in indicators if i.concept == name), None) or next(
        (i for i in indicators if i.code == name), None
    )


# ---------------------------------------------------------------------------------------------
# Loading: one query per kind of data, whatever the size of the network.


@dataclass
class _NetworkMap:
    units: dict[int, OrgUnit]
    links: list[tuple[int, int, dt.date, dt.date | None]]

    def at(self, on: dt.date) -> Hierarchy:
        units = {
            pk: unit
            for pk, unit in self.units.items()
            if (unit.opened_on is None or unit.opened_on <= on) and (unit.closed_on is None or unit.closed_on >= on)
        }
        parent_of = {
            child: parent
            for child, parent, start, end in self.links
            if start <= on and (end is None or end >= on) and child in units and parent in units
        }
        return Hierarchy(on=on, units=units, parent_of=parent_of)


def network_map(network_id: int) -> _NetworkMap:
    units = {unit.pk: unit for unit in OrgUnit.objects.filter(network_id=network_id)}
    links = list(
        Membership.objects.filter(child__network_id=network_id).values_list(
            "child_id", "parent_id", "valid_from", "valid_to"
        )
    )
    return _NetworkMap(units, links)


def survey_years(network: Network, survey: Survey | None = None) -> list[int]:
    """Years with a reporting period in this network (and survey), newest first."""
    periods = ReportingPeriod.objects.filter(network=network)
    if survey is not None:
        periods = periods.filter(survey=survey)
    return sorted(set(periods.values_list("year", flat=True)), reverse=True)


def default_survey(network: Network) -> Survey:
    period = (
        ReportingPeriod.objects.filter(network=network).select_related("survey").order_by("-year", "survey__pk").first()
    )
    if period is None:
        raise UnknownYear(_("This network has no reporting periods yet."))
    return period.survey


def parse_boundaries(raw: str | None, year: int | None = None) -> dt.date | None:
    """ "year" or empty → None (each year on its own map); "today" → today; else an ISO date."""
    if raw in (None, "", "year"):
        return None
    if raw == "today":
        return timezone.localdate()
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        raise BadBoundaries(
            _("Boundaries must be “year”, “today” or a date as YYYY-MM-DD, not “%(value)s”.") % {"value": raw}
        ) from None


def aggregate(
    network: Network,
    survey: Survey,
    year: int,
    *,
    group_by: str = "county",
    boundaries: dt.date | None = None,
    approved_only: bool = True,
    within: OrgUnit | None = None,
    library_type: str | None = None,
) -> Table:
    """The year's table: one row per group, one cell per indicator, and the total row."""
    return aggregate_years(
        network,
        survey,
        [year],
        group_by=group_by,
        boundaries=boundaries,
        approved_only=approved_only,
        within=within,
        library_type=library_type,
    )[year]


def aggregate_years(
    network: Network,
    survey: Survey,
    years: Sequence[int],
    *,
    group_by: str = "county",
    boundaries: dt.date | None = None,
    approved_only: bool = True,
    within: OrgUnit | None = None,
    library_type: str | None = None,
) -> dict[int, Table]:
    """One table per year. With `boundaries`, every year is counted on that date's map, so a series
    across a reform compares like with like; without, each year on its own last day."""
    if group_by not in GROUPINGS:
        raise StatsError(
            _("Unknown grouping “%(value)s”; use one of: %(choices)s.")
            % {"value": group_by, "choices": ", ".join(GROUPINGS)}
        )
    known_years = set(survey_years(network, survey))
    for year in years:
        if year not in known_years:
            raise UnknownYear(_("No reporting period for %(year)s.") % {"year": year})
    if within is not None and within.network_id != network.pk:
        raise UnknownUnit(_("That unit is not in this network."))

    net_map = network_map(network.pk)
    if boundaries is not None and not any(
        start <= boundaries and (end is None or end >= boundaries) for _c, _p, start, end in net_map.links
    ):
        raise BadBoundaries(
            _("The network had no boundaries on %(date)s.") % {"date": boundaries.strftime("%d.%m.%Y.")}
        )
    indicators = list(Indicator.objects.filter(survey=survey).order_by("order", "pk"))

    periods = dict(
        ReportingPeriod.objects.filter(network=network, survey=survey, year__in=years).values_list("id", "year")
    )
    reports = Report.objects.filter(period_id__in=list(periods))
    if approved_only:
        reports = reports.filter(status=Report.Status.APPROVED)
    reported_units: dict[int, dict[int, str]] = defaultdict(dict)  # year → unit → status
    report_of: dict[int, tuple[int, int, bool]] = {}  # report id → (year, unit, approved)
    for report_id, period_id, unit_id, status in reports.values_list("id", "period_id", "unit_id", "status"):
        year = periods[period_id]
        reported_units[year][unit_id] = status
        report_of[report_id] = (year, unit_id, status == Report.Status.APPROVED)

    raw: dict[int, dict[int, dict[str, LibraryValue]]] = defaultdict(dict)
    target = {report_id: raw[year].setdefault(unit_id, {}) for report_id, (year, unit_id, _ok) in report_of.items()}
    is_approved = {report_id: ok for report_id, (_year, _unit, ok) in report_of.items()}
    codes = {indicator.pk: indicator.code for indicator in indicators}
    # The hot loop at national scale (hundreds of thousands of rows): plain lookups only.
    for report_id, indicator_id, code, number, flag in _value_rows(list(periods), approved_only):
        if number is not None and number.__class__ is not Decimal:
            number = Decimal(number) if number.__class__ is int else Decimal(str(number))
        target[report_id][codes[indicator_id]] = LibraryValue(code, number, flag, is_approved[report_id])

    # The population register fills the population indicator of a library whose report lacks it.
    population = indicator_by_concept(indicators, "population")
    persons: dict[tuple[int, int], int] = {}
    if population is not None:
        for unit_id, year, count in PopulationServed.objects.filter(
            Q(unit__network=network), year__in=years
        ).values_list("unit_id", "year", "persons"):
            persons[(year, unit_id)] = count

    tables = {}
    for year in years:
        own = net_map.at(year_end(year))
        chosen = own if boundaries is None else net_map.at(boundaries)
        # A library belongs to the year when it was linked into the network on the year's last day.
        library_ids = {pk for pk in own.parent_of if own.units[pk].level == OrgUnit.Level.LIBRARY}
        library_ids |= {pk for pk in reported_units[year] if pk in net_map.units}
        if within is not None:
            under = {unit.pk for unit in chosen.descendants(within.pk)}
            library_ids &= under
        if library_type:
            library_ids = {pk for pk in library_ids if net_map.units[pk].library_type == library_type}
        year_values = raw[year]
        if population is not None:
            for pk in library_ids:
                registered = persons.get((year, pk))
                if (
                    registered is not None
                    and population.code not in year_values.setdefault(pk, {})
                    and population.on_form(year, net_map.units[pk].library_type)
                ):
                    year_values[pk][population.code] = LibraryValue(
                        Value.Code.NUMBER, Decimal(registered), "reported", True
                    )
        tables[year] = _table(
            network,
            survey,
            year,
            group_by,
            boundaries or year_end(year),
            approved_only,
            within,
            [i for i in indicators if i.on_form(year)],
            {pk: net_map.units[pk] for pk in library_ids},
            chosen,
            {pk: year_values[pk] for pk in library_ids if pk in year_values},
            {pk: status for pk, status in reported_units[year].items() if pk in library_ids},
        )
    return tables


def _value_rows(period_ids: list[int], approved_only: bool) -> Iterator[tuple]:
    """The value rows of these periods as the database returns them: the ORM's per-field
    converters cost more than the aggregation itself at national scale, so the SQL the ORM builds
    is run on a plain cursor and numbers are made Decimals once, by the caller (SQLite gives an
    int or a float for NUMERIC, whose shortest repr is exact; PostgreSQL a Decimal)."""
    values = Value.objects.filter(report__period_id__in=period_ids)
    if approved_only:
        values = values.filter(report__status=Report.Status.APPROVED)
    sql, params = values.values_list("report_id", "indicator_id", "code", "number", "flag").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(10000):
            yield from rows


def _group(unit: OrgUnit, group_by: str, tree: Hierarchy, within: OrgUnit | None) -> tuple[str, str, OrgUnit | None]:
    if group_by == "network":
        return ("total", within.name if within else _("Total"), within)
    if group_by == "library":
        return (unit.code, unit.name, unit)
    if group_by == "library_type":
        return (unit.library_type, str(OrgUnit.LibraryType(unit.library_type).label), None)
    if unit.pk not in tree.units:
        return (OFF_MAP, _("Not on this map"), None)
    ancestor = tree.ancestor_at_level(unit.pk, group_by)
    if ancestor is None:
        return (OFF_MAP, _("Not on this map"), None)
    return (ancestor.code, ancestor.name, ancestor)


def _table(
    network: Network,
    survey: Survey,
    year: int,
    group_by: str,
    boundaries: dt.date,
    approved_only: bool,
    within: OrgUnit | None,
    indicators: list[Indicator],
    units: dict[int, OrgUnit],
    tree: Hierarchy,
    values: dict[int, dict[str, LibraryValue]],
    statuses: dict[int, str],
) -> Table:
    members: dict[str, list[int]] = defaultdict(list)
    labels: dict[str, tuple[str, OrgUnit | None]] = {}
    group_of: dict[int, str] = {}
    for pk, unit in units.items():
        key, label, group_unit = _group(unit, group_by, tree, within)
        members[key].append(pk)
        labels[key] = (label, group_unit)
        group_of[pk] = key

    # One pass over the values into per-group tallies; "expected" comes from how many libraries
    # of each type a group has (minus the "not applicable" answers), not from a loop per cell.
    library_types = {u.library_type for u in units.values()}
    applicable = {t: {i.code for i in indicators if i.on_form(year, t)} for t in library_types}
    tallies: dict[str, dict[str, list]] = defaultdict(dict)
    types: dict[str, Counter[str]] = defaultdict(Counter)
    no_values: dict[str, LibraryValue] = {}
    for pk, unit in units.items():
        key = group_of[pk]
        library_type = unit.library_type
        types[key][library_type] += 1
        on_form, group = applicable[library_type], tallies[key]
        for code, value in values.get(pk, no_values).items():
            if code not in on_form:
                continue
            tally = group.get(code)
            if tally is None:
                tally = group[code] = [Decimal(0), 0, 0, 0, 0, 0]  # total, reported, unknown, n/a, estimated, pending
            if value.code == NOT_APPLICABLE:
                tally[3] += 1
            elif value.number is None:
                tally[2] += 1
            else:
                tally[0] += value.number
                tally[1] += 1
                if value.flag in ESTIMATE_FLAGS:
                    tally[4] += 1
                if not value.approved:
                    tally[5] += 1
    if group_by != "network":  # otherwise the one group is the total itself
        for group in list(tallies.values()):
            for code, tally in group.items():
                merged = tallies["total"].setdefault(code, [Decimal(0), 0, 0, 0, 0, 0])
                for index in range(6):
                    merged[index] += tally[index]
        for counts in list(types.values()):
            types["total"].update(counts)

    def build(key: str, label: str, unit: OrgUnit | None, ids: list[int]) -> Row:
        counts = types[key]
        cells = {}
        for indicator in indicators:
            expected = sum(n for library_type, n in counts.items() if indicator.code in applicable[library_type])
            cells[indicator.code] = _cell(indicator, tallies[key].get(indicator.code), expected)
        return Row(
            key=key,
            label=label,
            unit=unit,
            library_ids=ids,
            reports=sum(1 for pk in ids if pk in statuses),
            cells=cells,
        )

    rows = [build(key, labels[key][0], labels[key][1], ids) for key, ids in members.items()]
    if group_by == "library_type":
        order = [choice.value for choice in OrgUnit.LibraryType]
        rows.sort(key=lambda row: order.index(row.key) if row.key in order else len(order))
    else:
        rows.sort(key=lambda row: (row.key == OFF_MAP, sort_key(row.label)))
    total_label = within.name if within is not None else _("Total")
    total = build("total", total_label, within, list(units))
    return Table(
        network=network,
        survey=survey,
        year=year,
        boundaries=boundaries,
        group_by=group_by,
        approved_only=approved_only,
        within=within,
        indicators=indicators,
        rows=rows,
        total=total,
        units=units,
        values=values,
        group_of=group_of,
        statuses=statuses,
    )


def _cell(indicator: Indicator, tally: list | None, libraries: int) -> Cell:
    """By the indicator's rule: `sum` sums, `average` averages, `none` is not totalled."""
    if tally is None:
        return Cell(None, 0, libraries)
    total, reported, unknown, not_applicable, estimated, pending = tally
    value: Decimal | None = None
    if reported and indicator.aggregation == Indicator.Aggregation.SUM:
        value = total
    elif reported and indicator.aggregation == Indicator.Aggregation.AVERAGE:
        value = total / reported
    return Cell(value, reported, libraries - not_applicable, unknown, not_applicable, estimated, pending)
