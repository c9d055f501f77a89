"""The methodologist's list of explanations, filtered, and its CSV / XLSX download."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from parskats.accounts.access import get_network_for_user
from parskats.catalogue.models import CheckRule
from parskats.core.downloads import attachment
from parskats.network.models import OrgUnit
from parskats.reporting.models import Explanation

from .aggregate import survey_years
from .explanations import explanations_for_admin, listing, parse_filters, to_csv, to_xlsx


@login_required
def explanations(request: HttpRequest, network: str) -> HttpResponse:
    net = get_network_for_user(request.user, network)
    found = explanations_for_admin(request.user, net)
    years = survey_years(net)
    filters = parse_filters(request.GET.dict(), years)
    context = {
        "network": net,
        "lines": listing(found, net, filters),
        "filters": filters,
        "years": years,
        "checks": CheckRule.objects.filter(survey__periods__network=net).order_by("code").distinct(),
        "categories": Explanation.Category.choices,
        "counties": OrgUnit.objects.filter(network=net, level=OrgUnit.Level.COUNTY).order_by("name"),
    }
    return render(request, "stats/explanations.html", context)


@login_required
def explanations_export(request: HttpRequest, network: str, fmt: str) -> HttpResponse:
    net = get_network_for_user(request.user, network)
    found = explanations_for_admin(request.user, net)
    if fmt not in ("csv", "xlsx"):
        raise Http404(_("Exports are CSV or XLSX."))
    filters = parse_filters(request.GET.dict(), survey_years(net))
    lines = listing(found, net, filters)
    if fmt == "csv":
        response = HttpResponse(to_csv(lines), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            to_xlsx(lines), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    attachment(response, f"{net.slug}-explanations{'-' + str(filters.year) if filters.year else ''}.{fmt}")
    return response
