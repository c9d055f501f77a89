"""Server errors: a database that is away is a friendly 503 that clears itself, not a stack trace.

`server_error` is the project's handler500. Django calls it for every exception a view or
middleware let through, with the exception still in sys.exc_info(); when that is a database
connection or availability error the reader gets the 503 page with Retry-After. Nothing has to
be restarted afterwards: Django opens a fresh connection at the next request (and drops a broken
persistent one, see close_old_connections), so the site answers again as soon as the database does.

These views touch neither the database nor the session: they must work while it is down.
"""

from __future__ import annotations

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults

UNAVAILABLE = (OperationalError, InterfaceError)


def database_unavailable() -> HttpResponse:
    response = HttpResponse(
        loader.get_template("503.html").render({"retry_after": settings.DATABASE_RETRY_AFTER}), status=503
    )
    response["Retry-After"] = str(settings.DATABASE_RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    if isinstance(sys.exc_info()[1], UNAVAILABLE):
        return database_unavailable()
    return HttpResponseServerError(loader.get_template("500.html").render())


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The API answers in JSON even for an address no route matches, as its description promises."""
    if request.path.startswith("/api/"):
        error = {"status": 404, "message": _("There is nothing at this address.")}
        return JsonResponse({"error": error}, status=404, json_dumps_params={"ensure_ascii": False})
    return defaults.page_not_found(request, exception)
