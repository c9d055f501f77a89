"""The review app's part of a person's data: the review comments they wrote (downloaded; they stay
as part of the report's record, under the account's pseudonym). The reminders and notices sent to
them are in jobs.SentMail, which the jobs app downloads and erases."""

from __future__ import annotations

from typing import Any

from parskats.accounts.models import User

from .models import ReviewComment


def export(user: User) -> list[dict[str, Any]]:
    return [
        {"at": c.created_at.isoformat(), "report": c.report_id, "field": c.target, "text": c.text}
        for c in ReviewComment.objects.filter(author=user).order_by("created_at")
    ]
