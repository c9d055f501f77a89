"""The report form: the page, autosave of one field (htmx), save-all without JavaScript, copying
stable fields from last year, and submission. Views stay thin: access through access.py, changes
through the actions in entry.py, items.py, periods.py and submission.py."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parskats.accounts.access import (
    get_network_for_user,
    is_network_admin,
    libraries_for_user,
    reporter_unit_ids,
    reviews_library,
)
from parskats.catalogue.models import Unit
from parskats.core.freetext import is_whole_number

from .access import can_write_report, get_report_for_user, reports_for_user
from .checks import form_indicators
from .entry import EntryError, VersionConflict, save_value
from .form import field_rows, is_editable, narrative_sections, sections
from .items import copy_stable as copy_stable_fields
from .models import Activity, Explanation, Report, ReportingPeriod, Value
from .periods import PeriodRefused, start_report
from .rows import render_checks, render_row
from .submission import can_withdraw, note_opening


def report_in_network(request: HttpRequest, network: str, report: int, write: bool = False) -> Report:
    """The report, if the user may read (or write) it and it belongs to the network of the URL."""
    found = get_report_for_user(request.user, report, write=write)
    if found.period.network.slug != network:
        raise Http404("No such report.")
    return found


@login_required
def index(request: HttpRequest, network: str) -> HttpResponse:
    """The reports this person may open, newest year first, and the open periods they may start."""
    net = get_network_for_user(request.user, network)
    reports = list(reports_for_user(request.user).filter(period__network=net).order_by("-period__year", "unit__name"))
    writable = reporter_unit_ids(request.user, net)
    admin = is_network_admin(request.user, net)
    startable = []
    started = {(r.unit_id, r.period_id) for r in reports}
    for period in ReportingPeriod.objects.filter(network=net, status=ReportingPeriod.Status.OPEN):
        for unit in libraries_for_user(request.user, net).filter(pk__in=writable).order_by("name"):
            if (unit.pk, period.pk) not in started:
                startable.append((period, unit))
    if admin:
        reports = reports[:200]
    return render(
        request,
        "reporting/index.html",
        {"network": net, "reports": reports, "startable": startable, "is_admin": admin},
    )


@login_required
@require_POST
def start(request: HttpRequest, network: str, period: int, unit: int) -> HttpResponse:
    """Start a library's report for an open period (its reporter or the network's admin)."""
    net = get_network_for_user(request.user, network)
    found = ReportingPeriod.objects.filter(network=net, pk=period, status=ReportingPeriod.Status.OPEN).first()
    allowed = reporter_unit_ids(request.user, net)
    if found is None or not (unit in allowed or reviews_library(request.user, net, unit, found.year)):
        raise Http404("No such period or library.")
    library = libraries_for_user(request.user, net).filter(pk=unit).first()
    if library is None:
        raise Http404("No such library.")
    try:
        report, _started = start_report(request.user, found, library)
    except PeriodRefused as error:
        messages.error(request, str(error))
        return redirect("reporting:index", network=net.slug)
    return redirect("reporting:form", network=net.slug, report=report.pk)


def form_context(request: HttpRequest, report: Report, write: bool) -> dict[str, Any]:
    rows, summary = field_rows(report)
    labels = field_labels(report)
    editable = write and is_editable(report)
    grouped = sections(rows)
    for group in grouped:
        group["html"] = [render_row(row, labels, editable) for row in group["rows"]]
    return {
        "network": report.period.network,
        "report": report,
        "sections": grouped,
        "summary": summary,
        "narratives": narrative_sections(report),
        "activities": Activity.objects.filter(report=report),
        "photos": report.photos.all(),
        "can_write": write,
        "editable": editable,
        "has_stable": any(row.indicator.stable and row.previous for row in rows),
        "categories": Explanation.Category.choices,
        "tried": request.GET.get("tried") == "1",
        "can_withdraw": write and can_withdraw(report),
        **labels,
    }


def field_labels(report: Report) -> dict[str, Any]:
    """Strings every field row repeats, translated and reversed once per page rather than per field."""
    return {
        "save_base": reverse("reporting:form", kwargs={"network": report.period.network.slug, "report": report.pk})
        + "value/",
        "previous_label": _("In %(year)s:") % {"year": report.period.year - 1},
        "kinds": [(value, str(label)) for value, label in Value.Code.choices],
        "definition_label": _("Definition"),
        "units": {unit.code: unit.name for unit in Unit.objects.all()},
    }


@login_required
def form(request: HttpRequest, network: str, report: int) -> HttpResponse:
    found = report_in_network(request, network, report)
    write = can_write_report(request.user, found)
    if request.method == "POST":
        if not write:
            raise Http404("No such report.")
        return save_all(request, found)
    note_opening(request.user, found)
    return render(request, "reporting/form.html", form_context(request, found, write))


def raw_from(request: HttpRequest, code: str) -> str:
    kind = request.POST.get(f"kind-{code}", Value.Code.NUMBER)
    if kind in (Value.Code.NOT_APPLICABLE, Value.Code.UNKNOWN):
        return kind
    return request.POST.get(f"v-{code}", "")


def version_from(request: HttpRequest, code: str) -> int | None:
    raw = request.POST.get(f"version-{code}", "")
    return int(raw) if is_whole_number(raw) else 0


def save_all(request: HttpRequest, report: Report) -> HttpResponse:
    """The form posted as a whole (without JavaScript): every field that changed is saved; each
    problem is listed with its field, and the fields that were fine are saved."""
    problems = []
    saved = 0
    for indicator in form_indicators(report):
        code = indicator.code
        if f"v-{code}" not in request.POST and f"kind-{code}" not in request.POST:
            continue
        try:
            before = report.version
            save_value(
                request.user, report, code, raw_from(request, code), version_from(request, code), indicator=indicator
            )
            saved += report.version != before
        except EntryError as error:
            problems.append(f"{indicator.name}: {error.message}")
    if saved:
        messages.success(request, _("Saved."))
    for problem in problems:
        messages.error(request, problem)
    return redirect("reporting:form", network=report.period.network.slug, report=report.pk)


@login_required
@require_POST
def save_field(request: HttpRequest, network: str, report: int, code: str) -> HttpResponse:
    """Autosave of one field (htmx): the field's status, and its new version and the checks out of band."""
    found = report_in_network(request, network, report, write=True)
    indicators = form_indicators(found)
    indicator = next((i for i in indicators if i.code == code), None)
    if indicator is None:
        raise Http404("No such field.")
    status, message, conflict = "saved", "", None
    try:
        save_value(request.user, found, code, raw_from(request, code), version_from(request, code), indicator=indicator)
    except VersionConflict as error:
        status, message, conflict = "conflict", error.message, error
    except EntryError as error:
        status, message = "error", error.message
    rows, summary = field_rows(found, indicators)
    row = next(r for r in rows if r.code == code)
    changed = request.POST.get("checks-signature") != summary.signature
    return render(
        request,
        "reporting/_saved.html",
        {
            **field_labels(found),
            "network": found.period.network,
            "report": found,
            "row": row,
            "checks_html": [render_checks(r, oob=True) for r in (rows if changed else [row])],
            "summary": summary,
            "status": status,
            "message": message,
            "conflict": conflict,
            "keep_mine": json.dumps(
                {
                    f"v-{code}": request.POST.get(f"v-{code}", ""),
                    f"kind-{code}": request.POST.get(f"kind-{code}", Value.Code.NUMBER),
                    f"version-{code}": conflict.current.version if conflict and conflict.current else 0,
                }
            ),
            "now": timezone.localtime(),
            "checks_changed": changed,
            "editable": True,
            "categories": Explanation.Category.choices,
        },
    )


@login_required
@require_POST
def copy_stable(request: HttpRequest, network: str, report: int) -> HttpResponse:
    """Copy last year's stable fields (opening hours, staff, population, …) into empty fields."""
    found = report_in_network(request, network, report, write=True)
    try:
        copied = len(copy_stable_fields(request.user, found))
    except EntryError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Copied from last year: %(count)s field(s).") % {"count": copied})
    return redirect("reporting:form", network=network, report=found.pk)


def found_url(report: Report) -> str:
    return reverse("reporting:form", kwargs={"network": report.period.network.slug, "report": report.pk})
