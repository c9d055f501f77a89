"""The one aggregation core: a year's values added up per group of libraries, on a chosen map.

    table = aggregate(network, survey, 2021, Scope(group_by="county", boundaries=None, approved_only=True))
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
import gc
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from parskats.catalogue.models import Indicator, Survey
from parskats.core.collation import sort_key
from parskats.network.models import Network, OrgUnit
from parskats.network.timeline import Hierarchy, network_map, year_end
from parskats.reporting.models import Report, ReportingPeriod, Value

from .measures import input_names
from .tally import (
    RUN_ESTIMATE,
    LibraryValue,
    Slot,
    Tally,
    few,
    fills_population,
    imputed_rows,
    kind_rows,
    library_values,
    registered_population,
    stream,
    stream_inputs,
    tally_in_database,
)

# Grouping levels: a level of the tree (the library's ancestor there), the library type, each
# library on its own row, or the whole selection as one row.
TREE_LEVELS = (OrgUnit.Level.COUNTRY, OrgUnit.Level.REGION, OrgUnit.Level.COUNTY)
GROUPINGS = ("county", "region", "country", "library_type", "library", "network")
OFF_MAP = "-"  # the row key of libraries that are not on the chosen map
# The database adds each group's values up (tally.tally_in_database); False streams every value
# through Python as before (the tests compare the two on every cell).
IN_DATABASE = True


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
    imputed: int = 0  # estimates of an imputation run for libraries that did not report the number

    @property
    def includes_estimates(self) -> bool:
        return self.estimated > 0

    @property
    def complete(self) -> bool:
        return self.reported >= self.expected

    @property
    def coverage(self) -> float | None:
        return self.reported / self.expected if self.expected else None

    def as_dict(self) -> dict[str, object]:
        return {
            "value": None if self.value is None else float(self.value),
            "reported": self.reported,
            "expected": self.expected,
            "unknown": self.unknown,
            "not_applicable": self.not_applicable,
            "includes_estimates": self.includes_estimates,
            "pending": self.pending,
            "imputed": self.imputed,
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
    group_of: dict[int, str]  # every library counted → its row key
    statuses: dict[int, str]  # library id → status of its counted report
    period_id: int
    population: Indicator | None
    persons: dict[tuple[int, int], int]  # the population register: (year, library id) → persons
    imputed: bool = False  # the year's imputed values stand in for numbers not reported
    accepted_only: bool = False  # only reports the national level has accepted
    # Per library, and so large at national scale: read on first use, and not kept in the cache.
    _units: dict[int, OrgUnit] | None = field(default=None, repr=False)
    _inputs: dict[int, dict[str, LibraryValue]] | None = field(default=None, repr=False)
    _values: dict[int, dict[str, LibraryValue]] | None = field(default=None, repr=False)
    _one: dict[int, dict[str, LibraryValue]] = field(default_factory=dict, repr=False)
    memo: dict[object, object] = field(default_factory=dict, repr=False)  # what is derived from it (peers)
    # What a refresh of some groups (`refresh`) rebuilds the total from: each row's tallies, its
    # libraries by type, which indicators each type's form has, and the libraries on the year's map.
    _groups: dict[str, dict[int, Tally]] | None = field(default=None, repr=False)
    _types: dict[str, Counter[str]] | None = field(default=None, repr=False)
    _applicable: dict[str, frozenset[int]] | None = field(default=None, repr=False)
    _on_map: frozenset[int] = field(default=frozenset(), repr=False)
    _measure_sums: dict[str, dict[str, Any]] | None = field(default=None, repr=False)  # performance.py

    def __getstate__(self) -> dict[str, object]:
        return {**self.__dict__, "_units": None, "_inputs": None, "_values": None, "_one": {}, "memo": {}}

    @property
    def units(self) -> dict[int, OrgUnit]:
        """Every library counted, by id."""
        if self._units is None:
            self._units = OrgUnit.objects.in_bulk(list(self.group_of))
        return self._units

    @property
    def values(self) -> dict[int, dict[str, LibraryValue]]:
        """Every value of every library counted (library id → indicator code → value)."""
        if self._values is None:
            self._values = self._read(self.units)
        return self._values

    @property
    def inputs(self) -> dict[int, dict[str, LibraryValue]]:
        """Per library, at least the values the performance measures divide."""
        return self._inputs if self._inputs is not None else self.values

    def library(self, pk: int) -> dict[str, LibraryValue]:
        """One library's values (indicator code → value), without reading everyone's."""
        if pk not in self.group_of:
            return {}
        if self._values is not None:
            return self._values.get(pk, {})
        if pk not in self._one:
            unit = self._units[pk] if self._units is not None else OrgUnit.objects.get(pk=pk)
            self._one[pk] = self._read({pk: unit}).get(pk, {})
        return self._one[pk]

    def _read(self, units: dict[int, OrgUnit]) -> dict[int, dict[str, LibraryValue]]:
        found = library_values(
            self.period_id,
            self.approved_only,
            units,
            self.indicators,
            self.year,
            self.population,
            self.persons,
            self.accepted_only,
        )
        if self.imputed:
            # "With imputed values" per library too, as the totals count them: the run's estimate
            # only where the counted report has no number of its own, flagged so every page marks it.
            code_of = {i.pk: i.code for i in self.indicators}
            for unit_id, indicator_id, number, given in imputed_rows(
                self.period_id, self.approved_only, list(units), self.accepted_only
            ):
                if given in (Value.Code.NUMBER, Value.Code.NOT_APPLICABLE) or indicator_id not in code_of:
                    continue
                found.setdefault(unit_id, {})[code_of[indicator_id]] = LibraryValue(
                    Value.Code.NUMBER, Decimal(number), RUN_ESTIMATE, True
                )
        return found

    @property
    def on_own_boundaries(self) -> bool:
        return self.boundaries == year_end(self.year, self.network)

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


@dataclass(frozen=True, slots=True)
class Scope:
    """What an aggregation counts and how it groups, apart from the network, survey and years:
    one object, so the core, the cache and every caller agree on the choices (and the cache key)."""

    group_by: str = "county"
    boundaries: dt.date | None = None  # None: each year on its own last day's map
    approved_only: bool = True
    within: OrgUnit | None = None
    library_type: str | None = None
    imputed: bool = False  # False: reported values only; True: with the imputation run's estimates
    # Of the approved reports only those the national level has accepted (a network reviewing on two levels).
    accepted_only: bool = False

    def key(self) -> str:
        """The choices as a cache key part."""
        within = self.within.pk if self.within is not None else ""
        kind = f"{self.library_type or ''}:{int(self.imputed)}"
        counted = 2 if self.accepted_only else int(self.approved_only)
        return f"{self.group_by}:{self.boundaries or ''}:{counted}:{within}:{kind}"


COUNTY = Scope()


def aggregate(network: Network, survey: Survey, year: int, scope: Scope = COUNTY) -> Table:
    """The year's table: one row per group, one cell per indicator, and the total row."""
    return aggregate_years(network, survey, [year], scope)[year]


def aggregate_years(
    network: Network,
    survey: Survey,
    years: Sequence[int],
    scope: Scope = COUNTY,
    *,
    libraries: Collection[int] | None = None,
) -> dict[int, Table]:
    """One table per year. With `scope.boundaries`, every year is counted on that date's map, so a
    series across a reform compares like with like; without, each year on its own last day.
    `libraries`: count only these (whole groups of a table being refreshed, `refresh`)."""
    # A national year makes some hundred thousand small objects, none of them in a cycle: the
    # collector's full passes over the process's heap meanwhile (the network map's tens of
    # thousands of units among it) cost more than the pass itself, so it waits until the end.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _aggregate_years(network, survey, years, scope, libraries)
    finally:
        if collecting:
            gc.enable()


def _aggregate_years(
    network: Network,
    survey: Survey,
    years: Sequence[int],
    scope: Scope,
    libraries: Collection[int] | None,
) -> dict[int, Table]:
    group_by, boundaries, within = scope.group_by, scope.boundaries, scope.within
    approved_only, library_type = scope.approved_only, scope.library_type
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

    periods = dict(
        ReportingPeriod.objects.filter(network=network, survey=survey, year__in=years).values_list("id", "year")
    )
    reports = Report.objects.filter(period_id__in=list(periods))
    branches_report = reports.filter(unit__level=OrgUnit.Level.BRANCH).exists()
    net_map = network_map(
        network.pk, without_branches=not branches_report and (within is None or within.level != OrgUnit.Level.BRANCH)
    )
    if boundaries is not None and not net_map.had_boundaries_on(boundaries):
        raise BadBoundaries(
            _("The network had no boundaries on %(date)s.") % {"date": boundaries.strftime("%d.%m.%Y.")}
        )
    indicators = list(Indicator.objects.filter(survey=survey).order_by("order", "pk"))
    if approved_only or scope.accepted_only:
        reports = reports.filter(status=Report.Status.APPROVED)
    if scope.accepted_only:
        reports = reports.filter(national_status=Report.NationalStatus.ACCEPTED)
    reported_units: dict[int, dict[int, str]] = defaultdict(dict)  # year → unit → status
    report_of: dict[int, tuple[int, int, bool]] = {}  # report id → (year, unit, approved)
    for report_id, period_id, unit_id, status in reports.values_list("id", "period_id", "unit_id", "status"):
        year = periods[period_id]
        reported_units[year][unit_id] = status
        report_of[report_id] = (year, unit_id, status == Report.Status.APPROVED)

    population = indicator_by_concept(indicators, "population")
    persons = registered_population(network.pk, years) if population is not None else {}
    keep_names = input_names()
    keep = {i.pk: i.code for i in indicators if i.concept in keep_names or i.code in keep_names}
    period_of = {year: period_id for period_id, year in periods.items()}

    plans: dict[int, _Plan] = {}
    slots: dict[int, Slot] = {}
    for year in years:
        own = net_map.at(year_end(year, network))
        chosen = own if boundaries is None else net_map.at(boundaries)
        # A library belongs to the year when it was linked into the network on the year's last day.
        on_map = {pk for pk in own.parent_of if own.units[pk].level == OrgUnit.Level.LIBRARY}
        library_ids = on_map | {pk for pk in reported_units[year] if pk in net_map.units}
        if within is not None:
            library_ids &= {unit.pk for unit in chosen.descendants(within.pk)}
        if library_type:
            library_ids = {pk for pk in library_ids if net_map.units[pk].library_type == library_type}
        if libraries is not None:
            library_ids &= set(libraries)
        plan = _Plan(
            year,
            [i for i in indicators if i.on_form(year)],
            {pk: net_map.units[pk] for pk in library_ids},
            chosen,
            {pk: status for pk, status in reported_units[year].items() if pk in library_ids},
            on_map=frozenset(on_map & library_ids),
        )
        plan.group(group_by, within)
        plans[year] = plan
        for report_id, (report_year, unit_id, ok) in report_of.items():
            if report_year == year and unit_id in library_ids:
                slots[report_id] = Slot(plan.tally_map(unit_id, ok), plan.inputs.setdefault(unit_id, {}), ok)

    unit_filter = few(pk for plan in plans.values() for pk in plan.units) if within is not None else None
    population_id = population.pk if population else None
    if IN_DATABASE and tally_in_database(slots):
        # The database added the tallies up; only the measure inputs are read value by value.
        with_population = (
            stream_inputs(
                kind_rows(list(periods), approved_only, unit_filter, list(slots), scope.accepted_only, list(keep)),
                slots,
                keep,
                population_id,
            )
            if keep
            else set()
        )
    else:
        with_population = stream(
            kind_rows(list(periods), approved_only, unit_filter, list(slots), scope.accepted_only),
            slots,
            keep,
            population_id,
        )
    # The population register fills the population indicator of a library whose report lacks it.
    if population is not None:
        has_own = {report_of[report_id][:2] for report_id in with_population}
        for plan in plans.values():
            plan.fill_population(population, persons, has_own)
    if scope.imputed:
        for year, plan in plans.items():
            plan.add_imputed(imputed_rows(period_of[year], approved_only, unit_filter, scope.accepted_only), keep)

    return {
        year: plan.table(network, survey, scope, period_of[year], population, persons) for year, plan in plans.items()
    }


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


@dataclass
class _Plan:
    """One year of an aggregation: who is counted, in which group, and the groups' tallies."""

    year: int
    indicators: list[Indicator]  # on the form that year
    units: dict[int, OrgUnit]
    tree: Hierarchy
    statuses: dict[int, str]
    on_map: frozenset[int] = frozenset()  # the counted libraries linked on the year's last day
    members: dict[str, list[int]] = field(default_factory=dict)
    labels: dict[str, tuple[str, OrgUnit | None]] = field(default_factory=dict)
    group_of: dict[int, str] = field(default_factory=dict)
    # (row key, approved) → indicator id → tally; numbers of reports not yet approved are tallied
    # apart, so the hot loop need not ask, and their count is the "pending" of the cell.
    tallies: dict[tuple[str, bool], dict[int, Tally]] = field(default_factory=dict)
    maps: dict[tuple[str, str, bool], dict[int, Tally]] = field(default_factory=dict)
    inputs: dict[int, dict[str, LibraryValue]] = field(default_factory=dict)
    applicable: dict[str, frozenset[int]] = field(default_factory=dict)  # library type → indicator ids

    def group(self, group_by: str, within: OrgUnit | None) -> None:
        for pk, unit in self.units.items():
            key, label, group_unit = _group(unit, group_by, self.tree, within)
            self.members.setdefault(key, []).append(pk)
            self.labels[key] = (label, group_unit)
            self.group_of[pk] = key
        for library_type in {u.library_type for u in self.units.values()}:
            self.applicable[library_type] = frozenset(
                i.pk for i in self.indicators if i.on_form(self.year, library_type)
            )

    def tally_map(self, unit_id: int, approved: bool) -> dict[int, Tally]:
        """The tallies a library's rows go to: its group's, for the indicators on its form."""
        key, library_type = self.group_of[unit_id], self.units[unit_id].library_type
        found = self.maps.get((key, library_type, approved))
        if found is None:
            group = self.tallies.setdefault((key, approved), {})
            found = {pk: group.setdefault(pk, Tally()) for pk in self.applicable[library_type]}
            self.maps[(key, library_type, approved)] = found
        return found

    def fill_population(
        self, population: Indicator, persons: dict[tuple[int, int], int], has_own: set[tuple[int, int]]
    ) -> None:
        for pk, unit in self.units.items():
            registered = persons.get((self.year, pk))
            if registered is None or (self.year, pk) in has_own or not fills_population(population, self.year, unit):
                continue
            if population.pk not in self.applicable[unit.library_type]:
                continue
            tally = self.tally_map(pk, True)[population.pk]
            tally.total += registered
            tally.reported += 1
            self.inputs.setdefault(pk, {})[population.code] = LibraryValue(
                Value.Code.NUMBER, Decimal(registered), Value.Flag.REPORTED, True
            )

    def add_imputed(self, rows: list[tuple[int, int, Any, str]], keep: dict[int, str]) -> None:
        """The imputation run's estimates, each only where the library's counted report has no
        number of its own (and did not answer "not applicable"); an "unknown" it replaces."""
        for unit_id, indicator_id, number, given in rows:
            unit = self.units.get(unit_id)
            if unit is None or given in (Value.Code.NUMBER, Value.Code.NOT_APPLICABLE):
                continue
            if indicator_id not in self.applicable[unit.library_type]:
                continue
            tally = self.tally_map(unit_id, True)[indicator_id]
            if given == Value.Code.UNKNOWN:
                tally.unknown -= 1
            tally.total += number
            tally.reported += 1
            tally.estimated += 1
            tally.imputed += 1
            if indicator_id in keep:
                self.inputs.setdefault(unit_id, {})[keep[indicator_id]] = LibraryValue(
                    Value.Code.NUMBER, Decimal(number), RUN_ESTIMATE, True
                )

    def table(
        self,
        network: Network,
        survey: Survey,
        scope: Scope,
        period_id: int,
        population: Indicator | None,
        persons: dict[tuple[int, int], int],
    ) -> Table:
        group_by, within = scope.group_by, scope.within
        # "Expected" comes from how many libraries of each type a group has (minus the "not
        # applicable" answers), not from a loop per cell.
        types: dict[str, Counter[str]] = defaultdict(Counter)
        for pk, unit in self.units.items():
            types[self.group_of[pk]][unit.library_type] += 1
        parts: dict[str, list[tuple[dict[int, Tally], bool]]] = defaultdict(list)
        for (key, approved), group in self.tallies.items():
            parts[key].append((group, approved))
        tallies = {key: _combined(groups) for key, groups in parts.items()}

        def build(key: str, label: str, unit: OrgUnit | None, ids: list[int]) -> Row:
            return _row(self.indicators, self.applicable, key, label, unit, ids, self.statuses, types[key], tallies)

        rows = [build(key, self.labels[key][0], self.labels[key][1], ids) for key, ids in self.members.items()]
        if group_by == "library_type":
            order = [choice.value for choice in OrgUnit.LibraryType]
            rows.sort(key=lambda row: order.index(row.key) if row.key in order else len(order))
        else:
            rows.sort(key=lambda row: (row.key == OFF_MAP, sort_key(row.label)))
        total = _total(
            self.indicators, self.applicable, group_by, within, list(self.units), self.statuses, types, tallies
        )
        return Table(
            network=network,
            survey=survey,
            year=self.year,
            boundaries=scope.boundaries or year_end(self.year, network),
            group_by=group_by,
            approved_only=scope.approved_only or scope.accepted_only,
            accepted_only=scope.accepted_only,
            within=within,
            indicators=self.indicators,
            rows=rows,
            total=total,
            group_of=self.group_of,
            statuses=self.statuses,
            period_id=period_id,
            population=population,
            persons={key: n for key, n in persons.items() if key[0] == self.year},
            imputed=scope.imputed,
            _units=self.units,
            _inputs=self.inputs,
            _groups=tallies,
            _types=dict(types),
            _applicable=self.applicable,
            _on_map=self.on_map,
        )


def _row(
    indicators: list[Indicator],
    applicable: dict[str, frozenset[int]],
    key: str,
    label: str,
    unit: OrgUnit | None,
    ids: list[int],
    statuses: dict[int, str],
    counts: Counter[str],
    tallies: dict[str, dict[int, Tally]],
) -> Row:
    group = tallies.get(key, {})
    cells = {}
    for indicator in indicators:
        expected = sum(n for t, n in counts.items() if indicator.pk in applicable[t])
        cells[indicator.code] = _cell(indicator, group.get(indicator.pk), expected)
    return Row(key, label, unit, ids, sum(1 for pk in ids if pk in statuses), cells)


def _total(
    indicators: list[Indicator],
    applicable: dict[str, frozenset[int]],
    group_by: str,
    within: OrgUnit | None,
    ids: list[int],
    statuses: dict[int, str],
    types: dict[str, Counter[str]],
    tallies: dict[str, dict[int, Tally]],
) -> Row:
    """The total row from the rows' tallies (with "network" the one row is the total itself)."""
    label = within.name if within is not None else _("Total")
    if group_by == "network":
        return _row(
            indicators, applicable, "total", label, within, ids, statuses, types.get("total", Counter()), tallies
        )
    counts: Counter[str] = Counter()
    for found in types.values():
        counts.update(found)
    everything = {"total": _combined([(group, True) for group in tallies.values()])}
    return _row(indicators, applicable, "total", label, within, ids, statuses, counts, everything)


def refresh(old: Table, scope: Scope, changed: set[int]) -> tuple[Table, set[str]] | None:
    """`old` with the rows of the `changed` libraries computed again from the database and the total
    rebuilt from every row's tallies: the same table as computing the year again while the map and
    the year's libraries stand (each row's figures depend on its own libraries only). Returns the
    table and the keys of the rows recomputed, or None where that does not hold: a library not on
    the year's map (whether it is counted depends on its reports), or the change reaches every row.

    The performance measures and the kept comparisons are not in it (performance.add_measures,
    compare.carry_over)."""
    groups, types = old._groups, old._types
    if groups is None or types is None or old._applicable is None or not changed <= old._on_map:
        return None
    if old.group_by == "network":
        return None
    keys = {old.group_of[pk] for pk in changed}
    ids = {pk for row in old.rows if row.key in keys for pk in row.library_ids}
    if len(ids) == len(old.group_of):
        return None
    fresh = aggregate_years(old.network, old.survey, [old.year], scope, libraries=ids)[old.year]
    rows = {row.key: row for row in fresh.rows}
    if set(rows) != keys or fresh._groups is None or fresh._types is None:
        return None
    if any(sorted(rows[row.key].library_ids) != sorted(row.library_ids) for row in old.rows if row.key in keys):
        return None  # the map under the groups moved: never while the network's counter stands
    tallies = {key: found for key, found in groups.items() if key not in keys} | fresh._groups
    counts = {key: found for key, found in types.items() if key not in keys} | fresh._types
    statuses = {pk: status for pk, status in old.statuses.items() if pk not in ids} | fresh.statuses
    inputs = {pk: found for pk, found in (old._inputs or {}).items() if pk not in ids} | (fresh._inputs or {})
    applicable = {**old._applicable, **(fresh._applicable or {})}
    total = _total(
        old.indicators, applicable, old.group_by, old.within, old.total.library_ids, statuses, counts, tallies
    )
    table = replace(
        old,
        rows=[rows.get(row.key, row) for row in old.rows],
        total=total,
        statuses=statuses,
        _inputs=inputs,
        _values=None,
        _one={},
        memo={},
        _groups=tallies,
        _types=counts,
        _applicable=applicable,
        _measure_sums=old._measure_sums,
    )
    return table, keys


def _combined(parts: Iterable[tuple[dict[int, Tally], bool]]) -> dict[int, Tally]:
    """Tallies added up; the numbers of a part not approved count as pending."""
    combined: dict[int, Tally] = {}
    for group, approved in parts:
        for indicator_id, tally in group.items():
            combined.setdefault(indicator_id, Tally()).add(tally, approved)
    return combined


def _cell(indicator: Indicator, tally: Tally | None, libraries: int) -> Cell:
    """By the indicator's rule: `sum` sums, `average` averages, `none` is not totalled."""
    if tally is None:
        return Cell(None, 0, libraries)
    reported = tally.reported
    value: Decimal | None = None
    if reported and indicator.aggregation == Indicator.Aggregation.SUM:
        value = Decimal(tally.total)
    elif reported and indicator.aggregation == Indicator.Aggregation.AVERAGE:
        value = Decimal(tally.total) / reported
    return Cell(
        value,
        reported,
        libraries - tally.not_applicable,
        tally.unknown,
        tally.not_applicable,
        tally.estimated,
        tally.pending,
        tally.imputed,
    )
