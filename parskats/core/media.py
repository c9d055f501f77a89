"""Uploaded files (MEDIA_ROOT) are answered only after the app that owns them says who may read them.

Each app registers the folder it writes under MEDIA_ROOT with a rule: `rule(request, name)` returns
PUBLIC (anyone may read it now: a consented photo of an approved report, an image of a published
article), PRIVATE (this person may, e.g. a draft photo to its reporter) or None (a 404: the file is
not even confirmed to exist). Files in no registered folder are never served.

Every request comes here, public files too: whether a photo is public changes (consent withdrawn, a
report reopened) and must take effect at once, which a copy nginx served without asking could not.
The check is one indexed query; the bytes are not sent by the worker in production: with
PARSKATS_MEDIA_ACCEL set (nginx's internal location, e.g. /_protected_media/) the answer is an empty
response with X-Accel-Redirect and nginx sends the file. Elsewhere (`make run`, tests) the file is
streamed by FileResponse.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from enum import Enum
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import patch_cache_control, patch_vary_headers


class Visibility(Enum):
    PUBLIC = "public"
    PRIVATE = "private"


Rule = Callable[[HttpRequest, str], Visibility | None]
_rules: dict[str, Rule] = {}


def register(folder: str, rule: Rule) -> None:
    """`folder` is the first part of the names the app's upload_to gives (e.g. "reports")."""
    _rules[folder] = rule


def safe_name(name: str) -> str | None:
    """The name as a relative path inside MEDIA_ROOT, or None for anything that could leave it."""
    if "\x00" in name or "\\" in name:
        return None
    path = PurePosixPath(name)
    if path.is_absolute() or not path.parts or any(part in {"", ".", ".."} for part in path.parts):
        return None
    return path.as_posix()


def serve(request: HttpRequest, name: str) -> HttpResponseBase:
    clean = safe_name(name)
    rule = _rules.get(clean.split("/", 1)[0]) if clean else None
    visibility = rule(request, clean) if rule and clean else None
    if visibility is None or clean is None:
        raise Http404("No such file.")
    path = Path(settings.MEDIA_ROOT) / clean
    accel = settings.PARSKATS_MEDIA_ACCEL
    response: HttpResponseBase
    if accel:
        response = HttpResponse()
        response["X-Accel-Redirect"] = accel.rstrip("/") + "/" + quote(clean)
        # nginx takes the type from the answer it was given, not from its own table.
        response["Content-Type"] = mimetypes.guess_type(clean)[0] or "application/octet-stream"
    else:
        if not path.is_file():
            raise Http404("No such file.")
        response = FileResponse(path.open("rb"))
    if visibility is Visibility.PUBLIC:
        patch_cache_control(response, public=True, max_age=300)
    else:
        # A person's private file: no shared cache may keep it, and it differs by who is logged in.
        patch_cache_control(response, private=True, no_store=True)
        patch_vary_headers(response, ["Cookie"])
    return response
