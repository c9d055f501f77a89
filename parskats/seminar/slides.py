"""The deck's building blocks: measured text boxes, headings, notes, change labels and native charts.

Every text goes through `text`, which picks the largest font size at which the text fits its box
(measured, see fit.py) and shortens it when even the smallest size would overflow, so no text box
ever runs off its slide. The deck is set in the font it is measured in (DejaVu Sans, checked at start
by the app's system check); a narrower substitute on another machine only leaves more room.
"""

from __future__ import annotations

from collections.abc import Sequence
from copy import deepcopy
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_TICK_LABEL_POSITION
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.presentation import Presentation as Deck
from pptx.shapes.autoshape import Shape
from pptx.slide import Slide
from pptx.util import Emu, Inches, Pt

from parskats.core.changes import ChangeText, Direction
from parskats.core.numbers import format_number
from parskats.core.text import shorten

from .fit import EMU_PER_POINT, FONT_NAME, best_size, fits

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.6)
INK = RGBColor(0x1D, 0x23, 0x30)
ACCENT = RGBColor(0x1F, 0x5F, 0x99)
MUTED = RGBColor(0x4F, 0x58, 0x68)
GOOD = RGBColor(0x1F, 0x6B, 0x3A)
BAD = RGBColor(0xA4, 0x26, 0x2C)
PALE = RGBColor(0xE8, 0xEE, 0xF6)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
SERIES_COLOURS = (ACCENT, BAD, GOOD, MUTED)
# Text boxes have no inner margins, so the measured box is the box.
ZERO = Emu(0)


def text(
    slide: Slide,
    content: str,
    left: int,
    top: int,
    width: int,
    height: int,
    sizes: tuple[float, ...] = (24, 22, 20),
    *,
    bold: bool = False,
    italic: bool = False,
    color: RGBColor = INK,
    align: PP_ALIGN = PP_ALIGN.LEFT,
    anchor: MSO_ANCHOR = MSO_ANCHOR.TOP,
    name: str = "",
) -> None:
    width_pt, height_pt = width / EMU_PER_POINT, height / EMU_PER_POINT
    size = best_size(content, sizes, width_pt, height_pt, bold)
    limit = len(content)
    while not fits(content, size, width_pt, height_pt, bold) and limit > 10:
        limit = int(limit * 0.9)
        content = shorten(content, limit)
    box = slide.shapes.add_textbox(Emu(left), Emu(top), Emu(width), Emu(height))
    if name:
        box.name = name
    lines = content.split("\n")
    style = (size, bold, italic, str(color), align, anchor, len(lines))
    made = _BODIES.get(style)
    if made is not None:  # the same text body as below, copied: python-pptx's setters are most of a deck's time
        body = deepcopy(made)
        for run, line in zip(body.iter(qn("a:r")), lines, strict=True):
            run.text = line
        box._element.replace(box._element.txBody, body)
        return
    frame = box.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = ZERO
    frame.vertical_anchor = anchor
    for index, line in enumerate(content.split("\n")):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.alignment = align
        paragraph.line_spacing = 1.0
        run = paragraph.add_run()
        run.text = line
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.italic = italic
        run.font.name = FONT_NAME
        run.font.color.rgb = color
    _BODIES[style] = deepcopy(box._element.txBody)


# A text box's body by its style and number of lines, as python-pptx made it the first time.
_BODIES: dict[tuple[Any, ...], Any] = {}


def title(slide: Slide, content: str, subtitle: str = "") -> int:
    """The slide's heading; returns where the content may start."""
    text(slide, content, MARGIN, Inches(0.4), WIDTH - 2 * MARGIN, Inches(0.9), (36, 32, 28), bold=True, name="title")
    if subtitle:
        text(slide, subtitle, MARGIN, Inches(1.3), WIDTH - 2 * MARGIN, Inches(0.45), (20, 18), color=MUTED)
        return Inches(1.95)
    return Inches(1.5)


FOOTNOTE_TOP = HEIGHT - Inches(0.55)  # a slide's legend line; what is above it ends here


def footnote(slide: Slide, content: str) -> None:
    """The slide's legend line at its foot: what the figures count and what their marks mean."""
    text(slide, content, MARGIN, FOOTNOTE_TOP, WIDTH - 2 * MARGIN, Inches(0.45), (16, 14, 12), color=MUTED,
         anchor=MSO_ANCHOR.BOTTOM, name="legend")  # fmt: skip


def notes(slide: Slide, content: str) -> None:
    frame = slide.notes_slide.notes_text_frame
    if frame is not None:
        frame.text = content


def blank(deck: Deck, kind: str) -> Slide:
    """A slide on the blank layout, named by its kind ("library", "break", …) for readers and tests."""
    slide: Slide = deck.slides.add_slide(deck.slide_layouts[6])
    slide._element.cSld.set("name", kind)
    return slide


def band(slide: Slide, top: int, height: int, color: RGBColor = PALE, *, left: int = 0, width: int = WIDTH) -> None:
    """A coloured band behind a divider's or a break's heading (full width), or a short rule."""
    shape = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Emu(left), Emu(top), Emu(width), Emu(height))
    shape.fill.solid()
    shape.fill.fore_color.rgb = color
    plain_shape(shape)
    shape.name = "band"


def plain_shape(shape: Shape) -> None:
    """No outline, no theme style: LibreOffice draws the theme's shadow even when told not to."""
    shape.line.fill.background()
    shape.shadow.inherit = False
    style = shape._element.find(qn("p:style"))
    if style is not None:
        shape._element.remove(style)


def colour(found: ChangeText) -> RGBColor:
    """The colour says the direction the words already say, for a quick read from the back row."""
    return {Direction.UP: GOOD, Direction.DOWN: BAD}.get(found.direction, MUTED) if found.direction else MUTED


ARROWS = {Direction.UP: "▲", Direction.DOWN: "▼", Direction.SAME: "="}


def change_label(found: ChangeText, marks: str = "") -> str:
    """ "▲ +8,4 %* pieaugums pret 2020": arrow, figure with its marks (as on the pages) and word, so
    colour is never the only signal."""
    if not found.text:
        return ""
    arrow = ARROWS.get(found.direction, "") if found.direction else ""
    return " ".join(part for part in (arrow, found.text + marks, found.word, found.versus) if part)


def bar_chart(
    slide: Slide,
    points: Sequence[tuple[str, Decimal | float | None, str]],
    axis_title: str,
    box: tuple[int, int, int, int],
    *,
    maximum: float | None = None,
    name: str = "chart",
) -> None:
    """A native horizontal bar chart (editable in PowerPoint, drawn by LibreOffice, no picture to
    render): one bar per (label, value, written value), the value written at its bar in the deck's
    own number format (a chart's number format would follow the viewer's locale: "1,029"), the value
    axis titled with what it counts and its unit."""
    shown = [(label, float(value), written) for label, value, written in points if value is not None]
    # Bars are drawn bottom-up; reversed, the first label reads at the top as in the agenda.
    shown.reverse()
    data: Any = CategoryChartData()  # type: ignore[no-untyped-call]
    data.categories = [label for label, _value, _written in shown]
    data.add_series(axis_title, [value for _label, value, _written in shown])
    left, top, width, height = box
    # The stubs say add_chart returns the chart; it returns the graphic frame that holds it.
    frame: Any = slide.shapes.add_chart(XL_CHART_TYPE.BAR_CLUSTERED, Emu(left), Emu(top), Emu(width), Emu(height), data)
    frame.name = name
    chart = frame.chart
    chart.has_legend = False
    chart.has_title = False
    size = Pt(14 if len(shown) > 8 else 18)
    chart.font.size = size
    chart.font.name = FONT_NAME
    plot = chart.plots[0]
    plot.gap_width = 50
    series = plot.series[0]
    series.format.fill.solid()
    series.format.fill.fore_color.rgb = ACCENT
    for index, (_label, _value, written) in enumerate(shown):
        label = series.points[index].data_label
        label.position = XL_LABEL_POSITION.OUTSIDE_END
        label.text_frame.text = written
        label.text_frame.paragraphs[0].runs[0].font.size = size
    axis = chart.value_axis
    axis.has_major_gridlines = False
    axis.tick_label_position = XL_TICK_LABEL_POSITION.NONE
    axis.minimum_scale = 0
    top_value = max((value for _label, value, _written in shown), default=0)
    # Room at the end of the longest bar for its written value.
    axis.maximum_scale = maximum if maximum is not None else top_value * 1.18 or 1
    axis.has_title = True
    axis.axis_title.text_frame.text = axis_title
    axis.axis_title.text_frame.paragraphs[0].runs[0].font.size = size
    chart.category_axis.tick_labels.font.size = size


def no_data(slide: Slide, top: int) -> None:
    text(
        slide, _("No approved figures yet."), MARGIN, top + Inches(1), WIDTH - 2 * MARGIN, Inches(1), (28,),
        color=MUTED, align=PP_ALIGN.CENTER,
    )  # fmt: skip


def _written(value: float, decimals: int) -> str:
    return format_number(Decimal(str(value)), decimals)


def column_chart(
    slide: Slide,
    categories: list[str],
    series: dict[str, list[float | None]],
    axis_title: str,
    box: tuple[int, int, int, int],
    decimals: int = 0,
    name: str = "chart",
) -> None:
    """Native grouped columns (years or counties along, one colour per series with its legend),
    every column's value written above it in the deck's number format."""
    data: Any = CategoryChartData()  # type: ignore[no-untyped-call]
    data.categories = categories
    for label, values in series.items():
        data.add_series(label, values)
    left, top, width, height = box
    frame: Any = slide.shapes.add_chart(
        XL_CHART_TYPE.COLUMN_CLUSTERED, Emu(left), Emu(top), Emu(width), Emu(height), data
    )
    frame.name = name
    chart = frame.chart
    chart.has_title = False
    chart.has_legend = len(series) > 1
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
        chart.legend.font.size = Pt(18)
    chart.font.size = Pt(16)
    chart.font.name = FONT_NAME
    for index, (plot_series, values) in enumerate(zip(chart.plots[0].series, series.values(), strict=True)):
        plot_series.format.fill.solid()
        plot_series.format.fill.fore_color.rgb = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        for point, value in enumerate(values):
            if value is None:
                continue
            label = plot_series.points[point].data_label
            label.position = XL_LABEL_POSITION.OUTSIDE_END
            label.text_frame.text = _written(value, decimals)
            label.text_frame.paragraphs[0].runs[0].font.size = Pt(14)
    axis = chart.value_axis
    axis.has_major_gridlines = False
    axis.tick_label_position = XL_TICK_LABEL_POSITION.NONE
    axis.minimum_scale = 0
    top_value = max((v for values in series.values() for v in values if v is not None), default=0)
    axis.maximum_scale = top_value * 1.15 or 1
    axis.has_title = True
    axis.axis_title.text_frame.text = axis_title
    axis.axis_title.text_frame.paragraphs[0].runs[0].font.size = Pt(16)


def spec_chart(slide: Slide, spec: dict[str, Any], box: tuple[int, int, int, int]) -> None:
    """A dashboard chart (its Vega-Lite spec: labelled bars, or values per year and series) drawn
    natively: the same data and axis title, nothing rendered to a picture."""
    values = spec.get("data", {}).get("values", [])
    encoding = spec.get("encoding", {})
    decimals = _decimals(encoding)
    if encoding.get("y", {}).get("field") == "label":  # horizontal bars, largest first as on the page
        ordered = sorted(values, key=lambda d: -d["value"]) if encoding["y"].get("sort") else values
        points = [(d["label"], d["value"], _written(d["value"], decimals)) for d in ordered]
        bar_chart(slide, points, encoding.get("x", {}).get("title") or "", box)
        return
    categories = list(dict.fromkeys(str(d["year"]) for d in values))
    names = list(dict.fromkeys(d["series"] for d in values))
    found = {(str(d["year"]), d["series"]): d["value"] for d in values}
    series = {name: [found.get((c, name)) for c in categories] for name in names}
    column_chart(slide, categories, series, encoding.get("y", {}).get("title") or "", box, decimals)


def _decimals(encoding: dict[str, Any]) -> int:
    """The decimals of the spec's number format (",.1f" → 1)."""
    for channel in ("x", "y"):
        fmt = encoding.get(channel, {}).get("axis", {}).get("format", "")
        if fmt.endswith("f") and "." in fmt:
            return int(fmt.rsplit(".", 1)[1][:-1] or 0)
    return 0
