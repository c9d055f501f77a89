"""Submitting a report: draft or returned → submitted, when no check fails without an explanation."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parskats.accounts.access import AnyUser, reporter_unit_ids, reviews_library
from parskats.audit.models import record

from .access import can_write_report
from .checks import CheckResult, blocking, run_checks
from .models import Report
from .signals import report_submitted

SUBMITTABLE = (Report.Status.DRAFT, Report.Status.RETURNED)


class SubmissionError(Exception):
    def __init__(self, message: str, results: list[CheckResult] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.results = results or []


def notify_submission(report: Report, actor: object) -> None:
    """Tell whoever listens (the methodologist's notification) that a report was submitted."""
    report_submitted.send(sender=Report, report=report, actor=actor)


def locked_report(report: Report) -> Report:
    """The report's row, locked for the rest of the transaction, read afresh."""
    return (
        Report.objects.select_for_update(of=("self",))
        .select_related("unit", "period", "period__network")
        .get(pk=report.pk)
    )


@transaction.atomic
def submit_report(user: AnyUser, report: Report) -> Report:
    """Submit the report as `user`. Raises SubmissionError naming the errors and unexplained warnings."""
    locked = locked_report(report)
    if not can_write_report(user, locked):
        raise SubmissionError(_("You may not submit this report."))
    if locked.status not in SUBMITTABLE:
        raise SubmissionError(
            _("The report is %(status)s and cannot be submitted.") % {"status": locked.get_status_display()}
        )
    stopping = blocking(run_checks(locked))
    if stopping:
        errors = sum(1 for r in stopping if r.is_error)
        raise SubmissionError(
            _("The report cannot be submitted yet: %(errors)s error(s) to fix, %(warnings)s warning(s) to explain.")
            % {"errors": errors, "warnings": len(stopping) - errors},
            stopping,
        )
    old = locked.status
    locked.status = Report.Status.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.opened_at = None  # a new submission may be withdrawn again until it is opened
    locked.version += 1
    locked.save(update_fields=["status", "submitted_at", "opened_at", "version", "updated_at"])
    record(
        actor=user,
        channel="form",
        action="status",
        network=locked.period.network,
        report=locked,
        target="status",
        old=old,
        new=locked.status,
    )
    transaction.on_commit(lambda: notify_submission(locked, user))
    report.status, report.submitted_at, report.version = locked.status, locked.submitted_at, locked.version
    report.opened_at = None
    return locked


def can_withdraw(report: Report) -> bool:
    """A submission can be taken back until the methodologist has opened it."""
    return report.status == Report.Status.SUBMITTED and report.opened_at is None


@transaction.atomic
def withdraw_report(user: AnyUser, report: Report) -> Report:
    """Take a submission back to draft as `user` (its reporter), refused once the methodologist
    has opened it or decided on it: from then on only she can return it."""
    locked = locked_report(report)
    if not can_write_report(user, locked):
        raise SubmissionError(_("You may not withdraw this report."))
    if locked.status != Report.Status.SUBMITTED:
        raise SubmissionError(
            _("The report is %(status)s: there is no submission to withdraw.") % {"status": locked.get_status_display()}
        )
    if locked.opened_at is not None:
        raise SubmissionError(
            _("The methodologist has already opened the report, so it cannot be withdrawn; ask her to return it.")
        )
    locked.status = Report.Status.DRAFT
    locked.submitted_at = None
    locked.version += 1
    locked.save(update_fields=["status", "submitted_at", "version", "updated_at"])
    record(
        actor=user,
        channel="form",
        action="report_withdrawn",
        network=locked.period.network,
        report=locked,
        target="status",
        old=Report.Status.SUBMITTED,
        new=locked.status,
    )
    report.status, report.submitted_at, report.version = locked.status, None, locked.version
    return locked


@transaction.atomic
def mark_opened(user: AnyUser, report: Report) -> bool:
    """Note that the methodologist (`user`, who may review the report) opened the submission: the
    reporter can no longer withdraw it. Only the first opening of a submission is recorded."""
    locked = locked_report(report)
    if locked.status != Report.Status.SUBMITTED or locked.opened_at is not None:
        return False
    locked.opened_at = timezone.now()
    locked.save(update_fields=["opened_at"])
    record(
        actor=user,
        channel="form",
        action="report_opened",
        network=locked.period.network,
        report=locked,
        target="status",
    )
    report.opened_at = locked.opened_at
    return True


def note_opening(user: AnyUser, report: Report) -> bool:
    """The methodologist reading a submitted report (not as its reporter) counts as opening it."""
    network = report.period.network
    if (
        report.status == Report.Status.SUBMITTED
        and report.opened_at is None
        and reviews_library(user, network, report.unit_id, report.period.year)
        and report.unit_id not in reporter_unit_ids(user, network)
    ):
        return mark_opened(user, report)
    return False
