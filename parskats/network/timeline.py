"""Questions about the network at a date: who was under whom, then or now.

One reporting year is seen on the boundaries of its last day (31 December): a library that moved
from Strenči county to Valmiera county on 1 July 2021 counts in Valmiera county for 2021.
Each question loads the network's active links in one query and walks them in memory, which is
cheap for national-size networks (tens of thousands of units) and identical on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from .models import Membership, Network, OrgUnit


def year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def active_on(on: dt.date) -> Q:
    return Q(valid_from__lte=on) & (Q(valid_to__isnull=True) | Q(valid_to__gte=on))


@dataclass
class Hierarchy:
    """The network's tree as it stood on one date."""

    on: dt.date
    units: dict[int, OrgUnit]
    parent_of: dict[int, int]
    children_of: dict[int, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        children: dict[int, list[int]] = defaultdict(list)
        for child, parent in self.parent_of.items():
            children[parent].append(child)
        self.children_of = dict(children)

    def parent(self, unit_id: int) -> OrgUnit | None:
        parent_id = self.parent_of.get(unit_id)
        return self.units.get(parent_id) if parent_id is not None else None

    def ancestors(self, unit_id: int) -> list[OrgUnit]:
        """Nearest first; stops at a root or a (corrupt) cycle."""
        found: list[OrgUnit] = []
        seen = {unit_id}
        current = self.parent_of.get(unit_id)
        while current is not None and current not in seen and current in self.units:
            found.append(self.units[current])
            seen.add(current)
            current = self.parent_of.get(current)
        return found

    def ancestor_at_level(self, unit_id: int, level: str) -> OrgUnit | None:
        return next((unit for unit in self.ancestors(unit_id) if unit.level == level), None)

    def descendants(self, unit_id: int) -> list[OrgUnit]:
        found: list[OrgUnit] = []
        stack = list(self.children_of.get(unit_id, []))
        seen: set[int] = set()
        while stack:
            current = stack.pop()
            if current in seen or current not in self.units:
                continue
            seen.add(current)
            found.append(self.units[current])
            stack.extend(self.children_of.get(current, []))
        return found

    def roots(self) -> list[OrgUnit]:
        return [unit for unit_id, unit in self.units.items() if unit_id not in self.parent_of]


@dataclass
class NetworkMap:
    """Every unit and link of a network over time, loaded once, to look at on many dates."""

    units: dict[int, OrgUnit]
    links: list[tuple[int, int, dt.date, dt.date | None]]

    def at(self, on: dt.date) -> Hierarchy:
        units = {
            pk: unit
            for pk, unit in self.units.items()
            if (unit.opened_on is None or unit.opened_on <= on) and (unit.closed_on is None or unit.closed_on >= on)
        }
        parent_of = {
            child: parent
            for child, parent, start, end in self.links
            if start <= on and (end is None or end >= on) and child in units and parent in units
        }
        return Hierarchy(on=on, units=units, parent_of=parent_of)

    def had_boundaries_on(self, on: dt.date) -> bool:
        return any(start <= on and (end is None or end >= on) for _child, _parent, start, end in self.links)


def network_map(network_id: int, *, without_branches: bool = False) -> NetworkMap:
    """The network's units and links; `without_branches` leaves out branches and outlets (never
    anyone's ancestor, and tens of thousands of them in a national network) when no question
    about them is asked."""
    units = OrgUnit.objects.filter(network_id=network_id)
    links = Membership.objects.filter(child__network_id=network_id)
    if without_branches:
        units = units.exclude(level=OrgUnit.Level.BRANCH)
        links = links.exclude(child__level=OrgUnit.Level.BRANCH)
    sql, params = links.values_list("child_id", "parent_id", "valid_from", "valid_to").query.sql_with_params()
    with connection.cursor() as cursor:  # a plain cursor: the ORM's date converters cost more than the query
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return NetworkMap(
        {unit.pk: unit for unit in units},
        [(child, parent, _date(start), _date(end) if end is not None else None) for child, parent, start, end in rows],
    )


def _date(value: dt.date | str) -> dt.date:
    """SQLite returns a date column as its ISO text; PostgreSQL as a date."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def hierarchy(network: Network | int, on: dt.date) -> Hierarchy:
    network_id = network if isinstance(network, int) else network.pk
    units = {
        unit.pk: unit
        for unit in OrgUnit.objects.filter(network_id=network_id)
        .filter(Q(opened_on__isnull=True) | Q(opened_on__lte=on))
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=on))
    }
    links = Membership.objects.filter(active_on(on), child__network_id=network_id).values_list("child_id", "parent_id")
    parent_of = {child: parent for child, parent in links if child in units and parent in units}
    return Hierarchy(on=on, units=units, parent_of=parent_of)


def units_under(unit: OrgUnit, on: dt.date, level: str | None = None, library_type: str | None = None) -> list[OrgUnit]:
    """Every unit below `unit` on that date, optionally of one level and library type."""
    found = hierarchy(unit.network_id, on).descendants(unit.pk)
    return [
        u
        for u in found
        if (level is None or u.level == level) and (library_type is None or u.library_type == library_type)
    ]


def libraries_in(unit: OrgUnit, year: int, library_type: str | None = None) -> list[OrgUnit]:
    """The libraries (not their branches) that were in `unit` in reporting year `year`."""
    return units_under(unit, year_end(year), level=OrgUnit.Level.LIBRARY, library_type=library_type)


def ancestry(unit: OrgUnit, on: dt.date | None = None) -> list[OrgUnit]:
    """Where a unit is (today by default): its parent, grandparent, … up to the root."""
    return hierarchy(unit.network_id, on or timezone.localdate()).ancestors(unit.pk)


@transaction.atomic
def move_unit(unit: OrgUnit, new_parent: OrgUnit, on: dt.date) -> Membership:
    """From `on`, `unit` belongs to `new_parent`; its current link ends the day before."""
    current = Membership.objects.select_for_update().filter(active_on(on), child=unit).first()
    if current is not None:
        if current.parent_id == new_parent.pk:
            return current
        if current.valid_from >= on:
            raise ValueError(f"{unit} already has a link that starts on {current.valid_from}.")
        current.valid_to = on - dt.timedelta(days=1)
        current.save(update_fields=["valid_to"])
    later = Membership.objects.filter(child=unit, valid_from__gt=on).order_by("valid_from").first()
    membership = Membership(
        child=unit,
        parent=new_parent,
        valid_from=on,
        valid_to=later.valid_from - dt.timedelta(days=1) if later else None,
    )
    membership.full_clean()
    membership.save()
    return membership
