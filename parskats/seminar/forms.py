from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parskats.core.freetext import NameField
from parskats.stats.aggregate import survey_years

from .models import AgendaItem, Guest, Seminar


class SeminarForm(forms.ModelForm[Seminar]):
    starts_at = forms.DateTimeField(
        label=_("Start (Riga time)"),
        input_formats=["%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M", "%d.%m.%Y. %H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    year = forms.TypedChoiceField(label=_("Reporting year"), coerce=int)
    meeting_url = forms.URLField(label=_("Online meeting link"), required=False, max_length=500, assume_scheme="https")

    class Meta:
        model = Seminar
        fields = ["region", "title", "year", "starts_at", "place", "meeting_url", "slot_minutes", "visibility"]

    def __init__(self, *args: Any, network: Any, regions: Any, whole: bool = True, **kwargs: Any) -> None:
        """`regions`: the regions this person may give the seminar to; `whole`: she may also leave it
        the whole network's (its whole methodologist), else a region is required."""
        super().__init__(*args, **kwargs)
        self.network = network
        region_field = self.fields["region"]
        assert isinstance(region_field, forms.ModelChoiceField)
        region_field.queryset = regions
        if not regions.exists():
            del self.fields["region"]  # a network without regions: every seminar is the whole network's
        elif whole:
            region_field.help_text = _("Empty: the whole network's seminar.")
        else:
            region_field.required = True
            region_field.empty_label = None
        years = survey_years(network)
        year_field = self.fields["year"]
        assert isinstance(year_field, forms.TypedChoiceField)
        year_field.choices = [(year, str(year)) for year in years]
        self.fields["slot_minutes"].widget.attrs.update({"min": 1, "max": 60})

    def clean_starts_at(self) -> Any:
        value = self.cleaned_data["starts_at"]
        # A new seminar is planned ahead; an existing one may be corrected after it took place.
        if self.instance.pk is None and value <= timezone.now():
            raise forms.ValidationError(_("The start is in the past; a new seminar must be in the future."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("place") and not data.get("meeting_url"):
            raise forms.ValidationError(_("Give a place, an online meeting link, or both."))
        return data


class GuestForm(forms.ModelForm[Guest]):
    class Meta:
        model = Guest
        fields = ["name", "role", "email", "language"]
        field_classes = {"name": NameField}


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=480)
    fixed_start = forms.TimeField(
        label=_("Fixed start"),
        required=False,
        input_formats=["%H:%M"],
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("Leave empty to follow the item before."),
    )


class NewItemForm(forms.Form):
    KINDS = [
        (AgendaItem.Kind.BREAK, _("break")),
        (AgendaItem.Kind.GUEST, _("guest remarks")),
        (AgendaItem.Kind.OTHER, _("other")),
    ]
    kind = forms.ChoiceField(label=_("Kind"), choices=KINDS)
    title = forms.CharField(label=_("Title"), max_length=200)
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=480)
