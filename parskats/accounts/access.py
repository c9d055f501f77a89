"""Who may see which networks and libraries. Views ask here; they never filter by hand.

A methodologist's or viewer's role without a unit covers the whole network. A role held over a unit
(a region, a county) covers that unit and everything under it, asked year by year on the map of the
year's last day: when a library moves to another region on 1 July, the new region's people see and
review its reports from that year on, the old region's its earlier years.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from parskats.accounts.models import Role, User
from parskats.network.models import Network, OrgUnit
from parskats.network.timeline import network_map, reporting_year, year_end

AnyUser = User | AnonymousUser


def networks_for_user(user: AnyUser) -> QuerySet[Network]:
    if not user.is_authenticated:
        return Network.objects.none()
    if user.is_superuser:
        return Network.objects.all()
    return Network.objects.filter(roles__user=user).distinct()


def is_network_admin(user: AnyUser, network: Network) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Role.objects.filter(user=user, network=network, kind=Role.Kind.ADMIN, unit__isnull=True).exists()


def sees_whole_network(user: AnyUser, network: Network) -> bool:
    """Admins and viewers read every library of their network; reporters only their own."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Role.objects.filter(
        user=user, network=network, kind__in=[Role.Kind.ADMIN, Role.Kind.VIEWER], unit__isnull=True
    ).exists()


def get_network_for_user(user: AnyUser, slug: str) -> Network:
    try:
        return networks_for_user(user).get(slug=slug)
    except Network.DoesNotExist:
        raise Http404("No such network.") from None


def reporter_unit_ids(user: AnyUser, network: Network) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(
        Role.objects.filter(user=user, network=network, kind=Role.Kind.REPORTER).values_list("unit_id", flat=True)
    )


PART_KINDS = (Role.Kind.ADMIN, Role.Kind.VIEWER)


def part_roots(user: AnyUser, network: Network, kinds: tuple[str, ...] = PART_KINDS) -> set[int]:
    """The units this user's roles over a part of the map are held over (not reporters' libraries)."""
    if not user.is_authenticated or user.is_superuser:
        return set()
    return set(
        Role.objects.filter(user=user, network=network, kind__in=kinds, unit__isnull=False).values_list(
            "unit_id", flat=True
        )
    )


def units_in_part(network: Network | int, roots: set[int], years: list[int]) -> dict[int, set[int]]:
    """Year → the units under `roots` (the roots included) on that year's last day."""
    if not roots:
        return {year: set() for year in years}
    period = reporting_year(network)  # one read of the network's year, not one per year
    return dict(zip(years, _units_on(network, roots, [year_end(y, period) for y in years]), strict=True))


def _units_on(
    network: Network | int, roots: set[int], dates: list[dt.date], *, branches: bool = False
) -> list[set[int]]:
    """For each date, the units under `roots` then (reports are a library's, so branches only when asked)."""
    if not roots:
        return [set() for _on in dates]
    whole = network_map(network if isinstance(network, int) else network.pk, without_branches=not branches)
    found = []
    for on in dates:
        tree = whole.at(on)
        inside = {root for root in roots if root in tree.units}
        for root in roots:
            inside.update(unit.pk for unit in tree.descendants(root))
        found.append(inside)
    return found


def part_units(user: AnyUser, network: Network, year: int, kinds: tuple[str, ...] = PART_KINDS) -> set[int]:
    """The units this user's roles over parts of the map cover in reporting year `year`."""
    return units_in_part(network, part_roots(user, network, kinds), [year])[year]


def reviews_library(user: AnyUser, network: Network, unit_id: int, year: int) -> bool:
    """The methodologist of the whole network, or of a part the library was in that year."""
    return is_network_admin(user, network) or unit_id in part_units(user, network, year, (Role.Kind.ADMIN,))


def two_level(network: Network | int) -> bool:
    """The network reviews on two levels: it has a methodologist over an area of its map (the area
    approves its libraries' reports, the national level accepts them or returns them to the area)."""
    network_id = network if isinstance(network, int) else network.pk
    return Role.objects.filter(network_id=network_id, kind=Role.Kind.ADMIN, unit__isnull=False).exists()


def reads_part(user: AnyUser, network: Network) -> bool:
    """Holds a methodologist's or viewer's role over a part of the network (not the whole)."""
    return bool(part_roots(user, network))


def _ever_in_parts(user: AnyUser, network: Network) -> set[int]:
    """Units that were in one of the user's parts on any day: the map changes only on the days a
    membership starts or ends, so those days (and today) are all that need asking."""
    roots = part_roots(user, network)
    if not roots:
        return set()
    # The days come from the map itself (cached), not from a query over every link of the network.
    days = network_map(network.pk).change_days() | {timezone.localdate()}
    return set().union(*_units_on(network, roots, sorted(days), branches=True))


def sees_unapproved(user: AnyUser, network: Network, unit: OrgUnit | None, year: int | None = None) -> bool:
    """Figures that count reports not yet approved: the whole network's methodologist and viewers,
    and for an area or library inside a part of the map on the map of the year asked (this year's
    when none is), that part's: a library that moved away is read by the part it was in that year."""
    if sees_whole_network(user, network):
        return True
    when = timezone.localdate().year if year is None else year
    return unit is not None and unit.pk in part_units(user, network, when)


def part_areas(user: AnyUser, network: Network) -> list[OrgUnit]:
    """The areas (regions, counties) the user's roles over parts of the map are held over."""
    return list(OrgUnit.objects.filter(pk__in=part_roots(user, network)).exclude(level__in=LIBRARY_LEVELS))


LIBRARY_LEVELS = (OrgUnit.Level.LIBRARY, OrgUnit.Level.BRANCH)


def part_name(user: AnyUser, network: Network) -> str:
    """The name of the part(s) of the map a person's roles cover ("Valkas novads"), for headings."""
    names = OrgUnit.objects.filter(pk__in=part_roots(user, network)).values_list("name", flat=True)
    return ", ".join(sorted(names))


def libraries_for_user(user: AnyUser, network: Network) -> QuerySet[OrgUnit]:
    """The libraries and branches this user may read in the network."""
    units = OrgUnit.objects.filter(network=network, level__in=[OrgUnit.Level.LIBRARY, OrgUnit.Level.BRANCH])
    if sees_whole_network(user, network):
        return units
    return units.filter(pk__in=reporter_unit_ids(user, network) | _ever_in_parts(user, network))


def get_library_for_user(user: AnyUser, network: Network, code: str, write: bool = False) -> OrgUnit:
    """A library the user may read (write=False) or report for (write=True); 404 otherwise, so that
    another library's existence is not revealed."""
    if write:
        allowed = reporter_unit_ids(user, network)
        queryset = OrgUnit.objects.filter(network=network)
        if not is_network_admin(user, network):
            this_year = part_units(user, network, timezone.localdate().year, (Role.Kind.ADMIN,))
            queryset = queryset.filter(pk__in=allowed | this_year)
    else:
        queryset = libraries_for_user(user, network)
    try:
        return queryset.get(code=code)
    except OrgUnit.DoesNotExist:
        raise Http404("No such library.") from None


def managed_regions(user: AnyUser, network: Network) -> QuerySet[OrgUnit]:
    """The regions whose own seminars, news and annual review this user writes: every region of the
    network for its whole methodologist, else the regions her methodologist's roles are held over."""
    regions = OrgUnit.objects.filter(network=network, level=OrgUnit.Level.REGION)
    if is_network_admin(user, network):
        return regions
    return regions.filter(pk__in=part_roots(user, network, (Role.Kind.ADMIN,)))


def manages_region(user: AnyUser, network: Network, region: OrgUnit | None) -> bool:
    """Writes a region's own things (region given) or the whole network's (None)."""
    if is_network_admin(user, network):
        return True
    return (
        region is not None
        and region.network_id == network.pk
        and managed_regions(user, network).filter(pk=region.pk).exists()
    )


def regions_read(user: AnyUser, network: Network) -> set[int] | None:
    """The regions whose own things a person with a role over part of the map reads: the regions her
    roles are held over or lie in (on today's map). None: no such limit (the whole network's people,
    reporters, who read every region's)."""
    if sees_whole_network(user, network) or not reads_part(user, network):
        return None
    from parskats.network.timeline import ancestry

    found: set[int] = set()
    for unit in OrgUnit.objects.filter(pk__in=part_roots(user, network)):
        found.update(u.pk for u in [unit, *ancestry(unit)] if u.level == OrgUnit.Level.REGION)
    return found


def get_region(network: Network, code: str) -> OrgUnit:
    """A region of the network by its code; 404 for anything else."""
    try:
        return OrgUnit.objects.get(network=network, level=OrgUnit.Level.REGION, code=code)
    except OrgUnit.DoesNotExist:
        raise Http404("No such region.") from None
