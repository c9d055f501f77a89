"""The deck's slide kinds follow the agenda (dividers, breaks, guests, closing), a library slide's
layout follows its content, and long texts are cut at a sentence, measured, never overflowing."""

from __future__ import annotations

import io
import zipfile

import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from parskats.reporting.models import Report
from parskats.seminar import services
from parskats.seminar.content import build_pack
from parskats.seminar.deck import build_deck
from parskats.seminar.fit import fit_sentences, fits

from .seminar_support import approved_reports, make_seminar, photo
from .test_seminar_deck import assert_no_overflow
from .test_yearbook_demo import demo_review  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

SENTENCES = " ".join(f"Šis ir {n}. teikums par bibliotēkas darbu ar bērniem un pieaugušajiem." for n in range(1, 40))


@pytest.fixture
def seminar(world, methodologist, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    reports = approved_reports(world)
    photo(reports["a21"], consent=True, alt="Lasītāji pie plaukta")
    seminar = make_seminar(world, methodologist)
    services.add_guest(methodologist, seminar, name="Vita Parauga", role="izglītības nodaļas vadītāja",
                       email="vita@example.org", language="lv")  # fmt: skip
    return seminar


def deck_of(seminar):
    return Presentation(io.BytesIO(build_deck(build_pack(seminar, "https://parskats.example.org"))))


def texts(slide) -> str:
    return " ".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame).replace("\u00a0", " ")


def test_the_slide_kinds_follow_the_agenda(seminar):
    deck = deck_of(seminar)
    kinds = [slide.name for slide in deck.slides]
    assert kinds[:4] == ["title", "agenda", "region", "completeness"]
    # A divider before each county's libraries, a break slide where the agenda has a break.
    assert kinds.count("county") == 2 and kinds.count("break") == 1
    assert kinds.index("county") < kinds.index("library") < kinds.index("break")
    assert kinds[-3:] == ["guest", "insights", "closing"]
    guest = deck.slides[kinds.index("guest")]
    assert "Vita Parauga" in texts(guest) and "izglītības nodaļas vadītāja" in texts(guest)
    pause = deck.slides[kinds.index("break")]
    assert "Pārtraukums" in texts(pause) and "Pēc pārtraukuma" in texts(pause)
    # The agenda slide gives a county's library slots one line; the title slide says who and when.
    agenda = texts(deck.slides[1])
    assert "bibliotēka" in agenda and "Pārtraukums" in agenda and "Noslēgums" in agenda
    assert "Testa reģions · 2021. atskaites gads" in texts(deck.slides[0])
    assert abs(deck.slide_width / deck.slide_height - 16 / 9) < 0.01


def test_a_county_divider_charts_its_libraries_with_a_titled_axis(seminar):
    deck = deck_of(seminar)
    divider = next(s for s in deck.slides if s.name == "county" and "Valmieras" in texts(s))
    chart = next(shape.chart for shape in divider.shapes if shape.has_chart)
    assert list(chart.plots[0].categories) == ["Sedas bibliotēka"]
    assert chart.value_axis.axis_title.text_frame.text == "Apmeklējumu kopskaits"
    # No axis anywhere reads the bare unit "vienības".
    with zipfile.ZipFile(io.BytesIO(build_deck(build_pack(seminar)))) as package:
        xml = " ".join(package.read(n).decode() for n in package.namelist() if n.endswith(".xml"))
    assert "vienības" not in xml


def test_a_library_with_a_photo_shows_it_large(seminar, world):
    deck = deck_of(seminar)
    seda = next(s for s in deck.slides if s.name == "library" and s.shapes[0].text_frame.text == "Sedas bibliotēka")
    picture = next(shape for shape in seda.shapes if shape.shape_type == MSO_SHAPE_TYPE.PICTURE)
    assert picture.width > deck.slide_width * 0.3  # large, not a thumbnail
    insight = next(shape for shape in seda.shapes if shape.name == "insight")
    assert insight.text_frame.text.startswith("„") and insight.text_frame.text.endswith("“")


def test_a_long_story_is_cut_after_a_whole_sentence_and_kept_whole_in_the_notes(seminar, world):
    report = Report.objects.get(unit=world.library_a, period__year=2021)
    report.narratives.filter(section__code="success_story").update(text=SENTENCES + "\n\n- pirmais\n- otrais")
    deck = deck_of(seminar)
    seda = next(s for s in deck.slides if s.name == "library" and s.shapes[0].text_frame.text == "Sedas bibliotēka")
    story = next(shape for shape in seda.shapes if shape.name == "story").text_frame.text
    assert story.endswith(". …") and len(story) < len(SENTENCES)
    notes = seda.notes_slide.notes_text_frame.text
    assert SENTENCES in notes and "• pirmais\n• otrais" in notes
    assert_no_overflow(build_deck(build_pack(seminar, "https://parskats.example.org")))


def test_a_short_list_stays_a_list_on_the_slide(seminar, world):
    report = Report.objects.get(unit=world.library_a, period__year=2021)
    report.narratives.filter(section__code="success_story").update(text="Gadā paveicām:\n\n- pasaku rītus\n- kino")
    seda = next(s for s in deck_of(seminar).slides if s.shapes[0].text_frame.text == "Sedas bibliotēka")
    story = next(shape for shape in seda.shapes if shape.name == "story").text_frame
    assert [p.text for p in story.paragraphs] == ["Gadā paveicām:", "• pasaku rītus", "• kino"]


def test_sentences_are_kept_whole_when_measured():
    cut = fit_sentences(SENTENCES, 18, 400, 120)
    assert cut.endswith(". …") and fits(cut, 18, 400, 120)
    assert fit_sentences("Īss teikums.", 18, 400, 120) == "Īss teikums."


def test_the_demo_deck_fits_every_text_at_12_pt_or_more(demo_review):  # noqa: F811
    """The 33-library demo seminar, with the longest texts the demo has: measured, nothing overflows."""
    from parskats.seminar.models import Seminar

    seminar = Seminar.objects.get(network__slug="valka", year=2020)
    data = build_deck(build_pack(seminar, "https://parskats.example.org"))
    assert_no_overflow(data)
    deck = Presentation(io.BytesIO(data))
    kinds = [slide.name for slide in deck.slides]
    assert kinds.count("library") == 33 and kinds.count("county") == 3 and kinds.count("break") == 2
