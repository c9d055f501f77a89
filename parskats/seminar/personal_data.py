"""The seminar app's part of a person's data: guests invited by email are emptied on erasure."""

from __future__ import annotations

from parskats.accounts.erasure import ERASED_DOMAIN, pseudonym
from parskats.accounts.models import User

from .models import Guest


def erase(user: User | None, email: str) -> int:
    count = 0
    for guest in Guest.objects.filter(email__iexact=email):
        guest.name, guest.role, guest.email = pseudonym(guest.pk), "", f"guest-{guest.pk}@{ERASED_DOMAIN}"
        guest.save(update_fields=["name", "role", "email"])
        count += 1
    return count
