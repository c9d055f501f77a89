from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
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


def _group(
    county: OrgUnit | None, rows: list[dict[str, Any]], overview: bool, shown: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """One county's part of the libraries page: its rows (none in the overview; `shown`, one page
    of them, when given) and its counts, which count every row."""
    return {
        "county": county,
        "rows": [] if overview else shown if shown is not None else sorted_by_name(rows, key=lambda r: r["unit"].name),
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
# One county's libraries a page at a time: a US state has up to ~750 systems and 1,000 outlets, and
# rendering them all is most of the request.
PAGE_ROWS = 100


@login_required
def libraries(request: HttpRequest, network: str) -> HttpResponse:
    """The network's libraries grouped by county on the boundaries of the chosen year."""
    net = access.get_network_for_user(request.user, network)
    years = sorted(set(ReportingPeriod.objects.filter(network=net).values_list("year", flat=True)), reverse=True)
    year = _year_param(request, years)
    on = year_end(year, net)
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
        mine = {"unit_id__in": [u.pk for u in libraries_now]}  # one county's rows only, not the network's
    population = dict(
        PopulationServed.objects.filter(unit__network=net, year=year, **mine).values_list("unit_id", "persons")
    )
    statuses = dict(
        Report.objects.filter(period__network=net, period__year=year, **mine)
        .exclude(unit__level=OrgUnit.Level.BRANCH)
        .values_list("unit_id", "status")
    )
    status_labels = dict(Report.Status.choices)
    overview = chosen is None and len(libraries_now) > LIST_LIMIT
    groups: dict[int | None, list[dict[str, Any]]] = {}
    for library in libraries_now:
        groups.setdefault(county_of[library.pk], []).append(
            {
                "unit": library,
                "branches": [],
                "population": population.get(library.pk),
                "status": statuses.get(library.pk),
                "status_label": status_labels.get(statuses.get(library.pk, ""), ""),
            }
        )
    shown, page = _one_page(groups, chosen, request.GET.get("lapa"))
    if not overview:  # branches of the rows on the page only
        listed = shown if shown is not None else [row for rows in groups.values() for row in rows]
        branches = branches_of([row["unit"].pk for row in listed], on)
        for row in listed:
            row["branches"] = sorted_by_name(branches.get(row["unit"].pk, []), key=lambda u: u.name)
    counties = sorted_by_name([tree.units[pk] for pk in groups if pk is not None], key=lambda u: u.name)
    grouped = [_group(county, groups[county.pk], overview, shown) for county in counties]
    if None in groups:
        grouped.append(_group(None, groups[None], overview, shown))
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
            "page": page,
            "whole_network": access.sees_whole_network(request.user, net),
            "boundary_date": on,
            "year_text": net.year_text(year),
        },
    )


def _one_page(
    groups: dict[int | None, list[dict[str, Any]]], chosen: str | None, raw_page: str | None
) -> tuple[list[dict[str, Any]] | None, Page[dict[str, Any]] | None]:
    """One county's rows in name order, a page of them when there are more than PAGE_ROWS; None
    when a county was not chosen or all its rows fit."""
    rows = next(iter(groups.values()), []) if chosen is not None and len(groups) == 1 else []
    if len(rows) <= PAGE_ROWS:
        return None, None
    page = Paginator(sorted_by_name(rows, key=lambda row: row["unit"].name), PAGE_ROWS).get_page(raw_page)
    return list(page.object_list), page


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
