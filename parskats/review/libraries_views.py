"""The methodologist manages the network's libraries: add one to a county from a date, rename it,
close it, move it to another county from a date (the membership history keeps the old boundaries).
The changes are the network's actions (network/actions.py); these views check the role, parse and render."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from parskats.accounts.access import get_network_for_user
from parskats.core.collation import sorted_by_name
from parskats.network.actions import LibraryRefused, add_library, change_library, move_library
from parskats.network.models import Membership, Network, OrgUnit
from parskats.network.timeline import hierarchy

from . import access

DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%Y."]


def _counties(network: Network) -> list[OrgUnit]:
    return sorted_by_name(OrgUnit.objects.filter(network=network, level=OrgUnit.Level.COUNTY), key=lambda u: u.name)


class CountyField(forms.ModelChoiceField[OrgUnit]):
    def label_from_instance(self, obj: OrgUnit) -> str:
        closed = f" (–{obj.closed_on:%d.%m.%Y}.)" if obj.closed_on else ""
        return f"{obj.name}{closed}"


class LibraryForm(forms.Form):
    code = forms.SlugField(
        label=gettext_lazy("Code"),
        max_length=64,
        help_text=gettext_lazy("Letters, digits and hyphens; it never changes."),
    )
    name = forms.CharField(label=pgettext_lazy("library", "Name"), max_length=200)
    library_type = forms.ChoiceField(label=gettext_lazy("Library type"), choices=OrgUnit.LibraryType.choices)
    county = CountyField(label=gettext_lazy("County"), queryset=OrgUnit.objects.none())
    valid_from = forms.DateField(label=gettext_lazy("In the network from"), input_formats=DATE_FORMATS)

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.network = network
        county = cast(CountyField, self.fields["county"])  # the deep copy of the field declared above
        county.queryset = OrgUnit.objects.filter(network=network, level=OrgUnit.Level.COUNTY)

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"]
        if OrgUnit.objects.filter(network=self.network, code=code).exists():
            raise forms.ValidationError(_("Another unit of the network has this code."))
        return code


class EditForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("library", "Name"), max_length=200)
    library_type = forms.ChoiceField(label=gettext_lazy("Library type"), choices=OrgUnit.LibraryType.choices)
    closed_on = forms.DateField(
        label=gettext_lazy("Closed on"),
        required=False,
        input_formats=DATE_FORMATS,
        help_text=gettext_lazy("Empty: open."),
    )


class MoveForm(forms.Form):
    county = CountyField(label=gettext_lazy("New county"), queryset=OrgUnit.objects.none())
    on = forms.DateField(label=gettext_lazy("From"), input_formats=DATE_FORMATS)

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        county = cast(CountyField, self.fields["county"])  # the deep copy of the field declared above
        county.queryset = OrgUnit.objects.filter(network=network, level=OrgUnit.Level.COUNTY)


@login_required
def libraries(request: HttpRequest, network: str) -> HttpResponse:
    net = get_network_for_user(request.user, network)
    access.require_admin(request.user, net)
    form = LibraryForm(
        request.POST or None, network=net, initial={"valid_from": net.year_span(net.year_of(timezone.localdate()))[0]}
    )
    if request.method == "POST" and form.is_valid():
        try:
            unit = add_library(request.user, net, **form.cleaned_data)
        except LibraryRefused as error:
            form.add_error("code", str(error))
        else:
            messages.success(request, _("%(name)s was added.") % {"name": unit.name})
            return redirect("review:libraries", net.slug)
    today = timezone.localdate()
    tree = hierarchy(net, today)
    units = OrgUnit.objects.filter(network=net, level=OrgUnit.Level.LIBRARY)
    rows = [
        {"unit": u, "county": tree.ancestor_at_level(u.pk, OrgUnit.Level.COUNTY) if u.pk in tree.units else None}
        for u in sorted_by_name(units, key=lambda u: u.name)
    ]
    status = 400 if request.method == "POST" else 200
    return render(
        request, "review/libraries.html", {"network": net, "rows": rows, "form": form, "today": today}, status=status
    )


@login_required
def library(request: HttpRequest, network: str, code: str) -> HttpResponse:
    net = get_network_for_user(request.user, network)
    access.require_admin(request.user, net)
    unit = OrgUnit.objects.filter(
        network=net, code=code, level__in=[OrgUnit.Level.LIBRARY, OrgUnit.Level.BRANCH]
    ).first()
    if unit is None:
        raise Http404("No such library.")
    edit = EditForm(
        request.POST if request.POST.get("form") == "edit" else None,
        initial={"name": unit.name, "library_type": unit.library_type, "closed_on": unit.closed_on},
    )
    move = MoveForm(request.POST if request.POST.get("form") == "move" else None, network=net)
    if edit.is_bound and edit.is_valid():
        data = edit.cleaned_data
        try:
            change_library(request.user, unit, **data)
        except LibraryRefused as error:
            edit.add_error("closed_on", str(error))
        else:
            messages.success(request, _("Saved."))
            return redirect("review:library", net.slug, unit.code)
    if move.is_bound and move.is_valid():
        data = move.cleaned_data
        try:
            move_library(request.user, unit, data["county"], data["on"])
        except (ValueError, forms.ValidationError, LibraryRefused) as error:
            move.add_error(
                None,
                _("The move is not possible on that day: %(reason)s")
                % {"reason": "; ".join(getattr(error, "messages", [str(error)]))},
            )
        else:
            messages.success(
                request,
                _("%(name)s belongs to %(county)s from %(date)s.")
                % {"name": unit.name, "county": data["county"].name, "date": data["on"].strftime("%d.%m.%Y.")},
            )
            return redirect("review:library", net.slug, unit.code)
    history = Membership.objects.filter(child=unit).select_related("parent").order_by("valid_from")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "review/library.html",
        {"network": net, "unit": unit, "edit": edit, "move": move, "history": history},
        status=status,
    )
