"""The PLS survey as data: column maps per fiscal year (layouts/fyYYYY.toml), the rules of the
reconciliation (reconcile.toml), and, in the survey's configuration (surveys/us-pls.toml, the
format of every survey): its network, catalogue, missing-value codes and state names.
Nothing about a particular fiscal year is written in code."""

from __future__ import annotations

import csv
import re
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from .survey_config import MissingCode, us_pls

DATA_DIR = Path(__file__).resolve().parent / "data"
LAYOUT_DIR = DATA_DIR / "layouts"
SURVEY_MANIFEST, OUTLET_MANIFEST = us_pls().catalogue  # the library systems' survey, the outlets'
SURVEY_CODE = us_pls().code
OUTLET_SURVEY_CODE = "us-pls-outlets"  # the code in OUTLET_MANIFEST
FLAGS = {"reported", "imputed", "adjusted", "estimated"}
KINDS = ("ae", "outlet", "state")


class LayoutError(Exception):
    """A column map or rule file that cannot be used; str() says which file and what."""


@dataclass
class FileLayout:
    """How one kind of file (ae, outlet, state) of a fiscal year is laid out."""

    kind: str
    identity: dict[str, str]  # role (key, seq, state, name, city, public, type) → column
    elements: dict[str, str]  # column → indicator code
    flags: dict[str, str]  # flag column → element column
    ignore: set[str]
    blank_columns: set[str] = field(default_factory=set)

    def known(self, column: str) -> bool:
        return (
            column in self.elements or column in self.flags or column in self.ignore or column in self.identity.values()
        )


@dataclass
class Layout:
    fiscal_year: int
    path: Path
    files: dict[str, FileLayout]
    flag_values: list[tuple[re.Pattern[str], str]]
    derived_from: int | None = None  # the documented year whose record layout the map was derived from

    def flag_for(self, raw: str) -> str | None:
        for pattern, flag in self.flag_values:
            if pattern.search(raw):
                return flag
        return None


IDENTITY = {
    "ae": ("key", "state", "name", "city", "public"),
    "outlet": ("key", "seq", "state", "name", "city", "type"),
    "state": ("state",),
}
REQUIRED = {"ae": ("key", "state", "name"), "outlet": ("key", "seq", "state", "name"), "state": ("state",)}


def _strings(value: object, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise LayoutError(_("%(where)s must be a list of column names.") % {"where": where})
    return value


def read_layout(path: Path) -> Layout:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise LayoutError(_("%(file)s: cannot be read (%(error)s).") % {"file": path.name, "error": exc}) from None
    year = data.get("fiscal_year")
    if not isinstance(year, int) or not 1900 <= year <= 2100:
        raise LayoutError(_("%(file)s: fiscal_year must be a year.") % {"file": path.name})
    flag_values = _flag_values(data.get("flag_values", []), path)
    files = {}
    for kind in KINDS:
        section = data.get(kind)
        if section is not None:
            files[kind] = _file_layout(kind, section, path)
    if "ae" not in files:
        raise LayoutError(_("%(file)s: an [ae] table is required.") % {"file": path.name})
    return Layout(fiscal_year=year, path=path, files=files, flag_values=flag_values)


def _flag_values(items: list[Any], path: Path) -> list[tuple[re.Pattern[str], str]]:
    """[pattern, flag] pairs: a source's own flag values and the flag each one means."""
    flag_values = []
    for item in items:
        if not (isinstance(item, list) and len(item) == 2 and item[1] in FLAGS):
            message = _("%(file)s: flag_values items are [pattern, one of %(flags)s].")
            raise LayoutError(message % {"file": path.name, "flags": ", ".join(sorted(FLAGS))})
        try:
            flag_values.append((re.compile(item[0]), item[1]))
        except re.error as exc:
            message = _("%(file)s: flag pattern %(pattern)s: %(error)s.")
            raise LayoutError(message % {"file": path.name, "pattern": repr(item[0]), "error": exc}) from None
    return flag_values


def _file_layout(kind: str, section: object, path: Path) -> FileLayout:
    """One file kind's table: its identity columns, elements and their flag columns."""
    if not isinstance(section, dict):
        raise LayoutError(_("%(file)s: [%(kind)s] must be a table.") % {"file": path.name, "kind": kind})
    identity = {role: section[role] for role in IDENTITY[kind] if isinstance(section.get(role), str)}
    missing = [role for role in REQUIRED[kind] if role not in identity]
    if missing:
        message = _("%(file)s: [%(kind)s] needs %(keys)s.")
        raise LayoutError(message % {"file": path.name, "kind": kind, "keys": ", ".join(missing)})
    elements = section.get("elements", {})
    flags = section.get("flags", {})
    if not all(isinstance(v, str) for v in [*elements.values(), *flags.values()]):
        message = _("%(file)s: [%(kind)s.elements] and [%(kind)s.flags] map column names to names.")
        raise LayoutError(message % {"file": path.name, "kind": kind})
    stray = sorted(set(flags.values()) - set(elements))
    if stray:
        message = _("%(file)s: [%(kind)s.flags] names columns that are not elements: %(columns)s.")
        raise LayoutError(message % {"file": path.name, "kind": kind, "columns": ", ".join(stray)})
    return FileLayout(
        kind=kind,
        identity=identity,
        elements=dict(elements),
        flags=dict(flags),
        ignore=set(_strings(section.get("ignore", []), f"{path.name}: [{kind}] ignore")),
        blank_columns=set(_strings(section.get("blank_columns", []), f"{path.name}: [{kind}] blank_columns")),
    )


RECORD_LAYOUTS = DATA_DIR / "record_layouts.csv"
NAMES = DATA_DIR / "names.toml"
CATALOGUES = {"ae": DATA_DIR / "us-pls-indicators.csv", "outlet": DATA_DIR / "us-pls-outlets-indicators.csv"}
# "VISITS imputation flag", "ATTEND—IMPUTATION FLAG", or (FY1998) just "VISITS" for an IMPn column
FLAG_IN_DESCRIPTION = re.compile(r"^([A-Z][A-Z0-9_]+)\s*(?:(?:—|–|-)?\s*imputation flag|$)", re.IGNORECASE)
FLAG_COLUMN = re.compile(r"^(IMP\d+|F_[A-Z0-9_]+)$")


def record_layouts() -> dict[int, dict[str, list[tuple[str, str]]]]:
    """year → kind of file → [(column, description)], from the documentation (record_layouts.csv)."""
    years: dict[int, dict[str, list[tuple[str, str]]]] = {}
    with RECORD_LAYOUTS.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            years.setdefault(int(row["year"]), {}).setdefault(row["file"], []).append(
                (row["column"], row["description"])
            )
    return years


def catalogue_years(kind: str) -> dict[str, tuple[int, int | None]]:
    """element code → (first year, last year) as the catalogue CSV of the kind's survey has them."""
    with CATALOGUES["outlet" if kind == "outlet" else "ae"].open(encoding="utf-8") as handle:
        return {
            row["code"]: (int(row["first_year"]), int(row["last_year"]) if row["last_year"] else None)
            for row in csv.DictReader(handle)
        }


def derive_layout(year: int) -> Layout:
    """The column map of a fiscal year without a hand-written one, from the record layout of the
    nearest documented year: each column is the element of its name (names.toml for historical
    names), if the catalogue has the element that year; flag columns by their description."""
    documented = record_layouts()
    if not documented or not min(documented) <= year <= max(documented):
        message = _(
            "No column map for fiscal year %(year)s: the documentation at hand describes %(first)s–%(last)s. "
            "Add parskats/pls/data/layouts/fy%(year)s.toml or give one with --layout."
        )
        first, last = (min(documented), max(documented)) if documented else ("…", "…")
        raise LayoutError(message % {"year": year, "first": first, "last": last})
    base = min(documented, key=lambda y: (abs(y - year), y))
    names = tomllib.loads(NAMES.read_text(encoding="utf-8"))
    aliases: dict[str, str] = names["elements"]
    blank = names.get("blank", {})
    era = next(e for e in names["flag_values"] if year <= e["until"])
    files = {}
    for kind in KINDS:
        columns = documented[base].get(kind)
        if not columns:
            continue
        present = [column for column, _description in columns]
        identity = {}
        for role, candidates in names["identity"][kind].items():
            found = next((c for c in candidates if c in present), None)
            if found:
                identity[role] = found
        if any(role not in identity for role in REQUIRED[kind]):
            continue
        years = catalogue_years(kind)
        elements = {}
        for column in present:
            code = aliases.get(column, column.lower())
            span = years.get(code)
            if span and span[0] <= year and (span[1] is None or year <= span[1]) and column not in identity.values():
                elements[column] = code
        flags = {}
        if kind != "state":
            by_name = {column: column for column in elements}
            for column, description in columns:
                match = FLAG_IN_DESCRIPTION.match(description)
                if match and FLAG_COLUMN.match(column) and match.group(1) in by_name and column not in elements:
                    flags[column] = match.group(1)
        known = set(elements) | set(flags) | set(identity.values())
        blank_columns = set()
        if kind == "ae" and year <= int(blank.get("until", 0)):
            blank_columns = {column for column, code in elements.items() if code in blank.get("elements", [])}
        files[kind] = FileLayout(
            kind=kind,
            identity=identity,
            elements=elements,
            flags=flags,
            ignore={column for column in present if column not in known},
            blank_columns=blank_columns,
        )
    if "ae" not in files:
        raise LayoutError(
            _("%(file)s: no AE record layout for %(year)s.") % {"file": RECORD_LAYOUTS.name, "year": base}
        )
    flag_values = [(re.compile(pattern), flag) for pattern, flag in era["values"]]
    return Layout(fiscal_year=year, path=RECORD_LAYOUTS, files=files, flag_values=flag_values, derived_from=base)


def layout_for_year(year: int) -> Layout:
    """The hand-written column map of the year if there is one (layouts/fyYYYY.toml), else one derived
    from the documented record layouts."""
    path = LAYOUT_DIR / f"fy{year}.toml"
    if not path.exists():
        return derive_layout(year)
    layout = read_layout(path)
    if layout.fiscal_year != year:
        message = _("%(file)s says fiscal_year = %(found)s, not %(year)s.")
        raise LayoutError(message % {"file": path.name, "found": layout.fiscal_year, "year": year})
    return layout


def missing_codes() -> dict[str, MissingCode]:
    return us_pls().codes


def state_names() -> dict[str, str]:
    return us_pls().region_names_by_code()


@dataclass(frozen=True)
class ReconcileRules:
    prorated: frozenset[str]
    suppressed: frozenset[str]
    rounding_per_value: Decimal
    rounding_minimum: Decimal
    ceiling_per: str = "totstaff"
    ceiling_units: Decimal = Decimal(2)
    ceiling_quantile: Decimal = Decimal("0.99")


def reconcile_rules() -> ReconcileRules:
    data = tomllib.loads((DATA_DIR / "reconcile.toml").read_text(encoding="utf-8"))
    return ReconcileRules(
        prorated=frozenset(data.get("prorated", [])),
        suppressed=frozenset(data.get("suppressed", [])),
        rounding_per_value=Decimal(data.get("rounding_per_value", "0.5")),
        rounding_minimum=Decimal(data.get("rounding_minimum", "1")),
        ceiling_per=str(data.get("suppressed_ceiling", {}).get("per", "totstaff")),
        ceiling_units=Decimal(str(data.get("suppressed_ceiling", {}).get("units", "2"))),
        ceiling_quantile=Decimal(str(data.get("suppressed_ceiling", {}).get("quantile", "0.99"))),
    )
