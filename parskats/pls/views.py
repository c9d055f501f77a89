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

from . import change, staging, surveys
from .forms import ConfirmForm, ImportForm, SurveyImportForm, max_file_bytes
from .importer import NETWORK_SLUG, ConfirmationNeeded, ImportFailed, ImportResult, import_year
from .jobs import KIND, SURVEY_KIND, start_import, start_survey_import
from .layout import OUTLET_SURVEY_CODE, SURVEY_CODE
from .neutral import import_survey
from .survey_config import SurveyConfig


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


def _plan_rows(result: ImportResult | None, total_label: str | None = None) -> list[dict[str, Any]]:
    if result is None or result.plan is None:
        return []
    keys = [k for k in change.KEYS if k != "reports_kept" and not k.startswith("totals")]
    plan = result.plan
    rows: list[dict[str, Any]] = [
        {"state": plan.region_names.get(state, state), "counts": [plan.states[state][k] for k in keys]}
        for state in sorted(plan.states)
        if any(plan.states[state][k] for k in keys if k != "values_unchanged")
    ]
    rows.append({"state": total_label or _("All states"), "counts": [plan.total(k) for k in keys], "total": True})
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


# Any survey described by a shipped configuration (neutral.import_survey): choose the survey, upload
# its files and the year, see the change, confirm; the import then runs as a background job.


def _network_admin(request: HttpRequest, slug: str) -> Network:
    network = access.get_network_for_user(request.user, slug)
    if not access.is_network_admin(request.user, network):
        raise PermissionDenied
    return network


@login_required
def survey_list(request: HttpRequest, network: str) -> HttpResponse:
    net = _network_admin(request, network)
    return render(
        request,
        "pls/surveys.html",
        {
            "network": net,
            "surveys": surveys.for_network(net.slug),
            "jobs": jobs_of_subject(request.user, net, SURVEY_KIND),
        },
    )


def _scope(request: HttpRequest, network: Network, config: SurveyConfig) -> dict[str, Any]:
    """Whose upload it is: a staged upload is found again only by the same person, network and survey."""
    return {"user": request.user.pk, "network": network.pk, "survey": config.code}


def _survey_preview(
    request: HttpRequest, network: Network, config: SurveyConfig, form: SurveyImportForm
) -> tuple[ImportResult, str]:
    """Stage the uploads and compute what importing them would change; nothing is written."""
    year, quarantine = form.cleaned_data["year"], bool(form.cleaned_data.get("quarantine"))
    scope = {**_scope(request, network, config), "year": year, "quarantine": quarantine}
    token, paths = staging.stage_survey(request.session, scope, form.uploads())
    try:
        result = import_survey(config.path, paths, year=year, dry_run=True, quarantine=quarantine)
    except ImportFailed:
        staging.discard_survey(request.session, token)
        raise
    needs = {"removals": result.needs_removal_confirmation, "columns": result.needs_column_confirmation}
    staging.note_survey(request.session, token, needs=needs)
    return result, token


def _survey_apply(request: HttpRequest, network: Network, config: SurveyConfig, confirm: ConfirmForm) -> Any:
    """Queue the import of the files the preview showed. A confirmation the preview asked for and was
    not given is refused here, with the preview again; the job checks again against the data as it
    then is."""
    token = confirm.cleaned_data["token"]
    found = staging.staged_survey(request.session, token, _scope(request, network, config))
    if found is None:
        raise ImportFailed([_("These files are no longer waiting to be imported: upload them again.")])
    paths, entry = found
    needs = entry.get("needs", {})
    removals, columns = confirm.cleaned_data["confirm_removals"], confirm.cleaned_data["confirm_columns"]
    if (needs.get("removals") and not removals) or (needs.get("columns") and not columns):
        year, quarantine = int(entry["year"]), bool(entry.get("quarantine"))
        preview = import_survey(config.path, paths, year=year, dry_run=True, quarantine=quarantine)
        over = preview.plan.over(preview.limit) if preview.plan else []
        refusals = ([] if removals else over) + ([] if columns else preview.findings.suspects)
        raise ConfirmationNeeded(refusals, preview)
    options = {**entry, "confirm_removals": removals, "confirm_columns": columns}
    job = start_survey_import(request.user, network, config, token, options)
    staging.forget_survey(request.session, token)
    return job


@login_required
def survey(request: HttpRequest, network: str, code: str) -> HttpResponse:
    net = _network_admin(request, network)
    config = surveys.of_network(net.slug, code)
    if config is None:
        raise Http404("No such survey for this network.")
    applying = request.method == "POST" and "token" in request.POST
    posted = request.method == "POST" and not applying
    form = SurveyImportForm(config, request.POST if posted else None, request.FILES if posted else None)
    confirm = ConfirmForm(request.POST if applying else None)
    preview: ImportResult | None = None
    problems: list[str] = []
    status = 200
    if applying:
        if confirm.is_valid():
            try:
                job = _survey_apply(request, net, config, confirm)
            except ConfirmationNeeded as exc:
                preview, problems, status = exc.result, exc.problems, 400
                confirm = ConfirmForm(initial={"token": confirm.cleaned_data["token"]})
            except ImportFailed as exc:
                problems, status = exc.problems, 400
            else:
                return redirect("jobs:status", net.slug, job.pk)
        else:
            status = 400
    elif posted:
        if form.is_valid():
            try:
                preview, token = _survey_preview(request, net, config, form)
                confirm = ConfirmForm(initial={"token": token})
            except ImportFailed as exc:
                problems, status = exc.problems, 400
        else:
            status = 400
    return render(
        request,
        "pls/survey.html",
        {
            "network": net,
            "config": config,
            "form": form,
            "confirm": confirm,
            "preview": preview,
            "period_name": config.period_name(preview.year) if preview else "",
            "region_word": config.region_word(),
            "plan_rows": _plan_rows(preview, _("All")),
            "limit_percent": f"{(preview.limit if preview else change.max_share()) * 100:.0f}",
            "max_mb": max_file_bytes() // 1024 // 1024,
            "problems": problems,
            "jobs": jobs_of_subject(request.user, net, SURVEY_KIND, subject=None),
        },
        status=status,
    )
