"""Helpers shared by the news tests: a comment form as a reader would send it."""

from __future__ import annotations

import time
from unittest import mock

from django.core import signing
from django.utils import timezone

from parskats.news.comments import SIGNER_SALT


def token(seconds_ago: float = 60) -> str:
    """The signed form-issue time of a form opened (and signed) `seconds_ago`."""
    then = time.time() - seconds_ago
    with mock.patch("django.core.signing.time.time", return_value=then):
        return signing.TimestampSigner(salt=SIGNER_SALT).sign(str(timezone.now().timestamp() - seconds_ago))


def comment_data(text: str = "Malači!", name: str = "Ina", seconds_ago: float = 60, **extra: str) -> dict[str, str]:
    return {"name": name, "text": text, "website": "", "issued": token(seconds_ago), **extra}
