"""The generated deck (.pptx) and handout (PDF): slides, order, numbers from the core, bad input,
and no text leaving its box (measured, and looked at through LibreOffice and pdftoppm)."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from parskats.core.numbers import format_number
from parskats.reporting.models import Report
from parskats.seminar.content import STORY_CHARS, build_pack
from parskats.seminar.deck import build_deck
from parskats.seminar.fit import EMU_PER_POINT, fits
from parskats.seminar.handout import build_handout
from parskats.stats.aggregate import aggregate

from .conftest import client_for
from .seminar_support import approved_reports, make_seminar, photo

pytestmark = pytest.mark.django_db

LONG = " ".join(["Bibliotēkā notika ļoti daudz kas: pasaku rīti, žūrijas, ģimeņu dienas un čaklas sarunas."] * 40)


@pytest.fixture
def seminar(world, methodologist, reporter_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    reports = approved_reports(world)
    photo(reports["a21"], consent=False, alt="Bez piekrišanas")
    photo(reports["a21"], consent=True, alt="Lasītāji pie plaukta")
    return make_seminar(world, methodologist)


def run(tool: str, *args: str, data: bytes | None = None) -> bytes:
    """A system tool (LibreOffice, poppler) by its full path, on files this test wrote."""
    path = shutil.which(tool)
    assert path, f"{tool} is not installed (scripts/system-deps.sh installs it)"
    return subprocess.run([path, *args], input=data, capture_output=True, check=True, timeout=180).stdout  # noqa: S603


def slides_text(data: bytes) -> list[list[str]]:
    deck = Presentation(io.BytesIO(data))
    return [[shape.text_frame.text for shape in slide.shapes if shape.has_text_frame] for slide in deck.slides]


def titles(data: bytes) -> list[str]:
    """Each slide's first text (a divider's band and a title slide's rule carry none)."""
    return [next((t for t in texts if t), "") for texts in slides_text(data)]


def kinds(data: bytes) -> list[str]:
    return [slide.name for slide in Presentation(io.BytesIO(data)).slides]


def test_the_deck_has_the_slides_in_agenda_order(seminar, world):
    data = build_deck(build_pack(seminar, "https://parskats.example.org"))
    found, kind = titles(data), kinds(data)
    assert found[0] == "Mana bibliotēka 2021. gadā" and kind[0] == "title"
    assert found[1] == "Darba kārtība" and kind[1] == "agenda"
    assert found[2] == "Reģions 2021. gadā" and found[3] == "Datu pilnīgums"
    libraries = ["Ērģemes pagasta bibliotēka", "Valkas pamatskolas bibliotēka", "Sedas bibliotēka"]
    assert [t for t in found if t in libraries] == libraries
    assert found.index("Sedas bibliotēka") > found.index("Datu pilnīgums")
    assert kind[-2:] == ["insights", "closing"] and found[-2] == "Gada atziņas" and found[-1] == "Paldies!"
    # Charts: the dashboard's and the per-county ones, one per slide, after the completeness slide.
    charts = found[4 : kind.index("county")]
    assert any("pa novadiem" in t for t in charts) and len(charts) >= 4
    assert set(kind[4 : kind.index("county")]) == {"chart"}
    # Every library slide comes after its county's divider, and one divider per county.
    dividers = [found[i] for i, k in enumerate(kind) if k == "county"]
    assert len(dividers) == len(set(dividers)) and kind.count("library") == 3
    assert "Demonstrācijas dati" in " ".join(slides_text(data)[0])  # the test network is a demo


def test_numbers_are_the_aggregation_cores(seminar, world):
    data = build_deck(build_pack(seminar))
    region = " ".join(slides_text(data)[2])
    table = aggregate(world.network, world.survey, 2021)
    # Only library A's 2021 report is approved: the region's visits are its 1500.
    assert table.total.cell("visits").value == 1500
    assert format_number(table.total.cell("visits").value, 0) in region
    completeness = Presentation(io.BytesIO(data)).slides[3]
    assert "Reģions: 1 / 3 (33 %)" in completeness.notes_slide.notes_text_frame.text.replace("\u00a0", " ")
    chart = next(shape.chart for shape in completeness.shapes if shape.has_chart)  # a picture, not a list
    assert "Reģions" in list(chart.plots[0].categories)
    seda = next(texts for texts in slides_text(data) if texts[0] == "Sedas bibliotēka")
    joined = " ".join(seda).replace("\u00a0", " ")
    # Visits 1000 → 1500 against the approved 2020 report: the direction in words, not colour alone.
    assert "1\u00a0500" in seda and "▲ +50,0 % pieaugums pret 2020" in joined
    assert "„Izdarīt mēs varam ar darīšanas metodi.“" in joined
    assert "Pasākumi: 8 klātienē, 4 tiešsaistē" in joined


def test_unapproved_libraries_say_so_and_the_deck_still_builds(seminar):
    data = build_deck(build_pack(seminar))
    by_title = {texts[0]: " ".join(texts) for texts in slides_text(data)}
    for name in ("Ērģemes pagasta bibliotēka", "Valkas pamatskolas bibliotēka"):
        assert "vēl nav apstiprināta" in by_title[name]
    assert "Neapstiprināta atziņa" not in " ".join(by_title.values())


def test_a_long_story_is_shortened_with_a_link_and_told_in_full_in_the_notes(seminar, world):
    report = Report.objects.get(unit=world.library_a, period__year=2021)
    report.narratives.filter(section__code="success_story").update(text=LONG)
    pack = build_pack(seminar, "https://parskats.example.org")
    seda = next(lib for lib in pack.libraries if lib.code == "seda")
    assert seda.shortened and len(seda.story) <= STORY_CHARS and seda.story.endswith("…")
    assert seda.story_url == "https://parskats.example.org/stasti/testa/2021/seda/"
    deck = Presentation(io.BytesIO(build_deck(pack)))
    slide = next(s for s in deck.slides if s.shapes[0].text_frame.text == "Sedas bibliotēka")
    texts = " ".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)
    assert "Viss stāsts: https://parskats.example.org/stasti/testa/2021/seda/" in texts
    notes = slide.notes_slide.notes_text_frame.text
    assert LONG in notes and "Grāmatas izsniedzām pie durvīm." in notes and "Pasaku rīts" in notes


def test_only_a_consented_photo_is_used_with_its_alt_text(seminar):
    deck = Presentation(io.BytesIO(build_deck(build_pack(seminar))))
    slide = next(s for s in deck.slides if s.shapes[0].text_frame.text == "Sedas bibliotēka")
    pictures = [shape for shape in slide.shapes if shape.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert len(pictures) == 1
    assert pictures[0]._element.xpath("./p:nvPicPr/p:cNvPr")[0].get("descr") == "Lasītāji pie plaukta"


def test_a_broken_photo_is_skipped_with_a_message(seminar, world):
    report = Report.objects.get(unit=world.library_a, period__year=2021)
    consented = report.photos.get(consent=True)
    Path(consented.image.path).write_bytes(b"not a picture")
    pack = build_pack(seminar)
    seda = next(lib for lib in pack.libraries if lib.code == "seda")
    assert seda.photo is None and "nevarēja nolasīt" in seda.photo_note
    build_deck(pack)
    Path(consented.image.path).unlink()  # a missing file is the same
    assert next(lib for lib in build_pack(seminar).libraries if lib.code == "seda").photo is None


def assert_no_overflow(data: bytes) -> None:
    deck = Presentation(io.BytesIO(data))
    width, height = deck.slide_width, deck.slide_height
    for number, slide in enumerate(deck.slides, start=1):
        for shape in slide.shapes:
            where = f"slide {number}, {shape.name}"
            assert shape.left >= 0 and shape.top >= 0, where
            assert shape.left + shape.width <= width and shape.top + shape.height <= height, where
            if not shape.has_text_frame or not shape.text_frame.text:
                continue
            runs = [run for p in shape.text_frame.paragraphs for run in p.runs]
            size = max(run.font.size.pt for run in runs)
            bold = any(run.font.bold for run in runs)
            text = shape.text_frame.text
            assert fits(text, size, shape.width / EMU_PER_POINT, shape.height / EMU_PER_POINT, bold), where
            assert size >= 12, where  # large type: nothing smaller than 12 pt, body text 18 pt and more


def test_no_text_box_overflows_even_with_extreme_text(seminar, world):
    report = Report.objects.get(unit=world.library_a, period__year=2021)
    report.narratives.filter(section__code="success_story").update(text=LONG)
    report.narratives.filter(section__code="insight").update(text="Ļoti gara atziņa " * 40)
    assert_no_overflow(build_deck(build_pack(seminar, "https://parskats.example.org")))


def test_the_rendered_deck_has_every_slide_and_text_within_the_page(seminar, world, tmp_path):
    report = Report.objects.get(unit=world.library_a, period__year=2021)
    report.narratives.filter(section__code="success_story").update(text=LONG)
    data = build_deck(build_pack(seminar, "https://parskats.example.org"))
    source = tmp_path / "deck.pptx"
    source.write_bytes(data)
    profile = tmp_path / "lo-profile"
    run("soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf", "--outdir",
        str(tmp_path), str(source))  # fmt: skip
    pdf = tmp_path / "deck.pdf"
    text = run("pdftotext", "-layout", str(pdf), "-").decode()
    assert "Sedas bibliotēka" in text and "Ērģemes pagasta bibliotēka" in text  # diacritics survive
    run("pdftoppm", "-png", "-r", "20", str(pdf), str(tmp_path / "slide"))
    pages = sorted(tmp_path.glob("slide-*.png"))
    assert len(pages) == len(Presentation(io.BytesIO(data)).slides)
    artifacts = Path("test-artifacts")
    artifacts.mkdir(exist_ok=True)
    for page in pages:
        with Image.open(page) as image:
            # Nothing is drawn in the outer 1 % of the page: text stayed inside its boxes.
            rgb = image.convert("RGB")
            w, h = rgb.size
            edge = [rgb.getpixel((x, y)) for x in range(w) for y in (0, h - 1)]
            edge += [rgb.getpixel((x, y)) for y in range(h) for x in (0, w - 1)]
            assert all(min(pixel) > 200 for pixel in edge), page.name
    shutil.copy(pdf, artifacts / "seminar-deck.pdf")


def test_the_handout_pdf_has_the_same_content(seminar):
    data = build_handout(build_pack(seminar))
    assert data.startswith(b"%PDF")
    text = run("pdftotext", "-", "-", data=data).decode()
    expected_texts = ("Mana bibliotēka 2021. gadā", "Datu pilnīgums", "Sedas bibliotēka", "Gada atziņas",
                      "Izdarīt mēs varam ar darīšanas metodi", "vēl nav apstiprināta")  # fmt: skip
    for expected in expected_texts:
        assert expected in text.replace("\n", " "), expected


def test_the_command_writes_both_files(seminar, tmp_path):
    out = io.StringIO()
    call_command("build_seminar_pack", str(seminar.pk), "--out", str(tmp_path / "pack"), stdout=out)
    written = sorted(p.suffix for p in (tmp_path / "pack").iterdir() if not p.name.startswith("."))
    assert written == [".pdf", ".pptx"]
    assert str(tmp_path / "pack") in out.getvalue()
    with pytest.raises(CommandError, match="No seminar with id 999999"):
        call_command("build_seminar_pack", "999999", "--out", str(tmp_path))


def test_downloads_for_the_networks_people(seminar, world, reporter_a, viewer):
    url = f"/n/{world.network.slug}/seminars/{seminar.pk}/"
    response = client_for(viewer).get(url + "deck.pptx")
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.pptx"')
    assert titles(response.content)[0] == "Mana bibliotēka 2021. gadā"
    response = client_for(reporter_a).get(url + "handout.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert client_for(None).get(url + "deck.pptx").status_code == 302


def test_a_network_whose_figures_cannot_be_added_up_gets_a_message_not_an_error(world, other_methodologist):
    """The other network has a period but no region: the deck and handout say why instead of a 500."""
    from parskats.reporting.models import ReportingPeriod
    from parskats.seminar.models import Seminar

    ReportingPeriod.objects.create(
        network=world.other_network,
        survey=world.survey,
        year=2021,
        opens_on=world.periods[2021].opens_on,
        deadline=world.periods[2021].deadline,
    )
    seminar = Seminar.objects.create(
        network=world.other_network, title="Seminārs", year=2021, starts_at="2022-03-01T10:00+02:00", place="Rīga"
    )
    client = client_for(other_methodologist)
    for name in ("deck", "handout"):
        response = client.get(f"/n/cits/seminars/{seminar.pk}/{'deck.pptx' if name == 'deck' else 'handout.pdf'}")
        assert response.status_code == 302
        assert response["Location"] == f"/n/cits/seminars/{seminar.pk}/"
        page = client.get(response["Location"])
        assert "Slaidus nevar izveidot" in page.content.decode()
