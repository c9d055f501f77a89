"""Import a year of any national library survey described by a configuration (survey_config).

    result = import_survey(config_path, [libraries_csv, visits_csv], year=2024, actor=user)

The files are read against the configuration (which file is which is told by its header; a file
that matches none is refused), rows of a second file find their library by key or by name, summed
columns and rows are added up, missing-value codes and text values are read as the configuration
says. Then the same safety as the US import, with the same code: the change is computed first
(change.compute), a dry run stops there, a change above the share needs a confirmation
(change.Plan.over), plausibility against the nearest year (plausibility.check), defective rows
refuse the import or, with quarantine, are kept aside; one transaction, one cache invalidation."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from parskats.audit.models import AuditEntry, record
from parskats.catalogue.models import Indicator, Section, Survey, Unit
from parskats.network.models import Network, OrgUnit
from parskats.reporting.models import Value
from parskats.stats.cache import data_changed

from . import change, plausibility
from .importer import (
    ConfirmationNeeded,
    ImportFailed,
    ImportResult,
    _keep_quarantine,
    _Writer,
    decide,
    take_reporting_year,
)
from .reading import Cell, ParsedFile, Progress, ReadError, Rejected, at, read_header
from .survey_config import ConfigError, FileSpec, SurveyConfig, read_config

__all__ = ["ConfigError", "ConfirmationNeeded", "ImportFailed", "import_survey"]


def _date(text: str) -> dt.date | None:
    for size in (10, 7):
        try:
            return dt.date.fromisoformat(text[:10]) if size == 10 else dt.date.fromisoformat(text[:7] + "-01")
        except ValueError:
            continue
    return None


class _Rows:
    """One file read against its FileSpec: library → cells, with every problem by line."""

    def __init__(self, config: SurveyConfig, spec: FileSpec, parsed: ParsedFile, start: dt.date, end: dt.date):
        self.config, self.spec, self.parsed, self.start, self.end = config, spec, parsed, start, end
        self.sums: dict[str, dict[str, tuple[str, Decimal | None]]] = {}
        self.bad_lines: dict[str, list[int]] = {}

    def number(self, raw: str, where: str, column: str) -> tuple[str, Decimal | None] | str:
        text = raw.strip()
        folded = text.casefold()
        if folded in self.config.unknown:
            return ("unknown", None)
        if folded in self.config.not_applicable:
            return ("na", None)
        if folded in self.config.text_values:
            return ("num", self.config.text_values[folded])
        try:
            return ("num", Decimal(text.replace(",", "").replace("\u00a0", "")))
        except InvalidOperation:
            if self.config.notes_in_numbers == "unknown":
                return ("unknown", None)
            return _("%(where)s, column %(column)s: %(value)r is not a number nor a missing-value code.") % {
                "where": where,
                "column": column,
                "value": text[:40],
            }

    def row(self, line: int, cells: dict[str, str], unit: str) -> list[str]:
        """Add one row's values to its library; return its problems."""
        where = at(self.parsed.path.name, line)
        problems = []
        if self.spec.date_column:
            day = _date(cells.get(self.spec.date_column, ""))
            if day is None or not self.start <= day <= self.end:
                message = _("%(where)s: %(column)s %(value)r is outside the reporting period %(start)s – %(end)s.")
                problems.append(
                    message
                    % {
                        "where": where,
                        "column": self.spec.date_column,
                        "value": cells.get(self.spec.date_column, ""),
                        "start": self.start.isoformat(),
                        "end": self.end.isoformat(),
                    }
                )
        # A sum with an unknown part is unknown (a total that leaves a part out would mislead); a part
        # that does not apply (closed on Sundays) adds nothing; only parts that do not apply: not applicable.
        values: dict[str, tuple[str, Decimal | None]] = {}
        for indicator, columns in self.spec.columns.items():
            total: Decimal | None = None
            unknown = False
            for column in columns:
                read = self.number(cells.get(column, ""), where, column)
                if isinstance(read, str):
                    problems.append(read)
                elif read[0] == "unknown":
                    unknown = True
                elif read[1] is not None:
                    total = (total or Decimal(0)) + read[1]
            values[indicator] = ("unknown", None) if unknown else ("na", None) if total is None else ("num", total)
        if problems:
            return problems
        if unit in self.sums and self.spec.rows == "one":
            return [_("%(where)s: a second row of %(unit)s.") % {"where": where, "unit": unit}]
        held = self.sums.setdefault(unit, {})
        for indicator, (code, number) in values.items():
            before = held.get(indicator)
            if before is None or before[0] == "na":
                held[indicator] = (code, number)
            elif before[0] == "num" and code != "na":
                added = (before[1] or Decimal(0)) + (number or Decimal(0))
                held[indicator] = ("unknown", None) if code == "unknown" else ("num", added)
        return []


def _read(config: SurveyConfig, paths: list[Path]) -> dict[str, tuple[ParsedFile, list[dict[str, str]], list[int]]]:
    """Which file is which, by header; each read whole. A file that is none of the survey's is refused."""
    import csv
    import io

    problems: list[str] = []
    found: dict[str, tuple[ParsedFile, list[dict[str, str]], list[int]]] = {}
    for path in paths:
        try:
            text, header, encoding = read_header(path, [])
        except ReadError as exc:
            problems.append(str(exc))
            continue
        roles = [s.role for s in config.files.values() if all(c in header for c in s.required)]
        if not roles:
            message = _("%(where)s: not a file of the survey %(survey)s (header starts %(header)s).")
            problems.append(
                message % {"where": at(path.name, 1), "survey": config.code, "header": ", ".join(header[:5])}
            )
            continue
        role = roles[0]
        if role in found:
            message = _("%(file)s: a second %(kind)s file (the first is %(first)s).")
            problems.append(message % {"file": path.name, "kind": role, "first": found[role][0].path.name})
            continue
        reader = csv.reader(io.StringIO(text))
        next(reader, None)
        rows, lines = [], []
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                message = _("%(where)s: %(found)s cells where the header has %(expected)s (a file cut short?).")
                problems.append(
                    message % {"where": at(path.name, number), "found": len(cells), "expected": len(header)}
                )
                continue
            rows.append(dict(zip(header, cells, strict=True)))
            lines.append(number)
        parsed = ParsedFile(path=path, kind=role, encoding=encoding, header=header)
        wanted = {c for s in config.files[role].columns.values() for c in s}
        parsed.missing_columns = sorted(wanted - set(header))
        parsed.matched_columns = sorted(wanted & set(header))
        found[role] = (parsed, rows, lines)
    for role, (parsed, _rows, _lines) in found.items():
        if parsed.missing_columns:
            message = _("%(file)s: the configuration's columns %(columns)s are not in this file.")
            problems.append(message % {"file": parsed.path.name, "columns": ", ".join(parsed.missing_columns)})
        join = config.files[role].join_file
        if join and join not in found:
            message = _("%(file)s: its rows belong to libraries of the %(kind)s file, which is not given.")
            problems.append(message % {"file": parsed.path.name, "kind": join})
    if problems:
        raise ImportFailed(problems)
    return found


def _code(*parts: str) -> str:
    return "-".join(slugify(p) or "x" for p in parts)[:64]


def _gather(
    config: SurveyConfig, found: dict[str, Any], start: dt.date, end: dt.date, quarantine: bool
) -> tuple[dict[str, tuple[str, dict[str, Cell]]], dict[str, str], dict[str, str], list[tuple[ParsedFile, Rejected]]]:
    """rows (library code → region code, cells), library names, region names, rejected rows."""
    libraries: dict[str, tuple[str, str]] = {}  # code → (region code, name)
    regions: dict[str, str] = {}
    by_name: dict[str, list[str]] = {}
    by_key: dict[str, str] = {}
    problems: list[str] = []
    rejected: list[tuple[ParsedFile, Rejected]] = []
    readers: list[_Rows] = []
    ordered = sorted(found, key=lambda role: bool(config.files[role].join_file))
    for role in ordered:
        spec = config.files[role]
        parsed, rows, lines = found[role]
        reader = _Rows(config, spec, parsed, start, end)
        readers.append(reader)
        for line, cells in zip(lines, rows, strict=True):
            where = at(parsed.path.name, line)
            row_problems: list[str] = []
            if spec.join_file:
                wanted = cells.get(spec.join_column, "").strip()
                matches = [by_key[wanted]] if spec.join_by == "key" and wanted in by_key else []
                if spec.join_by == "name":
                    matches = by_name.get(wanted.casefold(), [])
                if len(matches) != 1:
                    message = (
                        _("%(where)s: %(value)r names no library of the %(kind)s file.")
                        if not matches
                        else _("%(where)s: %(value)r names %(count)s libraries of the %(kind)s file; give a key.")
                    )
                    row_problems.append(
                        message % {"where": where, "value": wanted, "kind": spec.join_file, "count": len(matches)}
                    )
                unit = matches[0] if len(matches) == 1 else ""
            else:
                key, name = cells.get(spec.key, "").strip(), cells.get(spec.name or spec.key, "").strip()
                region_name = cells.get(spec.region, "").strip() if spec.region else config.country_name
                if not key or not name or not region_name:
                    row_problems.append(_("%(where)s: a library needs its key, name and region.") % {"where": where})
                region = _code(region_name)
                unit = _code(region_name, key) if spec.region else _code(key)
                if not row_problems:
                    regions[region] = region_name
                    libraries[unit] = (region, name)
                    by_key[key] = unit
                    by_name.setdefault(name.casefold(), []).append(unit)
            if not row_problems:
                row_problems = reader.row(line, cells, unit)
            if row_problems:
                problems.extend(row_problems)
                rejected.append((parsed, Rejected(line, unit, "", row_problems, dict(cells))))
    if problems and not quarantine:
        raise ImportFailed(problems[:200], [found[role][0] for role in found])
    out: dict[str, tuple[str, dict[str, Cell]]] = {}
    for code, (region, _name) in libraries.items():
        cells_of: dict[str, Cell] = {}
        for reader in readers:
            if code not in reader.sums:
                continue
            for indicator, (kind, number) in reader.sums[code].items():
                cells_of[indicator] = (kind, number, "reported", "")
        out[code] = (region, cells_of)
    return out, {code: name for code, (_r, name) in libraries.items()}, regions, rejected


def _catalogue(config: SurveyConfig) -> tuple[Survey, dict[str, int]]:
    """The survey, its units and indicators as the configuration says (idempotent)."""
    for unit in config.units:
        Unit.objects.update_or_create(
            code=unit.code,
            defaults={"name_en": unit.name_en, "name_lv": unit.name_lv or unit.name_en, "currency": unit.currency},
        )
    known = set(Unit.objects.values_list("code", flat=True))
    unknown = [f"{i.code}: {i.unit!r}" for i in config.indicators if i.unit not in known]
    if unknown:
        message = _("%(file)s: indicators with a unit that is neither the catalogue's nor in [units]: %(list)s.")
        raise ImportFailed([message % {"file": config.path.name, "list": ", ".join(unknown)}])
    survey, _created = Survey.objects.update_or_create(
        code=config.code,
        defaults={"name_lv": config.name_lv, "name_en": config.name_en, "source_file": config.path.name[:300]},
    )
    section, _created = Section.objects.get_or_create(
        survey=survey, code="main", defaults={"name_lv": config.name_lv, "name_en": config.name_en}
    )
    ids = {}
    for order, spec in enumerate(config.indicators, start=1):
        indicator, _created = Indicator.objects.update_or_create(
            survey=survey,
            code=spec.code,
            defaults={
                "section": section,
                "order": order,
                "name_lv": spec.name_lv,
                "name_en": spec.name_en,
                "definition_en": spec.definition_en,
                "unit": spec.unit,
                "value_type": spec.value_type,
                "aggregation": spec.aggregation,
                "library_types": ["public"],
                "first_year": 1900,
            },
        )
        ids[spec.code] = indicator.pk
    return survey, ids


def import_survey(
    config_path: Path,
    paths: list[Path],
    *,
    year: int,
    actor: Any = None,
    channel: str = AuditEntry.Channel.IMPORT,
    dry_run: bool = False,
    confirm_removals: bool = False,
    confirm_columns: bool = False,
    quarantine: bool = False,
    max_change: Decimal | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """`progress` (stage, done, total) is told each stage; a background job's raises there to stop
    the import, which then writes nothing."""
    began = time.perf_counter()
    try:
        config = read_config(config_path)
    except ConfigError as exc:
        raise ImportFailed(exc.problems) from None
    if config.reader != "neutral":
        message = _("%(file)s: the survey %(survey)s has a reader of its own (%(reader)s): import it with import_pls.")
        raise ImportFailed([message % {"file": config_path.name, "survey": config.code, "reader": config.reader}])
    start, end = config.period(year)
    held = Network.objects.filter(slug=config.network).first()
    if held is not None:
        take_reporting_year(held, config, year)  # another year than the network's: refused before the files are read
    if progress:
        progress(_("Reading the files"), 0, 1)
    found = _read(config, paths)
    rows, names, regions, rejected = _gather(config, found, start, end, quarantine)
    files = [found[role][0] for role in found]
    warnings = [_("Reporting period %(year)s: %(start)s – %(end)s.") % {"year": year, "start": start, "end": end}]
    if rejected:
        message = _("%(count)s defective rows left out and kept in quarantine (see the list of problems).")
        warnings.append(message % {"count": len(rejected)})
    with transaction.atomic():
        if progress:
            progress(_("Computing the change"), 0, 1)
        survey, indicator_ids = _catalogue(config)
        network = Network.objects.select_for_update().filter(slug=config.network).first()
        retimed = network is not None and take_reporting_year(network, config, year)
        wanted = [change.Wanted(survey, rows)]
        plan = change.compute(network, year, wanted, names)
        plan.region, plan.period = config.region_word(), config.period_name(year)
        plan.region_names = dict(regions)
        findings = plausibility.Findings()
        if network is not None:
            findings = plausibility.check(network, survey, year, rows, names, files[0].path.name)
        result = decide(
            plan,
            findings,
            network or Network(slug=config.network, name=config.network_name),
            files=files,
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
        if network is None:
            network = Network.objects.create(
                slug=config.network, name=config.network_name[:200], **config.reporting_year().year_fields()
            )
        elif retimed:
            Network.objects.filter(pk=network.pk).update(**network.year_fields())
        result.network = network
        result.applied = True
        writer = _Writer(year, network, progress)
        wanted_units: dict[str, dict[str, str]] = {
            config.country_code: {"level": OrgUnit.Level.COUNTRY, "library_type": "", "name": config.country_name}
        }
        for code, name in regions.items():
            wanted_units[code] = {"level": OrgUnit.Level.COUNTY, "library_type": "", "name": name[:200]}
        for code, name in names.items():
            wanted_units[code] = {"level": OrgUnit.Level.LIBRARY, "library_type": "public", "name": name[:200]}
        ids = writer.units(wanted_units, result.units)
        parent_of = {ids[code]: ids[config.country_code] for code in regions}
        parent_of.update({ids[code]: ids[region] for code, (region, _cells) in rows.items()})
        writer.links(parent_of, [OrgUnit.Level.COUNTRY, OrgUnit.Level.COUNTY, OrgUnit.Level.LIBRARY], result.links)
        period = writer.period(survey)
        report_of = writer.reports(period, {ids[code] for code in rows}, result.reports, result.values)
        cells = (
            (report_of[ids[code]], indicator_ids[indicator], cell)
            for code, (_region, by_indicator) in rows.items()
            for indicator, cell in by_indicator.items()
        )
        total = sum(len(c) for _r, c in rows.values())
        writer.values(period, cells, total, result.values, survey.code)
        writer.lifetimes()
        quarantined = _keep_quarantine(network, year, rejected, list(found))
        if result.changed or quarantined:
            record(
                actor=actor,
                channel=channel,
                action=AuditEntry.Action.DATA_IMPORTED,
                network=network,
                target=f"{config.code} {year}",
                new={
                    "files": [p.path.name for p in files],
                    "period": [start.isoformat(), end.isoformat()],
                    "values": vars(result.values),
                    "reports": vars(result.reports),
                    "quarantined": len(rejected),
                    "confirmed": {
                        "removals": confirm_removals and result.needs_removal_confirmation,
                        "columns": confirm_columns,
                    },
                },
                note="import_survey",
            )
            data_changed(network.pk)
        if progress:
            # The last word before the commit: a job cancelled meanwhile stops here and nothing is applied.
            progress(_("Saving"), 1, 1)
    result.seconds = time.perf_counter() - began
    return result


def value_count(network: Network) -> int:
    return Value.objects.filter(report__period__network=network).count()
