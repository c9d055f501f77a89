"""File downloads: the Content-Disposition header, whatever the file name is made of."""

from __future__ import annotations

import re

from django.http import HttpResponseBase
from django.utils.http import content_disposition_header


def attachment(response: HttpResponseBase, name: str) -> HttpResponseBase:
    """Offer the response as a download called `name`. Names are built from codes people type (a
    library or county code, a network's short name), so path separators and control characters
    are dropped and Django quotes or percent-encodes the rest (RFC 6266): a quote or a line break
    in a code can neither end the header early nor add another (a line break used to be a 500)."""
    safe = re.sub(r"[\x00-\x1f\x7f/\\]+", "-", name).strip(" .") or "download"
    response["Content-Disposition"] = content_disposition_header(True, safe) or "attachment"
    return response
