"""The request a signed-in person's view receives.

Django types ``request.user`` as ``User | AnonymousUser`` because the middleware sets it on every request.
Behind ``login_required`` (or the admin's staff check) it is always a ``User``; annotating such a view's
request with this class says so to the type checker instead of a ``type: ignore`` on each use. It is an
annotation only: Django still passes its own ``HttpRequest``, nothing instantiates this class.
"""

from __future__ import annotations

from django.http import HttpRequest

from .models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User
