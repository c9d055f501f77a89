"""Vega-Lite chart specs, rendered on the server (vl-convert) to SVG for pages and PNG for slides
and documents, so one spec serves the dashboard, the seminar deck and the annual review.

Spec builders return plain dicts; `render_svg(spec)` / `render_png(spec, scale)` draw them with
the Latvian (or English) number format: `12 345,6` on axes and labels. Every page chart also
carries its data as a table (`Chart.rows`) for screen readers and for readers who want numbers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

import vl_convert
from django.utils.translation import get_language

from parskats.core.numbers import format_number

# d3-format locales: Latvian groups thousands with a no-break space and uses a decimal comma.
FORMAT_LOCALES = {
    "lv": {"decimal": ",", "thousands": "\u00a0", "grouping": [3], "currency": ["", "\u00a0€"], "percent": "\u00a0%"},
    "en": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["€", ""]},
}
# Colours with at least 4.5:1 contrast on white (text labels sit next to the marks).
PALETTE = ["#1f5f99", "#a4262c", "#1f6b3a", "#8a5300", "#5b3f8c", "#4f5868"]
CONFIG = {
    "font": "DejaVu Sans",
    "background": "#ffffff",
    "view": {"stroke": None},
    "axis": {"labelColor": "#1d2330", "titleColor": "#1d2330", "gridColor": "#e3e7ee", "labelFontSize": 12},
    "legend": {"labelColor": "#1d2330", "titleColor": "#1d2330", "orient": "bottom", "labelFontSize": 12},
    "title": {"color": "#1d2330", "fontSize": 15, "anchor": "start"},
    "range": {"category": PALETTE},
}


def _language(language: str | None) -> str:
    lang = (language or get_language() or "lv").split("-")[0]
    return lang if lang in FORMAT_LOCALES else "lv"


def _number_format(decimals: int) -> str:
    return f",.{decimals}f"


def bar_chart(
    data: list[dict[str, Any]], *, title: str, value_title: str, decimals: int = 0, width: int = 560, sort: bool = True
) -> dict[str, Any]:
    """Horizontal bars, one per category: data = [{"label": "Valkas novads", "value": 12345}, ...]."""
    fmt = _number_format(decimals)
    y: dict[str, Any] = {"field": "label", "type": "nominal", "title": None, "axis": {"labelLimit": 220}}
    if sort:
        y["sort"] = "-x"
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": title,
        "width": width,
        "height": {"step": 26},
        "data": {"values": data},
        "encoding": {
            "y": y,
            "x": {"field": "value", "type": "quantitative", "title": value_title, "axis": {"format": fmt}},
        },
        "layer": [
            {"mark": {"type": "bar", "color": PALETTE[0]}},
            {
                "mark": {"type": "text", "align": "left", "dx": 4, "color": "#1d2330"},
                "encoding": {"text": {"field": "value", "type": "quantitative", "format": fmt}},
            },
        ],
    }


def series_chart(
    data: list[dict[str, Any]],
    *,
    title: str,
    value_title: str,
    decimals: int = 0,
    width: int = 560,
    grouped: bool = True,
) -> dict[str, Any]:
    """Years side by side per series: data = [{"year": "2019", "series": "klātienē", "value": 1}, ...].
    Grouped bars (the pandemic view: 2019 vs 2020 vs 2021), or lines with grouped=False."""
    fmt = _number_format(decimals)
    color = {"field": "series", "type": "nominal", "title": None}
    if grouped:
        return {
            "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
            "title": title,
            "width": {"step": 26},
            "height": 220,
            "data": {"values": data},
            "mark": "bar",
            "encoding": {
                "x": {"field": "year", "type": "ordinal", "title": None, "axis": {"labelAngle": 0}},
                "xOffset": {"field": "series"},
                "y": {"field": "value", "type": "quantitative", "title": value_title, "axis": {"format": fmt}},
                "color": color,
            },
        }
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": title,
        "width": width,
        "height": 220,
        "data": {"values": data},
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": "year", "type": "ordinal", "title": None, "axis": {"labelAngle": 0}},
            "y": {"field": "value", "type": "quantitative", "title": value_title, "axis": {"format": fmt}},
            "color": color,
        },
    }


@lru_cache(maxsize=512)
def _svg(spec_json: str, language: str) -> str:
    return vl_convert.vegalite_to_svg(json.loads(spec_json), config=CONFIG, format_locale=FORMAT_LOCALES[language])


def render_svg(spec: dict[str, Any], language: str | None = None) -> str:
    """The chart as an SVG string; the same spec drawn twice is drawn once (kept in memory)."""
    return _svg(json.dumps(spec, sort_keys=True, default=str), _language(language))


def render_png(spec: dict[str, Any], scale: float = 2, language: str | None = None) -> bytes:
    """The chart as PNG bytes (slides, PDF and DOCX), `scale` times the SVG size."""
    return vl_convert.vegalite_to_png(
        spec, scale=scale, config=CONFIG, format_locale=FORMAT_LOCALES[_language(language)]
    )


@dataclass
class Chart:
    """A spec with what a page needs around it: a title, and the data as a table."""

    key: str
    title: str
    spec: dict[str, Any]
    head: list[str]
    rows: list[list[str]] = field(default_factory=list)
    # The legend of the marks its figures carry ("* ietver aplēstas vērtības."), said under the
    # title: the bars themselves cannot carry a mark, the data table beside them does.
    notes: list[str] = field(default_factory=list)

    @property
    def svg(self) -> str:
        return render_svg(self.spec)

    @property
    def empty(self) -> bool:
        """No number to draw (every value missing): the page says so instead of an empty frame."""
        return bool(self.spec.get("data", {}).get("values") == [])


def bar(
    key: str,
    title: str,
    value_title: str,
    points: list[tuple[str, Decimal | None]],
    decimals: int = 0,
    marks: list[str] | None = None,
    notes: list[str] | None = None,
) -> Chart:
    """A bar chart of labelled values; missing values stay out of the bars but in the table as "—".
    `marks[i]` is written after the i-th value in the table ("1 650*"), `notes` under the title."""
    data = [{"label": label, "value": float(value)} for label, value in points if value is not None]
    after = marks or [""] * len(points)
    rows = [
        [label, format_number(value, decimals) + mark if value is not None else "—"]
        for (label, value), mark in zip(points, after, strict=True)
    ]
    spec = bar_chart(data, title=title, value_title=value_title, decimals=decimals)
    return Chart(key, title, spec, ["", value_title], rows, notes or [])


def series(
    key: str,
    title: str,
    value_title: str,
    points: dict[str, dict[int, Decimal | None]],
    decimals: int = 0,
    grouped: bool = True,
) -> Chart:
    """Values per series and year: points = {"klātienē": {2019: 1, 2020: 2}, ...}."""
    years = sorted({year for by_year in points.values() for year in by_year})
    data = [
        {"year": str(year), "series": name, "value": float(value)}
        for name, by_year in points.items()
        for year, value in sorted(by_year.items())
        if value is not None
    ]
    rows = [
        [
            name,
            *[format_number(by_year.get(year), decimals) if by_year.get(year) is not None else "—" for year in years],
        ]
        for name, by_year in points.items()
    ]
    spec = series_chart(data, title=title, value_title=value_title, decimals=decimals, grouped=grouped)
    return Chart(key, title, spec, ["", *[str(year) for year in years]], rows)
