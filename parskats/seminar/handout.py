"""The PDF handout: the deck's content on A4 pages (WeasyPrint), for print and email.

A cover, the contents with page numbers (CSS target-counter), the agenda as one table, the region's
figures and completeness, the charts two to a page, then the libraries packed as they fit (two to a
page for the usual story), every page footed with the region's name and its number. Charts are SVG
(vector, and WeasyPrint need not re-encode a bitmap); photos are the uploaded JPEGs as they are.
"""

from __future__ import annotations

import base64

from django.template.loader import render_to_string
from weasyprint import HTML

from parskats.stats import charts

from .agenda import RIGA
from .content import Pack
from .models import AgendaItem
from .wall import slide_spec


def _data_uri(data: bytes, kind: str) -> str:
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


def _chart_pairs(pack: Pack) -> list[list[tuple[charts.Chart, str]]]:
    """The charts two to a page; an odd last one shares its page with the one before (three), so no
    page holds a single small chart."""
    drawn = [
        (chart, _data_uri(charts.render_svg(slide_spec(chart.spec)).encode(), "image/svg+xml"))
        for chart in pack.all_charts
    ]
    pages = [drawn[i : i + 2] for i in range(0, len(drawn), 2)]
    if len(pages) > 1 and len(pages[-1]) == 1:
        pages[-2].extend(pages.pop())
    return pages


def handout_html(pack: Pack) -> str:
    """The handout as HTML, what WeasyPrint lays out."""
    photos = {lib.code: _data_uri(lib.photo, "image/jpeg") for lib in pack.libraries if lib.photo}
    return render_to_string(
        "seminar/handout.html",
        {
            "pack": pack,
            "seminar": pack.seminar,
            "start": pack.seminar.starts_at.astimezone(RIGA),
            "chart_pages": _chart_pairs(pack),
            "photos": photos,
            "break_kind": AgendaItem.Kind.BREAK,
        },
    )


def pdf_of(html: str) -> bytes:
    """Only the layout: no database, no chart renderer (its runtime's threads do not survive a fork),
    so this part may run in a forked process (core.apart)."""
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def build_handout(pack: Pack) -> bytes:
    return pdf_of(handout_html(pack))
