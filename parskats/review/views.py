"""Review pages: the completeness board, the review screen and its actions, the report's feedback
and history. Thin: access functions find the objects, workflow functions change them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from parskats.accounts.access import get_network_for_user, is_network_admin, part_name, reviews_library, units_in_part
from parskats.accounts.http import AuthenticatedHttpRequest
from parskats.audit.models import AuditEntry
from parskats.catalogue.models import Indicator, NarrativeSection
from parskats.core.downloads import attachment
from parskats.core.freetext import TEXT, is_whole_number, too_long
from parskats.network.models import Network
from parskats.reporting.access import reports_for_user
from parskats.reporting.models import Report, ReportingPeriod
from parskats.reporting.submission import note_opening
from parskats.review.national import accept_report, accept_reports, return_to_area, two_level
from parskats.review.workflow import (
    WorkflowError,
    approve_report,
    approve_reports,
    comment_on_report,
    reopen_report,
    return_report,
)

from . import access
from .board import (
    NOT_STARTED,
    SORTS,
    AreaTally,
    build_board,
    filter_and_sort,
    national_rows,
    national_total,
    next_waiting,
)
from .export import board_workbook
from .screen import review_rows


def _period(request: HttpRequest, network: Network) -> tuple[ReportingPeriod, list[int]]:
    """The period of ?year=, else the latest one; 404 for a year without a period or garbage."""
    periods = list(
        ReportingPeriod.objects.filter(network=network).select_related("survey", "network").order_by("-year")
    )
    if not periods:
        raise Http404("No reporting period.")
    raw = request.GET.get("year") or request.POST.get("year")
    if raw is None:
        return periods[0], [p.year for p in periods]
    chosen = [p for p in periods if str(p.year) == raw]
    if not chosen:
        raise Http404("No reporting period for that year.")
    return chosen[0], [p.year for p in periods]


def _board_context(request: HttpRequest, net: Network) -> dict[str, Any]:
    period, years = _period(request, net)
    within = access.board_part(request.user, net, period.year)
    part = part_name(request.user, net) if within is not None else ""
    national: list[AreaTally] = []
    total = area = whole = None
    if within is None and two_level(net):
        # The national board: a row per area, each opening the area's own board (?area=<code>).
        whole = build_board(period)
        national, total = national_rows(whole), national_total(whole)
        area = next((t for t in national if t.unit is not None and t.unit.code == request.GET.get("area")), None)
        if area is not None and area.unit is not None:
            within = units_in_part(net, {area.unit.pk}, [period.year])[period.year]
            part = area.unit.name
    board = whole if whole is not None and area is None else build_board(period, within=within, name=part)
    status = request.GET.get("status", "")
    county = request.GET.get("county", "")
    sort = request.GET.get("sort", "name")
    late = request.GET.get("late") == "1"
    statuses = [(NOT_STARTED, _("not started")), *Report.Status.choices]
    if status and status not in dict(statuses):
        status = ""
    rows = filter_and_sort(board.rows, status=status, county=county, late=late, sort=sort if sort in SORTS else "name")
    return {
        "network": net,
        "board": board,
        "rows": rows,
        "years": years,
        "year": period.year,
        "statuses": statuses,
        "status": status,
        "county": county,
        "counties": sorted({(r.county.code, r.county.name) for r in board.rows if r.county}, key=lambda c: c[1]),
        "sort": sort,
        "sorts": [
            ("name", _("library")),
            ("county", _("county")),
            ("status", _("status")),
            ("activity", _("last activity")),
            ("days", _("days to the deadline")),
            ("errors", _("open problems")),
        ],
        "late": late,
        "part": part,
        "two_level": two_level(net),
        "national": national,
        "area": area,
        "national_total": total,
        "may_accept": access.may_accept(request.user, net),
        "is_admin": access.may_approve_many(request.user, net),
        "manages_network": is_network_admin(request.user, net),  # the network's people, libraries and years
        "clean_count": sum(r.clean for r in board.rows),
        "next_waiting": next_waiting(request.user, period),
    }


@login_required
def board(request: AuthenticatedHttpRequest, network: str) -> HttpResponse:
    net = get_network_for_user(request.user, network)
    access.require_board(request.user, net)
    return render(request, "review/board.html", _board_context(request, net))


@login_required
def board_xlsx(request: AuthenticatedHttpRequest, network: str) -> HttpResponse:
    net = get_network_for_user(request.user, network)
    access.require_board(request.user, net)
    context = _board_context(request, net)
    response = HttpResponse(
        board_workbook(
            context["board"],
            context["rows"],
            context["national"] if context["area"] is None else (),
            context["national_total"],
        ),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    attachment(response, f"{net.slug}-{context['year']}-board.xlsx")
    return response


@login_required
@require_POST
def approve_many(request: AuthenticatedHttpRequest, network: str) -> HttpResponse:
    net = get_network_for_user(request.user, network)
    if not access.may_approve_many(request.user, net):
        raise Http404("No such page.")
    period, _years = _period(request, net)
    back = reverse("review:board", args=[net.slug]) + f"?year={period.year}"
    ids = request.POST.getlist("report")
    if not ids:
        messages.error(request, _("Choose the reports to approve."))
        return redirect(back)
    if not all(is_whole_number(i) for i in ids):
        messages.error(request, _("The list of reports is malformed; nothing was approved."))
        return redirect(back)
    reports = list(reports_for_user(request.user).filter(pk__in=ids, period=period))
    if len(reports) != len(set(ids)):
        # An id of another network or year: refuse the lot rather than approve part of it.
        messages.error(request, _("Some of the chosen reports are not in this year's list; nothing was approved."))
        return redirect(back)
    try:
        done = approve_reports(request.user, reports)
    except WorkflowError as error:
        messages.error(request, _("Nothing was approved: %(reason)s") % {"reason": error})
        return redirect(back)
    messages.success(
        request,
        ngettext("%(count)d report approved.", "%(count)d reports approved.", len(done.reports))
        % {"count": len(done.reports)},
    )
    if done.job is not None:
        # The libraries are told by a background job: its page shows how far the emails got.
        return redirect("jobs:status", net.slug, done.job.pk)
    return redirect(back)


@login_required
@require_POST
def accept_many(request: AuthenticatedHttpRequest, network: str) -> HttpResponse:
    """Accept the chosen approved reports nationally, all or none (the national board's button)."""
    net = get_network_for_user(request.user, network)
    if not access.may_accept(request.user, net):
        raise Http404("No such page.")
    period, _years = _period(request, net)
    back = reverse("review:board", args=[net.slug]) + f"?year={period.year}"
    ids = request.POST.getlist("report")
    if not ids:
        messages.error(request, _("Choose the reports to accept."))
        return redirect(back)
    if not all(is_whole_number(i) for i in ids):
        messages.error(request, _("The list of reports is malformed; nothing was accepted."))
        return redirect(back)
    reports = list(reports_for_user(request.user).filter(pk__in=ids, period=period))
    if len(reports) != len(set(ids)):
        messages.error(request, _("Some of the chosen reports are not in this year's list; nothing was accepted."))
        return redirect(back)
    try:
        done = accept_reports(request.user, reports)
    except WorkflowError as error:
        messages.error(request, _("Nothing was accepted: %(reason)s") % {"reason": error})
        return redirect(back)
    messages.success(
        request,
        ngettext("%(count)d report accepted nationally.", "%(count)d reports accepted nationally.", len(done))
        % {"count": len(done)},
    )
    return redirect(back)


@login_required
def review(request: AuthenticatedHttpRequest, network: str, report_id: int) -> HttpResponse:
    net = get_network_for_user(request.user, network)
    report = access.get_report_for_review(request.user, net, report_id)
    note_opening(request.user, report)  # from now on the reporter cannot withdraw the submission
    rows, general_findings, general_comments = review_rows(report)
    findings = general_findings + [f for row in rows for f in row.findings]
    return render(
        request,
        "review/review.html",
        {
            "network": net,
            "report": report,
            "rows": rows,
            "general_findings": general_findings,
            "general_comments": general_comments,
            "narratives": report.narratives.select_related("section").order_by("section__order"),
            "pending": report.review_comments.filter(sent_at__isnull=True).count(),
            "can_review": report.status == Report.Status.SUBMITTED,
            "can_reopen": report.status == Report.Status.APPROVED
            and report.national_status != Report.NationalStatus.ACCEPTED,
            "two_level": two_level(net),
            "can_accept": access.may_accept(request.user, net)
            and report.status == Report.Status.APPROVED
            and report.national_status != Report.NationalStatus.ACCEPTED,
            "can_return_to_area": access.may_accept(request.user, net)
            and report.status == Report.Status.APPROVED
            and report.national_status == Report.NationalStatus.PENDING,
            "open_errors": sum(f.is_error for f in findings),
            "open_unexplained": sum(f.unexplained for f in findings),
            "next_waiting": next_waiting(request.user, report.period, after=report),
        },
    )


def _posted_text(request: AuthenticatedHttpRequest, key: str) -> str:
    """A comment, return note or reason as posted, refused when longer than a review text may be."""
    text = request.POST.get(key, "")
    problem = too_long(text, TEXT)
    if problem:
        raise WorkflowError(problem)
    return text


NATIONAL_ACTIONS = ("accept", "return_to_area")


def _act(request: AuthenticatedHttpRequest, network: str, report_id: int, action: str) -> HttpResponse:
    net = get_network_for_user(request.user, network)
    report = access.get_report_for_review(request.user, net, report_id)
    if action in NATIONAL_ACTIONS and not access.may_accept(request.user, net):
        raise Http404("No such page.")  # an area's methodologist has no national level to act on
    url = reverse("review:review", args=[net.slug, report.pk])
    user = request.user
    try:
        if action == "comment":
            target = request.POST.get("target", "")
            comment_on_report(user, report, _posted_text(request, "text"), target)
            messages.success(request, _("Comment saved; it goes to the library when you return the report."))
            return redirect(f"{url}#field-{target}" if target else f"{url}#comments")
        if action == "return":
            # Comments typed on fields but not saved one by one go with the return (the page's script).
            typed = {
                key[len("field:") :]: _posted_text(request, key) for key in request.POST if key.startswith("field:")
            }
            return_report(user, report, _posted_text(request, "comment"), typed)
            messages.success(request, _("The report was returned to the library with your comments."))
        elif action == "approve":
            approve_report(user, report)
            messages.success(request, _("The report is approved and locked."))
        elif action == "reopen":
            reopen_report(user, report, _posted_text(request, "reason"))
            messages.success(request, _("The report is open for changes again."))
        elif action == "accept":
            accept_report(user, report)
            messages.success(request, _("The report is accepted nationally."))
        elif action == "return_to_area":
            return_to_area(user, report, _posted_text(request, "comment"))
            messages.success(request, _("The report was returned to its area with your comment."))
    except WorkflowError as error:
        messages.error(request, str(error))
    return redirect(url)


@login_required
@require_POST
def comment(request: AuthenticatedHttpRequest, network: str, report_id: int) -> HttpResponse:
    return _act(request, network, report_id, "comment")


@login_required
@require_POST
def return_view(request: AuthenticatedHttpRequest, network: str, report_id: int) -> HttpResponse:
    return _act(request, network, report_id, "return")


@login_required
@require_POST
def approve(request: AuthenticatedHttpRequest, network: str, report_id: int) -> HttpResponse:
    return _act(request, network, report_id, "approve")


@login_required
@require_POST
def accept(request: AuthenticatedHttpRequest, network: str, report_id: int) -> HttpResponse:
    return _act(request, network, report_id, "accept")


@login_required
@require_POST
def return_to_area_view(request: AuthenticatedHttpRequest, network: str, report_id: int) -> HttpResponse:
    return _act(request, network, report_id, "return_to_area")


@login_required
@require_POST
def reopen(request: AuthenticatedHttpRequest, network: str, report_id: int) -> HttpResponse:
    return _act(request, network, report_id, "reopen")


@login_required
def feedback(request: AuthenticatedHttpRequest, network: str, report_id: int) -> HttpResponse:
    """What the library sees: the report's status and the comments sent with returns."""
    net = get_network_for_user(request.user, network)
    report = access.get_report_in_network(request.user, net, report_id)
    comments = list(report.review_comments.filter(sent_at__isnull=False).order_by("-sent_at", "created_at"))
    names = {
        i.code: i for i in Indicator.objects.filter(survey=report.period.survey, code__in={c.target for c in comments})
    }
    for c in comments:
        c.indicator = names.get(c.target)
    last_status = report.audit_entries.filter(action=AuditEntry.Action.STATUS).first()
    return render(
        request,
        "review/feedback.html",
        {
            "network": net,
            "report": report,
            "comments": comments,
            "last_status": last_status,
            "is_admin": reviews_library(request.user, net, report.unit_id, report.period.year),
        },
    )


def _labels(report: Report) -> dict[str, str]:
    """What each audit target is called: indicators, narrative sections and the rest."""
    labels = {i.code: i.name for i in Indicator.objects.filter(survey=report.period.survey)}
    labels.update({s.code: s.title for s in NarrativeSection.objects.filter(survey=report.period.survey)})
    labels.update({"status": _("status"), "activity": _("activity"), "photo": _("photo")})
    return labels


def entry_label(entry: AuditEntry, labels: dict[str, str]) -> str:
    """What an entry is about, next to its kind: the field or section, the activity's title, the
    photo's caption, the fields copied from last year."""
    described = entry.new if isinstance(entry.new, dict) else entry.old if isinstance(entry.old, dict) else {}
    if entry.action in (AuditEntry.Action.ACTIVITY_ADDED, AuditEntry.Action.ACTIVITY_REMOVED):
        return str(described.get("title") or labels["activity"])
    if entry.action in (AuditEntry.Action.PHOTO_ADDED, AuditEntry.Action.PHOTO_REMOVED):
        return str(described.get("caption") or labels["photo"])
    if entry.action == AuditEntry.Action.FIELDS_COPIED:
        return ", ".join(labels.get(code, code) for code in described.get("fields", []))
    if entry.action == AuditEntry.Action.REPORT_STARTED:
        return ""
    return labels.get(entry.target, entry.target)


def _visible_entries(request: HttpRequest, net: Network, report: Report) -> QuerySet[AuditEntry]:
    """Review comments not yet sent to the library stay the methodologist's draft."""
    entries = report.audit_entries.all()
    if not reviews_library(request.user, net, report.unit_id, report.period.year):
        entries = entries.exclude(action=AuditEntry.Action.COMMENT)
    return entries


@login_required
def history(request: AuthenticatedHttpRequest, network: str, report_id: int) -> HttpResponse:
    """Every recorded change of the report, newest first: who, when, old and new, through which channel."""
    net = get_network_for_user(request.user, network)
    report = access.get_report_in_network(request.user, net, report_id)
    entries = list(_visible_entries(request, net, report)[:1000])
    labels = _labels(report)
    for entry in entries:
        entry.label = entry_label(entry, labels)
    return render(request, "review/history.html", {"network": net, "report": report, "entries": entries})


@login_required
def value_history(request: AuthenticatedHttpRequest, network: str, report_id: int, target: str) -> HttpResponse:
    """One field's history: a fragment for the popover (htmx), or a page without JavaScript."""
    net = get_network_for_user(request.user, network)
    report = access.get_report_in_network(request.user, net, report_id)
    entries = list(_visible_entries(request, net, report).filter(target=target)[:200])
    label = _labels(report).get(target)
    if label is None:
        raise Http404("No such field.")
    template = "review/_value_history.html" if request.headers.get("HX-Request") else "review/value_history.html"
    return render(
        request, template, {"network": net, "report": report, "entries": entries, "label": label, "target": target}
    )
