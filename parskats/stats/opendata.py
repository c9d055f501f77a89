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
from parskats.network.models import Network

from .aggregate import StatsError, Table, aggregate, default_survey
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
    table = aggregate(network, survey, year, group_by="county", approved_only=True)
    files = {
        "libraries.csv": _libraries(table),
        "indicators.csv": _indicators(list(Indicator.objects.filter(survey=survey).order_by("order", "pk"))),
        "values.csv": _values(table),
        "totals.csv": _totals(table),
    }
    descriptor = {
        "name": f"parskats-{network.slug}-{year}",
        "title": f"{network.name}: {year}",
        "description": (
            f"Approved annual report values of the libraries of {network.name} for {year}, "
            f"with county totals counted on the boundaries of {table.boundaries.isoformat()}."
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
        ],
    }
    return descriptor, files


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


def datapackage_zip(request: HttpRequest, network: str, year: int) -> HttpResponse:
    net = get_object_or_404(Network, slug=network)
    try:
        body = package_zip(net, year)
    except StatsError as error:
        return _error(request, net, error)
    response = HttpResponse(body, content_type="application/zip")
    attachment(response, f"{net.slug}-{year}-datapackage.zip")
    return response
