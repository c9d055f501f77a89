"""The participants of a seminar: the network's (a region's seminar: the region's) reporters (from
their roles) and the guests."""

from __future__ import annotations

from dataclasses import dataclass, field

from parskats.accounts.models import Role
from parskats.core.collation import sort_key

from .models import Seminar


@dataclass
class Participant:
    name: str
    email: str
    language: str
    role: str
    libraries: list[str] = field(default_factory=list)
    library_types: set[str] = field(default_factory=set)
    counties: set[str] = field(default_factory=set)
    is_guest: bool = False


def participants(seminar: Seminar) -> list[Participant]:
    """One entry per person (a reporter of two libraries is invited once), reporters then guests."""
    from .agenda import county_of

    counties = county_of(seminar)
    people: dict[int, Participant] = {}
    roles = Role.objects.filter(network=seminar.network, kind=Role.Kind.REPORTER, user__is_active=True)
    if seminar.region_id is not None:  # a region's seminar: the reporters of its libraries that year
        roles = roles.filter(unit_id__in=counties)
    for role in roles.select_related("user", "unit"):
        assert role.unit is not None  # a reporter role always has a library (database constraint)
        person = people.setdefault(
            role.user_id, Participant(role.user.full_name, role.user.email, role.user.language, "")
        )
        person.libraries.append(role.unit.name)
        person.library_types.add(role.unit.library_type)
        if role.unit_id in counties:
            person.counties.add(counties[role.unit_id])
    found = sorted(people.values(), key=lambda p: sort_key(p.name))
    for person in found:
        person.libraries.sort(key=sort_key)
        person.role = ", ".join(person.libraries)
    found += [Participant(g.name, g.email, g.language, g.role, is_guest=True) for g in seminar.guests.all()]
    return found
