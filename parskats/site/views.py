from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from parskats.accounts.access import networks_for_user
from parskats.accounts.models import Role
from parskats.core.errors import database_unavailable

from .home import network_home
from .public_home import public_home


def home(request: HttpRequest) -> HttpResponse:
    """Anonymous readers get the welcome page. A person with a role gets the page of their job:
    the reporter her report, the methodologist the year at a glance; a viewer lands on the figures."""
    if not request.user.is_authenticated:
        return public_home(request)
    homes = [network_home(request.user, n) for n in networks_for_user(request.user).order_by("name")]
    if len(homes) == 1 and homes[0].role == Role.Kind.VIEWER:
        return redirect("stats:dashboard", network=homes[0].network.slug)
    context = {"homes": homes, "network": homes[0].network if len(homes) == 1 else None}
    return render(request, "site/role_home.html", context)


@never_cache
def health(request: HttpRequest) -> HttpResponse:
    """For the load balancer and the operator: 200 when the database answers, else the 503 page."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return database_unavailable()
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")
