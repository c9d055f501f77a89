"""Peer groups: libraries of the same type and size class (by population served), the classes
defined as data in data/peers.toml. Imputation and the checks that compare a value with its peers
group by them; the outlier fences (`fences`) are robust: median and MAD, or quartiles."""

from __future__ import annotations

import statistics
import tomllib
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

PEERS_FILE = Path(__file__).resolve().parent / "data" / "peers.toml"
NO_POPULATION = "?"  # the size class of a library whose population is not known
MAD_TO_SIGMA = Decimal("1.4826")


@lru_cache(maxsize=1)
def _config() -> dict[str, Any]:
    return tomllib.loads(PEERS_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def size_bounds() -> tuple[int, ...]:
    return tuple(sorted(int(bound) for bound in _config()["size_classes"]["bounds"]))


def size_class(population: Decimal | int | None) -> str:
    """ "0", "1", …: the number of class bounds at or below the population."""
    if population is None:
        return NO_POPULATION
    return str(bisect_right(size_bounds(), population))


def peer_key(library_type: str, population: Decimal | int | None) -> str:
    return f"{library_type}:{size_class(population)}"


@dataclass(frozen=True)
class Outliers:
    method: str
    k: Decimal
    min_peers: int
    scale: str = "log"  # "log": the fences of ln(1 + value), so that they are ratios; "linear"


@lru_cache(maxsize=1)
def outlier_settings() -> Outliers:
    raw = _config().get("outliers", {})
    method = raw.get("method", "mad")
    if method not in ("mad", "quartiles"):
        raise ValueError(f"{PEERS_FILE.name}: outlier method must be “mad” or “quartiles”, not {method!r}.")
    scale = raw.get("scale", "log")
    if scale not in ("log", "linear"):
        raise ValueError(f"{PEERS_FILE.name}: outlier scale must be “log” or “linear”, not {scale!r}.")
    return Outliers(method, Decimal(str(raw.get("k", 3.5))), int(raw.get("min_peers", 5)), scale)


@dataclass(frozen=True)
class Fences:
    median: Decimal
    low: Decimal
    high: Decimal
    peers: int


def fences(numbers: Sequence[Decimal], rules: Outliers | None = None) -> Fences | None:
    """The median and the outlier fences of the peers' numbers; None with fewer than min_peers."""
    rules = rules or outlier_settings()
    if len(numbers) < rules.min_peers:
        return None
    ordered = sorted(Decimal(n) for n in numbers)
    median = Decimal(statistics.median(ordered))
    # On the log scale the fences are of ln(1 + value) (library figures vary by factors, not by
    # amounts), turned back into values; a negative value has no logarithm and stays linear.
    log = rules.scale == "log" and ordered[0] >= 0
    points = [(n + 1).ln() for n in ordered] if log else ordered
    if rules.method == "quartiles":
        first, _middle, third = statistics.quantiles(points, n=4, method="inclusive")
        spread = Decimal(third) - Decimal(first)
        low, high = Decimal(first) - rules.k * spread, Decimal(third) + rules.k * spread
    else:
        centre = Decimal(statistics.median(points))
        mad = Decimal(statistics.median(abs(n - centre) for n in points)) * MAD_TO_SIGMA
        low, high = centre - rules.k * mad, centre + rules.k * mad
    if log:
        low, high = low.exp() - 1, high.exp() - 1
    return Fences(median, low, high, len(ordered))
