"""The figures app's part of a person's data: the API tokens a person was issued go on erasure."""

from __future__ import annotations

from parskats.accounts.models import User

from .models import ApiToken


def erase(user: User | None, email: str) -> int:
    return ApiToken.objects.filter(user=user).delete()[0] if user is not None else 0
