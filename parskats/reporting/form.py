"""What the report form page shows: sections of fields with last year's values, the check results
per field, narratives, activities and photos. One place, used by the page, the autosave responses
and the benchmark."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from parskats.catalogue.models import Indicator, NarrativeSection

from .checks import CheckResult, blocking, by_field, form_indicators, run_checks
from .entry import EDITABLE, display
from .figures import Figure, figures, previous_figures
from .models import Narrative, Report, Value


@dataclass
class FieldRow:
    indicator: Indicator
    value: Figure | None
    previous: Figure | None
    results: list[CheckResult] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.indicator.code

    @property
    def kind(self) -> str:
        return self.value.code if self.value else Value.Code.NUMBER

    @property
    def text(self) -> str:
        """What the input shows: the number the Latvian way (no thousands separator to trip over)."""
        if self.value is None or self.value.code != Value.Code.NUMBER or self.value.number is None:
            return ""
        return format(self.value.number.normalize(), "f").replace(".", ",")

    @property
    def version(self) -> int:
        return self.value.version if self.value else 0

    @property
    def value_display(self) -> str:
        return display(self.value)

    @property
    def previous_display(self) -> str:
        return display(self.previous)

    @property
    def kind_label(self) -> str:
        return _("Kind of value: %(name)s") % {"name": self.indicator.name}

    @property
    def is_empty(self) -> bool:
        return self.value is None

    @property
    def is_part(self) -> bool:
        return self.indicator.parent_id is not None


@dataclass
class Summary:
    results: list[CheckResult]
    # Codes of the fields on the form that hold no value yet: their "required" errors are shown as
    # "not filled yet" until the person leaves the field or tries to submit.
    empty: set[str] = field(default_factory=set)
    total: int = 0

    @property
    def filled(self) -> int:
        return self.total - len(self.empty)

    @property
    def not_filled(self) -> list[CheckResult]:
        return [r for r in self.results if r.is_error and r.field in self.empty]

    @property
    def filled_errors(self) -> list[CheckResult]:
        return [r for r in self.results if r.is_error and r.field not in self.empty]

    @property
    def problems(self) -> list[CheckResult]:
        """The failed checks of fields that hold something (errors and warnings to explain)."""
        return [r for r in self.results if not (r.is_error and r.field in self.empty)]

    @property
    def errors(self) -> list[CheckResult]:
        return [r for r in self.results if r.is_error]

    @property
    def warnings(self) -> list[CheckResult]:
        return [r for r in self.results if not r.is_error]

    @property
    def unexplained(self) -> list[CheckResult]:
        return [r for r in self.results if r.needs_explanation]

    @property
    def ready(self) -> bool:
        return not blocking(self.results)

    @property
    def signature(self) -> str:
        """Changes whenever the set of failed checks or their explanations changes."""
        text = "|".join(f"{r.key}:{bool(r.explanation)}" for r in self.results)
        return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:12]


def field_rows(report: Report, indicators: list[Indicator] | None = None) -> tuple[list[FieldRow], Summary]:
    indicators = indicators if indicators is not None else form_indicators(report)
    values = figures(report=report)
    previous = previous_figures(report)
    results = run_checks(report, indicators, values, previous)
    grouped = by_field(results)
    rows = [
        FieldRow(indicator, values.get(indicator.code), previous.get(indicator.code), grouped.get(indicator.code, []))
        for indicator in indicators
    ]
    empty = {row.code for row in rows if row.value is None}
    return rows, Summary(results, empty, len(rows))


def sections(rows: list[FieldRow]) -> list[dict[str, Any]]:
    """The rows by section, each with how many of its fields hold a value (filled) of how many."""
    out: list[dict[str, Any]] = []
    for row in rows:
        if not out or out[-1]["section"].pk != row.indicator.section_id:
            out.append({"section": row.indicator.section, "rows": [], "filled": 0})
        out[-1]["rows"].append(row)
        out[-1]["filled"] += row.value is not None
    return out


SENTENCE_END = re.compile(r"[.!?…][\"”“»)]*(?:\s|$)")


def narrative_item(section: NarrativeSection, narrative: Narrative | None, text: str) -> dict[str, Any]:
    """A narrative section with its text's length against the guide (words, and one sentence)."""
    stripped = text.strip()
    sentences = len(SENTENCE_END.findall(stripped)) or (1 if stripped else 0)
    return {
        "section": section,
        "narrative": narrative,
        "words": len(stripped.split()),
        "too_many_sentences": section.single_sentence and sentences > 1,
    }


def narrative_sections(report: Report) -> list[dict[str, Any]]:
    texts = {n.section_id: n for n in Narrative.objects.filter(report=report)}
    year, kind = report.period.year, report.unit.library_type
    return [
        narrative_item(section, texts.get(section.pk), texts[section.pk].text if section.pk in texts else "")
        for section in NarrativeSection.objects.filter(survey_id=report.period.survey_id)
        if section.on_form(year, kind)
    ]


def is_editable(report: Report) -> bool:
    return report.status in EDITABLE
