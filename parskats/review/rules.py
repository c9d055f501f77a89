"""The review's rules: who may review, from which status each transition is allowed, what a
transition needs. review/workflow.py applies them; the messages are for the user."""

from __future__ import annotations

from django.utils.translation import gettext as _

from parskats.accounts.access import reviews_library
from parskats.accounts.models import User
from parskats.catalogue.models import Indicator
from parskats.reporting.models import Report


class WorkflowError(Exception):
    """A refused transition; str(error) is a message for the user."""


def require_admin(user: User, report: Report) -> None:
    if not reviews_library(user, report.period.network, report.unit_id, report.period.year):
        raise WorkflowError(_("Only the network's methodologist can review reports."))


def require_status(report: Report, *allowed: str) -> None:
    if report.status not in allowed:
        raise WorkflowError(
            _("%(library)s: this is not possible while the report is “%(status)s”.")
            % {"library": report.unit.name, "status": report.get_status_display()}
        )


def require_not_accepted(report: Report) -> None:
    if report.national_status == Report.NationalStatus.ACCEPTED:
        raise WorkflowError(
            _("%(library)s: the report is accepted nationally; reopen it only after the national level returns it.")
            % {"library": report.unit.name}
        )


def clean_comment(report: Report, text: str, target: str) -> str:
    text = text.strip()
    if not text:
        raise WorkflowError(_("The comment is empty."))
    if target and not Indicator.objects.filter(survey=report.period.survey, code=target).exists():
        raise WorkflowError(_("There is no such field on this report's form."))
    return text


def require_comments(pending: bool) -> None:
    if not pending:
        raise WorkflowError(_("Write what the library should fix: a general comment or a comment on a field."))


def require_clean(report: Report, errors: int, unexplained: int) -> None:
    if errors or unexplained:
        raise WorkflowError(
            _("%(library)s: the report has open errors or unexplained warnings; review it on its own.")
            % {"library": report.unit.name}
        )


def clean_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise WorkflowError(_("Give the reason for reopening the report."))
    return reason
