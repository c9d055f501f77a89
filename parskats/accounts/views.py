from __future__ import annotations

import hashlib
from typing import Any

from django import forms
from django.contrib.auth import login, password_validation
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parskats.audit.models import AuditEntry
from parskats.core.downloads import attachment
from parskats.core.ratelimit import client_address

from . import personal_data
from .http import AuthenticatedHttpRequest
from .invitations import InvitationError, accept, find_invitation
from .models import User

# Failed logins allowed per address and per client in the window, before the form refuses.
LOGIN_ATTEMPTS = 5
LOGIN_WINDOW_SECONDS = 15 * 60


@login_required
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    roles = request.user.roles.select_related("network", "unit").order_by("network__name", "kind")
    return render(request, "accounts/profile.html", {"roles": roles})


@login_required
def my_data(request: AuthenticatedHttpRequest) -> JsonResponse:
    """Everything we hold about the person, as JSON (GDPR right of access and portability)."""
    user: User = request.user
    roles = user.roles.select_related("network", "unit")
    data: dict[str, Any] = {
        "email": user.email,
        "name": user.full_name,
        "language": user.language,
        "joined": user.date_joined.isoformat(),
        "last_login": user.last_login.isoformat() if user.last_login else None,
        "roles": [
            {"network": r.network.name, "role": r.kind, "library": r.unit.name if r.unit else None} for r in roles
        ],
        "changes_made": [
            {"at": e.at.isoformat(), "channel": e.channel, "action": e.action, "report": e.report_id, "what": e.target}
            for e in AuditEntry.objects.filter(actor=user).order_by("at")[:10000]
        ],
    }
    # The apps above accounts add what they hold (review comments, …) through their handlers.
    for handler in personal_data.handlers():
        if handler.export is not None:
            data[handler.label] = handler.export(user)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    attachment(response, "parskats-my-data.json")
    return response


class RateLimitedLoginView(auth_views.LoginView):
    """Refuses further attempts for a while after repeated failures, per email and per client address."""

    template_name = "accounts/login.html"

    def _keys(self) -> list[str]:
        email = self.request.POST.get("username", "").strip().lower()[:200]
        address = client_address(self.request)
        # Hashed: whatever was typed (spaces, control characters) makes a key every cache accepts.
        return [f"login-fail:email:{hashlib.sha256(email.encode()).hexdigest()}", f"login-fail:ip:{address}"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if any((cache.get(key) or 0) >= LOGIN_ATTEMPTS for key in self._keys()):
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, _("Too many failed attempts. Wait 15 minutes and try again."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: Any) -> HttpResponse:
        for key in self._keys():
            cache.add(key, 0, LOGIN_WINDOW_SECONDS)
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, LOGIN_WINDOW_SECONDS)
        return super().form_invalid(form)

    def form_valid(self, form: Any) -> HttpResponse:
        cache.delete(self._keys()[0])
        return super().form_valid(form)


class SetPasswordForm(forms.Form):
    password1 = forms.CharField(label=gettext_lazy("New password"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=gettext_lazy("The same password again"), widget=forms.PasswordInput, strip=False)

    def __init__(self, *args: Any, email: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            try:
                password_validation.validate_password(first, User(email=self.email))
            except ValidationError as error:
                self.add_error("password1", error)
        return data


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The one-time invitation link: choose a password, then you are logged in with your role."""
    try:
        invitation = find_invitation(token)
    except InvitationError as error:
        return render(request, "accounts/invitation.html", {"error": str(error)}, status=410)
    form = SetPasswordForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = accept(token, form.cleaned_data["password1"])
        except InvitationError as error:
            return render(request, "accounts/invitation.html", {"error": str(error)}, status=410)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("network:libraries", invitation.network.slug)
    return render(request, "accounts/invitation.html", {"invitation": invitation, "form": form})
