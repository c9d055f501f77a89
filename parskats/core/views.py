from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from parskats.network.access import networks_for_user


def home(request: HttpRequest) -> HttpResponse:
    """Anonymous readers get the welcome page; a user with one network goes straight to it."""
    networks = list(networks_for_user(request.user))
    if len(networks) == 1:
        return redirect("network:libraries", network=networks[0].slug)
    return render(request, "core/home.html", {"networks": networks})
