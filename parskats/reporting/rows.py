"""HTML of one field row of the report form and of its check messages.

Built with format_html rather than a template because a form has 35–40 rows and Django's template
engine made the rows most of the page's server time (bench/form.py). Every value is escaped by
format_html; the markup mirrors what a template would produce."""

from __future__ import annotations

from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .form import FieldRow

ROW = """<div class="field-row{part}" id="row-{code}">
  <div class="field-label">
    <label for="v-{code}">{name}</label>
    <span class="field-unit">{unit}</span>{definition}
  </div>
  <div class="field-entry">
    <input type="text" inputmode="decimal" id="v-{code}" name="v-{code}" value="{text}" autocomplete="off"
      spellcheck="false" aria-describedby="prev-{code} status-{code} checks-{code}"{invalid}{disabled}{input_htmx}>
    <select name="kind-{code}" id="kind-{code}" class="kind-select"
      aria-label="{kind_label}"{select_htmx}>{options}</select>
    <input type="hidden" id="version-{code}" name="version-{code}" value="{version}">
  </div>
  <div class="field-previous" id="prev-{code}"><span class="previous-label">{previous_label}</span> {previous}</div>
  <p id="status-{code}" class="field-status" aria-live="polite"></p>
  {checks}
</div>"""
HTMX = (
    ' hx-post="{url}" hx-trigger="{trigger}" hx-target="#status-{code}" hx-swap="outerHTML"'
    ' hx-sync="closest .field-row:queue last"'
)


def render_checks(row: FieldRow, oob: bool = False) -> SafeString:
    """The row's check messages. An empty field's error ("no value entered") is written twice: as a
    neutral "not filled yet" shown until the person leaves the field or tries to submit (form.css,
    form.js), and as the error shown after that."""
    items = []
    for result in row.results:
        if result.is_error and row.is_empty:
            items.append(
                format_html(
                    '<p class="check check-error check-untouched"><span class="when-untouched">{}</span>'
                    '<span class="when-touched"><strong>{}:</strong> {}</span></p>',
                    _("not filled yet"),
                    _("Error"),
                    result.message,
                )
            )
            continue
        if result.is_error:
            tail = mark_safe("")
        elif result.explanation:
            tail = format_html(
                ' <span class="explained">{}: {}</span>', _("explained"), result.explanation.get_category_display()
            )
        else:
            tail = format_html(' <a href="#explain-{}-{}">{}</a>', result.code, result.field, _("Explain"))
        items.append(
            format_html(
                '<p class="check check-{}"><strong>{}:</strong> {}{}</p>',
                result.severity,
                _("Error") if result.is_error else _("Warning"),
                result.message,
                tail,
            )
        )
    return format_html(
        '<div id="checks-{}" class="field-checks" data-filled="{}"{}>{}</div>',
        row.code,
        0 if row.is_empty else 1,
        mark_safe(' hx-swap-oob="true"') if oob else "",
        format_html_join("", "{}", ((item,) for item in items)),
    )


def render_row(row: FieldRow, labels: dict[str, Any], editable: bool) -> SafeString:
    code = row.code
    url = f"{labels['save_base']}{code}/"
    indicator = row.indicator
    definition = indicator.definition
    return format_html(
        ROW,
        part=" is-part" if row.is_part else "",
        code=code,
        name=indicator.name,
        unit=indicator.unit_label,
        definition=format_html(
            '\n    <details class="definition"><summary>{}<span class="visually-hidden">: {}</span></summary>'
            "<p>{}</p></details>",
            labels["definition_label"],
            indicator.name,
            definition,
        )
        if definition
        else "",
        text=row.text,
        invalid=mark_safe(' aria-invalid="true"') if row.results and not row.is_empty else "",
        disabled=mark_safe(" disabled") if row.kind != "num" else "",
        input_htmx=format_html(HTMX, url=url, trigger="input changed delay:700ms, change", code=code)
        if editable
        else mark_safe(" readonly"),
        kind_label=row.kind_label,
        select_htmx=format_html(HTMX, url=url, trigger="change", code=code) if editable else mark_safe(" disabled"),
        options=format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((value, mark_safe(" selected") if row.kind == value else "", label) for value, label in labels["kinds"]),
        ),
        version=row.version,
        previous_label=labels["previous_label"],
        previous=row.previous_display or "—",
        checks=render_checks(row),
    )
