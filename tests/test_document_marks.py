"""Issue 17 in the documents: the seminar deck, the handout and the annual review mark a figure
that counts estimated or imputed values as the pages do, with the pages' legend, and say that
they count reported values only. They read the core's default Scope (approved reports, no
imputation run's estimates), so with a run in force for the year its estimates are not in them
(no ≈) and they say so; a number the source itself flagged imputed is counted, and marked *."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.utils.translation import override
from docx import Document as open_docx
from pptx import Presentation

from parskats.core.changes import Marker
from parskats.reporting.models import Value
from parskats.seminar.content import build_pack
from parskats.seminar.deck import build_deck
from parskats.seminar.handout import handout_html
from parskats.stats.aggregate import Cell, Scope, aggregate
from parskats.stats.impute import run_imputation
from parskats.stats.marks import cell_marks, legend_lines, marked
from parskats.stats.models import ImputedValue
from parskats.stats.templatetags import stats_tags
from parskats.stats.templatetags.stats_tags import legend_entries
from parskats.yearbook import workflow
from parskats.yearbook.document import build_document
from parskats.yearbook.docx_export import render_docx

from .seminar_support import approved_reports, make_seminar
from .test_yearbook import approved, write

pytestmark = pytest.mark.django_db

REPORTED_ONLY = "Tikai iesniegtās vērtības."
ESTIMATED = "* ietver aplēstas vērtības."
IMPUTED = "≈ ietver metodiķa aprēķinātas vērtības"


def flag_imputed(unit, year: int, code: str) -> None:
    """The source gave this number as imputed (as the US survey import flags them)."""
    found = Value.objects.filter(report__unit=unit, report__period__year=year, indicator__code=code)
    assert found.update(flag=Value.Flag.IMPUTED) == 1


def imputation_run(methodologist, world, missing) -> None:
    """The methodologist's run for 2021, with an estimate for `missing`'s users: the run's own when
    it could make one, else stored as the run would (this network is too small for a peer group)."""
    run = run_imputation(methodologist, world.network, 2021)
    users = world.survey.indicators.get(code="users")
    if not ImputedValue.objects.filter(run=run, unit=missing, indicator=users).exists():
        ImputedValue.objects.create(run=run, unit=missing, indicator=users, number=60, method="peer_median_change")
    # Asked for, the figures would count it; the documents do not ask.
    assert aggregate(world.network, world.survey, 2021, Scope(imputed=True)).total.cell("users").imputed == 1


def slides_by_kind(data: bytes) -> dict[str, list[str]]:
    """Every slide's texts, joined per kind ("region", "library", …)."""
    out: dict[str, list[str]] = {}
    for slide in Presentation(io.BytesIO(data)).slides:
        texts = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
        out.setdefault(slide.name, []).append("\n".join(texts))
    return out


@pytest.fixture
def seminar(world, methodologist, settings, tmp_path):
    """Library A's 2021 report approved, B's only submitted, the school's missing: an imputation
    run for 2021 estimates what is missing."""
    settings.MEDIA_ROOT = tmp_path
    approved_reports(world)
    imputation_run(methodologist, world, world.library_b)
    return make_seminar(world, methodologist)


@pytest.mark.parametrize("flagged", [True, False], ids=["source-imputed", "reported"])
def test_the_deck_and_handout_mark_what_they_count(seminar, world, flagged):
    if flagged:
        flag_imputed(world.library_a, 2021, "users")
    total = aggregate(world.network, world.survey, 2021, Scope()).total.cell("users")
    assert (total.value, total.imputed, total.estimated) == (120, 0, int(flagged))
    pack = build_pack(seminar)
    users = next(f for f in pack.headline if f.value.startswith("120"))
    assert users.value == ("120*" if flagged else "120")
    seda = next(lib for lib in pack.libraries if lib.code == "seda")
    assert any(f.value == ("120*" if flagged else "120") for f in seda.figures)

    slides = slides_by_kind(build_deck(pack))
    region, library = slides["region"][0], next(t for t in slides["library"] if "Sedas bibliotēka" in t)
    for text in (region, library):
        # What the figures count is said on the slide, whether or not anything is marked.
        assert REPORTED_ONLY in text
        assert (ESTIMATED in text) is flagged
        assert IMPUTED not in text and Marker.IMPUTED not in text  # the run's estimates are not counted
    assert ("120*" in region) is flagged and ("120*" in library) is flagged

    html = handout_html(pack)
    assert REPORTED_ONLY in html
    assert (ESTIMATED in html) is flagged and ("120*" in html) is flagged
    assert IMPUTED not in html and Marker.IMPUTED not in html


@pytest.mark.parametrize("flagged", [True, False], ids=["source-imputed", "reported"])
def test_the_annual_review_marks_what_it_counts(world, methodologist, flagged):
    p20, p21 = world.periods[2020], world.periods[2021]
    approved(world.library_a, p20, users=400, visits=5000, loans=9000)
    approved(world.library_b, p20, users=100, visits=1000, loans=2000)
    a = approved(world.library_a, p21, users=420, visits=5600, loans=9900)
    write(a, "general", "Sedas bibliotēka strādāja visu gadu.")
    imputation_run(methodologist, world, world.library_b)  # B's 2021 is missing: the run estimates it
    if flagged:
        flag_imputed(world.library_a, 2021, "users")
    review = workflow.create_review(methodologist, world.network, world.survey, 2021)
    document = build_document(review, "lv")
    table = document.tables[0]
    users = next(row for row in table.rows if row[0].startswith("Lietotāj"))
    # The region's 2021 total is A's 420 alone (no estimate for B), not complete (B gave none): ‡.
    assert users[-3] == (f"420{Marker.ESTIMATED}{Marker.INCOMPLETE}" if flagged else f"420{Marker.INCOMPLETE}")
    assert REPORTED_ONLY in table.notes
    assert (ESTIMATED in table.notes) is flagged
    assert not any(Marker.IMPUTED in note for note in table.notes)
    assert all(REPORTED_ONLY in figure.caption for figure in document.figures)

    word = open_docx(io.BytesIO(render_docx(document)))
    text = "\n".join(p.text for p in word.paragraphs)
    cells = [cell.text for t in word.tables for row in t.rows for cell in row.cells]
    assert REPORTED_ONLY in text and (ESTIMATED in text) is flagged
    assert ("420*‡" in cells) is flagged
    assert IMPUTED not in text and not any(Marker.IMPUTED in cell for cell in cells)


def test_one_helper_marks_a_figure_for_the_pages_and_the_documents():
    """stats.marks chooses the marks and their legend; the pages' HTML and the documents' text are
    two renderings of the same choice, in the same words."""
    cell = Cell(Decimal(3145), 7, 8, estimated=3, imputed=2)  # 1 from the source, 2 from the run
    with override("lv"):
        assert marked("3\u00a0145", cell_marks(cell)) == "3\u00a0145*≈"
        lines = legend_lines(cell_marks(cell))
        assert lines[0] == ESTIMATED and lines[1].startswith(IMPUTED)
        assert "mediānu uz vienu iedzīvotāju" in lines[1]  # the methods are named
        assert [f"{mark} {words}" for mark, words in legend_entries(True, True)] == lines
        html = stats_tags.cell(cell)
        assert html.count('aria-hidden="true">*<') == 1 and html.count('aria-hidden="true">≈<') == 1
        assert legend_lines(cell_marks(Cell(Decimal(1650), 5, 8))) == []
