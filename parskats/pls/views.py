"""The network admin's screen for the US Public Libraries Survey: the imported fiscal years, and a
form to import (and reconcile) one more from its CSV files."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from parskats.accounts import access
from parskats.jobs.access import jobs_of_subject
from parskats.jobs.models import Job
from parskats.network.models import Network
from parskats.reporting.models import ReportingPeriod

from . import change, staging
from .forms import ConfirmForm, ImportForm
from .importer import NETWORK_SLUG, ConfirmationNeeded, ImportFailed, ImportResult, import_year
from .jobs import KIND, start_import
from .layout import OUTLET_SURVEY_CODE, SURVEY_CODE


def _admin_network(request: HttpRequest, slug: str) -> Network:
    network = access.get_network_for_user(request.user, slug)
    if network.slug != NETWORK_SLUG:
        raise Http404("The PLS import belongs to the us-pls network.")
    if not access.is_network_admin(request.user, network):
        raise PermissionDenied
    return network


def _years(network: Network) -> list[dict[str, int]]:
    periods = (
        ReportingPeriod.objects.filter(network=network, survey__code__in=[SURVEY_CODE, OUTLET_SURVEY_CODE])
        .annotate(report_count=Count("reports", distinct=True))
        .values_list("year", "survey__code", "report_count")
    )
    years: dict[int, dict[str, int]] = {}
    for year, survey, reports in periods:
        row = years.setdefault(year, {"year": year, "systems": 0, "outlets": 0})
        row["systems" if survey == SURVEY_CODE else "outlets"] = reports
    return [years[year] for year in sorted(years, reverse=True)]


def _preview(request: HttpRequest, form: ImportForm) -> tuple[ImportResult, str]:
    """Stage the uploads and compute what importing them would change; nothing is written."""
    year = form.cleaned_data["year"]
    uploads = {field: form.cleaned_data.get(field) for field, _name in staging.FILES}
    options = {"quarantine": bool(form.cleaned_data.get("quarantine"))}
    token, directory = staging.stage(request.session, year, uploads, options)
    try:
        result = import_year(directory, year=year, dry_run=True, quarantine=options["quarantine"])
    except ImportFailed:
        staging.discard(request.session, token)
        raise
    needs = {"removals": result.needs_removal_confirmation, "columns": result.needs_column_confirmation}
    staging.note(request.session, token, needs=needs)
    return result, token


def _apply(request: HttpRequest, network: Network, confirm: ConfirmForm) -> Job:
    """Queue the import of the files the preview showed. A confirmation the preview asked for and the
    person did not give is refused here, with the preview again, before anything is queued (the job
    checks again against the data as it then is)."""
    token = confirm.cleaned_data["token"]
    found = staging.staged(request.session, token)
    if found is None:
        raise ImportFailed([_("These files are no longer waiting to be imported: upload them again.")])
    directory, options = found
    needs = options.get("needs", {})
    removals, columns = confirm.cleaned_data["confirm_removals"], confirm.cleaned_data["confirm_columns"]
    if (needs.get("removals") and not removals) or (needs.get("columns") and not columns):
        preview = import_year(directory, year=options["year"], quarantine=bool(options.get("quarantine")), dry_run=True)
        over = preview.plan.over(preview.limit) if preview.plan else []
        refusals = ([] if removals else over) + ([] if columns else preview.findings.suspects)
        raise ConfirmationNeeded(refusals, preview)
    job = start_import(
        request.user, network, token, directory, {**options, "confirm_removals": removals, "confirm_columns": columns}
    )
    staging.forget(request.session, token)
    return job


def _plan_rows(result: ImportResult | None) -> list[dict[str, Any]]:
    if result is None or result.plan is None:
        return []
    keys = [k for k in change.KEYS if k != "reports_kept" and not k.startswith("totals")]
    plan = result.plan
    rows: list[dict[str, Any]] = [
        {"state": state, "counts": [plan.states[state][k] for k in keys]}
        for state in sorted(plan.states)
        if any(plan.states[state][k] for k in keys if k != "values_unchanged")
    ]
    rows.append({"state": _("All states"), "counts": [plan.total(k) for k in keys], "total": True})
    return rows


@login_required
def home(request: HttpRequest, network: str) -> HttpResponse:
    net = _admin_network(request, network)
    applying = request.method == "POST" and "token" in request.POST
    form = ImportForm(None if applying else request.POST or None, None if applying else request.FILES or None)
    confirm = ConfirmForm(request.POST if applying else None)
    preview: ImportResult | None = None
    problems: list[str] = []
    status = 200
    if applying:
        if confirm.is_valid():
            try:
                job = _apply(request, net, confirm)
            except ConfirmationNeeded as exc:
                preview, problems, status = exc.result, exc.problems, 400
            except ImportFailed as exc:
                problems, status = exc.problems, 400
            else:
                return redirect("jobs:status", net.slug, job.pk)
        else:
            status = 400
    elif request.method == "POST":
        if form.is_valid():
            try:
                preview, token = _preview(request, form)
                confirm = ConfirmForm(initial={"token": token})
            except ImportFailed as exc:
                problems = exc.problems
                status = 400
        else:
            status = 400
    return render(
        request,
        "pls/home.html",
        {
            "network": net,
            "form": form,
            "confirm": confirm,
            "years": _years(net),
            "preview": preview,
            "plan_rows": _plan_rows(preview),
            "limit_percent": f"{(preview.limit if preview else change.max_share()) * 100:.0f}",
            "problems": problems,
            "jobs": jobs_of_subject(request.user, net, KIND),
        },
        status=status,
    )
