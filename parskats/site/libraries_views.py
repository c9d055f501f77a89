from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from parskats.accounts import access
from parskats.core.collation import sorted_by_name
from parskats.network.models import Membership, OrgUnit, PopulationServed
from parskats.network.timeline import active_on, ancestry, network_map, year_end
from parskats.reporting.models import Report, ReportingPeriod


def _year_param(request: HttpRequest, years: list[int]) -> int:
    """The ?year= the user chose, else the latest year with a reporting period; 404 for garbage."""
    raw = request.GET.get("year")
    if raw is None:
        return years[0] if years else timezone.localdate().year - 1
    if not (raw.isascii() and raw.isdigit()) or int(raw) not in years:  # "²".isdigit() is True
        raise Http404("No reporting period for that year.")
    return int(raw)


def _group(county: OrgUnit | None, rows: list[dict[str, Any]], overview: bool) -> dict[str, Any]:
    """One county's part of the libraries page: its rows (none in the overview) and its counts."""
    return {
        "county": county,
        "rows": [] if overview else sorted_by_name(rows, key=lambda row: row["unit"].name),
        "count": len(rows),
        "reported": sum(1 for row in rows if row["status"]),
        "population": sum(row["population"] or 0 for row in rows),
    }


def branches_of(library_ids: list[int], on: dt.date) -> dict[int, list[OrgUnit]]:
    """The open branches of these libraries on that date, by library."""
    links = Membership.objects.filter(active_on(on), parent_id__in=library_ids, child__level=OrgUnit.Level.BRANCH)
    links = links.filter(Q(child__opened_on__isnull=True) | Q(child__opened_on__lte=on))
    links = links.filter(Q(child__closed_on__isnull=True) | Q(child__closed_on__gte=on))
    found: dict[int, list[OrgUnit]] = {}
    for link in links.select_related("child"):
        found.setdefault(link.parent_id, []).append(link.child)
    return found


# Above this many libraries the page lists counties first and one county's libraries on request:
# a national network has thousands, too many for one page to read or to render.
LIST_LIMIT = 300


@login_required
def libraries(request: HttpRequest, network: str) -> HttpResponse:
    """The network's libraries grouped by county on the boundaries of the chosen year."""
    net = access.get_network_for_user(request.user, network)
    years = sorted(set(ReportingPeriod.objects.filter(network=net).values_list("year", flat=True)), reverse=True)
    year = _year_param(request, years)
    on = year_end(year)
    # Libraries and their counties; branches are read below for the libraries listed only.
    tree = network_map(net.pk, without_branches=True).at(on)
    # Everyone's rows are read by network, not by a list of thousands of ids.
    whole = access.sees_whole_network(request.user, net)
    mine = (
        {}
        if whole
        else {"unit_id__in": list(access.libraries_for_user(request.user, net).values_list("pk", flat=True))}
    )
    visible = set(tree.units) if whole else set(mine["unit_id__in"])
    libraries_now = [u for u in tree.units.values() if u.level == OrgUnit.Level.LIBRARY and u.pk in visible]
    population = dict(
        PopulationServed.objects.filter(unit__network=net, year=year, **mine).values_list("unit_id", "persons")
    )
    statuses = dict(
        Report.objects.filter(period__network=net, period__year=year, **mine)
        .exclude(unit__level=OrgUnit.Level.BRANCH)
        .values_list("unit_id", "status")
    )
    status_labels = dict(Report.Status.choices)
    county_of = {}
    for library in libraries_now:
        county = tree.ancestor_at_level(library.pk, OrgUnit.Level.COUNTY)
        county_of[library.pk] = county.pk if county else None
    chosen = request.GET.get("county")
    if chosen is not None:
        found = next((u for u in tree.units.values() if u.level == OrgUnit.Level.COUNTY and u.code == chosen), None)
        if found is None or found.pk not in county_of.values():
            raise Http404("No such county with libraries in that year.")
        libraries_now = [u for u in libraries_now if county_of[u.pk] == found.pk]
    overview = chosen is None and len(libraries_now) > LIST_LIMIT
    branches = {} if overview else branches_of([u.pk for u in libraries_now], on)
    groups: dict[int | None, list[dict[str, Any]]] = {}
    for library in libraries_now:
        groups.setdefault(county_of[library.pk], []).append(
            {
                "unit": library,
                "branches": sorted_by_name(branches.get(library.pk, []), key=lambda u: u.name),
                "population": population.get(library.pk),
                "status": statuses.get(library.pk),
                "status_label": status_labels.get(statuses.get(library.pk, ""), ""),
            }
        )
    counties = sorted_by_name([tree.units[pk] for pk in groups if pk is not None], key=lambda u: u.name)
    grouped = [_group(county, groups[county.pk], overview) for county in counties]
    if None in groups:
        grouped.append(_group(None, groups[None], overview))
    return render(
        request,
        "network/libraries.html",
        {
            "network": net,
            "year": year,
            "years": years,
            "groups": grouped,
            "library_count": len(libraries_now),
            "overview": overview,
            "chosen": chosen,
            "whole_network": access.sees_whole_network(request.user, net),
            "boundary_date": year_end(year),
        },
    )


@login_required
def library(request: HttpRequest, network: str, code: str) -> HttpResponse:
    """One library: where it belongs now, its membership history and its reports by year."""
    net = access.get_network_for_user(request.user, network)
    unit = access.get_library_for_user(request.user, net, code)
    today = timezone.localdate()
    history = Membership.objects.filter(child=unit).select_related("parent").order_by("valid_from")
    reports = Report.objects.filter(unit=unit).select_related("period", "period__survey").order_by("-period__year")
    populations = PopulationServed.objects.filter(unit=unit).order_by("-year")
    return render(
        request,
        "network/library.html",
        {
            "network": net,
            "unit": unit,
            "ancestry": ancestry(unit, today),
            "history": history,
            "reports": reports,
            "populations": populations,
            "today": today,
        },
    )
