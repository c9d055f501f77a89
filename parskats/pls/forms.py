from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ImportForm(forms.Form):
    year = forms.IntegerField(label=_("Fiscal year"), min_value=1988, max_value=2100)
    ae_file = forms.FileField(
        label=_("Library systems (AE) file"),
        required=False,
        help_text=_(
            "CSV, for example pls_fy2017_libraries.csv. Leave it out to import only the official state totals."
        ),
    )
    outlet_file = forms.FileField(label=_("Outlet file"), required=False, help_text=_("CSV; optional."))
    state_file = forms.FileField(
        label=_("State summary file"),
        required=False,
        help_text=_("CSV; optional. When given, the state totals are reconciled after the import."),
    )
    quarantine = forms.BooleanField(
        label=_("Quarantine defective rows"),
        required=False,
        help_text=_("Import the other rows and keep the defective ones aside, instead of refusing the files."),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not data.get("ae_file") and not data.get("state_file"):
            raise forms.ValidationError(_("Give the library systems (AE) file, the state summary file, or both."))
        if data.get("outlet_file") and not data.get("ae_file"):
            self.add_error("outlet_file", _("An outlet file needs the library systems (AE) file beside it."))
        return data


class ConfirmForm(forms.Form):
    """The second step: apply the files shown in the preview."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    confirm_removals = forms.BooleanField(label=_("Yes, remove or change this much of the year's data"), required=False)
    confirm_columns = forms.BooleanField(label=_("Yes, the columns are right as they are"), required=False)
