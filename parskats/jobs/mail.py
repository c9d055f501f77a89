"""Emails a job sends one by one, each at most once per purpose (SentMail): checked before the
message is built and sent, and recorded in the transaction that sends it, so a retried job, a
second worker or a second click skip whoever already has theirs.

The row and the sending share one transaction: an error while sending rolls the row back (the
person is tried again next time); a worker killed between the mail server's acceptance and the
commit is the one window in which a retry could send a second copy: delivery is at-least-once,
not exactly-once (milliseconds, against the minutes of a 300-person send before).

The rows are pruned after RETENTION (`manage.py jobs prune`, daily from parskats-clearsessions)."""

from __future__ import annotations

import datetime as dt

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Job, SentMail

# How long a row is kept. It must outlast every way the same key can come round again, or pruning
# would let it be sent a second time: a job's retries (minutes: PARSKATS_JOBS_STALE × attempts), a
# reporting year's deadline reminders (its windows lie within weeks of the deadline, and the
# methodologist may move the deadline by months), the daily digest's "since the previous one", and a
# seminar's invitation edition (sent months ahead; a second click re-sends to whoever has no row).
# A key never comes back once its reporting year or seminar is over, and both are within a year:
# 400 days (13 months) is longer than any of them and still drops the addresses of past years.
RETENTION = dt.timedelta(days=400)


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


def prune(now: dt.datetime | None = None, keep: dt.timedelta = RETENTION) -> int:
    """Delete the rows older than `keep` (RETENTION); the number deleted. Housekeeping run by the
    system, like clearsessions: no actor and no audit record (the rows hold only address and time)."""
    if keep < dt.timedelta(days=1):
        raise ValueError("Keep the sent-mail log at least a day: a running job's retries still need it.")
    limit = (now or timezone.now()) - keep
    return SentMail.objects.filter(sent_at__lt=limit).delete()[0]
