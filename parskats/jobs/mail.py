"""Emails a job sends one by one, each at most once per purpose (SentMail): checked before the
message is built and sent, and recorded in the transaction that sends it, so a retried job, a
second worker or a second click skip whoever already has theirs.

The row and the sending share one transaction: an error while sending rolls the row back (the
person is tried again next time); a worker killed between the mail server's acceptance and the
commit is the one window in which a retry could send a second copy (milliseconds, against the
minutes of a 300-person send before)."""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, transaction

from .models import Job, SentMail


def normal(address: str) -> str:
    return address.strip().lower()


def sent_to(key: str) -> set[str]:
    """The addresses that have had `key` (a retry skips them without building their message)."""
    return set(SentMail.objects.filter(key=key).values_list("address", flat=True))


def send_once(job: Job | None, key: str, message: EmailMessage, connection: BaseEmailBackend) -> bool:
    """Send a message to its one recipient unless something under `key` went there before; True
    when it was sent now. Sending errors propagate (nothing is recorded for this person)."""
    if len(message.to) != 1 or message.cc or message.bcc:
        raise ValueError("send_once sends to exactly one recipient.")
    address = normal(message.to[0])
    try:  # the unique row is the check: no look-up first (the caller skipped those it knew of)
        with transaction.atomic():
            SentMail.objects.create(key=key, address=address, job=job)
            connection.send_messages([message])
    except IntegrityError:
        return False  # sent before, by an earlier attempt or another worker
    return True
