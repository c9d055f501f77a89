from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .survey_config import SurveyConfig


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


def max_file_bytes() -> int:
    """The largest survey file the web import takes (settings.PLS_SURVEY_MAX_FILE_MB, 100 MB by
    default; the web server lets 200 MB through to /n/…/pls/)."""
    return int(getattr(settings, "PLS_SURVEY_MAX_FILE_MB", 100)) * 1024 * 1024


class SurveyImportForm(forms.Form):
    """One year of a survey described by a shipped configuration: one file field per file of the
    survey (which file is which is told by its header, so the order does not matter)."""

    year = forms.IntegerField(label=_("Year"), min_value=1900, max_value=2100)
    quarantine = forms.BooleanField(
        label=_("Quarantine defective rows"),
        required=False,
        help_text=_("Import the other rows and keep the defective ones aside, instead of refusing the files."),
    )

    def __init__(self, config: SurveyConfig, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.config = config
        self.roles = list(config.files)
        for role, spec in config.files.items():
            self.fields[f"file_{role}"] = forms.FileField(
                label=format_lazy(_("File “{name}”"), name=role),
                required=False,
                help_text=format_lazy(_("CSV whose header has {columns}."), columns=", ".join(spec.required)),
            )
        self.order_fields(["year", *(f"file_{role}" for role in self.roles), "quarantine"])

    def uploads(self) -> list[Any]:
        return [self.cleaned_data[f"file_{role}"] for role in self.roles if self.cleaned_data.get(f"file_{role}")]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        limit = max_file_bytes()
        for role in self.roles:
            upload = data.get(f"file_{role}")
            if upload is not None and upload.size is not None and upload.size > limit:
                message = _("%(file)s is larger than %(max)s MB, the most the import takes.")
                self.add_error(f"file_{role}", message % {"file": upload.name, "max": limit // 1024 // 1024})
        if not any(data.get(f"file_{role}") for role in self.roles) and not self.errors:
            raise forms.ValidationError(_("Give at least one of the survey's files."))
        return data
