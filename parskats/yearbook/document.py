"""The review as a document: numbered headings, paragraphs, numbered tables and figures, in one
language. Built from the `Outline`; the DOCX and the PDF are two renderings of this one object."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from parskats.accounts.models import Role
from parskats.core.text import Para, Run, paragraphs
from parskats.network.models import OrgUnit
from parskats.stats import charts

from .models import AnnualReview
from .outline import Outline, build_outline


@dataclass
class Heading:
    text: str
    level: int
    number: str = ""
    anchor: str = ""

    @property
    def numbered(self) -> str:
        return f"{self.number} {self.text}" if self.number else self.text


@dataclass
class TableBlock:
    number: int
    caption: str
    head: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)


@dataclass
class FigureBlock:
    """A chart, drawn when a renderer first asks for it."""

    number: int
    caption: str
    spec: dict[str, Any]
    language: str
    alt: str

    @property
    def png(self) -> bytes:
        return _png(json.dumps(self.spec, sort_keys=True, default=str), self.language)


@lru_cache(maxsize=64)
def _png(spec_json: str, language: str) -> bytes:
    """PNG drawing is the slow part of a DOCX; the same chart (same data) is drawn once."""
    return charts.render_png(json.loads(spec_json), scale=2, language=language)


Block = Heading | Para | TableBlock | FigureBlock


@dataclass
class Document:
    title: str
    subtitle: str
    network: str
    year: int
    language: str
    demo_note: str
    draft_note: str
    blocks: list[Block]
    # Labels that differ by language, so both renderers say the same.
    contents_label: str
    table_label: str
    figure_label: str
    page_label: str
    publisher: str = ""  # the library that publishes the review (the methodologist's)
    publisher_label: str = ""
    pages: dict[str, int] = field(default_factory=dict)  # heading anchor → PDF page, once laid out
    layout: Any = None  # the PDF's WeasyPrint layout, made once for both exports

    @property
    def headings(self) -> list[Heading]:
        return [b for b in self.blocks if isinstance(b, Heading)]

    @property
    def tables(self) -> list[TableBlock]:
        return [b for b in self.blocks if isinstance(b, TableBlock)]

    @property
    def figures(self) -> list[FigureBlock]:
        return [b for b in self.blocks if isinstance(b, FigureBlock)]


def build_document(review: AnnualReview, language: str = "lv", outline: Outline | None = None) -> Document:
    outline = outline or build_outline(review, language)
    with override(language):
        blocks: list[Block] = []
        chapter = 0
        tables = figures = 0

        def heading(text: str, level: int, number: str = "") -> None:
            blocks.append(Heading(text, level, number, f"h{len(blocks)}"))

        if outline.summary.strip():
            heading(_("Summary"), 1)
            blocks.extend(paragraphs(outline.summary, language))
        for part in outline.sections:
            if part.removed or not part.has_content:
                continue
            chapter += 1
            heading(part.title, 1, f"{chapter}.")
            blocks.extend(paragraphs(part.own_text, language))
            if part.show_figures and part.table is not None:
                tables += 1
                t = part.table
                blocks.append(TableBlock(tables, t.caption, t.head, t.rows, t.notes))
            if part.show_figures and part.chart is not None:
                figures += 1
                chart = part.chart.chart
                # The caption under the picture names the chart, so the picture does not repeat it.
                spec = {key: value for key, value in chart.spec.items() if key != "title"}
                blocks.append(FigureBlock(figures, part.chart.caption, spec, language, _chart_alt(chart)))
            sub = 0
            for group in part.groups:
                chosen = group.included
                if not chosen:
                    continue
                sub += 1
                heading(group.label, 2, f"{chapter}.{sub}.")
                for item in chosen:
                    texts = paragraphs(item.shown_text, language)
                    if item.excerpt is not None and item.excerpt.quote:
                        blocks.extend(Para(p.runs, "quote") for p in texts)
                        blocks.append(Para([Run(f"— {item.unit.name}", italic=True)], "attribution"))
                    else:
                        blocks.append(Para([Run(item.unit.name, bold=True)], "lead"))
                        blocks.extend(texts)
        if outline.conclusions.strip():
            heading(_("Conclusions"), 1, f"{chapter + 1}.")
            blocks.extend(paragraphs(outline.conclusions, language))

        network = review.network
        return Document(
            title=review.title(language),
            subtitle=_("Libraries: %(count)s · counties: %(counties)s · year %(year)s")
            % {
                "count": len(outline.current.units),
                "counties": ", ".join(row.label for row in outline.current.rows),
                "year": review.year,
            },
            network=network.name,
            year=review.year,
            language=language,
            demo_note=_("Demo data: every figure and name in this document is invented.") if network.is_demo else "",
            draft_note=""
            if review.status != AnnualReview.Status.DRAFT
            else _("Draft, version %(version)s, %(date)s")
            % {"version": review.version, "date": timezone.localdate().strftime("%d.%m.%Y.")},
            blocks=blocks,
            contents_label=_("Contents"),
            table_label=_("Table"),
            figure_label=_("Figure"),
            page_label=_("Page"),
            publisher=_publisher(review),
            publisher_label=_("Published by"),
        )


def _publisher(review: AnnualReview) -> str:
    """The library of the network's first methodologist, else the network itself; a region's
    review: the region."""
    if review.region is not None:
        return review.region.name
    role = (
        Role.objects.filter(network=review.network, kind=Role.Kind.ADMIN, unit__level=OrgUnit.Level.LIBRARY)
        .select_related("unit")
        .order_by("id")
        .first()
    )
    return role.unit.name if role is not None and role.unit is not None else review.network.name


def _chart_alt(chart: charts.Chart) -> str:
    """A text alternative: the chart's data as sentences."""
    years = chart.head[1:]
    parts = [f"{row[0]}: " + ", ".join(f"{y} {v}" for y, v in zip(years, row[1:], strict=False)) for row in chart.rows]
    return f"{chart.title}. " + "; ".join(parts)


def caption(label: str, number: int, text: str, language: str) -> str:
    """“1. tabula. …” in Latvian, “Table 1. …” in English."""
    return f"{number}. {label.lower()}. {text}" if language == "lv" else f"{label} {number}. {text}"
