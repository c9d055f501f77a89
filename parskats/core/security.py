"""Security headers Django 5.2 does not set itself, and the answer when the database is away.

SecurityHeadersMiddleware adds the Content-Security-Policy (no inline scripts or styles: every
script and stylesheet is a static file), Permissions-Policy and Cross-Origin-Resource-Policy to
every response. The policy is a setting (CONTENT_SECURITY_POLICY) so a page that must embed
something else says so in one place; CONTENT_SECURITY_POLICY_REPORT_ONLY=True sends it as
report-only while a new page is being tried out.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse

from .freetext import CONTROL_RE, clean_text


def policy_header(policy: dict[str, list[str]]) -> str:
    return "; ".join(f"{name} {' '.join(sources)}".strip() for name, sources in policy.items())


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.csp = policy_header(settings.CONTENT_SECURITY_POLICY)
        self.csp_name = (
            "Content-Security-Policy-Report-Only"
            if settings.CONTENT_SECURITY_POLICY_REPORT_ONLY
            else "Content-Security-Policy"
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault(self.csp_name, self.csp)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


class NulBytePathMiddleware:
    """No page lives at an address with a NUL byte in it; PostgreSQL would refuse the text with an
    error (a 500) as soon as a view looked it up, so such a request is a 404 before any view runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path:
            raise Http404("NUL byte in the path")
        return self.get_response(request)


class ControlCharacterMiddleware:
    """Every posted form value without control characters (parskats/core/freetext.py says why), before
    any form or autosave sees it: one rule for every field, on SQLite and PostgreSQL alike.
    Passwords are left as typed (they are hashed, never stored or shown)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            posted = request.POST
            if any(CONTROL_RE.search(v) for k, values in posted.lists() if "password" not in k for v in values):
                cleaned = posted.copy()
                for key, values in posted.lists():
                    if "password" not in key:
                        cleaned.setlist(key, [clean_text(v) for v in values])
                cleaned._mutable = False
                request.POST = cleaned  # type: ignore[assignment]
        return self.get_response(request)
