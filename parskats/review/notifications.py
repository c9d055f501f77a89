"""Emails for workflow transitions, each in its recipient's language, sent after the transaction
commits (a rolled-back transition sends nothing)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from parskats.accounts.models import Role, User
from parskats.catalogue.models import Indicator
from parskats.reporting.models import Report

from .models import ReviewComment

# Which email each new status sends; "reopened" is an approved report sent back (status returned).
TEMPLATES: dict[str, str] = {
    Report.Status.SUBMITTED: "submitted",
    Report.Status.RETURNED: "returned",
    Report.Status.APPROVED: "approved",
}


def absolute(path: str) -> str:
    return settings.PARSKATS_BASE_URL.rstrip("/") + path


def reporters_of(report: Report) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            roles__kind=Role.Kind.REPORTER,
            roles__unit=report.unit,
            roles__network=report.period.network,
        ).distinct()
    )


def render_email(template: str, user: User, context: dict[str, Any]) -> EmailMessage:
    """Subject is the first line of the rendered template, the body the rest."""
    with translation.override(user.language or settings.LANGUAGE_CODE):
        text = render_to_string(f"review/email/{template}.txt", {**context, "recipient": user}).strip()
    subject, _, body = text.partition("\n")
    return EmailMessage(subject.strip(), body.strip() + "\n", to=[user.email])


def send_messages(messages: list[EmailMessage]) -> None:
    from django.core.mail import get_connection

    if messages:
        get_connection().send_messages(messages)


def sent_with_last_return(report: Report) -> list[ReviewComment]:
    """The comments that went out with the latest return, field comments with their indicator."""
    sent = report.review_comments.filter(sent_at__isnull=False)
    latest = sent.order_by("-sent_at").values_list("sent_at", flat=True).first()
    comments = list(sent.filter(sent_at=latest).order_by("created_at")) if latest else []
    names = {
        i.code: i
        for i in Indicator.objects.filter(
            survey=report.period.survey, code__in={c.target for c in comments}
        ).select_related("parent")
    }
    for comment in comments:
        comment.indicator = names.get(comment.target)
    return comments


def notify_transition(report: Report, old_status: str, actor: User | None, note: str = "") -> None:
    """Tell the library's reporters that their report changed status. Call it inside the
    transition's transaction; the emails go once it commits."""
    template = TEMPLATES.get(report.status)
    if template is None:
        return
    if report.status == Report.Status.RETURNED and old_status == Report.Status.APPROVED:
        template = "reopened"
    if report.status == Report.Status.SUBMITTED and old_status == Report.Status.RETURNED:
        template = "resubmitted"
    comments = sent_with_last_return(report) if template == "returned" else []
    context = {
        "report": report,
        "library": report.unit,
        "year": report.period.year,
        "actor": actor,
        "note": note,
        "comments": [c for c in comments if not c.target],
        "field_comments": [c for c in comments if c.target],
        "url": absolute(reverse("review:feedback", args=[report.period.network.slug, report.pk])),
        "form_url": absolute(
            reverse("reporting:form", kwargs={"network": report.period.network.slug, "report": report.pk})
        ),
    }
    # The submitter too: their copy is the receipt of the submission.
    messages = [render_email(template, user, context) for user in reporters_of(report)]
    transaction.on_commit(lambda: send_messages(messages))


def on_report_submitted(sender: object, report: Report, actor: User | None = None, **kwargs: object) -> None:
    """Receiver of reporting.signals.report_submitted (sent once the submission has committed)."""
    from parskats.audit.models import AuditEntry

    last = report.audit_entries.filter(action=AuditEntry.Action.STATUS, new=Report.Status.SUBMITTED).first()
    old = last.old if last is not None and isinstance(last.old, str) else Report.Status.DRAFT
    notify_transition(report, old, actor)
