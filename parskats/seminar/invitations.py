"""Invitations: one email per participant, in their language, with the agenda and the .ics file."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .agenda import RIGA, problems, timed
from .ics import seminar_ics
from .models import Seminar
from .participants import participants
from .services import mark_invitations_sent


def send_invitations(actor: Any, seminar: Seminar, agenda_url: str) -> int:
    """Send every participant their invitation; nothing is sent when the seminar cannot be attended
    or its agenda has a problem. Returns the number of emails sent."""
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
    calendar = seminar_ics(seminar, agenda_url, settings.DEFAULT_FROM_EMAIL)
    messages = []
    for person in people:
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
        messages.append(message)
    get_connection().send_messages(messages)
    mark_invitations_sent(actor, seminar, len(messages))
    return len(messages)
