"""The PLS survey as data: column maps per fiscal year (layouts/fyYYYY.toml), missing-value codes
(codes.toml), state names (states.csv) and the documented reconciliation rules (reconcile.toml).
Nothing about a particular fiscal year is written in code."""

from __future__ import annotations

import csv
import re
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.utils.translation import gettext as _

DATA_DIR = Path(__file__).resolve().parent / "data"
LAYOUT_DIR = DATA_DIR / "layouts"
SURVEY_MANIFEST = DATA_DIR / "us-pls.toml"
OUTLET_MANIFEST = DATA_DIR / "us-pls-outlets.toml"
SURVEY_CODE = "us-pls"
OUTLET_SURVEY_CODE = "us-pls-outlets"
FLAGS = {"reported", "imputed", "adjusted", "estimated"}
KINDS = ("ae", "outlet", "state")


class LayoutError(Exception):
    """A column map or rule file that cannot be used; str() says which file and what."""


@dataclass(frozen=True)
class MissingCode:
    source: str  # "-1", "-9", "blank", …
    kind: str  # Value.Code: "na" or "unknown"
    meaning: str
    suppressed: bool


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
    flag_values = []
    for item in data.get("flag_values", []):
        if not (isinstance(item, list) and len(item) == 2 and item[1] in FLAGS):
            message = _("%(file)s: flag_values items are [pattern, one of %(flags)s].")
            raise LayoutError(message % {"file": path.name, "flags": ", ".join(sorted(FLAGS))})
        try:
            flag_values.append((re.compile(item[0]), item[1]))
        except re.error as exc:
            message = _("%(file)s: flag pattern %(pattern)s: %(error)s.")
            raise LayoutError(message % {"file": path.name, "pattern": repr(item[0]), "error": exc}) from None
    files = {}
    for kind in KINDS:
        section = data.get(kind)
        if section is None:
            continue
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
        files[kind] = FileLayout(
            kind=kind,
            identity=identity,
            elements=dict(elements),
            flags=dict(flags),
            ignore=set(_strings(section.get("ignore", []), f"{path.name}: [{kind}] ignore")),
            blank_columns=set(_strings(section.get("blank_columns", []), f"{path.name}: [{kind}] blank_columns")),
        )
    if "ae" not in files:
        raise LayoutError(_("%(file)s: an [ae] table is required.") % {"file": path.name})
    return Layout(fiscal_year=year, path=path, files=files, flag_values=flag_values)


def layout_for_year(year: int) -> Layout:
    path = LAYOUT_DIR / f"fy{year}.toml"
    if not path.exists():
        known = ", ".join(sorted(p.stem[2:] for p in LAYOUT_DIR.glob("fy*.toml")))
        message = _(
            "No column map for fiscal year %(year)s (known: %(known)s). Add parskats/pls/data/layouts/fy%(year)s.toml "
            "or give one with --layout."
        )
        raise LayoutError(message % {"year": year, "known": known})
    layout = read_layout(path)
    if layout.fiscal_year != year:
        message = _("%(file)s says fiscal_year = %(found)s, not %(year)s.")
        raise LayoutError(message % {"file": path.name, "found": layout.fiscal_year, "year": year})
    return layout


def missing_codes() -> dict[str, MissingCode]:
    data = tomllib.loads((DATA_DIR / "codes.toml").read_text(encoding="utf-8"))
    return {
        source: MissingCode(source, item["kind"], item["meaning"], bool(item.get("suppressed", False)))
        for source, item in data["codes"].items()
    }


def state_names() -> dict[str, str]:
    with (DATA_DIR / "states.csv").open(encoding="utf-8") as handle:
        return {row["code"]: row["name"] for row in csv.DictReader(handle)}


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
