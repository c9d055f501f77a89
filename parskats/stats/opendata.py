"""A year's approved data as a Frictionless Data Package: a ZIP of CSV files and datapackage.json
with each file's schema, the indicators' units and definitions, and the county totals from the core."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from parskats.catalogue.models import Indicator
from parskats.core.downloads import attachment
from parskats.core.pagecache import public_page
from parskats.network.models import Network
from parskats.network.timeline import year_end

from .aggregate import Scope, StatsError, Table, aggregate_years, default_survey, survey_years
from .compare import year_change
from .views import _error


def _plain(number: Decimal | None) -> str:
    """1200, 12.5: the same text whichever database the number came from."""
    return "" if number is None else format(number.normalize(), "f")


def _csv(header: list[str], rows: Sequence[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else str(v).lower() if isinstance(v, bool) else v for v in row])
    return buffer.getvalue()


def _field(name: str, kind: str, description: str, required: bool = False, **extra: object) -> dict[str, Any]:
    field: dict[str, Any] = {"name": name, "type": kind, "description": description}
    if required:
        field["constraints"] = {"required": True}
    field.update(extra)
    return field


def build_package(network: Network, year: int) -> tuple[dict[str, Any], dict[str, str]]:
    """(datapackage.json as a dict, {file name: CSV text}) for the year's approved reports."""
    survey = default_survey(network)
    previous_year = next((y for y in survey_years(network, survey) if y < year), None)
    # Both years on the year's own map, so that a county's change compares the same libraries.
    scope = Scope(group_by="county", boundaries=year_end(year, network), approved_only=True)
    tables = aggregate_years(network, survey, [year] if previous_year is None else [previous_year, year], scope)
    table = tables[year]
    files = {
        "libraries.csv": _libraries(table),
        "indicators.csv": _indicators(list(Indicator.objects.filter(survey=survey).order_by("order", "pk"))),
        "values.csv": _values(table),
        "totals.csv": _totals(table),
        "changes.csv": _changes(table, tables.get(previous_year) if previous_year is not None else None),
    }
    descriptor = {
        "name": f"parskats-{network.slug}-{year}",
        "title": f"{network.name}: {year}",
        "description": (
            f"Approved annual report values of the libraries of {network.name} for {year}, "
            f"with county totals counted on the boundaries of {table.boundaries.isoformat()}. "
            "Reported values only: no estimate of the methodologist's imputation run is in any file; "
            "numbers the source itself flagged estimated or imputed keep their flag."
            + (" Demo data: every figure is invented." if network.is_demo else "")
        ),
        "version": "1.0.0",
        "licenses": [
            {"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/", "title": "CC BY 4.0"}
        ],
        "resources": [
            {
                "name": "libraries",
                "path": "libraries.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {
                    "fields": [
                        _field("library_code", "string", "Stable code of the library in the network.", True),
                        _field("name", "string", "Name of the library.", True),
                        _field(
                            "library_type",
                            "string",
                            "public, school or other.",
                            True,
                            constraints={"required": True, "enum": ["public", "school", "other"]},
                        ),
                        _field("county_code", "string", "Code of the county the library belonged to on 31 December."),
                        _field("county", "string", "Name of that county."),
                        _field("report_approved", "boolean", "Whether the library's report for the year is approved."),
                    ],
                    "primaryKey": ["library_code"],
                },
            },
            {
                "name": "indicators",
                "path": "indicators.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {
                    "fields": [
                        _field("code", "string", "Indicator code.", True),
                        _field("parent", "string", 'Code of the indicator this one is a part of ("of which").'),
                        _field("name_lv", "string", "Name in Latvian.", True),
                        _field("name_en", "string", "Name in English."),
                        _field("definition_lv", "string", "Definition in Latvian."),
                        _field("definition_en", "string", "Definition in English."),
                        _field(
                            "unit",
                            "string",
                            "Unit of measurement (persons, count, items, units, titles, hours, days, fte, eur).",
                            True,
                        ),
                        _field(
                            "aggregation", "string", "How totals are formed: sum, average or none (not totalled).", True
                        ),
                        _field("concept", "string", "Shared concept linking indicators of different surveys."),
                    ],
                    "primaryKey": ["code"],
                },
            },
            {
                "name": "values",
                "path": "values.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {
                    "fields": [
                        _field("library_code", "string", "The library (libraries.csv).", True),
                        _field("indicator_code", "string", "The indicator (indicators.csv); its unit is there.", True),
                        _field("value", "number", "The number; empty when value_code is na or unknown (never zero)."),
                        _field(
                            "value_code",
                            "string",
                            "num: a number; na: not applicable; unknown: not known.",
                            True,
                            constraints={"required": True, "enum": ["num", "na", "unknown"]},
                        ),
                        _field("flag", "string", "reported, estimated, imputed or adjusted.", True),
                    ],
                    "primaryKey": ["library_code", "indicator_code"],
                    "foreignKeys": [
                        {"fields": "library_code", "reference": {"resource": "libraries", "fields": "library_code"}},
                        {"fields": "indicator_code", "reference": {"resource": "indicators", "fields": "code"}},
                    ],
                },
            },
            {
                "name": "totals",
                "path": "totals.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {
                    "fields": [
                        _field("group_code", "string", "County code, or total for the whole network.", True),
                        _field("group", "string", "County name.", True),
                        _field("indicator_code", "string", "The indicator (indicators.csv).", True),
                        _field(
                            "value",
                            "number",
                            "Sum or average by the indicator's rule; empty when not totalled or nothing reported.",
                        ),
                        _field("reported", "integer", "Libraries that gave a number.", True),
                        _field(
                            "expected", "integer", "Libraries expected to (on their form, not not-applicable).", True
                        ),
                        _field("unknown", "integer", "Libraries that answered unknown.", True),
                        _field(
                            "includes_estimates",
                            "boolean",
                            "Whether any number in the total is estimated or imputed.",
                            True,
                        ),
                    ],
                    "primaryKey": ["group_code", "indicator_code"],
                    "foreignKeys": [
                        {"fields": "indicator_code", "reference": {"resource": "indicators", "fields": "code"}}
                    ],
                },
            },
            CHANGES_RESOURCE,
        ],
    }
    return descriptor, files


CHANGES_RESOURCE: dict[str, Any] = {
    "name": "changes",
    "path": "changes.csv",
    "format": "csv",
    "mediatype": "text/csv",
    "encoding": "utf-8",
    "description": (
        "The change of every total on the previous year, like for like: over the group's libraries that gave "
        "the figure in both years (on this year's boundaries), beside the previous total of everyone who reported."
    ),
    "schema": {
        "fields": [
            _field("group_code", "string", "County code, or total for the whole network.", True),
            _field("indicator_code", "string", "The indicator (indicators.csv).", True),
            _field("previous_year", "integer", "The year compared with.", True),
            _field("compared_libraries", "integer", "Libraries that gave the figure in both years.", True),
            _field("value", "number", "This year, over the libraries compared."),
            _field("previous_value", "number", "The previous year, over the same libraries."),
            _field("change_percent", "number", "Relative change in %; empty without a base."),
            _field("previous_total", "number", "The previous year's total of everyone who reported."),
        ],
        "primaryKey": ["group_code", "indicator_code"],
        "foreignKeys": [{"fields": "indicator_code", "reference": {"resource": "indicators", "fields": "code"}}],
    },
}


def _libraries(table: Table) -> str:
    rows = []
    for pk, unit in sorted(table.units.items(), key=lambda item: item[1].code):
        group = table.group_of[pk]
        row = table.row(group)
        county_unit = row.unit if row is not None else None
        rows.append(
            [
                unit.code,
                unit.name,
                unit.library_type,
                county_unit.code if county_unit else "",
                county_unit.name if county_unit else "",
                table.statuses.get(pk) == "approved",
            ]
        )
    return _csv(["library_code", "name", "library_type", "county_code", "county", "report_approved"], rows)


def _indicators(indicators: list[Indicator]) -> str:
    codes = {i.pk: i.code for i in indicators}
    rows = [
        [
            i.code,
            codes.get(i.parent_id, "") if i.parent_id else "",
            i.name_lv,
            i.name_en,
            i.definition_lv,
            i.definition_en,
            i.unit,
            i.aggregation,
            i.concept,
        ]
        for i in indicators
    ]
    header = [
        "code",
        "parent",
        "name_lv",
        "name_en",
        "definition_lv",
        "definition_en",
        "unit",
        "aggregation",
        "concept",
    ]
    return _csv(header, rows)


def _values(table: Table) -> str:
    rows = []
    for pk, by_code in sorted(table.values.items(), key=lambda item: table.units[item[0]].code):
        for code, value in sorted(by_code.items()):
            rows.append([table.units[pk].code, code, _plain(value.number), value.code, value.flag])
    return _csv(["library_code", "indicator_code", "value", "value_code", "flag"], rows)


def _changes(table: Table, previous: Table | None) -> str:
    rows = []
    if previous is not None:
        for row in [*table.rows, table.total]:
            for indicator in table.indicators:
                found = year_change(table, previous, indicator.code, row.key)
                ratio = found.ratio
                rows.append(
                    [
                        row.key,
                        indicator.code,
                        found.previous_year,
                        found.libraries,
                        _plain(found.current),
                        _plain(found.previous),
                        "" if ratio is None else _plain((ratio * 100).quantize(Decimal("0.01"))),
                        _plain(found.previous_total.value),
                    ]
                )
    return _csv([f["name"] for f in CHANGES_RESOURCE["schema"]["fields"]], rows)


def _totals(table: Table) -> str:
    rows = []
    for row in [*table.rows, table.total]:
        for indicator in table.indicators:
            cell = row.cells[indicator.code]
            rows.append(
                [
                    row.key,
                    row.label,
                    indicator.code,
                    _plain(cell.value),
                    cell.reported,
                    cell.expected,
                    cell.unknown,
                    cell.includes_estimates,
                ]
            )
    header = ["group_code", "group", "indicator_code", "value", "reported", "expected", "unknown", "includes_estimates"]
    return _csv(header, rows)


def package_zip(network: Network, year: int) -> bytes:
    descriptor, files = build_package(network, year)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("datapackage.json", json.dumps(descriptor, ensure_ascii=False, indent=2))
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


@public_page("figures")
def datapackage_zip(request: HttpRequest, network: str, year: int) -> HttpResponse:
    net = get_object_or_404(Network, slug=network)
    try:
        body = package_zip(net, year)
    except StatsError as error:
        return _error(request, net, error)
    response = HttpResponse(body, content_type="application/zip")
    attachment(response, f"{net.slug}-{year}-datapackage.zip")
    return response
