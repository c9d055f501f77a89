"""The demo review's documents as a reader gets them: a cover that says who publishes, contents
with page numbers in the DOCX after export, county charts on one stated map across the 2021
boundary change, units on the axes and in the tables, table headers that break between words."""

from __future__ import annotations

import io

import pytest
from docx import Document as open_docx

from parskats.yearbook.document import build_document
from parskats.yearbook.docx_export import _longest_word_cm, render_docx
from parskats.yearbook.pdf_export import render_pdf

from .test_seminar_deck import run
from .test_yearbook_demo import demo_review  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def test_the_demo_review_reads_right(demo_review):  # noqa: F811
    document = build_document(demo_review, "lv")
    word = open_docx(io.BytesIO(render_docx(document)))
    pdf = run("pdftotext", "-layout", "-", "-", data=render_pdf(document)).decode()
    cover = pdf.split("\f")[0]
    # The demo's methodologist belongs to no library: the network itself is the publisher.
    assert "Izdevējs: Valkas reģiona bibliotēkas" in cover and "2021" in cover
    assert any(p.text.startswith("Izdevējs: Valkas reģiona bibliotēkas") for p in word.paragraphs[:5])

    # The contents list of the DOCX has every heading with the page the PDF puts it on.
    texts = [p.text for p in word.paragraphs]
    for heading in document.headings:
        entry = next(t for t in texts if t.startswith(heading.numbered + "\t"))
        assert entry == f"{heading.numbered}\t{document.pages[heading.anchor]}"
    pages = pdf.split("\f")
    first = document.headings[0]
    assert first.numbered in pages[document.pages[first.anchor] - 1]

    for figure in document.figures:
        values = figure.spec["data"]["values"]
        # One map: the 2020 bars are the 2021 counties (Strenču novads is gone), and the caption says so.
        assert {v["series"] for v in values if v["year"] == "2020"} <= {
            v["series"] for v in values if v["year"] == "2021"
        }
        assert "Strenču novads" not in {v["series"] for v in values}
        assert "2021. gada novadu robežās" in figure.caption and "Strenču novads" in figure.caption
        # The caption adds to the title: years, what is counted, the map; the picture has no title of its own.
        assert "2020–2021" in figure.caption and "title" not in figure.spec
        axis = figure.spec["encoding"]["y"]
        assert axis["title"] and axis["title"] != "vienības"
    money = [f for f in document.figures if f.spec["encoding"]["y"]["title"].endswith(", EUR")]
    assert money and all(f.spec["encoding"]["y"]["axis"]["format"] == ",.0f" for f in money)

    # Units in the tables: money rows say EUR, people rows say persons.
    names = [row[0] for table in document.tables for row in table.rows]
    assert any(name.endswith(", EUR") for name in names) and any(name.endswith(", personas") for name in names)
    # A header is never narrower than its longest word: it breaks only between words.
    for table in word.tables:
        for cell in table.rows[0].cells[1:]:
            assert cell.width.cm >= _longest_word_cm(cell.text), cell.text
