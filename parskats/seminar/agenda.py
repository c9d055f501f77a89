"""The agenda: proposed from the network's data, then edited; clock times follow from durations.

The proposal: opening, the regional overview, one slot per library grouped by county (counties and
libraries in Latvian alphabetical order, on the boundaries of the reporting year's last day), a
break after every county but the last, guest remarks, closing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from parskats.core.collation import sort_key
from parskats.network.models import OrgUnit
from parskats.network.timeline import hierarchy, year_end

from .models import AgendaItem, Seminar

RIGA = ZoneInfo("Europe/Riga")
OPENING_MINUTES = 10
OVERVIEW_MINUTES = 25
BREAK_MINUTES = 15
GUEST_MINUTES = 10
CLOSING_MINUTES = 10


@dataclass
class TimedItem:
    item: AgendaItem
    start: dt.datetime  # Riga time
    end: dt.datetime
    overlap_minutes: int = 0  # a pinned start earlier than the previous item's end
    county: str = ""


def libraries_by_county(seminar: Seminar) -> list[tuple[str, list[OrgUnit]]]:
    """The network's libraries (a region's seminar: the region's) on the reporting year's map, grouped
    by county, both sorted in Latvian."""
    tree = hierarchy(seminar.network, year_end(seminar.year, seminar.network))
    inside = {u.pk for u in tree.descendants(seminar.region_id)} if seminar.region_id is not None else None
    groups: dict[str, list[OrgUnit]] = {}
    for unit in tree.units.values():
        if unit.level != OrgUnit.Level.LIBRARY or unit.pk not in tree.parent_of:
            continue
        if inside is not None and unit.pk not in inside:
            continue
        county = tree.ancestor_at_level(unit.pk, OrgUnit.Level.COUNTY)
        groups.setdefault(county.name if county else "", []).append(unit)
    return [
        (county, sorted(units, key=lambda u: sort_key(u.name)))
        for county, units in sorted(groups.items(), key=lambda pair: (pair[0] == "", sort_key(pair[0])))
    ]


def county_of(seminar: Seminar) -> dict[int, str]:
    return {unit.pk: county for county, units in libraries_by_county(seminar) for unit in units}


def proposed_items(seminar: Seminar) -> list[AgendaItem]:
    """Unsaved agenda items for the seminar (positions from 1)."""
    items = [
        AgendaItem(kind=AgendaItem.Kind.OPENING, title=_("Opening"), minutes=OPENING_MINUTES),
        AgendaItem(
            kind=AgendaItem.Kind.OVERVIEW,
            title=_("The region in %(year)s: joint figures") % {"year": seminar.year},
            minutes=OVERVIEW_MINUTES,
        ),
    ]
    groups = libraries_by_county(seminar)
    for index, (_county, units) in enumerate(groups):
        items.extend(
            AgendaItem(kind=AgendaItem.Kind.LIBRARY, title=unit.name, minutes=seminar.slot_minutes, library=unit)
            for unit in units
        )
        if index < len(groups) - 1:
            items.append(AgendaItem(kind=AgendaItem.Kind.BREAK, title=_("Break"), minutes=BREAK_MINUTES))
    for guest in seminar.guests.all():
        items.append(AgendaItem(kind=AgendaItem.Kind.GUEST, title=str(guest), minutes=GUEST_MINUTES, guest=guest))
    items.append(AgendaItem(kind=AgendaItem.Kind.CLOSING, title=_("Closing and insights"), minutes=CLOSING_MINUTES))
    for position, item in enumerate(items, start=1):
        item.seminar = seminar
        item.position = position
    return items


def timed(seminar: Seminar, items: list[AgendaItem] | None = None) -> list[TimedItem]:
    """Each item with its clock times: it starts when the previous one ends, unless pinned."""
    if items is None:
        items = list(seminar.agenda_items.select_related("library", "guest").order_by("position", "id"))
    counties = county_of(seminar) if any(i.kind == AgendaItem.Kind.LIBRARY for i in items) else {}
    current = seminar.starts_at.astimezone(RIGA)
    out = []
    for item in items:
        start = current
        overlap = 0
        if item.fixed_start is not None:
            start = dt.datetime.combine(current.date(), item.fixed_start, tzinfo=RIGA)
            if start < current:
                overlap = int((current - start).total_seconds() // 60)
        end = start + dt.timedelta(minutes=item.minutes)
        out.append(TimedItem(item, start, end, overlap, counties.get(item.library_id or 0, "")))
        current = max(current, end)
    return out


def problems(seminar: Seminar, rows: list[TimedItem]) -> list[str]:
    """What the methodologist should fix before sending: overlaps, a day that runs past midnight."""
    found = [
        _("“%(title)s” starts at %(start)s but the item before it ends %(minutes)s min later.")
        % {"title": row.item.title, "start": row.start.strftime("%H:%M"), "minutes": row.overlap_minutes}
        for row in rows
        if row.overlap_minutes
    ]
    if rows and rows[-1].end.date() != rows[0].start.date():
        found.append(_("The agenda runs past midnight; shorten the slots or start earlier."))
    return found
