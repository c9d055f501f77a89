"""Import one fiscal year of the US Public Libraries Survey into the network "us-pls".

    result = import_year(Path("FY2017"), actor=user, progress=bar)

Reads the AE, outlet and state summary files of the year (kind told by the header, any encoding),
builds or updates the network for that year (USA → states → library systems → outlets, one
membership per unit and year), and stores every element as a Value with its code, flag and
original missing-value code. All of it in one transaction: a problem anywhere imports nothing.
Importing the same files again changes nothing. Bulk operations throughout: a year is ~9,000
systems, ~17,000 outlets and ~450,000 values.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from parskats.audit.models import AuditEntry, record
from parskats.catalogue.loader import load_catalogue
from parskats.catalogue.models import Indicator, Survey
from parskats.network.models import Membership, Network, OrgUnit, PopulationServed
from parskats.reporting.models import Report, ReportingPeriod, Value
from parskats.stats.cache import data_changed

from .layout import (
    OUTLET_MANIFEST,
    SURVEY_MANIFEST,
    Layout,
    LayoutError,
    layout_for_year,
    missing_codes,
    read_layout,
    state_names,
)
from .reading import ParsedFile, Progress, ReadError, at, classify, parse, read_header

NETWORK_SLUG = "us-pls"
NETWORK_NAME = "ASV publiskās bibliotēkas (IMLS PLS)"
COUNTRY_CODE = "us"
BATCH = 5000
# bulk_update writes one CASE per field over the batch; PostgreSQL slows down sharply on big CASEs
# (measured: 44 s for 7,600 renamed units at 5,000 a batch), so updates go in small batches.
UPDATE_BATCH = 500
YEAR_IN_NAME = re.compile(r"(?:FY|fy)?((?:19|20)\d\d)(?!\d)")


class ImportFailed(Exception):
    """Nothing was imported; `problems` says why, each with its file and line."""

    def __init__(self, problems: list[str], files: list[ParsedFile] | None = None) -> None:
        self.problems = problems
        self.files = files or []
        super().__init__("\n".join(problems))


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)


@dataclass
class ImportResult:
    year: int
    network: Network
    files: list[ParsedFile]
    warnings: list[str] = field(default_factory=list)
    units: Counts = field(default_factory=Counts)
    links: Counts = field(default_factory=Counts)
    reports: Counts = field(default_factory=Counts)
    values: Counts = field(default_factory=Counts)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return any(c.changed for c in (self.units, self.links, self.reports, self.values))


def fiscal_year_of(directory: Path) -> int | None:
    match = YEAR_IN_NAME.search(directory.name)
    return int(match.group(1)) if match else None


def read_year(
    directory: Path,
    year: int | None = None,
    layout: Layout | None = None,
    progress: Progress | None = None,
    kinds: tuple[str, ...] = ("ae", "outlet", "state"),
) -> tuple[Layout, dict[str, ParsedFile]]:
    """Find the year's files and parse those of `kinds`; raise ImportFailed listing every problem."""
    if not directory.is_dir():
        raise ImportFailed([_("%(path)s: not a directory.") % {"path": directory}])
    try:
        if layout is None:
            year = year or fiscal_year_of(directory)
            if year is None:
                message = _("%(folder)s: the name does not say the fiscal year; give it with --year.")
                raise ImportFailed([message % {"folder": directory.name}])
            layout = layout_for_year(year)
        elif year is not None and layout.fiscal_year != year:
            message = _("%(file)s is the column map of %(found)s, not %(year)s.")
            raise ImportFailed([message % {"file": layout.path.name, "found": layout.fiscal_year, "year": year}])
        codes = missing_codes()
    except LayoutError as exc:
        raise ImportFailed([str(exc)]) from None
    problems: list[str] = []
    found: dict[str, tuple[Path, str, list[str], str]] = {}
    csv_files = sorted(p for p in directory.iterdir() if p.is_file() and p.suffix.lower() in (".csv", ".txt"))
    for path in csv_files:
        if path.suffix.lower() == ".txt" and "readme" in path.name.lower():
            continue
        try:
            text, header, encoding = read_header(path)
        except ReadError as exc:
            problems.append(str(exc))
            continue
        kind = classify(header, layout)
        if kind is None or kind not in layout.files:
            message = _(
                "%(where)s: not a PLS AE, outlet or state summary file of the %(year)s layout "
                "(header starts %(header)s)."
            )
            problems.append(
                message % {"where": at(path.name, 1), "year": layout.fiscal_year, "header": ", ".join(header[:5])}
            )
            continue
        if kind in found:
            message = _("%(file)s: a second %(kind)s file (the first is %(first)s).")
            problems.append(message % {"file": path.name, "kind": kind, "first": found[kind][0].name})
            continue
        found[kind] = (path, text, header, encoding)
    if "ae" in kinds and "ae" not in found and not problems:
        message = _("%(folder)s: no AE (library system) file found among %(count)s CSV files.")
        problems.append(message % {"folder": directory.name, "count": len(csv_files)})
    if problems:
        raise ImportFailed(problems)
    parsed = {}
    for kind, (path, text, header, encoding) in found.items():
        if kind not in kinds:
            continue
        try:
            parsed[kind] = parse(path, text, header, encoding, layout.files[kind], layout, codes, progress)
        except ReadError as exc:
            problems.append(str(exc))
    for item in parsed.values():
        problems.extend(item.problems)
        if item.problem_count > len(item.problems):
            message = _("%(file)s: … and %(count)s more problems.")
            problems.append(message % {"file": item.path.name, "count": item.problem_count - len(item.problems)})
    if problems:
        raise ImportFailed(problems, list(parsed.values()))
    return layout, parsed


def ensure_surveys() -> tuple[Survey, Survey]:
    """The PLS surveys from their catalogue files (idempotent: unchanged files change nothing)."""
    return load_catalogue(SURVEY_MANIFEST).survey, load_catalogue(OUTLET_MANIFEST).survey


def check_catalogue(layout: Layout, indicators: dict[str, dict[str, Indicator]]) -> list[str]:
    """Every element the column map names must be an indicator of its survey on the form that year."""
    problems = []
    for kind, spec in layout.files.items():
        catalogue = indicators["outlet" if kind == "outlet" else "ae"]
        for column, code in spec.elements.items():
            indicator = catalogue.get(code)
            if indicator is None:
                message = _("%(file)s: [%(kind)s.elements] %(column)s = %(code)s is not in the catalogue.")
                problems.append(
                    message % {"file": layout.path.name, "kind": kind, "column": column, "code": repr(code)}
                )
            elif not indicator.on_form(layout.fiscal_year):
                message = _(
                    "%(file)s: %(column)s maps to %(code)s, which the catalogue has from %(first)s to %(last)s: "
                    "adjust its years in the indicators CSV."
                )
                problems.append(
                    message
                    % {
                        "file": layout.path.name,
                        "column": column,
                        "code": repr(code),
                        "first": indicator.first_year,
                        "last": indicator.last_year or "…",
                    }
                )
    return problems


def _insert(model: type[Any], columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Insert many rows fast: COPY on PostgreSQL, one executemany elsewhere. Django's bulk_create
    spends most of an import building SQL field by field (measured: 60% of a FY2017 import on
    SQLite; on PostgreSQL row-by-row executemany took 90 s for FY1998). Values arrive adapted."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        # Table and column names come from the model, every value is a bound parameter.
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608


def _chunks(items: list[Any], size: int = BATCH) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Writer:
    """The database side of one import, inside the caller's transaction."""

    def __init__(self, year: int, network: Network, progress: Progress | None) -> None:
        self.year = year
        self.network = network
        self.progress = progress
        self.start = dt.date(year, 1, 1)
        self.end = dt.date(year, 12, 31)

    def units(self, wanted: dict[str, dict[str, str]], counts: Counts) -> dict[str, int]:
        """Create or update units by code; return code → id for every wanted unit."""
        existing = {
            code: (pk, level, library_type, name)
            for pk, code, level, library_type, name in OrgUnit.objects.filter(network=self.network).values_list(
                "pk", "code", "level", "library_type", "name"
            )
        }
        # A unit keeps the name and type of the latest year it is in, whatever order years come in.
        latest = dict(
            Membership.objects.filter(child__network=self.network)
            .values("child_id")
            .annotate(last=Max("valid_from"))
            .values_list("child_id", "last")
        )
        new: list[tuple[Any, ...]] = []
        changed: list[OrgUnit] = []
        for code, fields in wanted.items():
            row = existing.get(code)
            if row is None:
                new.append((self.network.pk, fields["level"], fields["library_type"], code, fields["name"]))
            elif latest.get(row[0], self.start) > self.start:
                counts.unchanged += 1
            elif (row[1], row[2], row[3]) != (fields["level"], fields["library_type"], fields["name"]):
                changed.append(OrgUnit(pk=row[0], code=code, network=self.network, **fields))
            else:
                counts.unchanged += 1
        _insert(OrgUnit, ["network_id", "level", "library_type", "code", "name"], new)
        OrgUnit.objects.bulk_update(changed, ["level", "library_type", "name"], batch_size=UPDATE_BATCH)
        counts.created += len(new)
        counts.updated += len(changed)
        ids = dict(OrgUnit.objects.filter(network=self.network).values_list("code", "pk"))
        return {code: ids[code] for code in wanted}

    def links(self, parent_of: dict[int, int], levels: list[str], counts: Counts) -> None:
        """One membership per unit of `levels` for this year (1 January – 31 December); units of other
        levels (outlets, when no outlet file is given) keep theirs."""
        existing = {
            child: (pk, parent)
            for pk, child, parent in Membership.objects.filter(
                child__network=self.network, child__level__in=levels, valid_from=self.start, valid_to=self.end
            ).values_list("pk", "child_id", "parent_id")
        }
        start, end = (connection.ops.adapt_datefield_value(day) for day in (self.start, self.end))
        new: list[tuple[Any, ...]] = []
        changed: list[Membership] = []
        for child, parent in parent_of.items():
            row = existing.pop(child, None)
            if row is None:
                new.append((child, parent, start, end))
            elif row[1] != parent:
                changed.append(Membership(pk=row[0], child_id=child, parent_id=parent))
            else:
                counts.unchanged += 1
        _insert(Membership, ["child_id", "parent_id", "valid_from", "valid_to"], new)
        Membership.objects.bulk_update(changed, ["parent"], batch_size=UPDATE_BATCH)
        stale = [pk for pk, _parent in existing.values()]
        for batch in _chunks(stale):
            Membership.objects.filter(pk__in=batch).delete()
        counts.created += len(new)
        counts.updated += len(changed)
        counts.deleted += len(stale)

    def lifetimes(self) -> None:
        """A unit is open from its first imported year to its last (open-ended while in the latest
        imported year), so each year's table counts only that year's systems and outlets."""
        years = sorted(set(ReportingPeriod.objects.filter(network=self.network).values_list("year", flat=True)))
        latest = max([*years, self.year])
        span: dict[int, list[int]] = {}
        links = Membership.objects.filter(child__network=self.network).values_list("child_id", "valid_from")
        for child, start in links:
            first_last = span.setdefault(child, [start.year, start.year])
            first_last[0] = min(first_last[0], start.year)
            first_last[1] = max(first_last[1], start.year)
        # Few distinct (opened, closed) pairs: one UPDATE per pair and batch, not one CASE per row.
        changed: dict[tuple[dt.date, dt.date | None], list[int]] = defaultdict(list)
        for pk, opened, closed in OrgUnit.objects.filter(network=self.network).values_list(
            "pk", "opened_on", "closed_on"
        ):
            if pk not in span:
                continue
            first, last = span[pk]
            want = (dt.date(first, 1, 1), None if last >= latest else dt.date(last, 12, 31))
            if (opened, closed) != want:
                changed[want].append(pk)
        for (opened_on, closed_on), pks in changed.items():
            for batch in _chunks(pks):
                OrgUnit.objects.filter(pk__in=batch).update(opened_on=opened_on, closed_on=closed_on)

    def period(self, survey: Survey) -> ReportingPeriod:
        period, _created = ReportingPeriod.objects.get_or_create(
            network=self.network,
            survey=survey,
            year=self.year,
            defaults={"opens_on": self.end, "deadline": self.end, "status": ReportingPeriod.Status.CLOSED},
        )
        return period

    def reports(self, period: ReportingPeriod, unit_ids: set[int], counts: Counts) -> dict[int, int]:
        existing = dict(Report.objects.filter(period=period).values_list("unit_id", "pk"))
        stale = [pk for unit, pk in existing.items() if unit not in unit_ids]
        for batch in _chunks(stale):
            Value.objects.filter(report_id__in=batch).delete()
            Report.objects.filter(pk__in=batch).delete()
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        new = [
            (unit, period.pk, Report.Status.APPROVED.value, 1, now, now, now)
            for unit in sorted(unit_ids - set(existing))
        ]
        columns = ["unit_id", "period_id", "status", "version", "created_at", "updated_at", "approved_at"]
        _insert(Report, columns, new)
        counts.created += len(new)
        counts.deleted += len(stale)
        counts.unchanged += len(unit_ids & set(existing))
        return dict(Report.objects.filter(period=period).values_list("unit_id", "pk"))

    def values(
        self,
        period: ReportingPeriod,
        wanted: Iterator[tuple[int, int, tuple[str, Decimal | None, str, str]]],
        total: int,
        counts: Counts,
        label: str,
    ) -> None:
        """Bring the period's values to `wanted` (report id, indicator id, cell), in batches."""
        existing = {
            (report, indicator): (pk, code, number, flag, source, version)
            for pk, report, indicator, code, number, flag, source, version in Value.objects.filter(
                report__period=period
            ).values_list("pk", "report_id", "indicator_id", "code", "number", "flag", "source_code", "version")
        }
        now = timezone.now()
        stamp = connection.ops.adapt_datetimefield_value(now)
        columns = ["report_id", "indicator_id", "code", "number", "flag", "source_code", "updated_at", "version"]
        new: list[tuple[Any, ...]] = []
        changed: list[Value] = []
        for done, (report, indicator, (code, number, flag, source)) in enumerate(wanted, start=1):
            row = existing.pop((report, indicator), None)
            if row is None:
                new.append((report, indicator, code, number, flag, source, stamp, 1))
                if len(new) >= BATCH:
                    _insert(Value, columns, new)
                    counts.created += len(new)
                    new = []
                    if self.progress:
                        self.progress(label, done, total)
            elif (row[1], row[2], row[3], row[4]) != (code, number, flag, source):
                changed.append(
                    # A new version, so that a form opened before the import cannot overwrite it silently.
                    Value(
                        pk=row[0],
                        code=code,
                        number=number,
                        flag=flag,
                        source_code=source,
                        updated_at=now,
                        version=row[5] + 1,
                    )
                )
            else:
                counts.unchanged += 1
        _insert(Value, columns, new)
        counts.created += len(new)
        for batch in _chunks(changed):
            Value.objects.bulk_update(
                batch, ["code", "number", "flag", "source_code", "updated_at", "version"], batch_size=UPDATE_BATCH
            )
        counts.updated += len(changed)
        stale = [row[0] for row in existing.values()]
        for batch in _chunks(stale):
            Value.objects.filter(pk__in=batch).delete()
        counts.deleted += len(stale)
        if self.progress:
            self.progress(label, total, total)

    def population(self, persons: dict[int, int]) -> None:
        existing = {
            unit: (pk, count)
            for pk, unit, count in PopulationServed.objects.filter(
                unit__network=self.network, year=self.year
            ).values_list("pk", "unit_id", "persons")
        }
        new: list[tuple[int, int, int]] = []
        changed: list[PopulationServed] = []
        for unit, count in persons.items():
            row = existing.get(unit)
            if row is None:
                new.append((unit, self.year, count))
            elif row[1] != count:
                changed.append(PopulationServed(pk=row[0], persons=count))
        _insert(PopulationServed, ["unit_id", "year", "persons"], new)
        PopulationServed.objects.bulk_update(changed, ["persons"], batch_size=UPDATE_BATCH)


OUTLET_NAMES = {"CE": "central", "BR": "branch", "BS": "bookmobile", "BM": "books by mail"}


def import_year(
    directory: Path,
    *,
    year: int | None = None,
    layout_path: Path | None = None,
    actor: Any = None,
    progress: Progress | None = None,
    channel: str = AuditEntry.Channel.IMPORT,
) -> ImportResult:
    began = time.perf_counter()
    try:
        layout = read_layout(layout_path) if layout_path else None
    except LayoutError as exc:
        raise ImportFailed([str(exc)]) from None
    layout, parsed = read_year(directory, year, layout, progress)
    names = state_names()
    ae, outlets = parsed["ae"], parsed.get("outlet")
    problems = []
    states_seen = {r.identity["state"] for item in parsed.values() for r in item.records}
    unknown_states = sorted(states_seen - set(names))
    if unknown_states:
        message = _("Unknown state codes %(codes)s: add them to parskats/pls/data/states.csv.")
        problems.append(message % {"codes": ", ".join(unknown_states)})
    ae_keys = {r.identity["key"] for r in ae.records}
    if outlets:
        for r in outlets.records:
            if r.identity["key"] not in ae_keys:
                message = _("%(where)s: an outlet of %(key)s, not in %(file)s.")
                problems.append(
                    message % {"where": at(outlets.path.name, r.line), "key": r.identity["key"], "file": ae.path.name}
                )
    if problems:
        raise ImportFailed(problems[:200], list(parsed.values()))

    warnings = []
    for item in parsed.values():
        if item.unknown_columns:
            message = _("%(where)s: %(count)s unknown columns not imported: %(columns)s.")
            warnings.append(
                message
                % {
                    "where": at(item.path.name, 1),
                    "count": len(item.unknown_columns),
                    "columns": ", ".join(item.unknown_columns),
                }
            )
        if item.missing_columns and item.kind != "state":
            message = _("%(file)s: %(count)s elements of the %(year)s column map are not in this file: %(columns)s.")
            warnings.append(
                message
                % {
                    "file": item.path.name,
                    "count": len(item.missing_columns),
                    "year": layout.fiscal_year,
                    "columns": ", ".join(item.missing_columns),
                }
            )

    with transaction.atomic():
        survey, outlet_survey = ensure_surveys()
        indicators = {
            "ae": {i.code: i for i in Indicator.objects.filter(survey=survey)},
            "outlet": {i.code: i for i in Indicator.objects.filter(survey=outlet_survey)},
        }
        catalogue_problems = check_catalogue(layout, indicators)
        if catalogue_problems:
            raise ImportFailed(catalogue_problems, list(parsed.values()))
        network, _created = Network.objects.get_or_create(slug=NETWORK_SLUG, defaults={"name": NETWORK_NAME})
        result = ImportResult(year=layout.fiscal_year, network=network, files=list(parsed.values()), warnings=warnings)
        writer = _Writer(layout.fiscal_year, network, progress)

        wanted: dict[str, dict[str, str]] = {
            COUNTRY_CODE: {"level": OrgUnit.Level.COUNTRY, "library_type": "", "name": "Amerikas Savienotās Valstis"}
        }
        for state in sorted(states_seen):
            wanted[state] = {"level": OrgUnit.Level.COUNTY, "library_type": "", "name": names[state]}
        public_column = layout.files["ae"].identity.get("public")
        for r in ae.records:
            is_public = r.identity.get("public", "Y").upper() != "N" if public_column else True
            wanted[r.identity["key"]] = {
                "level": OrgUnit.Level.LIBRARY,
                "library_type": OrgUnit.LibraryType.PUBLIC if is_public else OrgUnit.LibraryType.OTHER,
                "name": r.identity["name"][:200],
            }
        ae_type = {r.identity["key"]: wanted[r.identity["key"]]["library_type"] for r in ae.records}
        outlet_code = {}
        if outlets:
            for r in outlets.records:
                code = f"{r.identity['key']}-{r.identity['seq']}"
                outlet_code[r.line] = code
                wanted[code] = {
                    "level": OrgUnit.Level.BRANCH,
                    "library_type": ae_type[r.identity["key"]],
                    "name": r.identity["name"][:200],
                }
        ids = writer.units(wanted, result.units)

        parent_of = {ids[state]: ids[COUNTRY_CODE] for state in states_seen}
        parent_of.update({ids[r.identity["key"]]: ids[r.identity["state"]] for r in ae.records})
        if outlets:
            parent_of.update({ids[outlet_code[r.line]]: ids[r.identity["key"]] for r in outlets.records})
        levels: list[str] = [OrgUnit.Level.COUNTRY, OrgUnit.Level.COUNTY, OrgUnit.Level.LIBRARY]
        writer.links(parent_of, [*levels, OrgUnit.Level.BRANCH] if outlets else levels, result.links)

        population_indicator = "popu_lsa"
        writer.population(
            {
                ids[r.identity["key"]]: int(cell[1])
                for r in ae.records
                if (cell := r.values.get(population_indicator)) and cell[0] == "num" and cell[1] is not None
            }
        )

        jobs = [(survey, ae.records, lambda r: r.identity["key"], indicators["ae"])]
        if outlets:
            jobs.append((outlet_survey, outlets.records, lambda r: outlet_code[r.line], indicators["outlet"]))
        for job_survey, records, code_of, catalogue in jobs:
            period = writer.period(job_survey)
            report_of = writer.reports(period, {ids[code_of(r)] for r in records}, result.reports)
            indicator_id = {code: indicator.pk for code, indicator in catalogue.items()}
            total = sum(len(r.values) for r in records)

            def cells(records=records, code_of=code_of, indicator_id=indicator_id, report_of=report_of):
                for r in records:
                    report = report_of[ids[code_of(r)]]
                    for code, cell in r.values.items():
                        yield report, indicator_id[code], cell

            writer.values(
                period, cells(), total, result.values, _("values of %(survey)s") % {"survey": job_survey.code}
            )
        writer.lifetimes()
        if result.changed:
            record(
                actor=actor,
                channel=channel,
                action=AuditEntry.Action.DATA_IMPORTED,
                network=network,
                target=f"PLS FY{layout.fiscal_year}",
                new={
                    "files": [item.path.name for item in parsed.values()],
                    "values": vars(result.values),
                    "units": vars(result.units),
                },
                note="import_pls",
            )
            data_changed(network.pk)  # bulk writes send no signals
    result.seconds = time.perf_counter() - began
    return result
