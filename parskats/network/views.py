from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from parskats.core.collation import sorted_by_name
from parskats.reporting.models import Report, ReportingPeriod

from . import access
from .models import Membership, OrgUnit, PopulationServed
from .timeline import hierarchy, year_end


def _year_param(request: HttpRequest, years: list[int]) -> int:
    """The ?year= the user chose, else the latest year with a reporting period; 404 for garbage."""
    raw = request.GET.get("year")
    if raw is None:
        return years[0] if years else timezone.localdate().year - 1
    if not (raw.isascii() and raw.isdigit()) or int(raw) not in years:  # "²".isdigit() is True
        raise Http404("No reporting period for that year.")
    return int(raw)


@login_required
def libraries(request: HttpRequest, network: str) -> HttpResponse:
    """The network's libraries grouped by county on the boundaries of the chosen year."""
    net = access.get_network_for_user(request.user, network)
    years = sorted(set(ReportingPeriod.objects.filter(network=net).values_list("year", flat=True)), reverse=True)
    year = _year_param(request, years)
    tree = hierarchy(net, year_end(year))
    visible = set(access.libraries_for_user(request.user, net).values_list("pk", flat=True))
    libraries_now = [u for u in tree.units.values() if u.level == OrgUnit.Level.LIBRARY and u.pk in visible]
    population = dict(PopulationServed.objects.filter(unit_id__in=visible, year=year).values_list("unit_id", "persons"))
    statuses = dict(
        Report.objects.filter(period__network=net, period__year=year, unit_id__in=visible).values_list(
            "unit_id", "status"
        )
    )
    status_labels = dict(Report.Status.choices)
    groups: dict[int | None, list[dict]] = {}
    for library in libraries_now:
        county = tree.ancestor_at_level(library.pk, OrgUnit.Level.COUNTY)
        groups.setdefault(county.pk if county else None, []).append(
            {
                "unit": library,
                "branches": sorted_by_name(
                    [u for u in tree.descendants(library.pk) if u.level == OrgUnit.Level.BRANCH], key=lambda u: u.name
                ),
                "population": population.get(library.pk),
                "status": statuses.get(library.pk),
                "status_label": status_labels.get(statuses.get(library.pk, ""), ""),
            }
        )
    counties = sorted_by_name([tree.units[pk] for pk in groups if pk is not None], key=lambda u: u.name)
    grouped = [
        {
            "county": county,
            "rows": sorted_by_name(groups[county.pk], key=lambda row: row["unit"].name),
            "population": sum(row["population"] or 0 for row in groups[county.pk]),
        }
        for county in counties
    ]
    if None in groups:
        grouped.append({"county": None, "rows": sorted_by_name(groups[None], key=lambda row: row["unit"].name)})
    return render(
        request,
        "network/libraries.html",
        {
            "network": net,
            "year": year,
            "years": years,
            "groups": grouped,
            "library_count": len(libraries_now),
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
    tree = hierarchy(net, today)
    history = Membership.objects.filter(child=unit).select_related("parent").order_by("valid_from")
    reports = Report.objects.filter(unit=unit).select_related("period", "period__survey").order_by("-period__year")
    populations = PopulationServed.objects.filter(unit=unit).order_by("-year")
    return render(
        request,
        "network/library.html",
        {
            "network": net,
            "unit": unit,
            "ancestry": tree.ancestors(unit.pk),
            "history": history,
            "reports": reports,
            "populations": populations,
            "today": today,
        },
    )
