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

from . import change, official, plausibility
from .change import max_share
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
from .reading import ParsedFile, Progress, ReadError, Record, Rejected, at, classify, parse, read_header
from .survey_config import SurveyConfig, us_pls

# The survey's network and country, from its configuration (data/surveys/us-pls.toml).
NETWORK_SLUG = us_pls().network
NETWORK_NAME = us_pls().network_name
COUNTRY_CODE = us_pls().country_code
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
    totals: Counts = field(default_factory=Counts)  # official state totals (the state summary file)
    seconds: float = 0.0
    plan: change.Plan | None = None
    findings: plausibility.Findings = field(default_factory=lambda: plausibility.Findings())
    rejected: list[Rejected] = field(default_factory=list)
    needs_removal_confirmation: bool = False
    needs_column_confirmation: bool = False
    limit: Decimal = change.DEFAULT_MAX_SHARE
    applied: bool = False

    @property
    def changed(self) -> bool:
        return any(c.changed for c in (self.units, self.links, self.reports, self.values, self.totals))


def take_reporting_year(network: Network, config: SurveyConfig, year: int) -> bool:
    """The network's memberships are keyed by the first day of its reporting year: a survey whose
    year is another one cannot add to a network that holds years already. An empty network takes the
    survey's year (True: in memory now, saved when the import is applied)."""
    wanted = config.reporting_year().year_fields()
    if network.year_fields() == wanted:
        return False
    if network.periods.exists():
        start, end = config.period(year)
        held_start, held_end = network.year_span(year)
        message = _(
            "The network %(network)s reports by years like %(held_start)s – %(held_end)s, the survey %(survey)s "
            "by years like %(start)s – %(end)s: one network keeps one reporting year."
        )
        raise ImportFailed(
            [
                message
                % {
                    "network": network.slug,
                    "survey": config.code,
                    "held_start": held_start.isoformat(),
                    "held_end": held_end.isoformat(),
                    "start": start.isoformat(),
                    "end": end.isoformat(),
                }
            ]
        )
    for name, value in wanted.items():
        setattr(network, name, value)
    return True


def fiscal_year_of(directory: Path) -> int | None:
    match = YEAR_IN_NAME.search(directory.name)
    return int(match.group(1)) if match else None


def read_year(
    directory: Path,
    year: int | None = None,
    layout: Layout | None = None,
    progress: Progress | None = None,
    kinds: tuple[str, ...] = ("ae", "outlet", "state"),
    quarantine: bool = False,
) -> tuple[Layout, dict[str, ParsedFile]]:
    """Find the year's files and parse those of `kinds`; raise ImportFailed listing every problem.
    With `quarantine`, defective rows do not refuse the files: they are left out and kept in
    ParsedFile.rejected; problems of a whole file still refuse."""
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
    notes: dict[Path, list[str]] = {}
    csv_files = sorted(p for p in directory.iterdir() if p.is_file() and p.suffix.lower() in (".csv", ".txt"))
    for path in csv_files:
        if path.suffix.lower() == ".txt" and "readme" in path.name.lower():
            continue
        try:
            text, header, encoding = read_header(path, notes.setdefault(path, []))
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
    if "ae" in kinds and "ae" not in found and "state" not in found and not problems:
        message = _("%(folder)s: no AE (library system) or state summary file found among %(count)s CSV files.")
        problems.append(message % {"folder": directory.name, "count": len(csv_files)})
    if problems:
        raise ImportFailed(problems)
    parsed = {}
    for kind, (path, text, header, encoding) in found.items():
        if kind not in kinds:
            continue
        try:
            parsed[kind] = parse(path, text, header, encoding, layout.files[kind], layout, codes, progress)
            parsed[kind].notes = notes.get(path, [])
        except ReadError as exc:
            problems.append(str(exc))
    for item in parsed.values():
        if quarantine:
            problems.extend(item.fatal)
            continue
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


def _purge(model: type[Any], pks: list[int], column: str = "pk") -> int:
    """Delete rows in bulk, without Django's per-row collector and signals (the figures cache would
    otherwise be invalidated once per row: 550 s for a year's values); the import invalidates the
    cache once, after its commit. Returns the rows deleted."""
    deleted = 0
    for batch in _chunks(pks):
        deleted += model._base_manager.filter(**{f"{column}__in": batch})._raw_delete(connection.alias)
    return deleted


def _purge_reports(pks: list[int]) -> int:
    """Delete reports and their values in bulk; returns the values deleted. Reports that carry anything
    besides values (narratives, comments, photos …) go through the ORM, so that nothing dangles."""
    values = _purge(Value, pks, "report_id")
    others = [
        relation
        for relation in Report._meta.related_objects
        if relation.related_model is not Value and relation.on_delete is not None
    ]
    keep_orm: set[int] = set()
    for relation in others:
        field_name = relation.field.name
        related: Any = relation.related_model
        for batch in _chunks(pks):
            keep_orm.update(
                related._base_manager.filter(**{f"{field_name}__in": batch}).values_list(f"{field_name}_id", flat=True)
            )
    if keep_orm:
        Report.objects.filter(pk__in=sorted(keep_orm)).delete()
    _purge(Report, [pk for pk in pks if pk not in keep_orm])
    return values


class _Writer:
    """The database side of one import, inside the caller's transaction."""

    def __init__(self, year: int, network: Network, progress: Progress | None) -> None:
        self.year = year
        self.network = network
        self.progress = progress
        # The network's reporting year: 1 January – 31 December, or its financial year.
        self.start, self.end = network.year_span(year)

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
        """One membership per unit of `levels` for this year (its first to its last day); units of other
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
        _purge(Membership, stale)
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
        year_of = self.network.year_of
        for child, start in links:
            year = year_of(start)
            first_last = span.setdefault(child, [year, year])
            first_last[0] = min(first_last[0], year)
            first_last[1] = max(first_last[1], year)
        # Few distinct (opened, closed) pairs: one UPDATE per pair and batch, not one CASE per row.
        changed: dict[tuple[dt.date, dt.date | None], list[int]] = defaultdict(list)
        for pk, opened, closed in OrgUnit.objects.filter(network=self.network).values_list(
            "pk", "opened_on", "closed_on"
        ):
            if pk not in span:
                continue
            first, last = span[pk]
            want = (self.network.year_span(first)[0], None if last >= latest else self.network.year_span(last)[1])
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

    def reports(
        self, period: ReportingPeriod, unit_ids: set[int], counts: Counts, value_counts: Counts
    ) -> dict[int, int]:
        existing = dict(Report.objects.filter(period=period).values_list("unit_id", "pk"))
        stale = [pk for unit, pk in existing.items() if unit not in unit_ids]
        value_counts.deleted += _purge_reports(stale)
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
        counts.deleted += _purge(Value, stale)
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


def _cross_file(
    parsed: dict[str, ParsedFile], names: dict[str, str], quarantine: bool
) -> tuple[list[str], list[tuple[ParsedFile, Rejected]]]:
    """Problems between the files (unknown states, outlets of systems not in the AE file) as rejected
    rows; with quarantine the rows are taken out of the import, otherwise they are problems."""
    problems: list[str] = []
    rejected: list[tuple[ParsedFile, Rejected]] = []
    ae, outlets = parsed.get("ae"), parsed.get("outlet")

    def reject(item: ParsedFile, r: Record, message: str) -> None:
        key = "-".join(p for p in (r.identity.get("key", ""), r.identity.get("seq", "")) if p)
        cells = {**r.identity, **{code: "" if cell[1] is None else str(cell[1]) for code, cell in r.values.items()}}
        rejected.append((item, Rejected(r.line, key, r.identity.get("state", ""), [message], cells)))
        problems.append(message)

    for item in parsed.values():
        kept = []
        for r in item.records:
            if r.identity["state"] not in names:
                message = _("%(where)s: unknown state code %(code)s (add it to parskats/pls/data/states.csv).")
                reject(item, r, message % {"where": at(item.path.name, r.line), "code": r.identity["state"]})
            else:
                kept.append(r)
        item.records = kept
    ae_keys = {r.identity["key"] for r in ae.records} if ae else set()
    if outlets and ae:
        kept = []
        for r in outlets.records:
            if r.identity["key"] not in ae_keys:
                message = _("%(where)s: an outlet of %(key)s, not in %(file)s.")
                where = at(outlets.path.name, r.line)
                reject(outlets, r, message % {"where": where, "key": r.identity["key"], "file": ae.path.name})
            else:
                kept.append(r)
        outlets.records = kept
    if quarantine:
        return [], rejected
    return problems, rejected


def column_report(layout: Layout, parsed: dict[str, ParsedFile]) -> list[str]:
    """Which columns of each file the column map matched, which it ignored and which it expected
    and did not find: said every time, so a column map that misses a renamed element shows."""
    lines = []
    for item in parsed.values():
        spec = layout.files[item.kind]
        ignored = [c for c in item.header if c and spec.known(c) and c not in spec.elements]
        message = _(
            "%(file)s (%(kind)s, %(encoding)s): %(matched)s element columns matched, %(ignored)s known columns "
            "not imported (identity, flags, ignored), %(unknown)s unknown, %(missed)s expected and missing."
        )
        lines.append(
            message
            % {
                "file": item.path.name,
                "kind": item.kind,
                "encoding": item.encoding,
                "matched": len(item.matched_columns),
                "ignored": len(ignored),
                "unknown": len(item.unknown_columns),
                "missed": len(item.missing_columns),
            }
        )
    return lines


class ConfirmationNeeded(ImportFailed):
    """The import would remove or rewrite more than it may without a confirmation, or a column looks
    wrong; nothing was written. `result` holds the plan and the findings."""

    def __init__(self, problems: list[str], result: ImportResult) -> None:
        super().__init__(problems, result.files)
        self.result = result


def import_year(
    directory: Path,
    *,
    year: int | None = None,
    layout_path: Path | None = None,
    actor: Any = None,
    progress: Progress | None = None,
    channel: str = AuditEntry.Channel.IMPORT,
    dry_run: bool = False,
    confirm_removals: bool = False,
    confirm_columns: bool = False,
    quarantine: bool = False,
    max_change: Decimal | None = None,
) -> ImportResult:
    """Import a fiscal year, or with `dry_run` only say what the import would change.

    The change is computed first (change.compute) and the files are compared with the nearest
    imported year (plausibility.check). A change above `max_change` (settings.PLS_MAX_CHANGE_SHARE,
    2 %) of the year's data needs `confirm_removals`; a suspect column needs `confirm_columns`;
    without them ConfirmationNeeded is raised and nothing is written."""
    began = time.perf_counter()
    try:
        layout = read_layout(layout_path) if layout_path else None
    except LayoutError as exc:
        raise ImportFailed([str(exc)]) from None
    layout, parsed = read_year(directory, year, layout, progress, quarantine=quarantine)
    names = state_names()
    ae, outlets, summary = parsed.get("ae"), parsed.get("outlet"), parsed.get("state")
    if ae is None and outlets is not None:
        message = _("%(file)s: an outlet file needs the AE (library system) file of the same year beside it.")
        raise ImportFailed([message % {"file": outlets.path.name}], list(parsed.values()))
    problems, cross_rejected = _cross_file(parsed, names, quarantine)
    if problems:
        raise ImportFailed(problems[:200], list(parsed.values()))
    rejected = [(item, r) for item in parsed.values() for r in item.rejected] + cross_rejected

    warnings = column_report(layout, parsed)
    for item in parsed.values():
        warnings.extend(item.notes)
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
    if rejected:
        message = _("%(count)s defective rows left out and kept in quarantine (see the list of problems).")
        warnings.append(message % {"count": len(rejected)})

    outlet_code = {r.line: f"{r.identity['key']}-{r.identity['seq']}" for r in outlets.records} if outlets else {}
    with transaction.atomic():
        survey, outlet_survey = ensure_surveys()
        indicators = {
            "ae": {i.code: i for i in Indicator.objects.filter(survey=survey)},
            "outlet": {i.code: i for i in Indicator.objects.filter(survey=outlet_survey)},
        }
        catalogue_problems = check_catalogue(layout, indicators)
        if catalogue_problems:
            raise ImportFailed(catalogue_problems, list(parsed.values()))
        # The lock makes two imports of the network wait for each other: each plans against what it writes.
        network = Network.objects.select_for_update().filter(slug=NETWORK_SLUG).first()
        retimed = network is not None and take_reporting_year(network, us_pls(), layout.fiscal_year)
        ae_rows = {r.identity["key"]: (r.identity["state"], r.values) for r in ae.records} if ae else {}
        unit_names = {r.identity["key"]: r.identity["name"][:200] for r in ae.records} if ae else {}
        wanted = [change.Wanted(survey, ae_rows)] if ae else []
        outlet_rows: dict[str, tuple[str, dict[str, Any]]] = {}
        if outlets:
            outlet_rows = {outlet_code[r.line]: (r.identity["state"], r.values) for r in outlets.records}
            unit_names.update({outlet_code[r.line]: r.identity["name"][:200] for r in outlets.records})
            wanted.append(change.Wanted(outlet_survey, outlet_rows))
        plan = change.compute(network, layout.fiscal_year, wanted, unit_names)
        plan.region, plan.period = us_pls().region_word(), us_pls().period_name(layout.fiscal_year)
        totals = official.wanted(summary) if summary else {}
        if summary:
            official.plan(network, layout.fiscal_year, totals, plan)
        findings = plausibility.Findings()
        if network is not None and ae is not None:
            label = ae.path.name
            findings = plausibility.check(network, survey, layout.fiscal_year, ae_rows, unit_names, label)
            if outlets:
                more = plausibility.check(
                    network, outlet_survey, layout.fiscal_year, outlet_rows, unit_names, outlets.path.name
                )
                findings.suspects.extend(more.suspects)
                findings.notes.extend(more.notes)
        result = decide(
            plan,
            findings,
            network or Network(slug=NETWORK_SLUG, name=NETWORK_NAME),
            files=list(parsed.values()),
            warnings=warnings,
            rejected=[r for _item, r in rejected],
            dry_run=dry_run,
            confirm_removals=confirm_removals,
            confirm_columns=confirm_columns,
            max_change=max_change,
        )
        if dry_run:
            result.seconds = time.perf_counter() - began
            return result
        over = result.needs_removal_confirmation
        if network is None:
            network = Network.objects.create(
                slug=NETWORK_SLUG, name=NETWORK_NAME, **us_pls().reporting_year().year_fields()
            )
        elif retimed:
            Network.objects.filter(pk=network.pk).update(**network.year_fields())
        result.network = network
        result.applied = True
        if ae is not None:
            writer = _Writer(layout.fiscal_year, network, progress)
            _write(writer, result, layout, ae, outlets, outlet_code, names, survey, outlet_survey, indicators)
        if summary is not None:
            created, updated, deleted = official.write(network, layout.fiscal_year, totals, summary.path.name)
            result.totals = Counts(created=created, updated=updated, deleted=deleted)
            result.totals.unchanged = len(totals) - created - updated
        quarantined = _keep_quarantine(network, layout.fiscal_year, rejected, list(parsed))
        if result.changed or quarantined:
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
                    "reports": vars(result.reports),
                    "official_totals": vars(result.totals),
                    "quarantined": len(rejected),
                    "confirmed": {"removals": confirm_removals and over, "columns": confirm_columns},
                },
                note="import_pls",
            )
            data_changed(network.pk)  # one invalidation for the whole import: bulk writes send no signals
        if progress:
            # The last word before the commit: a job cancelled meanwhile stops here and nothing is applied.
            progress(_("Saving"), 1, 1)
    result.seconds = time.perf_counter() - began
    return result


def decide(
    plan: change.Plan,
    findings: plausibility.Findings,
    network: Network,
    *,
    files: list[ParsedFile],
    warnings: list[str],
    rejected: list[Rejected],
    dry_run: bool,
    confirm_removals: bool,
    confirm_columns: bool,
    max_change: Decimal | None,
) -> ImportResult:
    """What every import does between computing its change and writing it, for the US survey and
    any other: the result as the person will see it; a dry run undoes the transaction (the
    catalogue may have been loaded on the way); a change above the share or a suspect column
    without its confirmation raises ConfirmationNeeded."""
    limit = max_share() if max_change is None else max_change
    over = plan.over(limit)
    result = ImportResult(
        year=plan.year,
        network=network,
        files=files,
        warnings=warnings + findings.notes,
        plan=plan,
        findings=findings,
        rejected=rejected,
        needs_removal_confirmation=bool(over),
        needs_column_confirmation=bool(findings.suspects),
        limit=limit,
    )
    if dry_run:
        transaction.set_rollback(True)
        return result
    refusals = ([] if confirm_removals else over) + ([] if confirm_columns else findings.suspects)
    if refusals:
        raise ConfirmationNeeded(refusals, result)
    return result


def _keep_quarantine(network: Network, year: int, rejected: list[tuple[ParsedFile, Rejected]], kinds: list[str]) -> int:
    """The year's quarantine of the kinds of file imported becomes this import's rejected rows (an
    import that had none empties it)."""
    from .models import QuarantinedRow

    removed = QuarantinedRow.objects.filter(network=network, year=year, kind__in=kinds)._raw_delete(connection.alias)
    QuarantinedRow.objects.bulk_create(
        [
            QuarantinedRow(
                network=network,
                year=year,
                kind=item.kind,
                file_name=item.path.name[:255],
                line=r.line,
                key=r.key[:64],
                state=r.state[:8],
                problems=r.problems,
                cells=r.cells,
            )
            for item, r in rejected
        ],
        batch_size=BATCH,
    )
    return removed + len(rejected)


def _write(
    writer: _Writer,
    result: ImportResult,
    layout: Layout,
    ae: ParsedFile,
    outlets: ParsedFile | None,
    outlet_code: dict[int, str],
    names: dict[str, str],
    survey: Survey,
    outlet_survey: Survey,
    indicators: dict[str, dict[str, Indicator]],
) -> None:
    states_seen = {r.identity["state"] for item in (ae, outlets) if item for r in item.records}
    wanted: dict[str, dict[str, str]] = {
        COUNTRY_CODE: {"level": OrgUnit.Level.COUNTRY, "library_type": "", "name": us_pls().country_name}
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
    if outlets:
        for r in outlets.records:
            wanted[outlet_code[r.line]] = {
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

    jobs: list[tuple[Survey, list[Record], Any, dict[str, Indicator]]] = [
        (survey, ae.records, lambda r: r.identity["key"], indicators["ae"])
    ]
    if outlets:
        jobs.append((outlet_survey, outlets.records, lambda r: outlet_code[r.line], indicators["outlet"]))
    for job_survey, records, code_of, catalogue in jobs:
        period = writer.period(job_survey)
        report_of = writer.reports(period, {ids[code_of(r)] for r in records}, result.reports, result.values)
        indicator_id = {code: indicator.pk for code, indicator in catalogue.items()}
        total = sum(len(r.values) for r in records)

        def cells(
            records: list[Record] = records,
            code_of: Any = code_of,
            indicator_id: dict[str, int] = indicator_id,
            report_of: dict[int, int] = report_of,
        ) -> Iterator[tuple[int, int, Any]]:
            for r in records:
                report = report_of[ids[code_of(r)]]
                for code, cell in r.values.items():
                    yield report, indicator_id[code], cell

        writer.values(period, cells(), total, result.values, _("values of %(survey)s") % {"survey": job_survey.code})
    writer.lifetimes()


@dataclass
class Removal:
    year: int
    reports: int = 0
    values: int = 0
    links: int = 0
    seconds: float = 0.0


def remove_year(
    year: int,
    *,
    actor: Any = None,
    dry_run: bool = False,
    channel: str = AuditEntry.Channel.IMPORT,
    network_slug: str = NETWORK_SLUG,
) -> Removal:
    """Remove every report, value and membership of a fiscal year of the network (the US survey's by
    default), in bulk, with one invalidation of the figures cache; `dry_run` only counts them. The
    year's memberships start on the first day of the network's reporting year."""
    began = time.perf_counter()
    removal = Removal(year=year)
    with transaction.atomic():
        network = Network.objects.select_for_update().filter(slug=network_slug).first()
        if network is None:
            return removal
        periods = list(ReportingPeriod.objects.filter(network=network, year=year).values_list("pk", flat=True))
        reports = list(Report.objects.filter(period_id__in=periods).values_list("pk", flat=True))
        links = list(
            Membership.objects.filter(child__network=network, valid_from=network.year_span(year)[0]).values_list(
                "pk", flat=True
            )
        )
        removal.reports, removal.links = len(reports), len(links)
        if dry_run:
            removal.values = Value.objects.filter(report_id__in=reports).count() if reports else 0
            removal.seconds = time.perf_counter() - began
            return removal
        removal.values = _purge_reports(reports)
        _purge(Membership, links)
        from .models import QuarantinedRow

        QuarantinedRow.objects.filter(network=network, year=year)._raw_delete(connection.alias)
        PopulationServed.objects.filter(unit__network=network, year=year)._raw_delete(connection.alias)
        ReportingPeriod.objects.filter(pk__in=periods).delete()
        remaining = list(ReportingPeriod.objects.filter(network=network).values_list("year", flat=True))
        if remaining:
            _Writer(max(remaining), network, None).lifetimes()
        record(
            actor=actor,
            channel=channel,
            action=AuditEntry.Action.DATA_IMPORTED,
            network=network,
            target=f"PLS FY{year}" if network_slug == NETWORK_SLUG else f"{network_slug} {year}",
            new={"removed": vars(removal)},
            note="remove_pls_year",
        )
        data_changed(network.pk)
    removal.seconds = time.perf_counter() - began
    return removal
