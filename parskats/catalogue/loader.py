"""Load a survey's catalogue from its data files: a TOML manifest (survey and sections) and a CSV of
indicators. Every problem is reported with its file, line and column; nothing is written unless
the whole catalogue is valid, and loading the same files again changes nothing."""

from __future__ import annotations

import csv
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import models, transaction

from .formparts import indicator_infos, read_checks, read_narratives, save_form_parts
from .models import Indicator, Section, Survey, Unit

COLUMNS = [
    "code",
    "parent",
    "section",
    "name_lv",
    "name_en",
    "definition_lv",
    "definition_en",
    "unit",
    "value_type",
    "aggregation",
    "library_types",
    "first_year",
    "last_year",
    "stable",
    "concept",
]
LIBRARY_TYPES = {"public", "school", "other"}
CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
YES_NO = {"yes": True, "no": False, "": False}


class CatalogueError(Exception):
    """Raised with every problem found; str() lists them one per line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class LoadResult:
    survey: Survey
    created: int
    updated: int
    unchanged: int


def _choice(value: str, choices: type[models.TextChoices], where: str, column: str, problems: list[str]) -> str:
    allowed = [c.value for c in choices]
    if value not in allowed:
        problems.append(f"{where}, column {column}: {value!r} is not one of {', '.join(allowed)}.")
    return value


def known_units() -> set[str]:
    """The unit codes an indicator may have: the rows of Unit (units are data)."""
    return set(Unit.objects.values_list("code", flat=True))


def _year(value: str, where: str, column: str, problems: list[str], required: bool) -> int | None:
    if not value:
        if required:
            problems.append(f"{where}, column {column}: a year is required.")
        return None
    if not value.isdigit() or not 1900 <= int(value) <= 2100:
        problems.append(f"{where}, column {column}: {value!r} is not a year.")
        return None
    return int(value)


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        manifest = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError([f"{path.name}: {exc}"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError([f"{path.name}: cannot be read ({exc})."]) from None
    problems = []
    for key in ("code", "name_lv", "indicators"):
        if not isinstance(manifest.get(key), str) or not manifest[key]:
            problems.append(f"{path.name}: the key {key!r} is missing or empty.")
    sections = manifest.get("sections")
    if not isinstance(sections, list) or not sections:
        problems.append(f"{path.name}: at least one [[sections]] table is required.")
    else:
        for index, section in enumerate(sections, start=1):
            if not isinstance(section, dict) or not section.get("code") or not section.get("name_lv"):
                problems.append(f"{path.name}: section {index} needs a code and a name_lv.")
    if problems:
        raise CatalogueError(problems)
    return manifest


def read_indicators(path: Path, section_codes: set[str]) -> list[dict[str, Any]]:
    """Parse and check the indicator CSV; raise CatalogueError naming every bad line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError([f"{path.name}: cannot be read as UTF-8 ({exc})."]) from None
    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    if header != COLUMNS:
        raise CatalogueError([f"{path.name}, line 1: the header must be exactly: {','.join(COLUMNS)}."])
    problems: list[str] = []
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for line_no, cells in enumerate(reader, start=2):
        where = f"{path.name}, line {line_no}"
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(COLUMNS):
            problems.append(f"{where}: {len(cells)} columns, expected {len(COLUMNS)}.")
            continue
        row: dict[str, Any] = {column: cell.strip() for column, cell in zip(COLUMNS, cells, strict=True)}
        code = row["code"]
        if not CODE_RE.match(code):
            problems.append(f"{where}, column code: {code!r} must be lower-case letters, digits and _.")
        elif code in seen:
            problems.append(f"{where}, column code: {code!r} already defined on line {seen[code]}.")
        seen[code] = line_no
        _check_fields(row, where, section_codes, problems)
        row["line"] = line_no
        rows.append(row)
    _check_parents(rows, path.name, problems)
    if not rows and not problems:
        problems.append(f"{path.name}: no indicators.")
    if problems:
        raise CatalogueError(problems)
    return rows


def _check_fields(row: dict[str, Any], where: str, section_codes: set[str], problems: list[str]) -> None:
    """One line's columns besides its code, normalised in place (library types, years, stable)."""
    if row["section"] not in section_codes:
        problems.append(f"{where}, column section: {row['section']!r} is not a section of the manifest.")
    if not row["name_lv"]:
        problems.append(f"{where}, column name_lv: a Latvian name is required.")
    units = known_units()
    if row["unit"] not in units:
        problems.append(f"{where}, column unit: {row['unit']!r} is not one of {', '.join(sorted(units))}.")
    _choice(row["value_type"], Indicator.ValueType, where, "value_type", problems)
    _choice(row["aggregation"], Indicator.Aggregation, where, "aggregation", problems)
    types = row["library_types"].split()
    if not types or not set(types) <= LIBRARY_TYPES:
        problems.append(
            f"{where}, column library_types: {row['library_types']!r} must list some of "
            f"{', '.join(sorted(LIBRARY_TYPES))}, separated by spaces."
        )
    row["library_types"] = sorted(set(types))
    first = _year(row["first_year"], where, "first_year", problems, required=True)
    last = _year(row["last_year"], where, "last_year", problems, required=False)
    if first and last and last < first:
        problems.append(f"{where}, column last_year: {last} is before first_year {first}.")
    row["first_year"], row["last_year"] = first, last
    if row["stable"].lower() not in YES_NO:
        problems.append(f"{where}, column stable: {row['stable']!r} must be yes or no.")
    row["stable"] = YES_NO.get(row["stable"].lower(), False)


def _check_parents(rows: list[dict[str, Any]], file_name: str, problems: list[str]) -> None:
    """A part names an indicator of the same file, with the same unit, one level deep."""
    by_code = {row["code"]: row for row in rows}
    for row in rows:
        parent = row["parent"]
        if not parent:
            continue
        where = f"{file_name}, line {row['line']}, column parent"
        if parent == row["code"]:
            problems.append(f"{where}: an indicator cannot be a part of itself.")
        elif parent not in by_code:
            problems.append(f"{where}: {parent!r} is not an indicator of this file.")
        elif by_code[parent]["unit"] != row["unit"]:
            problems.append(
                f"{where}: the part's unit {row['unit']!r} differs from {parent!r}'s {by_code[parent]['unit']!r}."
            )
        elif by_code[parent]["parent"]:
            problems.append(f"{where}: {parent!r} is itself a part; parts nest one level deep.")


@transaction.atomic
def load_catalogue(manifest_path: Path) -> LoadResult:
    manifest = read_manifest(manifest_path)
    sections_data = manifest["sections"]
    rows = read_indicators(manifest_path.parent / manifest["indicators"], {s["code"] for s in sections_data})
    problems: list[str] = []
    narratives = read_narratives(manifest, manifest_path.name, problems)
    checks = (
        read_checks(manifest_path.parent / manifest["checks"], indicator_infos(rows), problems)
        if manifest.get("checks")
        else []
    )
    if problems:
        raise CatalogueError(problems)

    survey, _created = Survey.objects.update_or_create(
        code=manifest["code"],
        defaults={
            "name_lv": manifest["name_lv"],
            "name_en": manifest.get("name_en", ""),
            "source_file": manifest_path.name,
        },
    )
    missing = set(survey.indicators.values_list("code", flat=True)) - {row["code"] for row in rows}
    if missing:
        raise CatalogueError(
            [
                f"{manifest['indicators']}: indicators {', '.join(sorted(missing))} are in the database but not in the "
                "file. Indicators are never deleted: give them a last_year instead."
            ]
        )
    sections = {}
    for order, data in enumerate(sections_data):
        sections[data["code"]], _ = Section.objects.update_or_create(
            survey=survey,
            code=data["code"],
            defaults={"name_lv": data["name_lv"], "name_en": data.get("name_en", ""), "order": order},
        )

    existing = {indicator.code: indicator for indicator in survey.indicators.all()}
    created = updated = unchanged = 0
    for order, row in enumerate(rows):
        fields = {
            "section": sections[row["section"]],
            "order": order,
            "name_lv": row["name_lv"],
            "name_en": row["name_en"],
            "definition_lv": row["definition_lv"],
            "definition_en": row["definition_en"],
            "unit": row["unit"],
            "value_type": row["value_type"],
            "aggregation": row["aggregation"],
            "library_types": row["library_types"],
            "first_year": row["first_year"],
            "last_year": row["last_year"],
            "stable": row["stable"],
            "concept": row["concept"],
        }
        indicator = existing.get(row["code"])
        if indicator is None:
            existing[row["code"]] = Indicator.objects.create(survey=survey, code=row["code"], **fields)
            created += 1
        elif any(getattr(indicator, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(indicator, name, value)
            indicator.save()
            updated += 1
        else:
            unchanged += 1
    # Parents once every indicator exists, so a part may be listed before its total.
    for row in rows:
        indicator = existing[row["code"]]
        parent_id = existing[row["parent"]].pk if row["parent"] else None
        if indicator.parent_id != parent_id:
            indicator.parent_id = parent_id
            indicator.save(update_fields=["parent"])
    save_form_parts(survey, narratives, checks)
    return LoadResult(survey=survey, created=created, updated=updated, unchanged=unchanged)


DATA_DIR = Path(__file__).resolve().parent / "data"


def manifests(directory: Path = DATA_DIR) -> list[Path]:
    """The survey manifests of a data directory (check files, *-checks.toml, are named by them;
    peers.toml defines the peer groups every survey's checks and imputation share)."""
    return sorted(p for p in directory.glob("*.toml") if not p.name.endswith("-checks.toml") and p.name != "peers.toml")
