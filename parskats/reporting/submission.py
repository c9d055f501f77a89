"""Submitting a report: draft or returned → submitted, when no check fails without an explanation."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parskats.accounts.access import AnyUser
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


@transaction.atomic
def submit_report(user: AnyUser, report: Report) -> Report:
    """Submit the report as `user`. Raises SubmissionError naming the errors and unexplained warnings."""
    locked = (
        Report.objects.select_for_update(of=("self",))
        .select_related("unit", "period", "period__network")
        .get(pk=report.pk)
    )
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
    locked.version += 1
    locked.save(update_fields=["status", "submitted_at", "version", "updated_at"])
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
    return locked
