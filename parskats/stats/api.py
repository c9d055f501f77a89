"""The read API (JSON under /api/, described by /api/openapi.json).

Public by default: approved values and aggregates of any network. With `Authorization: Bearer
<token>` (a token of the network's methodologist or viewer), `status=all` adds reports not yet
approved. Every list is paginated; a bad parameter is a 400 (an unknown network, year, unit or
indicator a 404) whose JSON names the parameter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from parskats.accounts import access
from parskats.catalogue.models import Indicator
from parskats.core.freetext import is_whole_number
from parskats.core.pagecache import public_page
from parskats.core.ratelimit import ratelimit
from parskats.network.models import Network, OrgUnit
from parskats.network.timeline import network_map, year_end

from .aggregate import (
    GROUPINGS,
    BadBoundaries,
    Scope,
    StatsError,
    UnknownYear,
    aggregate,
    default_survey,
    parse_boundaries,
    survey_years,
)
from .cache import measured_tables
from .compare import year_change
from .models import find_token
from .openapi import MAX_PAGE, document

MAX_PAGE_SIZE = 1000


class ApiError(Exception):
    def __init__(self, status: int, message: str, parameter: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.parameter = status, message, parameter


def _too_many(request: HttpRequest, retry_after: int) -> JsonResponse:
    response = _error(429, _("Too many requests: try again in %(seconds)s s.") % {"seconds": retry_after})
    response["Retry-After"] = str(retry_after)
    response["Access-Control-Allow-Origin"] = "*"  # so that a page using the API can read why
    return response


def _api(view: Callable[..., Any]) -> Callable[..., HttpResponseBase]:
    """GET only; every request counts against the API's rate limit per client address; ApiError
    and StatsError become JSON errors; results are JSON."""
    return _endpoint(view, readers_cache=False)


def _api_figures(view: Callable[..., Any]) -> Callable[..., HttpResponseBase]:
    """`_api` for the figures: a caller without a token is answered from the public pages' cache,
    under the same counters (an approval shows on the next request). The rate limit sits outside
    the cache, so every request still counts."""
    return _endpoint(view, readers_cache=True)


def _endpoint(view: Callable[..., Any], readers_cache: bool) -> Callable[..., HttpResponseBase]:
    @ratelimit("api", methods=None, answer=_too_many)
    @require_GET
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return served(request, *args, **kwargs)

    def answer(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        try:
            body = view(request, *args, **kwargs)
        except ApiError as error:
            return _error(error.status, error.message, error.parameter)
        except UnknownYear as error:
            return _error(404, str(error), "year")
        except BadBoundaries as error:
            return _error(400, str(error), "boundaries")
        except StatsError as error:
            return _error(400, str(error))
        response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
        response["Access-Control-Allow-Origin"] = "*"
        return response

    served = public_page("figures")(answer) if readers_cache else answer
    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _error(status: int, message: str, parameter: str | None = None) -> JsonResponse:
    error: dict[str, Any] = {"status": status, "message": message}
    if parameter:
        error["parameter"] = parameter
    return JsonResponse({"error": error}, status=status, json_dumps_params={"ensure_ascii": False})


def _user(request: HttpRequest, network: Network) -> Any:
    """The person of the bearer token (anonymous without one, or when the token is another network's)."""
    header = request.headers.get("Authorization", "")
    if not header:
        return AnonymousUser()
    scheme, _sep, raw = header.partition(" ")
    token = find_token(raw.strip()) if scheme.lower() == "bearer" else None
    if token is None:
        raise ApiError(401, _("The API token is not valid (use “Authorization: Bearer <token>”)."))
    return token.user if token.acts_for(network) else AnonymousUser()


def _network(slug: str) -> Network:
    network = Network.objects.filter(slug=slug).first()
    if network is None:
        raise ApiError(404, _("No network “%(slug)s”.") % {"slug": slug[:64]}, "network")
    return network


def _int(request: HttpRequest, name: str, default: int | None = None, low: int = 1, high: int | None = None) -> int:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        if default is None:
            raise ApiError(400, _("The parameter “%(name)s” is required.") % {"name": name}, name)
        return default
    if not is_whole_number(raw) or int(raw) < low or (high is not None and int(raw) > high):
        limits = f"{low}–{high}" if high is not None else f"≥ {low}"
        raise ApiError(
            400, _("“%(name)s” must be a whole number (%(limits)s).") % {"name": name, "limits": limits}, name
        )
    return int(raw)


def _counted(request: HttpRequest, network: Network, year: int) -> tuple[bool, bool]:
    """Which reports count in `year`, as (approved only, accepted nationally only)."""
    status = request.GET.get("status", "approved")
    if status == "accepted":
        if not access.two_level(network):
            raise ApiError(400, _("This network has no national acceptance; use “approved” or “all”."), "status")
        return True, True
    if status not in ("approved", "all"):
        raise ApiError(400, _("“status” must be “approved”, “accepted” or “all”."), "status")
    if status == "approved":
        return True, False
    user = _user(request, network)
    if access.sees_whole_network(user, network):
        return False, False
    if access.reads_part(user, network):
        # A part's token reads its own part's reports not yet approved: the unit asked for must be in it.
        unit = _area(request, network)
        if unit is None or not access.sees_unapproved(user, network, unit, year):
            raise ApiError(
                403,
                _("This token reads reports not yet approved of its own area only: give unit= a unit in it."),
                "unit",
            )
        return False, False
    raise ApiError(403, _("Reports not yet approved need a token of this network's methodologist or viewer."))


def _year(request: HttpRequest, network: Network, years: list[int]) -> int:
    if not years:
        raise ApiError(404, _("This network has no reporting periods yet."), "year")
    year = _int(request, "year", years[0], low=1900, high=2100)
    if year not in years:
        raise ApiError(404, _("No reporting period for %(year)s.") % {"year": year}, "year")
    return year


def _with_imputed(request: HttpRequest) -> bool:
    """values=reported (default) or imputed: imputed estimates are never mixed in unasked."""
    shown = request.GET.get("values", "reported")
    if shown not in ("reported", "imputed"):
        raise ApiError(400, _("Values must be “reported” or “imputed”."), "values")
    return shown == "imputed"


def _area(request: HttpRequest, network: Network) -> OrgUnit | None:
    code = request.GET.get("unit")
    if not code:
        return None
    unit = OrgUnit.objects.filter(network=network, code=code).first()
    if unit is None:
        raise ApiError(404, _("No unit “%(code)s” in this network.") % {"code": code[:64]}, "unit")
    return unit


def _indicator_filter(request: HttpRequest, known: list[str]) -> list[str]:
    raw = request.GET.get("indicator")
    if not raw:
        return known
    wanted = [code.strip() for code in raw.split(",") if code.strip()]
    unknown = [code for code in wanted if code not in known]
    if unknown:
        raise ApiError(404, _("Unknown indicator: %(codes)s.") % {"codes": ", ".join(unknown)[:200]}, "indicator")
    return wanted


def _page(request: HttpRequest, items: list[Any]) -> dict[str, Any]:
    page = _int(request, "page", 1, high=MAX_PAGE)
    size = _int(request, "page_size", 100, high=MAX_PAGE_SIZE)
    start = (page - 1) * size
    if start and start >= len(items):
        raise ApiError(404, _("Page %(page)s is past the end.") % {"page": page}, "page")

    def link(number: int) -> str:
        query = request.GET.copy()
        query["page"] = str(number)
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    return {
        "count": len(items),
        "page": page,
        "page_size": size,
        "next": link(page + 1) if start + size < len(items) else None,
        "previous": link(page - 1) if page > 1 else None,
        "results": items[start : start + size],
    }


@_api
def openapi(request: HttpRequest) -> dict[str, Any]:
    return document(request.build_absolute_uri(reverse("api:root")))


@_api
def root(request: HttpRequest) -> dict[str, Any]:
    return {
        "openapi": request.build_absolute_uri(reverse("api:openapi")),
        "networks": request.build_absolute_uri(reverse("api:networks")),
    }


@_api
def networks(request: HttpRequest) -> dict[str, Any]:
    items = [
        {"slug": n.slug, "name": n.name, "is_demo": n.is_demo, "years": survey_years(n)}
        for n in Network.objects.order_by("slug")
    ]
    return _page(request, items)


@_api
def units(request: HttpRequest, network: str) -> dict[str, Any]:
    """The network's units on the last day of `year` (or on `boundaries`), with their parents."""
    net = _network(network)
    year = _year(request, net, survey_years(net))
    on = parse_boundaries(request.GET.get("boundaries")) or year_end(year, net)
    tree = network_map(net.pk).at(on)
    items = [
        {
            "code": unit.code,
            "name": unit.name,
            "level": unit.level,
            "library_type": unit.library_type or None,
            "parent": tree.units[tree.parent_of[pk]].code if pk in tree.parent_of else None,
        }
        for pk, unit in sorted(tree.units.items(), key=lambda item: item[1].code)
    ]
    return {"on": on.isoformat(), **_page(request, items)}


@_api
def indicators(request: HttpRequest, network: str) -> dict[str, Any]:
    """The catalogue of the network's survey: every indicator with its unit and aggregation rule."""
    net = _network(network)
    survey = default_survey(net)
    years = survey_years(net, survey)
    year = _year(request, net, years) if request.GET.get("year") else None
    found = Indicator.objects.filter(survey=survey).select_related("section", "parent").order_by("order", "pk")
    items = [
        {
            "code": i.code,
            "parent": i.parent.code if i.parent else None,
            "section": i.section.code,
            "name_lv": i.name_lv,
            "name_en": i.name_en,
            "definition_lv": i.definition_lv,
            "definition_en": i.definition_en,
            "unit": i.unit,
            "value_type": i.value_type,
            "aggregation": i.aggregation,
            "library_types": i.library_types,
            "first_year": i.first_year,
            "last_year": i.last_year,
            "concept": i.concept or None,
        }
        for i in found
        if year is None or i.on_form(year)
    ]
    return {"survey": survey.code, **_page(request, items)}


@_api_figures
def values(request: HttpRequest, network: str) -> dict[str, Any]:
    """One line per library and indicator for a year: the number, or the code na / unknown."""
    net = _network(network)
    survey = default_survey(net)
    year = _year(request, net, survey_years(net, survey))
    approved_only, accepted_only = _counted(request, net, year)
    within = _area(request, net)
    library_only = within is not None and within.level in (OrgUnit.Level.LIBRARY, OrgUnit.Level.BRANCH)
    table = aggregate(
        net,
        survey,
        year,
        Scope(
            group_by="library",
            approved_only=approved_only,
            within=None if library_only else within,
            accepted_only=accepted_only,
        ),
    )
    wanted = set(_indicator_filter(request, [i.code for i in table.indicators]))
    items = []
    for pk, by_code in sorted(table.values.items(), key=lambda item: table.units[item[0]].code):
        unit = table.units[pk]
        if library_only and within is not None and unit.pk != within.pk:
            continue
        for code, value in by_code.items():
            if code in wanted:
                items.append(
                    {
                        "library": unit.code,
                        "indicator": code,
                        "value": None if value.number is None else float(value.number),
                        "value_code": value.code,
                        "flag": value.flag,
                        "approved": value.approved,
                    }
                )
    return {"year": year, **_page(request, items)}


@_api_figures
def aggregates(request: HttpRequest, network: str) -> dict[str, Any]:
    """Totals per group (county, region, library type, library, network) with coverage and flags."""
    net = _network(network)
    survey = default_survey(net)
    year = _year(request, net, survey_years(net, survey))
    group_by = request.GET.get("group_by", "county")
    if group_by not in GROUPINGS:
        raise ApiError(
            400, _("“group_by” must be one of: %(choices)s.") % {"choices": ", ".join(GROUPINGS)}, "group_by"
        )
    years = survey_years(net, survey)
    previous_year = next((y for y in years if y < year), None)
    # Both years on one map (the one asked for, else the year's own), so a change compares like with like.
    boundaries = parse_boundaries(request.GET.get("boundaries")) or year_end(year, net)
    with_imputed = _with_imputed(request)
    approved_only, accepted_only = _counted(request, net, year)
    tables = measured_tables(
        net,
        survey,
        [year] if previous_year is None else [previous_year, year],
        Scope(
            group_by=group_by,
            boundaries=boundaries,
            approved_only=approved_only,
            within=_area(request, net),
            imputed=with_imputed,
            accepted_only=accepted_only,
        ),
    )
    table, previous = tables[year], tables.get(previous_year) if previous_year is not None else None
    codes = _indicator_filter(request, [i.code for i in table.indicators] + list(table.total.measures))
    page = _page(request, [*table.rows, table.total])
    page["results"] = [
        {
            "key": row.key,
            "label": row.label,
            "libraries": len(row.library_ids),
            "reports": row.reports,
            "cells": {code: row.cell(code).as_dict() for code in codes},
            **(
                {"changes": {code: year_change(table, previous, code, row.key).as_dict() for code in codes}}
                if previous is not None
                else {}
            ),
        }
        for row in page["results"]
    ]
    return {
        "year": year,
        "boundaries": table.boundaries.isoformat(),
        "group_by": group_by,
        "approved_only": table.approved_only,
        "accepted_only": table.accepted_only,
        "values": "imputed" if with_imputed else "reported",
        "previous_year": previous_year,
        **page,
    }
