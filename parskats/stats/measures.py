"""Performance indicators and peer groups as data (stats/data/performance.toml): their definitions.

Kept apart from the computation (performance.py) so the aggregation core can ask which indicators
the measures read without importing what it computes with.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.utils.translation import get_language

DATA_FILE = Path(__file__).resolve().parent / "data" / "performance.toml"


class PerformanceDataError(ValueError):
    pass


@dataclass(frozen=True)
class Measure:
    code: str
    name_lv: str
    name_en: str
    definition_lv: str
    definition_en: str
    numerator: str
    denominator: str
    scale: int
    decimals: int
    format: str  # "number" or "percent"

    def _pick(self, field: str) -> str:
        lang = (get_language() or "lv").split("-")[0]
        text: str = getattr(self, f"{field}_en") if lang == "en" else getattr(self, f"{field}_lv")
        return text

    @property
    def name(self) -> str:
        return self._pick("name")

    @property
    def definition(self) -> str:
        return self._pick("definition")

    @property
    def is_percent(self) -> bool:
        return self.format == "percent"


@dataclass(frozen=True)
class PeerGroup:
    code: str
    name_lv: str
    name_en: str
    min: int
    max: int | None

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "lv").startswith("en") else self.name_lv

    def holds(self, persons: Decimal | int) -> bool:
        return self.min <= persons and (self.max is None or persons <= self.max)


def _require(entry: dict[str, Any], key: str, where: str) -> object:
    if key not in entry:
        raise PerformanceDataError(f"{DATA_FILE.name}, {where}: {key!r} is missing.")
    return entry[key]


@lru_cache(maxsize=1)
def _load() -> tuple[tuple[Measure, ...], tuple[PeerGroup, ...]]:
    data = tomllib.loads(DATA_FILE.read_text(encoding="utf-8"))
    measures = []
    for index, entry in enumerate(data.get("measure", []), start=1):
        where = f"measure {index}"
        # Checked by name against the dataclass; the values' types are the manifest's to get right.
        fields: dict[str, Any] = {key: _require(entry, key, where) for key in Measure.__dataclass_fields__}
        if fields["format"] not in ("number", "percent"):
            raise PerformanceDataError(f"{DATA_FILE.name}, {where}: format must be number or percent.")
        measures.append(Measure(**fields))
    groups = [
        PeerGroup(
            code=str(_require(entry, "code", f"peer_group {i}")),
            name_lv=str(_require(entry, "name_lv", f"peer_group {i}")),
            name_en=str(_require(entry, "name_en", f"peer_group {i}")),
            min=int(entry.get("min", 0)),
            max=int(entry["max"]) if "max" in entry else None,
        )
        for i, entry in enumerate(data.get("peer_group", []), start=1)
    ]
    return tuple(measures), tuple(groups)


def measures() -> list[Measure]:
    return list(_load()[0])


def peer_groups() -> list[PeerGroup]:
    return list(_load()[1])


def get_measure(code: str) -> Measure | None:
    return next((m for m in measures() if m.code == code), None)


def input_names() -> frozenset[str]:
    """The concepts (or indicator codes) any measure divides, plus the population register's concept."""
    return frozenset({m.numerator for m in measures()} | {m.denominator for m in measures()} | {"population"})
