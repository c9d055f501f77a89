"""The agenda as one table: a formset of its rows in the order shown, saved together in one action.

Each row carries a hidden order. "Move up" / "Move down" swap the orders of two rows: in the browser
(agenda.js), or without JavaScript on the server, which shows the table again unsaved. The empty row
for a new item sits before the closing, where a new item usually goes, and may be moved too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from .agenda import TimedItem, problems, timed
from .forms import NewItemForm
from .models import AgendaItem, Seminar
from .services import AgendaRow

STEP = 10  # orders 10, 20, …: the new row fits between two items
NEW_MINUTES = 10


class AgendaRowForm(forms.Form):
    item = forms.IntegerField(required=False, widget=forms.HiddenInput)
    order = forms.IntegerField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("Kind"), choices=NewItemForm.KINDS, required=False)
    title = forms.CharField(label=_("Title"), max_length=200, widget=forms.Textarea(attrs={"rows": 2, "cols": 40}))
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=480)
    fixed_start = forms.TimeField(
        label=_("Fixed start"),
        required=False,
        input_formats=["%H:%M", "%H.%M"],
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )

    def has_changed(self) -> bool:
        # Moving the empty row about does not make it an item to add.
        return any(name != "order" for name in self.changed_data)

    def clean_title(self) -> str:
        # A title is one line, however it was typed into the box.
        return " ".join(str(self.cleaned_data["title"]).split())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("item") is None and not data.get("kind"):
            self.add_error("kind", _("Choose what kind of item it is."))
        return data

    def full_clean(self) -> None:
        super().full_clean()
        # The field says it is wrong, and reads out why (the message's id is in the template).
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs.update(
                    {"aria-invalid": "true", "aria-describedby": f"{self[name].auto_id}-error"}
                )


class BaseAgendaFormSet(forms.BaseFormSet[AgendaRowForm]):
    def __init__(self, *args: Any, new_order: int = 10**6, **kwargs: Any) -> None:
        self.new_order = new_order
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        kwargs = super().get_form_kwargs(index)
        if index is not None and index >= self.initial_form_count():
            kwargs["initial"] = {"order": self.new_order, "kind": AgendaItem.Kind.OTHER, "minutes": NEW_MINUTES}
        return kwargs

    def ordered(self) -> list[AgendaRowForm]:
        """The rows as the table shows them."""
        return sorted(self.forms, key=lambda form: (order_of(form), form.prefix))

    def rows(self) -> list[AgendaRow]:
        """The agenda to save (after is_valid()): kept and new rows in order."""
        out = []
        for form in self.ordered():
            data = form.cleaned_data
            if deleted(form) or (data.get("item") is None and not form.has_changed()):
                continue
            out.append(
                AgendaRow(
                    item_id=data["item"],
                    title=data["title"],
                    minutes=data["minutes"],
                    fixed_start=data["fixed_start"],
                    kind=data.get("kind") or AgendaItem.Kind.OTHER,
                )
            )
        return out

    def removed(self) -> list[int]:
        return [form.cleaned_data["item"] for form in self.forms if deleted(form) and form.cleaned_data.get("item")]


AgendaFormSet = cast(
    "type[BaseAgendaFormSet]",
    forms.formset_factory(AgendaRowForm, formset=BaseAgendaFormSet, extra=1, can_delete=True, can_delete_extra=False),
)


def order_of(form: forms.Form) -> int:
    value = form.data.get(form.add_prefix("order")) if form.is_bound else form.initial.get("order")
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def deleted(form: forms.Form) -> bool:
    return "DELETE" in form.fields and bool(form["DELETE"].value())


def new_order(seminar: Seminar) -> int:
    """Where the empty row goes: just before the closing, else at the end."""
    items = list(seminar.agenda_items.order_by("position", "id").values_list("kind", flat=True))
    closing = next((i for i, kind in enumerate(items) if kind == AgendaItem.Kind.CLOSING), len(items))
    return (closing + 1) * STEP - STEP // 2


def formset_for(seminar: Seminar, data: QueryDict | None = None) -> BaseAgendaFormSet:
    if data is not None:
        return AgendaFormSet(data, new_order=new_order(seminar))
    items = seminar.agenda_items.order_by("position", "id")
    initial = [
        {
            "item": item.pk,
            "order": (index + 1) * STEP,
            "title": item.title,
            "minutes": item.minutes,
            "fixed_start": item.fixed_start,
        }
        for index, item in enumerate(items)
    ]
    return AgendaFormSet(initial=initial, new_order=new_order(seminar))


def moved(formset: BaseAgendaFormSet, move: str) -> tuple[QueryDict, str]:
    """The posted table with one row swapped with its neighbour ("form-3:up"), and that row's prefix."""
    prefix, _sep, direction = move.rpartition(":")
    ordered = formset.ordered()
    data = QueryDict(mutable=True)
    for key, value in formset.data.items():
        data[key] = value
    index = next((i for i, form in enumerate(ordered) if form.prefix == prefix), None)
    if index is None or direction not in ("up", "down"):
        return data, ""
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(ordered):
        first, second = ordered[index].add_prefix("order"), ordered[other].add_prefix("order")
        values = [order_of(ordered[index]), order_of(ordered[other])]
        if values[0] == values[1]:  # orders lost or equal: number the rows afresh first
            for position, form in enumerate(ordered, start=1):
                data[form.add_prefix("order")] = str(position * STEP)
            values = [(index + 1) * STEP, (other + 1) * STEP]
        data[first], data[second] = str(values[1]), str(values[0])
    return data, prefix


@dataclass
class TableRow:
    form: AgendaRowForm
    item: AgendaItem | None  # the saved item; None for the new row
    number: int
    timed: TimedItem | None  # clock times as the table stands, when the row's values are valid


def table(seminar: Seminar, formset: BaseAgendaFormSet) -> tuple[list[TableRow], list[str]]:
    """The rows to show with their clock times, and what the methodologist should fix."""
    saved = {item.pk: item for item in seminar.agenda_items.select_related("library", "guest")}
    rows: list[TableRow] = []
    preview: list[tuple[TableRow, AgendaItem]] = []
    for number, form in enumerate(formset.ordered(), start=1):
        pk = form.initial.get("item") if not form.is_bound else form["item"].value()
        item = saved.get(int(str(pk))) if str(pk or "").isdigit() else None
        row = TableRow(form, item, number, None)
        rows.append(row)
        if deleted(form) or (item is None and (not form.is_bound or not form.has_changed())):
            continue
        values = _values(form)
        if values is not None:
            preview.append((row, _preview_item(item, *values)))
    timed_rows = timed(seminar, [preview_item for _row, preview_item in preview])
    for (row, _item), timed_row in zip(preview, timed_rows, strict=True):
        row.timed = timed_row
    return rows, problems(seminar, timed_rows)


def _values(form: AgendaRowForm) -> tuple[str, int, Any] | None:
    if not form.is_bound:
        return str(form.initial["title"]), int(form.initial["minutes"]), form.initial.get("fixed_start")
    if not form.is_valid():
        return None
    return form.cleaned_data["title"], form.cleaned_data["minutes"], form.cleaned_data["fixed_start"]


def _preview_item(item: AgendaItem | None, title: str, minutes: int, fixed_start: Any) -> AgendaItem:
    if item is None:
        return AgendaItem(kind=AgendaItem.Kind.OTHER, title=title, minutes=minutes, fixed_start=fixed_start)
    return AgendaItem(
        pk=item.pk, kind=item.kind, library_id=item.library_id, title=title, minutes=minutes, fixed_start=fixed_start
    )
