from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from parskats.accounts.access import networks_for_user
from parskats.core.errors import database_unavailable

from .public_home import public_home


def home(request: HttpRequest) -> HttpResponse:
    """Anonymous readers get the public home; a user with one network goes straight to it."""
    if not request.user.is_authenticated:
        return public_home(request)
    networks = list(networks_for_user(request.user))
    if len(networks) == 1:
        return redirect("network:libraries", network=networks[0].slug)
    return render(request, "site/home.html", {"networks": networks})


@never_cache
def health(request: HttpRequest) -> HttpResponse:
    """For the load balancer and the operator: 200 when the database answers, else the 503 page."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return database_unavailable()
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")
