"""Estimates of the numbers libraries did not report, by the methods defined in data/imputation.toml.

This module only computes (plain numbers in, estimates out), so the imputation run of the
application (impute.py) and the benchmark on the US survey (bench/imputation.py) use one method.
An estimate says how it was made: the method and the numbers it came from.
"""

from __future__ import annotations

import statistics
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

IMPUTATION_FILE = Path(__file__).resolve().parent / "data" / "imputation.toml"
METHODS = ("carry_forward", "peer_change", "peer_median_change", "peer_median_per_capita")
NETWORK = "*"  # the fallback peer group: every library


@dataclass(frozen=True)
class Settings:
    default: tuple[str, ...]
    min_peers: int
    never: frozenset[str]
    indicators: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def methods_for(self, code: str, concept: str = "") -> tuple[str, ...]:
        """The methods for an indicator (by concept first, then by code); () when never imputed."""
        if code in self.never or (concept and concept in self.never):
            return ()
        for name in (concept, code):
            if name and name in self.indicators:
                return self.indicators[name]
        return self.default

    def as_dict(self) -> dict[str, Any]:
        return {
            "default": list(self.default),
            "min_peers": self.min_peers,
            "never": sorted(self.never),
            "indicators": {name: list(methods) for name, methods in self.indicators.items()},
        }


def _methods(raw: Iterable[str], where: str) -> tuple[str, ...]:
    methods = tuple(raw)
    for method in methods:
        if method not in METHODS:
            raise ValueError(f"{where}: unknown imputation method {method!r}; use one of {', '.join(METHODS)}.")
    return methods


def parse_settings(text: str) -> Settings:
    raw = tomllib.loads(text)
    return Settings(
        default=_methods(raw.get("default", []), "default"),
        min_peers=int(raw.get("min_peers", 5)),
        never=frozenset(raw.get("never", [])),
        indicators={name: _methods(methods, name) for name, methods in raw.get("indicators", {}).items()},
    )


@lru_cache(maxsize=1)
def settings() -> Settings:
    return parse_settings(IMPUTATION_FILE.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Estimate:
    number: Decimal
    method: str
    inputs: dict[str, Any]  # JSON: what it was computed from


def _json(number: Decimal | float) -> float:
    return float(number)


class _Peers:
    """Per peer group (and for the whole network): the change between the years over the libraries
    that reported in both, and the median per inhabitant of this year."""

    def __init__(
        self,
        current: Mapping[int, Decimal],
        previous: Mapping[int, Decimal],
        peer_of: Mapping[int, str],
        population: Mapping[int, Decimal],
        min_peers: int,
    ) -> None:
        self.min_peers = min_peers
        sums: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
        counts: dict[str, int] = defaultdict(int)
        rates: dict[str, list[float]] = defaultdict(list)
        changes: dict[str, list[float]] = defaultdict(list)
        for pk, number in current.items():
            groups = (peer_of.get(pk, NETWORK), NETWORK)
            before = previous.get(pk)
            persons = population.get(pk)
            for group in dict.fromkeys(groups):
                if before is not None:
                    sums[group][0] += number
                    sums[group][1] += before
                    counts[group] += 1
                    if before > 0:
                        changes[group].append(float(number) / float(before))
                if persons:
                    rates[group].append(float(number) / float(persons))
        self.ratio: dict[str, tuple[Decimal, int]] = {
            group: (now / before, counts[group]) for group, (now, before) in sums.items() if before > 0
        }
        self.rate = {group: (statistics.median(found), len(found)) for group, found in rates.items() if found}
        self.change = {group: (statistics.median(found), len(found)) for group, found in changes.items() if found}

    def pick(self, found: Mapping[str, tuple[Any, int]], group: str) -> tuple[Any, int, str] | None:
        for key in (group, NETWORK):
            if key in found and found[key][1] >= self.min_peers:
                return (*found[key], key)
        return None


def estimate(
    targets: Iterable[int],
    methods: Sequence[str],
    current: Mapping[int, Decimal],
    previous: Mapping[int, Decimal],
    peer_of: Mapping[int, str],
    population: Mapping[int, Decimal],
    min_peers: int,
    decimals: int = 0,
) -> dict[int, Estimate]:
    """Estimates of one indicator for the target libraries, from the numbers the others reported
    this year (`current`) and every library's last year (`previous`); a target no method can
    estimate is left out."""
    peers = _Peers(current, previous, peer_of, population, min_peers)
    step = Decimal(1).scaleb(-decimals)
    out: dict[int, Estimate] = {}
    for pk in targets:
        group = peer_of.get(pk, NETWORK)
        for method in methods:
            found = _one(method, pk, group, previous, population, peers)
            if found is not None:
                number, inputs = found
                out[pk] = Estimate(max(number, Decimal(0)).quantize(step, rounding=ROUND_HALF_EVEN), method, inputs)
                break
    return out


def _one(
    method: str,
    pk: int,
    group: str,
    previous: Mapping[int, Decimal],
    population: Mapping[int, Decimal],
    peers: _Peers,
) -> tuple[Decimal, dict[str, Any]] | None:
    before = previous.get(pk)
    if method == "carry_forward":
        return None if before is None else (before, {"previous": _json(before)})
    if method == "peer_change":
        picked = peers.pick(peers.ratio, group)
        if before is None or picked is None:
            return None
        ratio, n, key = picked
        return before * ratio, {"previous": _json(before), "ratio": _json(ratio), "peers": n, "group": key}
    if method == "peer_median_change":
        picked = peers.pick(peers.change, group)
        if before is None or picked is None:
            return None
        change, n, key = picked
        return before * Decimal(repr(change)), {"previous": _json(before), "change": change, "peers": n, "group": key}
    persons = population.get(pk)
    picked = peers.pick(peers.rate, group)
    if not persons or picked is None:
        return None
    rate, n, key = picked
    inputs = {"per_inhabitant": rate, "population": _json(persons), "peers": n, "group": key}
    return Decimal(repr(rate)) * persons, inputs
