"""Comparisons built on the core: change between years, and peers (quartiles within a size class)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from parskats.network.models import OrgUnit

from .aggregate import Cell, Table
from .measures import Measure, PeerGroup, peer_groups
from .performance import library_measures, peer_group_of, population_of


@dataclass(frozen=True)
class Change:
    current: Decimal | None
    previous: Decimal | None
    # Both totals rest on the same libraries having reported: otherwise a change may only mean
    # that someone reported this year and not last year, and the page says so.
    comparable: bool

    @property
    def absolute(self) -> Decimal | None:
        if self.current is None or self.previous is None:
            return None
        return self.current - self.previous

    @property
    def ratio(self) -> Decimal | None:
        """The relative change (0.12 for +12 %), None when there is no base to compare with."""
        if self.absolute is None or not self.previous:
            return None
        return self.absolute / self.previous

    def as_dict(self) -> dict[str, Any]:
        return {
            "current": None if self.current is None else float(self.current),
            "previous": None if self.previous is None else float(self.previous),
            "absolute": None if self.absolute is None else float(self.absolute),
            "percent": None if self.ratio is None else round(float(self.ratio) * 100, 2),
            "comparable": self.comparable,
        }


def change(current: Cell, previous: Cell) -> Change:
    comparable = current.complete and previous.complete and current.expected == previous.expected
    return Change(current.value, previous.value, comparable)


@dataclass
class PeerStats:
    group: PeerGroup
    measure: Measure
    members: list[tuple[OrgUnit, Decimal]] = field(default_factory=list)  # highest first

    @property
    def values(self) -> list[Decimal]:
        return [value for _unit, value in self.members]

    def quartiles(self) -> tuple[Decimal, Decimal, Decimal] | None:
        """(Q1, median, Q3) with the inclusive method; one member is its own quartiles."""
        data = sorted(self.values)
        if not data:
            return None
        if len(data) == 1:
            return data[0], data[0], data[0]
        q1, q2, q3 = statistics.quantiles(data, n=4, method="inclusive")
        return q1, q2, q3

    @property
    def median(self) -> Decimal | None:
        quartiles = self.quartiles()
        return quartiles[1] if quartiles else None


@dataclass(frozen=True)
class Place:
    unit: OrgUnit
    value: Decimal
    group: PeerGroup
    rank: int  # 1 = the highest value in the group
    of: int
    quartile: int  # 4 = top quarter, 1 = bottom quarter


def peers(table: Table, measure: Measure) -> list[PeerStats]:
    """Libraries with a population served, by size class, each with the measure's value; worked
    out once per table (a cached national table serves every library page)."""
    key = ("peers", measure.code)
    if key not in table.memo:
        stats = {group.code: PeerStats(group, measure) for group in peer_groups()}
        for pk, value in library_measures(table, measure).items():
            group = peer_group_of(population_of(table, pk))
            if group is not None:
                stats[group.code].members.append((table.units[pk], value))
        for entry in stats.values():
            entry.members.sort(key=lambda member: member[1], reverse=True)
        table.memo[key] = [entry for entry in stats.values() if entry.members]
    # The memo is shared by every derived view of the table; under this key it holds what was put above.
    return cast(list[PeerStats], table.memo[key])


def place(table: Table, measure: Measure, library_id: int) -> tuple[Place, PeerStats] | None:
    for entry in peers(table, measure):
        for index, (unit, value) in enumerate(entry.members):
            if unit.pk == library_id:
                q1, q2, q3 = entry.quartiles() or (value, value, value)
                quartile = 4 if value >= q3 else 3 if value >= q2 else 2 if value >= q1 else 1
                return Place(unit, value, entry.group, index + 1, len(entry.members), quartile), entry
    return None
