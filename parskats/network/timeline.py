"""Questions about the network at a date: who was under whom, then or now.

One reporting year is seen on the boundaries of its last day (31 December, or the last day of the
network's financial year: 31 March 2024 for England's 2024): a library that moved from Strenči
county to Valmiera county on 1 July 2021 counts in Valmiera county for 2021.
Each question loads the network's active links in one query and walks them in memory, which is
cheap for national-size networks (tens of thousands of units) and identical on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from .models import Membership, Network, OrgUnit


def year_end(year: int, network: Network | int) -> dt.date:
    """The last day of the network's reporting year `year` (31 December for a calendar year)."""
    return reporting_year(network).year_span(year)[1]


def reporting_year(network: Network | int) -> Network:
    """The network with its reporting year's fields (read once when only its id is at hand)."""
    if isinstance(network, Network):
        return network
    return Network.objects.only("year_start_month", "year_start_day", "year_named_by").get(pk=network)


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
    # Trees already built, by date: a cached map is asked about the same few year ends by every
    # request, and building one walks every unit and link (tens of thousands nationally).
    _trees: dict[dt.date, Hierarchy] = field(default_factory=dict, repr=False, compare=False)

    def at(self, on: dt.date) -> Hierarchy:
        """The tree on that date; shared between callers, so read it, never change it."""
        tree = self._trees.get(on)
        if tree is None:
            tree = self._trees[on] = self._build(on)
        return tree

    def change_days(self) -> set[dt.date]:
        """The days a link starts or ends: the only days the tree can differ from the day before."""
        days = {start for _child, _parent, start, _end in self.links}
        days.update(end for _child, _parent, _start, end in self.links if end is not None)
        return days

    def _build(self, on: dt.date) -> Hierarchy:
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
    about them is asked. Kept in this process while the network's data version stands (see
    `key_maps_on`): a national map costs 100–300 ms to load, and every page asks for it."""
    version = _version_of(network_id) if _version_of is not None and settings.FIGURES_CACHE_ENTRIES > 0 else None
    if version is None or network_id in _unsettled:
        return _load_map(network_id, without_branches)
    key = (network_id, without_branches)
    with _maps_lock:
        found = _maps.get(key)
    if found is not None and found[0] == version and found[1] > time.monotonic():
        return found[2]
    loaded = _load_map(network_id, without_branches)
    with _maps_lock:
        if network_id not in _unsettled:
            _maps[key] = (version, time.monotonic() + settings.FIGURES_CACHE_SECONDS, loaded)
    return loaded


# The map cache: network, without branches → (data version it was loaded under, expiry, map).
_maps: dict[tuple[int, bool], tuple[int, float, NetworkMap]] = {}
_maps_lock = threading.Lock()
_version_of: Callable[[int], int] | None = None
# Networks whose map changed in a transaction not yet committed here: their maps are not kept
# until it commits (a rollback must not leave the uncommitted map cached under the old version).
_unsettled: set[int] = set()


def key_maps_on(version_of: Callable[[int], int]) -> None:
    """Keep maps while `version_of(network)` stays the same. The figures app gives its data
    version (stats/cache.py), which moves after every committed change to units and links."""
    global _version_of
    _version_of = version_of


def map_changed(network_id: int | None, *, settle_on_commit: bool = True) -> None:
    """A unit or link of the network (of any, with None) changed in this process: forget its maps
    now, not at the commit, so the rest of this transaction sees the change. Until the commit
    (`map_settled`; at once outside a transaction) the network's maps are not kept."""
    with _maps_lock:
        for key in [k for k in _maps if network_id is None or k[0] == network_id]:
            del _maps[key]
        if network_id is not None:
            _unsettled.add(network_id)
    if network_id is not None and settle_on_commit:
        transaction.on_commit(lambda: map_settled(network_id))


def map_settled(network_id: int) -> None:
    _unsettled.discard(network_id)


def forget_maps() -> None:
    with _maps_lock:
        _maps.clear()


def _load_map(network_id: int, without_branches: bool) -> NetworkMap:
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
    """The tree on that date, branches included (the same tree as `network_map(…).at(on)`, from
    the map cache when it is on)."""
    return network_map(network if isinstance(network, int) else network.pk).at(on)


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
    return units_under(unit, year_end(year, unit.network_id), level=OrgUnit.Level.LIBRARY, library_type=library_type)


def ancestry(unit: OrgUnit, on: dt.date | None = None) -> list[OrgUnit]:
    """Where a unit is (today by default): its parent, grandparent, … up to the root."""
    on = on or timezone.localdate()
    found: list[OrgUnit] = []
    seen, current = {unit.pk}, unit
    # A step up per query (a tree is a few levels deep), not the whole network's tree.
    while current.is_open_on(on):
        link = Membership.objects.filter(active_on(on), child=current).select_related("parent").first()
        if link is None or link.parent_id in seen or not link.parent.is_open_on(on):
            break
        current = link.parent
        found.append(current)
        seen.add(current.pk)
    return found


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
