"""The PDF handout: the deck's content on A4 pages (WeasyPrint), for print and email."""

from __future__ import annotations

import base64

from django.template.loader import render_to_string
from weasyprint import HTML

from .agenda import RIGA
from .content import Pack


def _data_uri(data: bytes, kind: str) -> str:
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


def build_handout(pack: Pack) -> bytes:
    chart_images = [(chart, _data_uri(pack.picture(chart), "image/png")) for chart in pack.all_charts]
    photos = {lib.code: _data_uri(lib.photo, "image/jpeg") for lib in pack.libraries if lib.photo}
    html = render_to_string(
        "seminar/handout.html",
        {
            "pack": pack,
            "seminar": pack.seminar,
            "start": pack.seminar.starts_at.astimezone(RIGA),
            "chart_images": chart_images,
            "photos": photos,
        },
    )
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
