"""A national library survey described as data: one TOML file says what the survey's files hold and
how they become a network, a catalogue and values (README, "Another country's survey"). Read and
checked whole before anything is used; every problem names the file, the key and its line."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import re
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from parskats.network.models import Network

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,49}$")
CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
VALUE_TYPES = ("integer", "decimal")
AGGREGATIONS = ("sum", "average", "none")


class ConfigError(Exception):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


READERS = ("neutral", "us-pls")
CODE_KINDS = ("unknown", "na")
US_PLS = Path(__file__).resolve().parent / "data" / "surveys" / "us-pls.toml"


@dataclass(frozen=True)
class MissingCode:
    source: str  # "-1", "-9", "blank", …
    kind: str  # Value.Code: "na" or "unknown"
    meaning: str
    suppressed: bool


@dataclass
class UnitSpec:
    code: str
    name_en: str
    name_lv: str
    currency: str


@dataclass
class IndicatorSpec:
    code: str
    name_en: str
    name_lv: str
    unit: str
    value_type: str
    aggregation: str
    definition_en: str = ""


@dataclass
class FileSpec:
    role: str
    required: list[str]  # header columns that tell this file from any other
    key: str = ""  # column of the library's code (or its name, when the survey has no codes)
    name: str = ""
    region: str = ""  # hierarchy from a column: the library's region
    join_file: str = ""  # hierarchy from another file: the library this row belongs to …
    join_by: str = ""  # … found by its "key" or its "name"
    join_column: str = ""
    rows: str = "one"  # "one" row per library, or "sum": several rows (months, counts) added up
    date_column: str = ""  # rows dated outside the reporting period are refused
    columns: dict[str, list[str]] = field(default_factory=dict)  # indicator → the columns it adds up


@dataclass
class SurveyConfig:
    path: Path
    code: str
    name_en: str
    name_lv: str
    network: str
    network_name: str
    country_code: str
    country_name: str
    period_start: tuple[int, int]  # month, day
    period_label: str  # "start" or "end": which calendar year names a fiscal year
    unknown: set[str]
    not_applicable: set[str]
    text_values: dict[str, Decimal]
    notes_in_numbers: str  # "unknown" or "refuse"
    units: list[UnitSpec]
    indicators: list[IndicatorSpec]
    files: dict[str, FileSpec]
    # The survey's own words for its hierarchy level and its year; empty: ours ("region", "year 2024").
    region_label: str = ""
    region_label_lv: str = ""
    period_text: str = ""  # [survey] period_label: "financial year {start}/{end2}"
    period_text_lv: str = ""
    # "neutral": the files are read as [files] says; "us-pls": by the US survey's own reader
    # (its year-by-year column maps, imputation flags, outlets and state summary totals).
    reader: str = "neutral"
    codes: dict[str, MissingCode] = field(default_factory=dict)  # [missing.codes]: a code's kind and meaning
    catalogue: list[Path] = field(default_factory=list)  # catalogue manifests, instead of [[indicators]]
    region_names: Path | None = None  # a CSV of code,name for the regions

    def region_names_by_code(self) -> dict[str, str]:
        if self.region_names is None:
            return {}
        with self.region_names.open(encoding="utf-8") as handle:
            return {row["code"]: row["name"] for row in csv.DictReader(handle)}

    @property
    def name(self) -> str:
        """The survey's name in the language of the page (Latvian is optional)."""
        return self.name_lv if _latvian() and self.name_lv else self.name_en

    def region_word(self) -> str:
        """What one region of the survey is called ("local authority"), as the change's table says it."""
        own = self.region_label_lv if _latvian() and self.region_label_lv else self.region_label
        return own or _("region")

    def period_name(self, year: int) -> str:
        """The year as the survey names it ("financial year 2023/24"); ours when the survey says nothing."""
        own = self.period_text_lv if _latvian() and self.period_text_lv else self.period_text
        if not own:
            return _("year %(year)s") % {"year": year}
        start, end = self.period(year)
        return own.format(year=year, start=start.year, end=end.year, end2=f"{end.year % 100:02d}")

    def reporting_year(self) -> Network:
        """The survey's reporting year as a network stores it (an unsaved network: its period only)."""
        month, day = self.period_start
        return Network(year_start_month=month, year_start_day=day, year_named_by=self.period_label)

    def period(self, year: int) -> tuple[dt.date, dt.date]:
        """First and last day of the fiscal year named `year`."""
        return self.reporting_year().year_span(year)


def _latvian() -> bool:
    return (get_language() or "lv").startswith("lv")


PLACEHOLDERS = {"year": 2024, "start": 2023, "end": 2024, "end2": "24"}


def _lines(text: str) -> dict[str, int]:
    """Line of each table header and key, so that a problem can say where it is."""
    found: dict[str, int] = {}
    table = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("["):
            table = line.strip("[]").strip()
            found.setdefault(table, number)
        elif "=" in line and not line.startswith("#"):
            key = line.split("=", 1)[0].strip().strip('"')
            found.setdefault(f"{table}.{key}" if table else key, number)
    return found


class _Reader:
    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = _lines(text)
        self.problems: list[str] = []

    def problem(self, key: str, message: str) -> None:
        line = self.lines.get(key) or self.lines.get(key.rsplit(".", 1)[0]) or 1
        self.problems.append(
            _("%(file)s, line %(line)s, %(key)s: %(message)s")
            % {"file": self.path.name, "line": line, "key": key, "message": message}
        )

    def text(self, table: dict[str, Any], key: str, where: str, required: bool = True) -> str:
        value = table.get(key, "")
        if not isinstance(value, str):
            self.problem(f"{where}.{key}", _("must be text."))
            return ""
        if required and not value.strip():
            self.problem(f"{where}.{key}", _("is required."))
        return value.strip()

    def texts(self, table: dict[str, Any], key: str, where: str) -> list[str]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(f"{where}.{key}", _("must be a list of texts."))
            return []
        return list(value)


def read_config(path: Path) -> SurveyConfig:
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except OSError as exc:
        raise ConfigError([f"{path}: {exc.strerror}"]) from None
    except UnicodeDecodeError:
        raise ConfigError([_("%(file)s: not UTF-8 text.") % {"file": path.name}]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path.name}: {exc}"]) from None
    r = _Reader(path, text)
    survey = data.get("survey", {})
    if not isinstance(survey, dict):
        survey = {}
        r.problem("survey", _("must be a table."))
    code = r.text(survey, "code", "survey")
    if code and not SLUG.match(code):
        r.problem("survey.code", _("%(value)r: lower-case letters, digits and hyphens only.") % {"value": code})
    network = r.text(survey, "network", "survey", required=False) or code
    period = data.get("period", {})
    starts = str(period.get("starts", "01-01"))
    try:
        start = dt.date(2001, int(starts[:2]), int(starts[3:5]))
        period_start = (start.month, start.day)
    except ValueError:
        r.problem("period.starts", _("%(value)r is not a day of the year as MM-DD.") % {"value": starts})
        period_start = (1, 1)
    label = str(period.get("label", "end"))
    if label not in ("start", "end"):
        r.problem("period.label", _('must be "start" or "end".'))
    missing = data.get("missing", {})
    text_values: dict[str, Decimal] = {}
    for word, number in dict(missing.get("text", {})).items():
        try:
            text_values[str(word).casefold()] = Decimal(str(number))
        except InvalidOperation:
            r.problem(f"missing.text.{word}", _("must be a number."))
    missing_codes: dict[str, MissingCode] = {}
    for source, table in dict(missing.get("codes", {})).items():
        where = f"missing.codes.{source}"
        kind = r.text(table, "kind", where) if isinstance(table, dict) else ""
        if kind and kind not in CODE_KINDS:
            r.problem(f"{where}.kind", _("must be one of %(choices)s.") % {"choices": ", ".join(CODE_KINDS)})
        meaning = r.text(table, "meaning", where) if isinstance(table, dict) else ""
        suppressed = table.get("suppressed", False) if isinstance(table, dict) else False
        missing_codes[str(source)] = MissingCode(str(source), kind, meaning, suppressed is True)
    notes = str(missing.get("notes_in_numbers", "refuse"))
    if notes not in ("unknown", "refuse"):
        r.problem("missing.notes_in_numbers", _('must be "unknown" or "refuse".'))
    units = []
    for unit_code, table in dict(data.get("units", {})).items():
        where = f"units.{unit_code}"
        if not CODE.match(unit_code) or len(unit_code) > 16:
            r.problem(where, _("a unit code is lower-case letters, digits and _, at most 16."))
        currency = r.text(table, "currency", where, required=False).upper()
        if currency and not re.fullmatch(r"[A-Z]{3}", currency):
            r.problem(f"{where}.currency", _("an ISO 4217 code such as GBP."))
        units.append(
            UnitSpec(unit_code, r.text(table, "name_en", where), r.text(table, "name_lv", where, False), currency)
        )
    indicators = []
    for index, table in enumerate(data.get("indicators", []), start=1):
        where = f"indicators[{index}]"
        indicator_code = r.text(table, "code", where)
        if indicator_code and not CODE.match(indicator_code):
            r.problem(f"{where}.code", _("%(value)r: lower-case letters, digits and _.") % {"value": indicator_code})
        value_type = r.text(table, "value_type", where, False) or "integer"
        aggregation = r.text(table, "aggregation", where, False) or "sum"
        if value_type not in VALUE_TYPES:
            r.problem(f"{where}.value_type", _("must be one of %(choices)s.") % {"choices": ", ".join(VALUE_TYPES)})
        if aggregation not in AGGREGATIONS:
            r.problem(f"{where}.aggregation", _("must be one of %(choices)s.") % {"choices": ", ".join(AGGREGATIONS)})
        indicators.append(
            IndicatorSpec(
                indicator_code,
                r.text(table, "name_en", where),
                r.text(table, "name_lv", where, False),
                r.text(table, "unit", where),
                value_type,
                aggregation,
                r.text(table, "definition_en", where, False),
            )
        )
    reader = r.text(survey, "reader", "survey", False) or "neutral"
    if reader not in READERS:
        r.problem("survey.reader", _("must be one of %(choices)s.") % {"choices": ", ".join(READERS)})
    catalogue = [(path.parent / name).resolve() for name in r.texts(survey, "catalogue", "survey")]
    for manifest in catalogue:
        if not manifest.is_file():
            r.problem("survey.catalogue", _("%(file)s: no such file.") % {"file": manifest})
    region_file = r.text(survey, "regions", "survey", False)
    region_names = (path.parent / region_file).resolve() if region_file else None
    if region_names is not None and not region_names.is_file():
        r.problem("survey.regions", _("%(file)s: no such file.") % {"file": region_names})
    own_reader = reader != "neutral"
    if not indicators and not catalogue:
        r.problem("indicators", _("the survey needs at least one [[indicators]] table."))
    codes = {i.code for i in indicators}
    files = {}
    for role, table in dict(data.get("files", {})).items():
        where = f"files.{role}"
        spec = FileSpec(role=role, required=r.texts(table, "required", where))
        if not spec.required:
            r.problem(f"{where}.required", _("list the header columns that tell this file from others."))
        spec.key = r.text(table, "key", where, False)
        spec.name = r.text(table, "name", where, False)
        spec.region = r.text(table, "region", where, False)
        spec.rows = r.text(table, "rows", where, False) or "one"
        spec.date_column = r.text(table, "date", where, False)
        join = table.get("join", {})
        if join:
            spec.join_file = r.text(join, "file", f"{where}.join")
            spec.join_by = r.text(join, "by", f"{where}.join")
            spec.join_column = r.text(join, "column", f"{where}.join")
            if spec.join_by not in ("key", "name"):
                r.problem(f"{where}.join.by", _('must be "key" or "name".'))
        elif not spec.key:
            r.problem(where, _("a file needs a key column, or a join to the file that has it."))
        if spec.rows not in ("one", "sum"):
            r.problem(f"{where}.rows", _('must be "one" or "sum".'))
        for indicator, columns in dict(table.get("columns", {})).items():
            listed = [columns] if isinstance(columns, str) else columns
            if indicator not in codes:
                r.problem(f"{where}.columns.{indicator}", _("is not an indicator of [[indicators]]."))
            if not isinstance(listed, list) or not listed or not all(isinstance(c, str) for c in listed):
                r.problem(f"{where}.columns.{indicator}", _("a column name, or a list of columns to add up."))
                continue
            spec.columns[indicator] = list(listed)
        files[role] = spec
    if not files and not own_reader:
        r.problem("files", _("the survey needs at least one [files.<name>] table."))
    for spec in files.values():
        if spec.join_file and spec.join_file not in files:
            r.problem(
                f"files.{spec.role}.join.file", _("%(value)r is not a file of [files].") % {"value": spec.join_file}
            )
    name_en, name_lv = r.text(survey, "name_en", "survey"), r.text(survey, "name_lv", "survey", False)
    words = {key: r.text(survey, key, "survey", False)[:60] for key in ("region_label", "region_label_lv")}
    for key in ("period_label", "period_label_lv"):
        words[key] = r.text(survey, key, "survey", False)[:60]
        try:
            words[key].format(**PLACEHOLDERS)
        except (KeyError, IndexError, ValueError):
            message = _(
                "%(value)r: the year's name may hold {year}, {start}, {end} and {end2}, nothing else in braces."
            )
            r.problem(f"survey.{key}", message % {"value": words[key]})
    if r.problems:
        raise ConfigError(r.problems)
    return SurveyConfig(
        path=path,
        code=code,
        name_en=name_en,
        name_lv=name_lv,
        network=network,
        network_name=r.text(survey, "network_name", "survey", False) or code,
        country_code=str(survey.get("country_code", "country")),
        country_name=str(survey.get("country_name", "")) or code,
        period_start=period_start,
        period_label=label,
        unknown={str(v).strip().casefold() for v in missing.get("unknown", [""])} | _sources(missing_codes, "unknown"),
        not_applicable={str(v).strip().casefold() for v in missing.get("not_applicable", [])}
        | _sources(missing_codes, "na"),
        text_values=text_values,
        notes_in_numbers=notes,
        units=units,
        indicators=indicators,
        files=files,
        region_label=words["region_label"],
        region_label_lv=words["region_label_lv"],
        period_text=words["period_label"],
        period_text_lv=words["period_label_lv"],
        reader=reader,
        codes=missing_codes,
        catalogue=catalogue,
        region_names=region_names,
    )


def _sources(codes: dict[str, MissingCode], kind: str) -> set[str]:
    """The cell texts that mean a code of `kind` ("blank": an empty cell)."""
    return {"" if source == "blank" else source.casefold() for source, code in codes.items() if code.kind == kind}


@functools.cache
def us_pls() -> SurveyConfig:
    """The US Public Libraries Survey's configuration (data/surveys/us-pls.toml), read once."""
    return read_config(US_PLS)
