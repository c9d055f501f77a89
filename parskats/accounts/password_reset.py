"""Password reset by email, Django's flow: ask with an email address, get a one-time link (it stops
working once the password changes, and after PASSWORD_RESET_TIMEOUT), choose a new password.

The answer is the same whether or not an account has that address, and asking is rate-limited per
address asked about and per client address (the same counts for every email, so the limit says
nothing either). The email is in the person's language and links to PARSKATS_BASE_URL, not to
whatever Host the request named.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.decorators import method_decorator

from parskats.core.ratelimit import client_address, ratelimit


def email_key(request: HttpRequest) -> str:
    return "email:" + request.POST.get("email", "").strip().lower()[:254]


def address_key(request: HttpRequest) -> str:
    return "address:" + client_address(request)


class ResetForm(auth_forms.PasswordResetForm):
    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        with translation.override(context["user"].language or settings.LANGUAGE_CODE):
            super().send_mail(
                subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name
            )


@method_decorator(ratelimit("password_reset", key=email_key), name="dispatch")
@method_decorator(ratelimit("password_reset", key=address_key), name="dispatch")
class ResetView(auth_views.PasswordResetView):
    form_class = ResetForm
    template_name = "accounts/password_reset.html"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    email_template_name = "accounts/email/password_reset.txt"
    success_url = reverse_lazy("accounts:password_reset_sent")

    def form_valid(self, form: Any) -> HttpResponse:
        self.extra_email_context = {
            "base_url": settings.PARSKATS_BASE_URL.rstrip("/"),
            "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        }
        return super().form_valid(form)


class ResetSentView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_sent.html"


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        if not self.validlink:  # unknown, used or expired: gone, as a used invitation link is
            kwargs["status"] = 410
        return super().render_to_response(context, **kwargs)


class ResetDoneView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_done.html"
