"""Review transitions of a report, as named functions taking the acting user.

    draft ──submit──▶ submitted ──return──▶ returned ──submit──▶ submitted (resubmitted)
                           └──approve──▶ approved (locked) ──reopen (reason)──▶ returned

On two levels (review/national.py) the whole network's methodologist then accepts an approved
report or returns it to the area; an accepted report cannot be reopened, a returned one can.

Submitting is `reporting.submission.submit_report`. Each function here runs in one transaction,
locks the report row, refuses a transition that is not allowed from the current status with a
WorkflowError (a message for the user) and changes nothing then, writes an audit record with
action "status", and puts the emails to the library's reporters in one background job, created in
the same transaction and queued once it commits (review.notifications): a bulk approval of thirty
reports is one job, whose page the methodologist lands on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone

from parskats.accounts.models import User
from parskats.audit.models import AuditEntry, record
from parskats.jobs.models import Job
from parskats.reporting.models import Report
from parskats.review.findings import open_findings
from parskats.review.models import ReviewComment
from parskats.review.notifications import Notice, notice_for, queue_notices
from parskats.review.rules import (
    WorkflowError,
    clean_comment,
    clean_reason,
    require_admin,
    require_clean,
    require_comments,
    require_not_accepted,
    require_status,
)

__all__ = [
    "Approved",
    "WorkflowError",
    "approve_report",
    "approve_reports",
    "comment_on_report",
    "reopen_report",
    "return_report",
]


def _locked(report: Report) -> Report:
    return Report.objects.select_for_update().select_related("period", "period__network", "unit").get(pk=report.pk)


def _set_status(
    user: User, report: Report, new: str, note: str = "", channel: str = AuditEntry.Channel.FORM
) -> Notice | None:
    """Change the status with its audit record; the notice of it for the library (the caller queues it)."""
    old = report.status
    report.status = new
    report.version += 1
    report.save(
        update_fields=[
            "status",
            "version",
            "approved_at",
            "national_status",
            "accepted_at",
            "national_comment",
            "updated_at",
        ]
    )
    entry = record(
        actor=user,
        channel=channel,
        action=AuditEntry.Action.STATUS,
        network=report.period.network,
        report=report,
        target="status",
        old=old,
        new=new,
        note=note,
    )
    return notice_for(report, entry)


@transaction.atomic
def comment_on_report(user: User, report: Report, text: str, target: str = "") -> None:
    """A review comment, general (target "") or on one indicator; it goes to the library with the
    next return. Only while the report waits for review."""

    report = _locked(report)
    require_admin(user, report)
    require_status(report, Report.Status.SUBMITTED)
    text = clean_comment(report, text, target)
    ReviewComment.objects.create(
        report=report, target=target, text=text, author=user, author_name=user.get_full_name() or user.email
    )
    record(
        actor=user,
        channel=AuditEntry.Channel.FORM,
        action=AuditEntry.Action.COMMENT,
        network=report.period.network,
        report=report,
        target=target,
        new=text,
    )


@transaction.atomic
def return_report(
    user: User, report: Report, comment: str = "", field_comments: Mapping[str, str] | None = None
) -> Report:
    """Send a submitted report back to the library with the pending comments (at least one: a
    general comment given here, comments on fields written before, or comments on fields typed on
    the review page and sent with the return, field code to text)."""

    report = _locked(report)
    require_admin(user, report)
    require_status(report, Report.Status.SUBMITTED)
    for target, text in sorted((field_comments or {}).items()):
        if text.strip():
            comment_on_report(user, report, text, target)
    if comment.strip():
        comment_on_report(user, report, comment)
    pending = ReviewComment.objects.filter(report=report, sent_at__isnull=True)
    require_comments(pending.exists())
    pending.update(sent_at=timezone.now())
    queue_notices(user, report, [_set_status(user, report, Report.Status.RETURNED, note=comment.strip())])
    return report


def _approve(user: User, report: Report) -> tuple[Report, Notice | None]:
    report = _locked(report)
    require_admin(user, report)
    require_status(report, Report.Status.SUBMITTED)
    report.approved_at = timezone.now()
    return report, _set_status(user, report, Report.Status.APPROVED)


@transaction.atomic
def approve_report(user: User, report: Report) -> Report:
    """Approve a submitted report: from now on none of its values can change until reopened."""
    report, notice = _approve(user, report)
    queue_notices(user, report, [notice])
    return report


class Approved(NamedTuple):
    reports: list[Report]
    # The job that tells the libraries (None when none of them has a reporter to tell).
    job: Job | None


@transaction.atomic
def approve_reports(user: User, reports: Iterable[Report]) -> Approved:
    """Approve several reports at once, all or none: one that cannot be approved refuses the lot.
    The libraries' emails are one job, queued when the approval commits."""

    approved, notices = [], []
    for report in sorted(reports, key=lambda r: r.pk):  # a fixed lock order: no deadlocks between two bulk runs
        report = _locked(report)
        require_admin(user, report)
        require_status(report, Report.Status.SUBMITTED)
        errors, unexplained = open_findings(report)
        require_clean(report, errors, unexplained)
        report, notice = _approve(user, report)
        approved.append(report)
        notices.append(notice)
    job = queue_notices(user, approved[0], notices) if approved else None
    return Approved(approved, job)


@transaction.atomic
def reopen_report(user: User, report: Report, reason: str) -> Report:
    """Open an approved report again for changes (status returned); the reason is required and
    goes to the library and into the audit trail."""
    report = _locked(report)
    require_admin(user, report)
    require_status(report, Report.Status.APPROVED)
    require_not_accepted(report)
    reason = clean_reason(reason)
    report.approved_at = None
    # The national level's decision was about the approved report: a reopened one starts afresh.
    report.national_status, report.accepted_at, report.national_comment = Report.NationalStatus.PENDING, None, ""
    queue_notices(user, report, [_set_status(user, report, Report.Status.RETURNED, note=reason)])
    return report
