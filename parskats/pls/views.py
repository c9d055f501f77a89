"""The network admin's screen for the US Public Libraries Survey: the imported fiscal years, and a
form to import (and reconcile) one more from its CSV files."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from parskats.accounts import access
from parskats.audit.models import AuditEntry
from parskats.catalogue.models import Indicator
from parskats.network.models import Network
from parskats.reporting.models import ReportingPeriod

from .forms import ImportForm
from .importer import NETWORK_SLUG, ImportFailed, ImportResult, import_year
from .layout import OUTLET_SURVEY_CODE, SURVEY_CODE
from .reconcile import OUTCOMES, Reconciliation, reconcile


def _admin_network(request: HttpRequest, slug: str) -> Network:
    network = access.get_network_for_user(request.user, slug)
    if network.slug != NETWORK_SLUG:
        raise Http404("The PLS import belongs to the us-pls network.")
    if not access.is_network_admin(request.user, network):
        raise PermissionDenied
    return network


def _years(network: Network) -> list[dict[str, Any]]:
    periods = (
        ReportingPeriod.objects.filter(network=network, survey__code__in=[SURVEY_CODE, OUTLET_SURVEY_CODE])
        .annotate(report_count=Count("reports", distinct=True))
        .values_list("year", "survey__code", "report_count")
    )
    years: dict[int, dict[str, Any]] = {}
    for year, survey, reports in periods:
        row = years.setdefault(year, {"year": year, "systems": 0, "outlets": 0})
        row["systems" if survey == SURVEY_CODE else "outlets"] = reports
    return [years[year] for year in sorted(years, reverse=True)]


def _run(form: ImportForm, user: object) -> tuple[ImportResult, Reconciliation | None]:
    year = form.cleaned_data["year"]
    with tempfile.TemporaryDirectory(prefix="pls-") as tmp:
        directory = Path(tmp) / f"FY{year}"
        directory.mkdir()
        for field, name in (("ae_file", "ae.csv"), ("outlet_file", "outlets.csv"), ("state_file", "state.csv")):
            upload = form.cleaned_data.get(field)
            if upload:
                with (directory / name).open("wb") as target:
                    for chunk in upload.chunks():
                        target.write(chunk)
        result = import_year(directory, year=year, actor=user, channel=AuditEntry.Channel.FORM)
        checked = reconcile(directory, year) if form.cleaned_data.get("state_file") else None
    return result, checked


@login_required
def home(request: HttpRequest, network: str) -> HttpResponse:
    net = _admin_network(request, network)
    form = ImportForm(request.POST or None, request.FILES or None)
    result: ImportResult | None = None
    checked: Reconciliation | None = None
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                result, checked = _run(form, request.user)
            except ImportFailed as exc:
                problems = exc.problems
                status = 400
        else:
            status = 400
    rows = []
    if checked is not None:
        names = {i.code: i.name for i in Indicator.objects.filter(survey__code=SURVEY_CODE, code__in=checked.elements)}
        rows = [
            {
                "code": code,
                "name": names.get(code, code),
                "counts": [checked.outcomes[code][outcome] for outcome in OUTCOMES],
            }
            for code in checked.elements
        ]
    return render(
        request,
        "pls/home.html",
        {
            "network": net,
            "form": form,
            "years": _years(net),
            "result": result,
            "checked": checked,
            "reconcile_rows": rows,
            "problems": problems,
            "outcome_labels": [_("exact"), _("rounding"), _("documented reason"), _("unexplained")],
        },
        status=status,
    )
