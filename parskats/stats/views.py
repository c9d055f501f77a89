"""Figure pages, signed-in (n/<network>/figures/) and public (skaitli/<network>/, approved data only).

Both are thin: pick the network and what the reader may see, build from pages.py, render. Bad
query parameters become a 400 (or 404 for an unknown year or unit) page that says what was wrong.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from parskats.accounts import access
from parskats.core.downloads import attachment
from parskats.core.pagecache import public_page
from parskats.network.models import Network, OrgUnit

from . import exports
from .aggregate import StatsError, UnknownUnit, UnknownYear
from .explanations import counts_by_indicator, explanations_for_admin
from .impute import preliminary_run
from .pages import build_figures, build_library, parse_query

AREA_LEVELS = [OrgUnit.Level.COUNTRY, OrgUnit.Level.REGION, OrgUnit.Level.COUNTY]


def _error(request: HttpRequest, network: Network, error: StatsError) -> HttpResponse:
    status = 404 if isinstance(error, UnknownYear | UnknownUnit) else 400
    return render(request, "stats/error.html", {"network": network, "message": str(error)}, status=status)


def _area(network: Network, code: str) -> OrgUnit:
    try:
        return OrgUnit.objects.get(network=network, code=code, level__in=AREA_LEVELS)
    except OrgUnit.DoesNotExist:
        raise Http404(_("No such county or region.")) from None


# Whether a reader may count reports not yet approved: given, or asked of the year the page shows.
Sees = bool | Callable[[int], bool]


def _sees(request: HttpRequest, net: Network, unit: OrgUnit | None) -> Callable[[int], bool]:
    return lambda year: access.sees_unapproved(request.user, net, unit, year)


def _figures(
    request: HttpRequest, net: Network, public: bool, may_see_unapproved: Sees, within: OrgUnit | None = None
) -> HttpResponse:
    preliminary = False
    try:
        query = parse_query(request, net, may_see_unapproved)
        # A year still being collected whose estimates the methodologist published: the public
        # sees them by default, labelled preliminary (values=reported still shows the reports alone).
        if public and "values" not in request.GET and preliminary_run(net, query.year) is not None:
            query.with_imputed = preliminary = True
        figures = build_figures(net, query, within, request.GET.get("lapa"))
    except StatsError as error:
        return _error(request, net, error)
    # The methodologist sees, beside a headline figure, how many explanations of warnings lie behind it.
    explained = {}
    if not public and within is None and access.is_network_admin(request.user, net):
        counts = counts_by_indicator(explanations_for_admin(request.user, net), query.year)
        explained = {h.code: counts[h.code] for h in figures.headline if counts[h.code]}
    return render(
        request,
        "stats/dashboard.html",
        {
            "network": net,
            "figures": figures,
            "query": query,
            "year_text": net.year_text(query.year),
            "public": public,
            "ns": "public_stats" if public else "stats",
            "may_see_unapproved": query.may_see_unapproved,
            "explained": explained,
            "preliminary": preliminary,
            "my_areas": [] if public else access.part_areas(request.user, net),
            "regions": _regions(net, within) if public else [],
        },
    )


def _regions(net: Network, within: OrgUnit | None) -> list[OrgUnit]:
    """The public figures page of a network of regions leads to each region's own pages (its figures,
    news and annual reviews); a region's page to its own."""
    if within is not None:
        return [within] if within.level == OrgUnit.Level.REGION else []
    return list(OrgUnit.objects.filter(network=net, level=OrgUnit.Level.REGION).order_by("name"))


def _library(request: HttpRequest, net: Network, unit: OrgUnit, public: bool, may_see_unapproved: Sees) -> HttpResponse:
    try:
        query = parse_query(request, net, may_see_unapproved)
        figures = build_library(net, query, unit)
    except StatsError as error:
        return _error(request, net, error)
    return render(
        request,
        "stats/library.html",
        {
            "network": net,
            "figures": figures,
            "query": query,
            "year_text": net.year_text(query.year),
            "public": public,
            "ns": "public_stats" if public else "stats",
            "may_see_unapproved": query.may_see_unapproved,
        },
    )


def _export(
    request: HttpRequest, net: Network, key: str, fmt: str, may_see_unapproved: Sees, within: OrgUnit | None = None
) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404(_("Exports are CSV or XLSX."))
    try:
        query = parse_query(request, net, may_see_unapproved)
        figures = build_figures(net, query, within)
    except StatsError as error:
        return _error(request, net, error)
    table = exports.find_table(figures, key)
    if table is None:
        raise Http404(_("No such table."))
    rows = exports.records(figures, table)
    stem = f"{net.slug}-{within.code + '-' if within else ''}{key}-{query.year}"
    if fmt == "csv":
        response = HttpResponse(exports.to_csv(rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            exports.to_xlsx(rows, table.title),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    attachment(response, f"{stem}.{fmt}")
    return response


# Signed in: the network's members; admins and viewers may include reports not yet approved.


@login_required
def dashboard(request: HttpRequest, network: str) -> HttpResponse:
    net = access.get_network_for_user(request.user, network)
    return _figures(request, net, False, access.sees_whole_network(request.user, net))


@login_required
def area(request: HttpRequest, network: str, code: str) -> HttpResponse:
    net = access.get_network_for_user(request.user, network)
    unit = _area(net, code)
    return _figures(request, net, False, _sees(request, net, unit), unit)


@login_required
def library(request: HttpRequest, network: str, code: str) -> HttpResponse:
    net = access.get_network_for_user(request.user, network)
    unit = access.get_library_for_user(request.user, net, code)
    return _library(request, net, unit, False, _sees(request, net, unit))


@login_required
def export(request: HttpRequest, network: str, key: str, fmt: str) -> HttpResponse:
    net = access.get_network_for_user(request.user, network)
    within = _area(net, request.GET["unit"]) if request.GET.get("unit") else None
    return _export(request, net, key, fmt, _sees(request, net, within), within)


# Public: anyone, approved reports only.


@public_page("figures")
def public_dashboard(request: HttpRequest, network: str) -> HttpResponse:
    return _figures(request, get_object_or_404(Network, slug=network), True, False)


@public_page("figures")
def public_area(request: HttpRequest, network: str, code: str) -> HttpResponse:
    net = get_object_or_404(Network, slug=network)
    return _figures(request, net, True, False, _area(net, code))


@public_page("figures")
def public_library(request: HttpRequest, network: str, code: str) -> HttpResponse:
    net = get_object_or_404(Network, slug=network)
    unit = get_object_or_404(OrgUnit, network=net, code=code, level=OrgUnit.Level.LIBRARY)
    return _library(request, net, unit, True, False)


@public_page("figures")
def public_export(request: HttpRequest, network: str, key: str, fmt: str) -> HttpResponse:
    net = get_object_or_404(Network, slug=network)
    within = _area(net, request.GET["unit"]) if request.GET.get("unit") else None
    return _export(request, net, key, fmt, False, within)
