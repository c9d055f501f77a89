"""The review app's part of a person's data: reminder log (erased) and review comments (downloaded)."""

from __future__ import annotations

from typing import Any

from parskats.accounts.models import User

from .models import ReminderSent, ReviewComment


def erase(user: User | None, email: str) -> int:
    # Comments stay: they are part of the report's record, under the account's pseudonym.
    return ReminderSent.objects.filter(recipient=user).delete()[0] if user is not None else 0


def export(user: User) -> list[dict[str, Any]]:
    return [
        {"at": c.created_at.isoformat(), "report": c.report_id, "field": c.target, "text": c.text}
        for c in ReviewComment.objects.filter(author=user).order_by("created_at")
    ]
