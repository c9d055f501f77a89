from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import login, password_validation
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from parskats.audit.models import AuditEntry
from parskats.core.downloads import attachment
from parskats.core.ratelimit import client_address

from . import lockout, personal_data
from .http import AuthenticatedHttpRequest
from .invitations import InvitationError, accept, find_invitation
from .models import User


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
    """After repeated failures this account from this address waits a growing delay (lockout.py);
    the same account from another address, and other accounts from this one, are not held up."""

    template_name = "accounts/login.html"
    attempt: lockout.Attempt | None = None

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        started = lockout.begin(request.POST.get("username", ""), client_address(request))
        if isinstance(started, int):
            form = self.get_form()
            form.errors.clear()
            minutes = max(1, (started + 59) // 60)
            form.add_error(
                None,
                ngettext(
                    "Too many failed attempts. Wait %(minutes)d minute and try again.",
                    "Too many failed attempts. Wait %(minutes)d minutes and try again.",
                    minutes,
                )
                % {"minutes": minutes},
            )
            response = self.render_to_response(self.get_context_data(form=form), status=429)
            response["Retry-After"] = str(started)
            return response
        self.attempt = started
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        if self.attempt is not None:
            self.attempt.succeeded()
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
