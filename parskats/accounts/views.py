from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    roles = request.user.roles.select_related("network", "unit").order_by("network__name", "kind")  # type: ignore[union-attr]
    return render(request, "accounts/profile.html", {"roles": roles})
