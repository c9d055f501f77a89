"""Peer groups: libraries of the same type and size class (by population served), the classes
defined as data in data/peers.toml. Imputation and the peer-group outlier checks group by them."""

from __future__ import annotations

import tomllib
from bisect import bisect_right
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

PEERS_FILE = Path(__file__).resolve().parent / "data" / "peers.toml"
NO_POPULATION = "?"  # the size class of a library whose population is not known


@lru_cache(maxsize=1)
def size_bounds() -> tuple[int, ...]:
    bounds = tomllib.loads(PEERS_FILE.read_text(encoding="utf-8"))["size_classes"]["bounds"]
    return tuple(sorted(int(bound) for bound in bounds))


def size_class(population: Decimal | int | None) -> str:
    """ "0", "1", …: the number of class bounds at or below the population."""
    if population is None:
        return NO_POPULATION
    return str(bisect_right(size_bounds(), population))


def peer_key(library_type: str, population: Decimal | int | None) -> str:
    return f"{library_type}:{size_class(population)}"
