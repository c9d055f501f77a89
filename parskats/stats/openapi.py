"""The API's OpenAPI 3.1 description, served at /api/openapi.json; tests check every answer
against these schemas."""

from __future__ import annotations

from typing import Any

# Far past any real list; a larger page is refused with 400, as this document says.
MAX_PAGE = 1_000_000

NULLABLE_NUMBER = {"type": ["number", "null"]}


def _page_of(item: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["count", "page", "page_size", "next", "previous", "results"],
        "properties": {
            "count": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "page_size": {"type": "integer", "minimum": 1},
            "next": {"type": ["string", "null"]},
            "previous": {"type": ["string", "null"]},
            "results": {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}},
        },
    }


def _param(
    name: str, description: str, schema: dict[str, Any], where: str = "query", required: bool = False
) -> dict[str, Any]:
    return {"name": name, "in": where, "required": required, "description": description, "schema": schema}


NETWORK = _param("network", "The network's short name (slug).", {"type": "string"}, "path", True)
YEAR = _param("year", "Reporting year; default: the latest.", {"type": "integer", "minimum": 1900, "maximum": 2100})
UNIT = _param("unit", "Code of a unit (county, region or library): only what lies under it.", {"type": "string"})
INDICATOR = _param("indicator", "Comma-separated indicator (or performance indicator) codes.", {"type": "string"})
STATUS = _param(
    "status",
    "approved (default), accepted (only reports the national level accepted, in a network reviewing on two "
    "levels) or all; all needs a bearer token of the network's methodologist or viewer.",
    {"type": "string", "enum": ["approved", "accepted", "all"]},
)
BOUNDARIES = _param(
    "boundaries",
    "Map to count on: year (the year's last day, default), today, or a date YYYY-MM-DD.",
    {"type": "string"},
)
PAGE = _param("page", "Page number, from 1.", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE})
PAGE_SIZE = _param(
    "page_size", "Items per page (1–1000, default 100).", {"type": "integer", "minimum": 1, "maximum": 1000}
)
ERRORS = {
    status: {"description": text, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for status, text in (
        ("400", "A malformed parameter."),
        ("401", "An invalid token."),
        ("403", "Not allowed with this token."),
        ("404", "Unknown network, year, unit, indicator or page."),
        ("429", "Too many requests from this address; the Retry-After header says in how many seconds to try again."),
    )
}


def _get(summary: str, schema: str, parameters: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "parameters": parameters,
            "responses": {
                "200": {
                    "description": "OK",
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
                },
                **ERRORS,
            },
        }
    }


def document(base_url: str) -> dict[str, Any]:
    cell = {
        "type": "object",
        "required": [
            "value",
            "reported",
            "expected",
            "unknown",
            "not_applicable",
            "includes_estimates",
            "pending",
            "imputed",
        ],
        "properties": {
            "value": {
                **NULLABLE_NUMBER,
                "description": "Sum, average or ratio; null when not totalled or nothing reported.",
            },
            "reported": {"type": "integer", "description": "Libraries that gave a number."},
            "expected": {
                "type": "integer",
                "description": "Libraries expected to (on their form, not not-applicable).",
            },
            "unknown": {"type": "integer"},
            "not_applicable": {"type": "integer"},
            "includes_estimates": {"type": "boolean"},
            "pending": {"type": "integer", "description": "Numbers from reports not yet approved."},
            "imputed": {
                "type": "integer",
                "description": (
                    "Estimates of the methodologist's imputation run in the value, for libraries that did not "
                    "report the number; always 0 with values=reported."
                ),
            },
        },
    }
    schemas: dict[str, Any] = {
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["status", "message"],
                    "properties": {
                        "status": {"type": "integer"},
                        "message": {"type": "string"},
                        "parameter": {"type": "string"},
                    },
                }
            },
        },
        "Root": {
            "type": "object",
            "required": ["openapi", "networks"],
            "properties": {"openapi": {"type": "string"}, "networks": {"type": "string"}},
        },
        "Network": {
            "type": "object",
            "required": ["slug", "name", "is_demo", "years"],
            "properties": {
                "slug": {"type": "string"},
                "name": {"type": "string"},
                "is_demo": {"type": "boolean", "description": "Demo data: every figure is invented."},
                "years": {"type": "array", "items": {"type": "integer"}},
            },
        },
        "Unit": {
            "type": "object",
            "required": ["code", "name", "level", "library_type", "parent"],
            "properties": {
                "code": {"type": "string"},
                "name": {"type": "string"},
                "level": {"type": "string", "enum": ["country", "region", "county", "library", "branch"]},
                "library_type": {"type": ["string", "null"], "enum": ["public", "school", "other", None]},
                "parent": {"type": ["string", "null"]},
            },
        },
        "Indicator": {
            "type": "object",
            "required": [
                "code",
                "parent",
                "section",
                "name_lv",
                "name_en",
                "unit",
                "value_type",
                "aggregation",
                "library_types",
                "first_year",
                "last_year",
                "concept",
            ],
            "properties": {
                "code": {"type": "string"},
                "parent": {"type": ["string", "null"]},
                "section": {"type": "string"},
                "name_lv": {"type": "string"},
                "name_en": {"type": "string"},
                "definition_lv": {"type": "string"},
                "definition_en": {"type": "string"},
                "unit": {"type": "string"},
                "value_type": {"type": "string", "enum": ["integer", "decimal"]},
                "aggregation": {"type": "string", "enum": ["sum", "average", "none"]},
                "library_types": {"type": "array", "items": {"type": "string"}},
                "first_year": {"type": "integer"},
                "last_year": {"type": ["integer", "null"]},
                "concept": {"type": ["string", "null"]},
            },
        },
        "Value": {
            "type": "object",
            "required": ["library", "indicator", "value", "value_code", "flag", "approved"],
            "properties": {
                "library": {"type": "string"},
                "indicator": {"type": "string"},
                "value": {**NULLABLE_NUMBER, "description": "null for na and unknown (never zero)."},
                "value_code": {"type": "string", "enum": ["num", "na", "unknown"]},
                "flag": {"type": "string", "enum": ["reported", "estimated", "imputed", "adjusted"]},
                "approved": {"type": "boolean"},
            },
        },
        "Cell": cell,
        "Change": {
            "type": "object",
            "description": (
                "The change on the previous year, like for like: over the row's libraries (on this table's map) "
                "that gave the figure in both years. total_current and total_previous are everyone who reported."
            ),
            "required": [
                "previous_year",
                "libraries_compared",
                "current",
                "previous",
                "absolute",
                "percent",
                "percentage_points",
                "includes_estimates",
                "pending",
                "total_current",
                "total_previous",
            ],
            "properties": {
                "previous_year": {"type": "integer"},
                "libraries_compared": {
                    "type": "integer",
                    "description": "Libraries that gave the figure in both years; 0 means no like-for-like change.",
                },
                "current": {**NULLABLE_NUMBER, "description": "This year, over the libraries compared."},
                "previous": {**NULLABLE_NUMBER, "description": "The previous year, over the same libraries."},
                "absolute": {**NULLABLE_NUMBER, "description": "current − previous."},
                "percent": {
                    **NULLABLE_NUMBER,
                    "description": "Relative change in % (null without a base, and for a percentage).",
                },
                "percentage_points": {
                    **NULLABLE_NUMBER,
                    "description": "For a percentage (e.g. population coverage): the change in percentage points.",
                },
                "includes_estimates": {"type": "boolean"},
                "pending": {"type": "boolean", "description": "A compared value is not yet approved."},
                "total_current": {**NULLABLE_NUMBER, "description": "This year's total of everyone who reported."},
                "total_previous": {
                    **NULLABLE_NUMBER,
                    "description": "The previous year's total of everyone who reported.",
                },
            },
        },
        "AggregateRow": {
            "type": "object",
            "required": ["key", "label", "libraries", "reports", "cells"],
            "properties": {
                "key": {"type": "string", "description": "Unit code, library type, “-” (not on this map) or “total”."},
                "label": {"type": "string"},
                "libraries": {"type": "integer"},
                "reports": {"type": "integer"},
                "cells": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Cell"}},
                "changes": {
                    "type": "object",
                    "description": "By indicator code, when there is a previous year (see previous_year).",
                    "additionalProperties": {"$ref": "#/components/schemas/Change"},
                },
            },
        },
    }
    networks = _page_of("Network")
    units = _page_of("Unit")
    units["required"] = [*units["required"], "on"]
    units["properties"]["on"] = {"type": "string", "format": "date"}
    indicators = _page_of("Indicator")
    indicators["required"] = [*indicators["required"], "survey"]
    indicators["properties"]["survey"] = {"type": "string"}
    values = _page_of("Value")
    values["required"] = [*values["required"], "year"]
    values["properties"]["year"] = {"type": "integer"}
    aggregates = _page_of("AggregateRow")
    choices = ["year", "boundaries", "group_by", "approved_only", "accepted_only", "values"]
    aggregates["required"] = [*aggregates["required"], *choices]
    aggregates["properties"].update(
        {
            "year": {"type": "integer"},
            "boundaries": {"type": "string", "format": "date"},
            "group_by": {"type": "string"},
            "approved_only": {"type": "boolean"},
            "accepted_only": {"type": "boolean"},
            "values": {
                "type": "string",
                "enum": ["reported", "imputed"],
                "description": "reported: libraries' own numbers only; imputed: with the imputation run's estimates.",
            },
            "previous_year": {
                "type": ["integer", "null"],
                "description": "The year the rows' changes compare with (null: no earlier year).",
            },
        }
    )
    schemas.update(
        {
            "NetworkPage": networks,
            "UnitPage": units,
            "IndicatorPage": indicators,
            "ValuePage": values,
            "AggregatePage": aggregates,
        }
    )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Pārskats API",
            "version": "1.0.0",
            "description": (
                "Read API of a regional library network's annual reports: the catalogue, the network over time, "
                "approved values and aggregates with their coverage. Public data needs no token; "
                "status=all needs `Authorization: Bearer <token>` of the network's methodologist or viewer. "
                "The network's methodologist issues and revokes its tokens at /n/<network>/figures/api-tokens/."
            ),
        },
        "servers": [{"url": base_url.rstrip("/")}],
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{}, {"bearer": []}],
        "paths": {
            "/": _get("Where to start", "Root", []),
            "/networks/": _get("Networks", "NetworkPage", [PAGE, PAGE_SIZE]),
            "/networks/{network}/units/": _get(
                "Units on a date", "UnitPage", [NETWORK, YEAR, BOUNDARIES, PAGE, PAGE_SIZE]
            ),
            "/networks/{network}/indicators/": _get(
                "The indicator catalogue", "IndicatorPage", [NETWORK, YEAR, PAGE, PAGE_SIZE]
            ),
            "/networks/{network}/values/": _get(
                "Values per library and indicator",
                "ValuePage",
                [NETWORK, YEAR, UNIT, INDICATOR, STATUS, PAGE, PAGE_SIZE],
            ),
            "/networks/{network}/aggregates/": _get(
                "Totals per group with coverage",
                "AggregatePage",
                [
                    NETWORK,
                    YEAR,
                    _param(
                        "group_by",
                        "county (default), region, country, library_type, library or network.",
                        {
                            "type": "string",
                            "enum": ["county", "region", "country", "library_type", "library", "network"],
                        },
                    ),
                    BOUNDARIES,
                    _param(
                        "values",
                        "reported (default): libraries' own numbers only; imputed: with the estimates of the "
                        "methodologist's imputation run for numbers not reported (counted per cell in `imputed`).",
                        {"type": "string", "enum": ["reported", "imputed"]},
                    ),
                    UNIT,
                    INDICATOR,
                    STATUS,
                    PAGE,
                    PAGE_SIZE,
                ],
            ),
        },
    }
