"""Narrative sections and check rules of a survey, loaded as data with its indicators.

Narrative sections are [[narratives]] tables of the survey manifest; check rules live in the file
the manifest names as `checks` ([[checks]] tables). Every problem names its file and entry, and
every expression is compiled against the catalogue before anything is written.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .expressions import Expression, ExpressionError, compile_expression
from .models import CheckRule, Indicator, NarrativeSection, Survey

LIBRARY_TYPES = ["public", "school", "other"]
# Names the check language knows besides indicator codes: figures computed from the activity list.
SPECIAL_NAMES = {"activities.count", "activities.attendance", "activities.in_person", "activities.virtual"}
ALL_FIELDS, PARTS = "@all", "@parts"


@dataclass(frozen=True)
class IndicatorInfo:
    code: str
    parent: str


def expand(rule_fields: list[str], expression: str, indicators: dict[str, IndicatorInfo]) -> list[tuple[str, str]]:
    """(field, expression text) for every field a rule applies to; {field} and {parent} filled in."""
    fields: list[str] = []
    for entry in rule_fields or [ALL_FIELDS]:
        if entry == ALL_FIELDS:
            fields.extend(indicators)
        elif entry == PARTS:
            fields.extend(code for code, info in indicators.items() if info.parent)
        else:
            fields.append(entry)
    out = []
    for field in dict.fromkeys(fields):
        info = indicators.get(field)
        if "{parent}" in expression and (info is None or not info.parent):
            continue
        out.append((field, expression.replace("{field}", field).replace("{parent}", info.parent if info else "")))
    return out


def compiled(text: str, known: set[str]) -> Expression:
    expression = compile_expression(text)
    unknown = [name for name in expression.names if name not in known and name not in SPECIAL_NAMES]
    if unknown:
        raise ExpressionError(f"unknown indicator {', '.join(unknown)}")
    return expression


def _years(entry: dict[str, Any], where: str, problems: list[str]) -> tuple[int, int | None]:
    first, last = entry.get("first_year", 2019), entry.get("last_year")
    if not isinstance(first, int) or not 1900 <= first <= 2100:
        problems.append(f"{where}: first_year {first!r} is not a year.")
        first = 2019
    if last is not None and (not isinstance(last, int) or last < first):
        problems.append(f"{where}: last_year {last!r} is not a year after first_year.")
        last = None
    return first, last


def _types(entry: dict[str, Any], where: str, problems: list[str]) -> list[str]:
    types = entry.get("library_types", ["public", "school"])
    if not isinstance(types, list) or not types or not set(types) <= set(LIBRARY_TYPES):
        problems.append(f"{where}: library_types must be a list of {', '.join(LIBRARY_TYPES)}.")
        return ["public", "school"]
    return sorted(set(types))


def read_narratives(manifest: dict[str, Any], file_name: str, problems: list[str]) -> list[dict[str, Any]]:
    rows = []
    seen = set()
    for index, entry in enumerate(manifest.get("narratives", []), start=1):
        where = f"{file_name}, narrative {index}"
        if not isinstance(entry, dict):
            problems.append(f"{where}: must be a table.")
            continue
        code, title = entry.get("code"), entry.get("title_lv")
        if not isinstance(code, str) or not code or not isinstance(title, str) or not title:
            problems.append(f"{where}: needs a code and a title_lv.")
            continue
        if code in seen:
            problems.append(f"{where}: the code {code!r} is used twice.")
        seen.add(code)
        max_words = entry.get("max_words")
        if max_words is not None and (not isinstance(max_words, int) or max_words < 1):
            problems.append(f"{where}: max_words must be a positive whole number.")
            max_words = None
        first, last = _years(entry, where, problems)
        rows.append(
            {
                "code": code,
                "title_lv": title,
                "title_en": str(entry.get("title_en", "")),
                "guidance_lv": str(entry.get("guidance_lv", "")),
                "guidance_en": str(entry.get("guidance_en", "")),
                "max_words": max_words,
                "single_sentence": bool(entry.get("single_sentence", False)),
                "library_types": _types(entry, where, problems),
                "first_year": first,
                "last_year": last,
            }
        )
    return rows


def read_checks(path: Path, indicators: dict[str, IndicatorInfo], problems: list[str]) -> list[dict[str, Any]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        problems.append(f"{path.name}: cannot be read ({exc}).")
        return []
    rows = []
    seen: set[str] = set()
    for index, entry in enumerate(data.get("checks", []), start=1):
        where = f"{path.name}, check {index}"
        if not isinstance(entry, dict):
            problems.append(f"{where}: must be a table.")
            continue
        code = entry.get("code")
        if not isinstance(code, str) or not code:
            problems.append(f"{where}: needs a code.")
            continue
        where = f"{path.name}, check {code!r}"
        if code in seen:
            problems.append(f"{where}: the code is used twice.")
        seen.add(code)
        row = _check_row(entry, code, where, indicators, problems)
        if row is not None:
            rows.append(row)
    return rows


def _check_row(
    entry: dict[str, Any], code: str, where: str, indicators: dict[str, IndicatorInfo], problems: list[str]
) -> dict[str, Any] | None:
    """One check as a row to save; None when its fields or expression cannot be used (problems say why)."""
    if entry.get("severity") not in CheckRule.Severity.values:
        problems.append(f"{where}: severity must be error or warning.")
    for key in ("expression", "message_lv"):
        if not isinstance(entry.get(key), str) or not entry[key]:
            problems.append(f"{where}: {key} is required.")
    fields = entry.get("fields", [ALL_FIELDS])
    if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
        problems.append(f"{where}: fields must be a list of indicator codes, @all or @parts.")
        return None
    for field in fields:
        if field not in (ALL_FIELDS, PARTS) and field not in indicators:
            problems.append(f"{where}: {field!r} is not an indicator of the survey.")
    if not isinstance(entry.get("expression"), str):
        return None
    for field, text in expand(fields, entry["expression"], indicators):
        try:
            compiled(text, set(indicators))
        except ExpressionError as exc:
            problems.append(f"{where}, field {field}: {exc}.")
            break
    at_entry = entry.get("at_entry", False)
    if not isinstance(at_entry, bool):
        problems.append(f"{where}: at_entry must be true or false.")
        at_entry = False
    if at_entry:
        _check_at_entry(fields, entry["expression"], entry.get("severity"), indicators, where, problems)
    first, last = _years(entry, where, problems)
    return {
        "code": code,
        "severity": entry.get("severity"),
        "at_entry": at_entry,
        "expression": entry["expression"],
        "fields": fields,
        "message_lv": entry.get("message_lv", ""),
        "message_en": str(entry.get("message_en", "")),
        "library_types": _types(entry, where, problems),
        "first_year": first,
        "last_year": last,
    }


def _check_at_entry(
    fields: list[str],
    text: str,
    severity: object,
    indicators: dict[str, IndicatorInfo],
    where: str,
    problems: list[str],
) -> None:
    """A check refused at entry sees one value alone (the others may not be typed yet): it must be an
    error that reads only {field}, without last year's value or the peers."""
    if severity != CheckRule.Severity.ERROR:
        problems.append(f"{where}: an at_entry check must be an error.")
    for field, expanded in expand(fields, text, indicators):
        try:
            expression = compile_expression(expanded)
        except ExpressionError:
            return  # reported above
        if set(expression.names) - {field} or expression.functions & {"prev", "peer_median", "present"}:
            problems.append(f"{where}: an at_entry check may read only its own field ({{field}}).")
            return


def _sync(model: type[NarrativeSection] | type[CheckRule], survey: Survey, rows: list[dict[str, Any]]) -> None:
    """Create or update rows by code; rows no longer in the file leave the form (a last_year) rather
    than disappear, since reports may refer to them."""
    existing: dict[str, NarrativeSection | CheckRule] = {obj.code: obj for obj in model.objects.filter(survey=survey)}
    for order, row in enumerate(rows):
        fields = {**{k: v for k, v in row.items() if k != "code"}, "order": order}
        obj = existing.pop(row["code"], None)
        if obj is None:
            model.objects.create(survey=survey, code=row["code"], **fields)
        elif any(getattr(obj, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(obj, name, value)
            obj.save()
    if model is CheckRule:  # a check has no data hanging on it (explanations keep its code as text)
        for obj in existing.values():
            obj.delete()


def indicator_infos(rows: list[dict[str, Any]]) -> dict[str, IndicatorInfo]:
    return {row["code"]: IndicatorInfo(row["code"], row["parent"]) for row in rows}


def save_form_parts(survey: Survey, narratives: list[dict[str, Any]], checks: list[dict[str, Any]]) -> None:
    _sync(NarrativeSection, survey, narratives)
    _sync(CheckRule, survey, checks)


def survey_indicator_infos(survey: Survey) -> dict[str, IndicatorInfo]:
    return {
        code: IndicatorInfo(code, parent or "")
        for code, parent in Indicator.objects.filter(survey=survey).values_list("code", "parent__code")
    }
