"""Emails for workflow transitions, each in its recipient's language, sent by a background job.

A transition (one approval, a bulk approval of thirty reports, a return, a reopening, a
submission) decides inside its own transaction who is to be told what — a "notice": the report, the
audit entry of its status change, the reporters' ids, the comments sent with a return — and puts
those notices in one job (kind "review.notices") in the same transaction; the queue is told once
it commits, so a rolled-back transition leaves neither a job nor an email. The job sends each
message once through jobs.mail.send_once under the key "review-notice:<audit entry id>": a
retried job, a worker killed half-way and swept, or a second worker never tells a person about the
same status change twice (at least once: see jobs.mail for the one window). Under make run the
inline backend runs the job as the request's transaction commits, so the emails still go at once.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parskats.accounts.access import is_network_admin, part_roots
from parskats.accounts.models import Role, User
from parskats.audit.models import AuditEntry
from parskats.catalogue.models import Indicator
from parskats.jobs import actions as job_actions
from parskats.jobs.mail import normal, send_once
from parskats.jobs.models import Job, SentMail
from parskats.jobs.registry import JobCancelled, JobFailed, Kind, Progress
from parskats.reporting.models import Report, ReportingPeriod

from .models import ReviewComment

KIND = "review.notices"

# Which email each new status sends; "reopened" is an approved report sent back (status returned).
TEMPLATES: dict[str, str] = {
    Report.Status.SUBMITTED: "submitted",
    Report.Status.RETURNED: "returned",
    Report.Status.APPROVED: "approved",
}

# What one notice carries in the job's parameters: ids only, no addresses or text.
Notice = dict[str, Any]


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
    subject, _nl, body = text.partition("\n")
    return EmailMessage(subject.strip(), body.strip() + "\n", to=[user.email])


def with_indicators(report: Report, comments: list[ReviewComment]) -> list[ReviewComment]:
    """Set each field comment's indicator (the name the email and the page show)."""
    names = {
        i.code: i
        for i in Indicator.objects.filter(
            survey=report.period.survey, code__in={c.target for c in comments}
        ).select_related("parent")
    }
    for comment in comments:
        comment.indicator = names.get(comment.target)
    return comments


def sent_with_last_return(report: Report) -> list[ReviewComment]:
    """The comments that went out with the latest return, field comments with their indicator."""
    sent = report.review_comments.filter(sent_at__isnull=False)
    latest = sent.order_by("-sent_at").values_list("sent_at", flat=True).first()
    comments = list(sent.filter(sent_at=latest).order_by("created_at")) if latest else []
    return with_indicators(report, comments)


def template_for(new_status: str, old_status: str) -> str | None:
    template = TEMPLATES.get(new_status)
    if new_status == Report.Status.RETURNED and old_status == Report.Status.APPROVED:
        template = "reopened"
    if new_status == Report.Status.SUBMITTED and old_status == Report.Status.RETURNED:
        template = "resubmitted"
    return template


def notice_for(report: Report, entry: AuditEntry) -> Notice | None:
    """Who is to be told of this status change (its audit entry), fixed now, when it happens; None
    when the change sends nothing or the library has no reporter. The submitter too: their copy is
    the receipt of the submission."""
    template = template_for(str(entry.new), str(entry.old))
    if template is None:
        return None
    recipients = [user.pk for user in reporters_of(report)]
    if not recipients:
        return None
    comments = [c.pk for c in sent_with_last_return(report)] if template == "returned" else []
    return {"report": report.pk, "entry": entry.pk, "template": template, "to": recipients, "comments": comments}


def queue_notices(actor: User | None, report_of_period: Report, notices: Iterable[Notice | None]) -> Job | None:
    """One job for the notices of one action, created in the action's transaction and queued when
    it commits (jobs.actions.start with after_commit). None when there is nobody to tell."""
    found = [n for n in notices if n]
    if not found:
        return None
    period = report_of_period.period
    title = _("Notices to the libraries, %(year)s: %(count)s") % {
        "year": period.year,
        "count": sum(len(n["to"]) for n in found),
    }
    return job_actions.start(
        actor, KIND, period.network, str(period.pk), title[:200], {"notices": found}, after_commit=True
    )


def notice_key(entry_id: int) -> str:
    return f"review-notice:{entry_id}"


def _context(report: Report, entry: AuditEntry, comment_ids: list[int]) -> dict[str, Any]:
    comments = with_indicators(report, list(ReviewComment.objects.filter(report=report, pk__in=comment_ids)))
    return {
        "report": report,
        "library": report.unit,
        "year": report.period.year,
        "actor": entry.actor,
        "note": entry.note,
        "comments": [c for c in comments if not c.target],
        "field_comments": [c for c in comments if c.target],
        "url": absolute(reverse("review:feedback", args=[report.period.network.slug, report.pk])),
        # The national decisions go to the area's methodologists, who open the review page.
        "review_url": absolute(reverse("review:review", args=[report.period.network.slug, report.pk])),
        "form_url": absolute(
            reverse("reporting:form", kwargs={"network": report.period.network.slug, "report": report.pk})
        ),
    }


def run(job: Job, progress: Progress) -> dict[str, Any]:
    """Send every notice of the job: one message per reporter and status change, at most once."""
    notices: list[Notice] = list(job.params.get("notices", []))
    plan = [(notice, uid) for notice in notices for uid in notice["to"]]
    reports = {
        r.pk: r
        for r in Report.objects.filter(
            pk__in={n["report"] for n in notices}, period__network=job.network
        ).select_related("unit", "period", "period__network", "period__survey")
    }
    entries = {e.pk: e for e in AuditEntry.objects.filter(pk__in={n["entry"] for n in notices}).select_related("actor")}
    users = {u.pk: u for u in User.objects.filter(pk__in={uid for _n, uid in plan}, is_active=True)}
    had = set(SentMail.objects.filter(key__in={notice_key(n["entry"]) for n in notices}).values_list("key", "address"))
    contexts: dict[int, dict[str, Any]] = {}
    total, sent, before, gone = len(plan), 0, 0, 0
    connection = get_connection()
    try:
        connection.open()
        for done, (notice, uid) in enumerate(plan):
            progress(_("Sending notices: %(done)s of %(total)s") % {"done": done, "total": total}, done, total)
            user, report, entry = users.get(uid), reports.get(notice["report"]), entries.get(notice["entry"])
            if user is None or not user.email or report is None or entry is None:
                gone += 1  # the account was closed or erased since, or the report deleted
                continue
            key = notice_key(entry.pk)
            if (key, normal(user.email)) in had:
                before += 1
                continue
            if job.cancel_asked():
                raise JobCancelled
            if entry.pk not in contexts:
                contexts[entry.pk] = _context(report, entry, list(notice.get("comments", [])))
            if send_once(job, key, render_email(str(notice["template"]), user, contexts[entry.pk]), connection):
                sent += 1
            else:
                before += 1
    except JobCancelled:
        raise JobCancelled([stopped(sent, sent + before + gone, total, cancelled=True)]) from None
    except (smtplib.SMTPException, OSError) as error:
        raise JobFailed([stopped(sent, sent + before + gone, total, cancelled=False), str(error)]) from None
    finally:
        connection.close()
    lines = [_("Notices sent: %(count)s.") % {"count": sent}]
    if before:
        lines.append(_("Already had this notice, not sent again: %(count)s.") % {"count": before})
    if gone:
        lines.append(_("Not sent, the account is no longer active: %(count)s.") % {"count": gone})
    return {"lines": lines, "files": []}


def stopped(sent: int, done: int, total: int, *, cancelled: bool) -> str:
    """What a cancelled or interrupted send says: how far it got and that what went out is kept."""
    facts = {"sent": sent, "done": done, "total": total}
    if cancelled:
        text = _(
            "Cancelled after %(done)s of %(total)s notices; notices sent and recorded: %(sent)s. "
            "The others were not sent."
        )
    else:
        text = _(
            "Sending stopped after %(done)s of %(total)s notices; notices sent and recorded: %(sent)s. "
            "The others were not sent."
        )
    return text % facts


def may_see(user: Any, job: Job) -> bool:
    """The network's methodologist (who approves and returns), and a part's methodologist the jobs
    of her own decisions; a reporter's submission receipt job is not shown to the reporter (the
    receipt itself is the email)."""
    if is_network_admin(user, job.network):
        return True
    mine = job.started_by_id is not None and job.started_by_id == getattr(user, "pk", None)
    return mine and bool(part_roots(user, job.network, (Role.Kind.ADMIN,)))


def back_url(job: Job) -> str:
    period = ReportingPeriod.objects.filter(pk=int(job.subject), network=job.network).first()
    url = reverse("review:board", args=[job.network.slug])
    return f"{url}?year={period.year}" if period is not None else url


KIND_SPEC = Kind(
    code=KIND,
    label=gettext_lazy("Notices to the libraries"),
    run=run,
    may_see=may_see,
    back_url=back_url,
    keeps_done_steps=True,
)


def on_report_submitted(sender: object, report: Report, actor: User | None = None, **kwargs: object) -> None:
    """Receiver of reporting.signals.report_submitted (sent once the submission has committed)."""
    last = report.audit_entries.filter(action=AuditEntry.Action.STATUS, new=Report.Status.SUBMITTED).first()
    if last is None:
        return
    queue_notices(actor, report, [notice_for(report, last)])
