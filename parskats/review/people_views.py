"""The methodologist's management pages: people (invite, remove a role) and reporting years. The
changes are actions of the apps they belong to: roles in accounts, reporting years in reporting."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from parskats.accounts.access import get_network_for_user
from parskats.accounts.http import AuthenticatedHttpRequest
from parskats.accounts.invitations import InvitationError, RoleRefused
from parskats.accounts.invitations import invite as send_invitation
from parskats.accounts.invitations import remove_role as take_role
from parskats.accounts.models import Invitation, Role
from parskats.catalogue.models import Survey
from parskats.core.collation import sorted_by_name
from parskats.core.freetext import NameField
from parskats.network.models import Network, OrgUnit
from parskats.reporting.models import ReportingPeriod
from parskats.reporting.periods import PERIOD_FIELDS, add_period, change_period

from . import access


class InviteForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Email"))
    full_name = NameField(label=gettext_lazy("Name"), max_length=150)
    kind = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.Kind.choices, initial=Role.Kind.REPORTER)
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Library (for a reporter)"), queryset=OrgUnit.objects.none(), required=False
    )
    area = forms.ModelChoiceField(
        label=gettext_lazy("Area (for a methodologist or viewer of one region or county; empty: the whole network)"),
        queryset=OrgUnit.objects.none(),
        required=False,
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the emails"), choices=[("lv", "Latviešu"), ("en", "English")]
    )

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        libraries = OrgUnit.objects.filter(network=network, level__in=[OrgUnit.Level.LIBRARY, OrgUnit.Level.BRANCH])
        cast(forms.ModelChoiceField[OrgUnit], self.fields["unit"]).queryset = libraries  # declared above
        self.library_choices = sorted_by_name(libraries, key=lambda u: u.name)
        areas = OrgUnit.objects.filter(network=network, level__in=[OrgUnit.Level.REGION, OrgUnit.Level.COUNTY])
        cast(forms.ModelChoiceField[OrgUnit], self.fields["area"]).queryset = areas
        self.area_choices = sorted_by_name(areas, key=lambda u: u.name)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == Role.Kind.REPORTER and not data.get("unit"):
            self.add_error("unit", _("A reporter must be bound to a library."))
        if data.get("kind") == Role.Kind.REPORTER and data.get("area"):
            self.add_error("area", _("A reporter reports for a library; leave the area empty."))
        return data

    def role_unit(self) -> OrgUnit | None:
        """The library of a reporter, or the area a methodologist's or viewer's role is held over."""
        data = self.cleaned_data
        return data.get("unit") if data.get("kind") == Role.Kind.REPORTER else data.get("area")


def _people_context(net: Network, form: InviteForm) -> dict[str, Any]:
    roles = Role.objects.filter(network=net).select_related("user", "unit")
    return {
        "network": net,
        "roles": sorted_by_name(roles, key=lambda r: r.user.full_name or r.user.email),
        "invitations": Invitation.objects.filter(network=net, used_at__isnull=True).select_related("unit")[:50],
        "form": form,
    }


@login_required
def people(request: AuthenticatedHttpRequest, network: str) -> HttpResponse:
    net = get_network_for_user(request.user, network)
    access.require_admin(request.user, net)
    return render(request, "review/people.html", _people_context(net, InviteForm(network=net)))


@login_required
@require_POST
def invite(request: AuthenticatedHttpRequest, network: str) -> HttpResponse:
    net = get_network_for_user(request.user, network)
    access.require_admin(request.user, net)
    form = InviteForm(request.POST, network=net)
    if form.is_valid():
        data = form.cleaned_data
        try:
            send_invitation(
                request.user,
                net,
                data["email"],
                data["full_name"],
                data["kind"],
                form.role_unit(),
                data["language"],
            )
        except InvitationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": data["email"]})
            return redirect("review:people", net.slug)
    return render(request, "review/people.html", _people_context(net, form), status=400)


@login_required
@require_POST
def remove_role(request: AuthenticatedHttpRequest, network: str, role_id: int) -> HttpResponse:
    net = get_network_for_user(request.user, network)
    access.require_admin(request.user, net)
    try:
        take_role(request.user, net, role_id)
    except Role.DoesNotExist:
        raise Http404("No such role.") from None
    except RoleRefused as error:
        messages.error(request, str(error))
        return redirect("review:people", net.slug)
    messages.success(request, _("The role was removed."))
    return redirect("review:people", net.slug)


PERIOD_FORM_FIELDS = ("survey", "year", *PERIOD_FIELDS)


class PeriodForm(forms.ModelForm[ReportingPeriod]):
    class Meta:
        model = ReportingPeriod
        fields = ["survey", "year", "opens_on", "deadline", "review_deadline", "status"]
        widgets = {
            "opens_on": forms.DateInput(attrs={"type": "date"}),
            "deadline": forms.DateInput(attrs={"type": "date"}),
            "review_deadline": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.network = network
        # The fields ModelForm made from ReportingPeriod's ForeignKey and DateFields.
        cast(forms.ModelChoiceField[Survey], self.fields["survey"]).queryset = Survey.objects.all()
        for name in ("opens_on", "deadline", "review_deadline"):
            cast(forms.DateField, self.fields[name]).input_formats = ["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%Y."]
        if self.instance.pk:
            del self.fields["survey"]
            del self.fields["year"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, deadline = data.get("opens_on"), data.get("deadline")
        if opens and deadline and deadline < opens:
            self.add_error("deadline", _("The deadline is before the opening day."))
        review = data.get("review_deadline")
        if review and deadline and review < deadline:
            self.add_error("review_deadline", _("The areas' approval deadline is before the libraries' deadline."))
        year = data.get("year")
        if year is not None and not 2000 <= year <= 2100:
            self.add_error("year", _("Enter a year between 2000 and 2100."))
        survey = data.get("survey")
        if not self.instance.pk and survey and year:
            taken = ReportingPeriod.objects.filter(network=self.instance.network, survey=survey, year=year)
            if taken.exists():
                self.add_error("year", _("This year already has a reporting period for this form."))
        return data


@login_required
def years(request: AuthenticatedHttpRequest, network: str) -> HttpResponse:
    net = get_network_for_user(request.user, network)
    access.require_admin(request.user, net)
    form = PeriodForm(request.POST or None, network=net)
    if request.method == "POST" and form.is_valid():
        add_period(request.user, net, **{name: form.cleaned_data[name] for name in PERIOD_FORM_FIELDS})
        messages.success(request, _("The reporting year was added."))
        return redirect("review:years", net.slug)
    periods = ReportingPeriod.objects.filter(network=net).select_related("survey").order_by("-year")
    status = 400 if request.method == "POST" else 200
    return render(request, "review/years.html", {"network": net, "periods": periods, "form": form}, status=status)


@login_required
def edit_year(request: AuthenticatedHttpRequest, network: str, period_id: int) -> HttpResponse:
    net = get_network_for_user(request.user, network)
    access.require_admin(request.user, net)
    period = ReportingPeriod.objects.filter(network=net, pk=period_id).select_related("survey").first()
    if period is None:
        raise Http404("No such period.")
    form = PeriodForm(request.POST or None, instance=period, network=net)
    if request.method == "POST" and form.is_valid():
        change_period(request.user, period, **{name: form.cleaned_data[name] for name in PERIOD_FIELDS})
        messages.success(request, _("The reporting year was saved."))
        return redirect("review:years", net.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "review/edit_year.html", {"network": net, "period": period, "form": form}, status=status)
