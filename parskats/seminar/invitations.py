"""Invitations: one email per participant, in their language, with the agenda and the .ics file.

Sent by a background job (kind "seminar.invitations"): the page that starts it shows how many of
how many went out and can cancel it between two messages. Each message is recorded under the
seminar's edition (jobs.mail.send_once): a retried job, a second click or a worker killed
half-way never sends anyone the same edition twice. An edition is the seminar's calendar
SEQUENCE, which every change of its details or agenda bumps; so sending again after a change
sends everyone the updated invitation (their calendar replaces the event), and sending again
without one reaches only the participants who have not had this edition (added since)."""

from __future__ import annotations

import smtplib
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parskats.jobs import actions as job_actions
from parskats.jobs.mail import normal, send_once, sent_to
from parskats.jobs.models import Job
from parskats.jobs.registry import JobCancelled, JobFailed, Kind, Progress

from . import access
from .agenda import RIGA, TimedItem, problems, timed
from .ics import seminar_ics
from .models import Seminar
from .participants import Participant, participants
from .services import mark_invitations_sent

KIND = "seminar.invitations"


def check_sendable(seminar: Seminar) -> tuple[list[TimedItem], list[Participant]]:
    """The agenda and the participants, or a ValidationError saying why nothing may be sent: the
    seminar has begun, its agenda is empty or has a problem, or nobody takes part."""
    if seminar.starts_at <= timezone.now():
        raise ValidationError(_("This seminar has already begun; invitations are not sent for the past."))
    rows = timed(seminar)
    if not rows:
        raise ValidationError(_("The agenda is empty."))
    found = problems(seminar, rows)
    if found:
        raise ValidationError(found)
    people = participants(seminar)
    if not people:
        raise ValidationError(_("The seminar has no participants yet."))
    return rows, people


def edition_key(seminar: Seminar) -> str:
    return f"seminar-invitation:{seminar.pk}:{seminar.sequence}"


def invitation(
    seminar: Seminar, person: Participant, rows: list[TimedItem], agenda_url: str, calendar: bytes
) -> EmailMessage:
    with translation.override(person.language or "lv"):
        context = {
            "seminar": seminar,
            "person": person,
            "rows": rows,
            "start": seminar.starts_at.astimezone(RIGA),
            "agenda_url": agenda_url,
        }
        subject = _("Invitation: %(title)s") % {"title": seminar.title}
        body = render_to_string("seminar/email/invitation.txt", context)
    message = EmailMessage(subject, body, to=[person.email])
    message.attach("seminars.ics", calendar, "text/calendar; charset=utf-8; method=PUBLISH")
    return message


def start_invitations(actor: Any, seminar: Seminar, agenda_url: str) -> Job:
    """Check that the invitations may go, then queue the job that sends them (inline under make
    run: it has run when this returns). The caller checked that the actor may change the seminar."""
    check_sendable(seminar)
    # A second click while the first job waits or runs leads to that job: two would race each other
    # (SentMail still gives each person one message, but the page would show two progress bars).
    waiting = Job.objects.filter(
        kind=KIND, network=seminar.network, subject=str(seminar.pk), status__in=(Job.Status.QUEUED, Job.Status.RUNNING)
    ).first()
    if waiting is not None:
        return waiting
    title = _("Invitations: %(seminar)s") % {"seminar": seminar.title}
    return job_actions.start(actor, KIND, seminar.network, str(seminar.pk), title[:200], {"agenda_url": agenda_url})


def run(job: Job, progress: Progress) -> dict[str, Any]:
    seminar = Seminar.objects.select_related("network").filter(pk=int(job.subject), network=job.network).first()
    if seminar is None:
        raise JobFailed([_("The seminar no longer exists.")])
    try:
        rows, people = check_sendable(seminar)
    except ValidationError as error:
        raise JobFailed([_("No invitations were sent: %(reason)s") % {"reason": " ".join(error.messages)}]) from None
    key = edition_key(seminar)
    agenda_url = str(job.params.get("agenda_url", ""))
    calendar = seminar_ics(seminar, agenda_url, settings.DEFAULT_FROM_EMAIL)
    total, sent, before = len(people), 0, 0
    had = sent_to(key)
    connection = get_connection()
    try:
        connection.open()
        for done, person in enumerate(people):
            stage = _("Sending invitations: %(done)s of %(total)s") % {"done": done, "total": total}
            progress(stage, done, total)  # raises JobCancelled once the heartbeat saw a cancel
            if normal(person.email) in had:
                before += 1
                continue
            if job.cancel_asked():
                raise JobCancelled
            if send_once(job, key, invitation(seminar, person, rows, agenda_url, calendar), connection):
                sent += 1
            else:
                before += 1
    except JobCancelled:
        raise JobCancelled([stopped(sent, before, total, cancelled=True)]) from None
    except (smtplib.SMTPException, OSError) as error:
        raise JobFailed([stopped(sent, before, total, cancelled=False), str(error)]) from None
    finally:
        connection.close()
        mark_invitations_sent(job.started_by, seminar, sent=sent, before=before, total=total, job=str(job.pk), key=key)
    lines = [_("Invitations sent: %(count)s.") % {"count": sent}]
    if before:
        lines.append(_("Already had this edition of the invitation, not sent again: %(count)s.") % {"count": before})
    return {"lines": lines, "files": []}


def stopped(sent: int, before: int, total: int, *, cancelled: bool) -> str:
    """What a cancelled or interrupted send says: how far it got and that what went out is kept."""
    facts = {"sent": sent, "done": sent + before, "total": total}
    if cancelled:
        text = _(
            "Cancelled after %(done)s of %(total)s participants; invitations sent and recorded: %(sent)s. "
            "Sending again sends only to the others."
        )
    else:
        text = _(
            "Sending stopped after %(done)s of %(total)s participants; invitations sent and recorded: %(sent)s. "
            "Sending again sends only to the others."
        )
    return text % facts


def may_see(user: Any, job: Job) -> bool:
    try:
        access.get_seminar_for_user(user, job.network.slug, int(job.subject), write=True)
    except Http404:
        return False
    return True


def back_url(job: Job) -> str:
    return reverse("seminar:detail", args=[job.network.slug, int(job.subject)])


KIND_SPEC = Kind(
    code=KIND,
    label=gettext_lazy("Seminar invitations"),
    run=run,
    may_see=may_see,
    back_url=back_url,
    keeps_done_steps=True,
)
