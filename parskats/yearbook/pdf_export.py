"""The review as a PDF (WeasyPrint) with the same content as the DOCX: contents with page numbers,
numbered tables and figures (the charts as the DOCX's images), page numbers, Latvian hyphenation."""

from __future__ import annotations

import base64
from typing import Any

from django.template.loader import render_to_string
from weasyprint import HTML

from parskats.core.text import Para

from .document import Document, FigureBlock, Heading, TableBlock, caption


def render_html(doc: Document) -> str:
    items = []
    for block in doc.blocks:
        if isinstance(block, Heading):
            items.append({"kind": "heading", "block": block})
        elif isinstance(block, Para):
            items.append({"kind": "para", "block": block})
        elif isinstance(block, TableBlock):
            text = caption(doc.table_label, block.number, block.caption, doc.language)
            items.append({"kind": "table", "block": block, "caption": text})
        elif isinstance(block, FigureBlock):
            text = caption(doc.figure_label, block.number, block.caption, doc.language)
            # The same PNG as in the DOCX (drawn once): WeasyPrint lays out an SVG chart far slower.
            src = "data:image/png;base64," + base64.b64encode(block.png).decode()
            items.append({"kind": "figure", "block": block, "caption": text, "src": src})
    return render_to_string("yearbook/print.html", {"doc": doc, "items": items})


def layout(doc: Document) -> Any:
    """The PDF laid out once per document; the DOCX takes its contents' page numbers from it."""
    if doc.layout is None:
        doc.layout = HTML(string=render_html(doc)).render()
        doc.pages = {anchor: number for number, page in enumerate(doc.layout.pages, start=1) for anchor in page.anchors}
    return doc.layout


def render_pdf(doc: Document) -> bytes:
    pdf: bytes = layout(doc).write_pdf()
    return pdf
