"""The methodologist's page for the network's API tokens: the list (last use, revoked or not), a form
to issue one (its secret shown on the answer page only, never stored) and a revoke button per token."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from parskats.accounts.access import get_network_for_user, is_network_admin, part_name
from parskats.network.models import Network

from .models import ApiToken
from .tokens import TokenRefused, create_token, get_token_for_admin, revoke_token, tokens_for_admin


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("What the token is for"),
        max_length=100,
        help_text=gettext_lazy("For example the program or the person using it."),
    )


def _page(
    request: HttpRequest, net: Network, tokens: QuerySet[ApiToken], form: TokenForm, secret: str = "", status: int = 200
) -> HttpResponse:
    part = "" if is_network_admin(request.user, net) else part_name(request.user, net)
    context = {"network": net, "tokens": tokens, "form": form, "secret": secret, "part": part}
    return render(request, "stats/tokens.html", context, status=status)


@never_cache  # the answer to a POST shows a secret once: no cache may keep it
@login_required
def tokens(request: HttpRequest, network: str) -> HttpResponse:
    net = get_network_for_user(request.user, network)
    listed = tokens_for_admin(request.user, net)  # the access check, before a form is read
    if request.method != "POST":
        return _page(request, net, listed, TokenForm())
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            _token, secret = create_token(request.user, net, form.cleaned_data["name"])
        except TokenRefused as error:
            form.add_error("name", str(error))
        else:
            return _page(request, net, listed, TokenForm(), secret=secret)
    return _page(request, net, listed, form, status=400)


@login_required
@require_POST
def revoke(request: HttpRequest, network: str, token_id: int) -> HttpResponse:
    net = get_network_for_user(request.user, network)
    token = get_token_for_admin(request.user, net, token_id)
    if revoke_token(request.user, token):
        messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    else:
        messages.info(request, _("The token “%(name)s” was already revoked.") % {"name": token.name})
    return redirect("stats:tokens", net.slug)
