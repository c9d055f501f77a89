"""The jobs app's part of a person's data: the log of emails sent to them once per purpose (address,
time and purpose: seminar invitations, review notices, deadline reminders, digests)."""

from __future__ import annotations

from typing import Any

from parskats.accounts.models import User

from .models import SentMail


def erase(user: User | None, email: str) -> int:
    addresses = {email.strip().lower()}
    if user is not None and user.email:
        addresses.add(user.email.strip().lower())
    return SentMail.objects.filter(address__in=addresses).delete()[0]


def export(user: User) -> list[dict[str, Any]]:
    return [
        {"at": sent.sent_at.isoformat(), "purpose": sent.key, "address": sent.address}
        for sent in SentMail.objects.filter(address=user.email.strip().lower()).order_by("sent_at", "id")
    ]
