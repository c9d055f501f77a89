"""Submitting, withdrawing and printing a report: the confirmation that says what is sent (a dialog
with JavaScript, a page without), taking a submission back before the methodologist opens it, and
the whole report on one read-only page for print."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .access import can_write_report
from .form import field_rows, narrative_sections, sections
from .models import Activity, Report, Value
from .submission import SubmissionError, can_withdraw, note_opening, submit_report, withdraw_report
from .views import found_url, report_in_network


def sent_summary(report: Report) -> dict[str, Any]:
    """What a submission sends, counted: fields (and how many say "not applicable" or "unknown"),
    explained warnings, written stories, activities and photos."""
    rows, summary = field_rows(report)
    kinds = [row.kind for row in rows if not row.is_empty]
    stories = narrative_sections(report)
    return {
        "network": report.period.network,
        "report": report,
        "summary": summary,
        "not_applicable": kinds.count(Value.Code.NOT_APPLICABLE),
        "unknown": kinds.count(Value.Code.UNKNOWN),
        "explained": sum(1 for r in summary.warnings if r.explanation),
        "stories_written": sum(1 for item in stories if item["words"]),
        "stories": len(stories),
        "activities": Activity.objects.filter(report=report).count(),
        "photos": report.photos.count(),
        "blocking": [r for r in summary.results if r.is_error or r.needs_explanation],
    }


@login_required
def confirm_submit(request: HttpRequest, network: str, report: int) -> HttpResponse:
    """What will be sent, and the button that sends it; or what still stops the submission."""
    found = report_in_network(request, network, report, write=True)
    context = sent_summary(found)
    partial = bool(request.headers.get("HX-Request"))
    template = "reporting/_submit_summary.html" if partial else "reporting/submit_confirm.html"
    return render(request, template, {**context, "partial": partial})


def change_status(request: HttpRequest, network: str, report: int, submit: bool) -> HttpResponse:
    found = report_in_network(request, network, report, write=True)
    try:
        (submit_report if submit else withdraw_report)(request.user, found)
    except SubmissionError as error:
        messages.error(request, error.message)
        # A refused submission shows every error at once, "not filled yet" ones included.
        return redirect(f"{found_url(found)}?tried=1#checks" if submit else found_url(found))
    if submit:
        messages.success(request, _("The report was submitted. The methodologist will review it."))
    else:
        messages.success(request, _("The submission was withdrawn: the report is a draft again."))
    return redirect(found_url(found))


@login_required
@require_POST
def submit(request: HttpRequest, network: str, report: int) -> HttpResponse:
    return change_status(request, network, report, submit=True)


@login_required
@require_POST
def withdraw(request: HttpRequest, network: str, report: int) -> HttpResponse:
    return change_status(request, network, report, submit=False)


@login_required
def print_view(request: HttpRequest, network: str, report: int) -> HttpResponse:
    """The whole report on one page, read-only, laid out for paper."""
    found = report_in_network(request, network, report)
    note_opening(request.user, found)
    rows, summary = field_rows(found)
    return render(
        request,
        "reporting/print.html",
        {
            "network": found.period.network,
            "report": found,
            "sections": sections(rows),
            "summary": summary,
            "narratives": narrative_sections(found),
            "activities": Activity.objects.filter(report=found),
            "photos": found.photos.all(),
            "can_write": can_write_report(request.user, found),
            "can_withdraw": can_withdraw(found),
        },
    )
