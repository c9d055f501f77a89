"""The annual review of the demo region (33 libraries, 2021): its structure, its numbers against the
aggregation core, and both documents turned into page images."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from docx import Document as open_docx

from parskats.core.numbers import format_number
from parskats.stats.aggregate import Scope, aggregate
from parskats.yearbook.document import build_document
from parskats.yearbook.docx_export import render_docx
from parskats.yearbook.models import AnnualReview
from parskats.yearbook.outline import build_outline, figure_rules
from parskats.yearbook.pdf_export import render_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_review():
    call_command("load_demo", stdout=StringIO())
    return AnnualReview.objects.get(network__slug="valka", year=2021)


def _pages(pdf: bytes, folder: Path, stem: str) -> list[Path]:
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "poppler-utils (pdftoppm) is needed: scripts/system-deps.sh installs it"
    source = folder / f"{stem}.pdf"
    source.write_bytes(pdf)
    subprocess.run([pdftoppm, "-r", "30", "-png", str(source), str(folder / stem)], check=True)  # noqa: S603
    return sorted(folder.glob(f"{stem}-*.png"))


def test_demo_review_structure_numbers_and_pages(demo_review):
    outline = build_outline(demo_review, "lv")
    document = build_document(demo_review, "lv", outline)
    table = aggregate(demo_review.network, demo_review.survey, 2021, Scope(group_by="county"))
    # Every section with figures or chosen texts is a numbered chapter; the summary comes first.
    chapters = [h for h in document.headings if h.level == 1]
    assert chapters[0].text == "Kopsavilkums" and chapters[-1].text == "Secinājumi"
    assert [h.text for h in chapters[1:-1]] == [s.title for s in outline.sections if s.has_content]
    # Each table's region column is the core's total, and there is one per section with figures.
    with_figures = [s for s in outline.sections if s.table is not None]
    assert len(document.tables) == len(with_figures) == len([s for s in outline.sections if s.code in figure_rules()])
    for part in with_figures:
        for code, value in part.table.totals.items():
            assert value == table.total.cell(code).value
    assert len(document.figures) == len([s for s in outline.sections if s.chart is not None]) >= 5
    # Libraries that wrote nothing are listed, never given an empty heading.
    assert sum(s.missing_count for s in outline.sections) > 0

    docx = render_docx(document)
    word = open_docx(io.BytesIO(docx))
    assert len(word.tables) == len(document.tables) and len(word.inline_shapes) == len(document.figures)
    first = word.tables[0]
    region_total = format_number(table.total.cell("users").value, 0, "lv")
    assert any(row.cells[-3].text.rstrip("*") == region_total for row in first.rows)

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pdf_pages = _pages(render_pdf(document), folder, "pdf")
        assert len(pdf_pages) >= 10
        soffice = shutil.which("soffice")
        if soffice:  # LibreOffice opens the DOCX and lays it out: it is a valid document
            (folder / "review.docx").write_bytes(docx)
            subprocess.run(  # noqa: S603
                [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(folder), str(folder / "review.docx")],
                check=True,
                capture_output=True,
                timeout=180,
            )
            assert len(_pages((folder / "review.pdf").read_bytes(), folder, "docx")) >= 10
