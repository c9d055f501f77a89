"""The region's annual review: the editor, versioned saves, and the DOCX/PDF exports, checked
against the aggregation core for the test region (libraries A and B, a school library S)."""

from __future__ import annotations

import io
import shutil
import subprocess
from decimal import Decimal

import pytest
from docx import Document as open_docx

from parskats.audit.models import AuditEntry
from parskats.catalogue.models import NarrativeSection
from parskats.core.changes import Marker
from parskats.core.numbers import format_number
from parskats.core.text import clean, paragraphs, typeset
from parskats.reporting.models import Narrative, Report
from parskats.stats.aggregate import Scope, aggregate
from parskats.yearbook import workflow
from parskats.yearbook.document import build_document
from parskats.yearbook.models import AnnualReview, Excerpt, ReviewSection, ReviewVersion

from .conftest import client_for
from .factories import report_with

BASE = "/n/testa/annual-review"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def approved(unit, period, **values):
    report = report_with(unit, period, **values)
    report.status = Report.Status.APPROVED
    report.save()
    return report


def write(report, code, text):
    section = NarrativeSection.objects.get(survey=report.period.survey, code=code)
    return Narrative.objects.create(report=report, section=section, text=text)


@pytest.fixture
def region(world):
    """2020 and 2021 approved reports of A and B with users, visits and loans; texts for 2021."""
    p20, p21 = world.periods[2020], world.periods[2021]
    approved(world.library_a, p20, users=400, visits=5000, loans=9000)
    approved(world.library_b, p20, users=100, visits=1000, loans=2000)
    a = approved(world.library_a, p21, users=420, visits=5600, loans=9900)
    b = approved(world.library_b, p21, users=110, visits=900, loans=2100)
    write(a, "general", "Sedas bibliotēka strādāja **visu gadu**.")
    write(b, "general", "Ērģemes pagasta bibliotēka atjaunoja telpas.")
    write(a, "success_story", 'Mūsu "Lasīšanas nedēļa" 2021-2022 - veiksme.')
    write(a, "insight", "Darām pēc principa — darot.")
    return {"a": a, "b": b}


@pytest.fixture
def review(world, region, methodologist):
    return workflow.create_review(methodologist, world.network, world.survey, 2021)


def test_methodologist_starts_a_review_for_a_reporting_year(world, region, methodologist):
    client = client_for(methodologist)
    page = client.get(f"{BASE}/")
    assert page.status_code == 200
    assert "Sākt pārskatu" in page.content.decode() or "2021" in page.content.decode()
    response = client.post(f"{BASE}/", {"year": "2021"})
    assert response.status_code == 302
    review = AnnualReview.objects.get(network=world.network, year=2021)
    assert review.version == 1 and review.versions.count() == 1
    # A year without a reporting period, and garbage, are refused with a message.
    for bad in ("2019", "abc", "2021"):
        response = client.post(f"{BASE}/", {"year": bad}, follow=True)
        assert AnnualReview.objects.filter(network=world.network).count() == 1
        assert response.status_code == 200


def test_who_may_see_and_edit(world, review, reporter_a, viewer, other_methodologist, methodologist):
    assert client_for(methodologist).get(f"{BASE}/2021/").status_code == 200
    assert client_for(viewer).get(f"{BASE}/2021/").status_code == 200
    assert client_for(viewer).post(f"{BASE}/2021/texts/", {"version": "1", "title_lv": "X"}).status_code == 404
    assert client_for(viewer).post(f"{BASE}/2021/status/", {"status": "approved"}).status_code == 404
    for person in (reporter_a, other_methodologist):
        for url in (f"{BASE}/2021/", f"{BASE}/2021/s/general/", f"{BASE}/2021/export.pdf", f"{BASE}/2021/history/"):
            assert client_for(person).get(url).status_code == 404, (person, url)
    assert client_for(None).get(f"{BASE}/2021/").status_code == 302  # to the login page
    # A reporter's link to the annual review leads to the published ones; a stranger's to nothing.
    assert client_for(reporter_a).get(f"{BASE}/").url == f"{BASE}/published/"
    assert client_for(other_methodologist).get(f"{BASE}/").status_code == 404
    # Not published yet: no public page for anyone.
    assert client_for(None).get(f"{BASE}/2021/public/").status_code == 404
    published = client_for(None).get(f"{BASE}/published/").content.decode()
    assert "Neviens reģiona gada pārskats vēl nav publicēts." in published


def test_outline_follows_the_sections_and_figures_equal_the_core(world, review, methodologist):
    outline_codes = [s.code for s in NarrativeSection.objects.filter(survey=world.survey).order_by("order")]
    page = client_for(methodologist).get(f"{BASE}/2021/s/general/")
    assert page.status_code == 200
    outline = page.context["outline"]
    expected = [code for code in outline_codes if NarrativeSection.objects.get(code=code).on_form(2021)]
    assert [s.code for s in outline.sections] == expected
    part = outline.section("general")
    table = aggregate(world.network, world.survey, 2021, Scope(group_by="county"))
    before = aggregate(world.network, world.survey, 2020, Scope(group_by="county"))
    assert part.table.totals["users"] == table.total.cell("users").value == Decimal(530)
    users_row = next(row for row in part.table.rows if row[0].strip().startswith("Lietotāju"))
    assert format_number(Decimal(530), 0, "lv") in users_row[-3]
    assert format_number(before.total.cell("users").value, 0, "lv") in users_row[-2]
    assert users_row[-1].startswith("+6,0")  # 500 → 530
    # Texts grouped by county on the year's boundaries; the school library wrote nothing.
    groups = {g.label: g for g in part.groups}
    assert [t.unit.name for t in groups["Valmieras novads"].texts] == ["Sedas bibliotēka"]
    assert [u.name for u in groups["Valkas novads"].missing] == ["Valkas pamatskolas bibliotēka"]
    assert "Valkas pamatskolas bibliotēka" in page.content.decode()


def test_saving_a_section_is_versioned_and_audited(world, review, region, methodologist):
    client = client_for(methodologist)
    a, b = region["a"], region["b"]
    data = {
        "version": str(review.version),
        "text": "Ievads par vispārīgo.",
        "show_figures": "on",
        f"include-{a.pk}": "on",
        f"order-{a.pk}": "2",
        f"short-{a.pk}": "Sedas bibliotēka strādāja.",
        f"include-{b.pk}": "on",
        f"order-{b.pk}": "1",
    }
    response = client.post(f"{BASE}/2021/s/general/", data)
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.version == 2
    excerpt = Excerpt.objects.get(review=review, section_code="general", report=a)
    assert (excerpt.included, excerpt.order, excerpt.text) == (True, 2, "Sedas bibliotēka strādāja.")
    assert ReviewSection.objects.get(review=review, code="general").text == "Ievads par vispārīgo."
    version = ReviewVersion.objects.get(review=review, number=2)
    assert version.saved_by == methodologist
    targets = {c["target"] for c in version.changes}
    assert {"section:general", f"excerpt:general:{a.pk}", f"excerpt:general:{b.pk}"} <= targets
    entry = AuditEntry.objects.filter(network=world.network, target=f"review2021:excerpt:general:{a.pk}").get()
    assert entry.actor == methodologist and entry.new["text"] == "Sedas bibliotēka strādāja."

    # A save based on version 1 is refused, says why, and keeps what was typed on the page.
    stale = {**data, "version": "1", "text": "Cits ievads", f"short-{a.pk}": "Cits īsinājums"}
    response = client.post(f"{BASE}/2021/s/general/", stale)
    assert response.status_code == 409
    assert "Cits ievads" in response.content.decode() and "Cits īsinājums" in response.content.decode()
    assert ReviewSection.objects.get(review=review, code="general").text == "Ievads par vispārīgo."

    # Bad order numbers name the library and change nothing.
    response = client.post(f"{BASE}/2021/s/general/", {**data, "version": "2", f"order-{a.pk}": "pirmais"})
    assert response.status_code == 400
    content = response.content.decode()
    assert "Sedas bibliotēka: secībai jābūt veselam skaitlim" in content and 'value="pirmais"' in content
    assert ReviewVersion.objects.filter(review=review).count() == 2
    # The history page lists who changed what.
    history = client.get(f"{BASE}/2021/history/").content.decode()
    assert "Inese Parauga" in history and f"excerpt:general:{a.pk}" in history


def test_texts_of_other_networks_or_years_cannot_be_included(world, review, methodologist):
    draft = report_with(world.school, world.periods[2021])  # not approved: its texts are not in the review
    with pytest.raises(workflow.ValidationError):
        workflow.save_section(
            methodologist, review, review.version, "general", text="", show_figures=True,
            excerpts={draft.pk: {"included": True}},
        )  # fmt: skip
    assert not Excerpt.objects.filter(review=review).exists()


def include_all(review, user, region):
    for code in ("general", "success_story", "insight"):
        chosen = {
            r.pk: {"included": True, "order": i, "quote": code == "insight"} for i, r in enumerate(region.values())
        }
        review = workflow.save_section(
            user, review, review.version, code, text=f"Ievads: {code}.", show_figures=True, excerpts=chosen
        )
    return workflow.save_texts(
        user, review, review.version, summary="2021. gads bija **labs**.", conclusions="- viens\n- divi"
    )


def test_docx_has_headings_contents_numbered_tables_and_figures(world, review, region, methodologist):
    review = include_all(review, methodologist, region)
    response = client_for(methodologist).get(f"{BASE}/2021/export.docx?lang=lv")
    assert response.status_code == 200 and response["Content-Type"] == DOCX
    word = open_docx(io.BytesIO(response.content))
    headings = [(p.style.name, p.text) for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert ("Heading 1", "Kopsavilkums") in headings
    assert ("Heading 1", "1. Vispārīgs raksturojums") in headings
    assert ("Heading 2", "1.1. Valkas novads") in headings
    assert headings[-1][1].endswith("Secinājumi")
    xml = word.element.xml
    assert 'TOC \\o "1-2"' in xml and "SEQ Table" in xml and "SEQ Figure" in xml
    assert "PAGE" in word.sections[0].footer._element.xml
    captions = [p.text for p in word.paragraphs if p.style.name == "Caption"]
    assert captions[0].startswith("1. tabula. Vispārīgs raksturojums")
    assert any(c.startswith("1. attēls.") for c in captions)
    # Table 1 is the general section's: its region column equals the core.
    total = aggregate(world.network, world.survey, 2021, Scope(group_by="county")).total.cell("loans")
    loans = next(row for row in word.tables[0].rows if row.cells[0].text.startswith("Izsniegumu"))
    # The school library gave no loans figure: the total is marked as covering those who did.
    assert not total.complete
    assert loans.cells[-3].text == format_number(total.value, 0, "lv") + Marker.INCOMPLETE
    assert len(word.inline_shapes) == len(build_document(review, "lv").figures) >= 1
    text = "\n".join(p.text for p in word.paragraphs)
    assert "„Lasīšanas nedēļa“ 2021–2022 – veiksme." in text  # Latvian typography
    assert "2021. gads bija labs." in text  # a year opening a sentence is not a list number
    assert "— Sedas bibliotēka" in text  # the insight as a quotation
    assert "Ērģemes pagasta bibliotēka atjaunoja telpas." in text


def test_numbered_items_keep_their_own_numbers_and_a_date_stays_a_sentence(world, review, region, methodologist):
    Narrative.objects.filter(report=region["a"], section__code="general").update(
        text="5. martā atvērām telpu.\n\n3) trešais\n4) ceturtais"
    )
    include_all(review, methodologist, region)
    client = client_for(methodologist)
    word = open_docx(io.BytesIO(client.get(f"{BASE}/2021/export.docx?lang=lv").content))
    texts = [(p.style.name, p.text) for p in word.paragraphs]
    assert ("Normal", "5. martā atvērām telpu.") in texts
    # Word's "List Number" would count 1, 2 on across the document: the text's own numbers are written out.
    assert ("List", "3. trešais") in texts and ("List", "4. ceturtais") in texts
    pdf = client.get(f"{BASE}/2021/export.pdf?lang=lv").content
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext is not installed (scripts/system-deps.sh installs it)"
    lines = subprocess.run(  # noqa: S603 - a fixed command on our own output
        [pdftotext, "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert "5. martā atvērām telpu." in lines
    assert "3. trešais" in lines and "4. ceturtais" in lines


def test_english_export_and_pdf_say_the_same(world, review, region, methodologist):
    review = include_all(review, methodologist, region)
    word = open_docx(io.BytesIO(client_for(methodologist).get(f"{BASE}/2021/export.docx?lang=en").content))
    headings = [p.text for p in word.paragraphs if p.style.name == "Heading 1"]
    assert headings[:2] == ["Summary", "1. General description"]
    response = client_for(methodologist).get(f"{BASE}/2021/export.pdf?lang=en")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    pdftotext = shutil.which("pdftotext")
    if pdftotext:
        text = subprocess.run(  # noqa: S603 - a fixed command on our own output
            [pdftotext, "-", "-"], input=response.content, capture_output=True, check=True
        ).stdout.decode()
        for heading in headings:
            assert heading in text
        assert "Table 1." in text and "Figure 1." in text
    assert client_for(methodologist).get(f"{BASE}/2021/export.odt").status_code == 404


def test_pasted_word_and_markdown_are_cleaned():
    pasted = (
        '<p class=MsoNormal style="mso-bidi-font-weight:bold"><b>Labs</b> gads<o:p></o:p></p>'
        "<!--[if gte mso 9]><xml>x</xml><![endif]--><script>alert(1)</script>\x0b"
    )
    assert clean(pasted) == "Labs gads"
    paras = paragraphs("# Virsraksts\n\n- **viens**\n- divi\n\n> citāts")
    assert [(p.kind, p.text) for p in paras] == [
        ("p", "Virsraksts"),
        ("bullet", "viens"),
        ("bullet", "divi"),
        ("quote", "citāts"),
    ]
    assert paras[0].runs[0].bold and paras[1].runs[0].bold
    assert typeset('"jā" 5 %', "lv") == "„jā“ 5\u00a0%"
    assert typeset('"yes"', "en") == "“yes”"


def test_bad_texts_never_break_the_document(world, review, region, methodologist):
    Narrative.objects.filter(report=region["b"], section__code="general").update(
        text="<div>Word\x0c teksts</div><table><tr><td>šūna</td></tr></table>\u200b" + "ļoti garš " * 2000
    )
    review = include_all(review, methodologist, region)
    word = open_docx(io.BytesIO(client_for(methodologist).get(f"{BASE}/2021/export.docx").content))
    assert any(p.text.startswith("Word teksts") for p in word.paragraphs)


def test_removed_section_and_chart_without_data(world, review, region, methodologist):
    # A choice saved for a section that is no longer on the form is kept and reported, not exported.
    ReviewSection.objects.create(review=review, code="old_section", text="Vecs teksts")
    # 2021 has no figures for the premises section (computers etc. not reported).
    page = client_for(methodologist).get(f"{BASE}/2021/")
    content = page.content.decode()
    outline = page.context["outline"]
    removed = outline.section("old_section")
    assert removed.removed and "vairs nav" in content
    premises = outline.section("premises_ict")
    assert premises.table is None and premises.chart is None and premises.problems
    document = build_document(review, "lv")
    assert "Vecs teksts" not in " ".join(b.text for b in document.blocks if hasattr(b, "runs"))
    assert all(h.text != premises.title for h in document.headings)  # nothing chosen: no empty heading


def test_approve_lock_publish_and_reopen(world, review, region, methodologist, reporter_a):
    client = client_for(methodologist)
    assert client.post(f"{BASE}/2021/status/", {"status": "published"}).status_code == 302
    review.refresh_from_db()
    assert review.status == "draft"  # a draft cannot jump to published
    client.post(f"{BASE}/2021/status/", {"status": "approved"})
    review.refresh_from_db()
    assert review.status == "approved"
    response = client.post(f"{BASE}/2021/texts/", {"version": str(review.version), "title_lv": "Jauns", "summary": "x"})
    assert response.status_code == 400
    client.post(f"{BASE}/2021/status/", {"status": "published"})
    public = client_for(None).get(f"{BASE}/2021/public/")
    assert public.status_code == 200 and "2021" in public.content.decode()
    listing = client_for(None).get(f"{BASE}/published/").content.decode()
    assert f"{BASE}/2021/public/review.pdf?lang=lv" in listing
    pdf = client_for(reporter_a).get(f"{BASE}/2021/public/review.pdf?lang=lv")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # Reopening needs a reason.
    client.post(f"{BASE}/2021/status/", {"status": "approved"})
    client.post(f"{BASE}/2021/status/", {"status": "draft", "note": ""})
    review.refresh_from_db()
    assert review.status == "approved"
    client.post(f"{BASE}/2021/status/", {"status": "draft", "note": "Labojums skaitļos"})
    review.refresh_from_db()
    assert review.status == "draft"
    assert AuditEntry.objects.filter(target="review2021:status", new="draft", note="Labojums skaitļos").exists()
    assert client_for(None).get(f"{BASE}/2021/public/").status_code == 404
    published = client_for(None).get(f"{BASE}/published/").content.decode()
    assert "Neviens reģiona gada pārskats vēl nav publicēts." in published


def test_review_figures_equal_the_dashboard(world, review, region, methodologist):
    client = client_for(methodologist)
    dashboard = client.get("/n/testa/figures/?year=2021")
    assert dashboard.status_code == 200
    part = client.get(f"{BASE}/2021/s/general/").context["outline"].section("general")
    loans = next(row for row in part.table.rows if row[0].startswith("Izsniegumu"))
    shown = loans[-3].rstrip(Marker.INCOMPLETE)
    assert shown == format_number(Decimal(12000), 0, "lv")
    assert shown in dashboard.content.decode()


def test_an_earlier_version_can_be_restored(world, review, region, methodologist, viewer):
    client = client_for(methodologist)
    a = region["a"]
    review = workflow.save_texts(methodologist, review, review.version, summary="Pirmais kopsavilkums.")
    first = review.version
    review = workflow.save_section(
        methodologist, review, review.version, "general", text="Ievads", show_figures=False,
        excerpts={a.pk: {"included": True, "text": "Īsāk."}},
    )  # fmt: skip
    review = workflow.save_texts(methodologist, review, review.version, summary="Otrais kopsavilkums.")
    assert (
        client_for(viewer).post(f"{BASE}/2021/history/", {"version": review.version, "number": first}).status_code
        == 404
    )
    response = client.post(f"{BASE}/2021/history/", {"version": str(review.version), "number": str(first)})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.summary == "Pirmais kopsavilkums."
    assert not Excerpt.objects.get(review=review, report=a).included
    assert ReviewSection.objects.get(review=review, code="general").show_figures
    assert review.versions.count() == first + 3  # nothing is lost: the restore is a version too
    # A stale or unknown version is refused with a message.
    response = client.post(f"{BASE}/2021/history/", {"version": "1", "number": str(first)}, follow=True)
    assert "Kāds saglabāja" in response.content.decode()
    response = client.post(f"{BASE}/2021/history/", {"version": str(review.version), "number": "99"}, follow=True)
    assert "Nav versijas 99" in response.content.decode()


def test_two_people_on_different_sections_do_not_conflict(world, review, region, methodologist):
    first, second = client_for(methodologist), client_for(methodologist)
    a = region["a"]
    general = first.get(f"{BASE}/2021/s/general/").context
    story = second.get(f"{BASE}/2021/s/success_story/").context
    also_general = second.get(f"{BASE}/2021/s/general/").context

    def form(context, text):
        return {"version": str(context["review"].version), "fingerprint": context["fingerprint"], "text": text}

    assert first.post(f"{BASE}/2021/s/general/", form(general, "Pirmā ievads")).status_code == 302
    # Another section, loaded before that save: saved, nothing of the first is lost.
    story_form = {**form(story, "Stāstu ievads"), f"include-{a.pk}": "on"}
    assert second.post(f"{BASE}/2021/s/success_story/", story_form).status_code == 302
    # The same section, loaded before that save: refused.
    response = second.post(f"{BASE}/2021/s/general/", form(also_general, "Otrā ievads"))
    assert response.status_code == 409
    sections = {s.code: s.text for s in ReviewSection.objects.filter(review=review)}
    assert sections == {"general": "Pirmā ievads", "success_story": "Stāstu ievads"}
    assert Excerpt.objects.get(review=review, section_code="success_story", report=a).included


def test_section_preview_renders_the_typed_text_and_saves_nothing(world, review, region, methodologist, viewer):
    client = client_for(methodologist)
    page = client.get(f"{BASE}/2021/s/general/").content.decode()
    # The save sits in the sticky action bar, next to the preview, and each library's text is a
    # collapsed <details>.
    assert 'class="action-bar"' in page and 'name="preview"' in page
    assert '<details class="excerpt">' in page
    data = {"version": str(review.version), "text": "Ievads ar **treknu** vārdu.", "preview": "1"}
    response = client.post(f"{BASE}/2021/s/general/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>treknu</strong>" in html
    assert "Priekšskatījums (vēl nav saglabāts)" in html
    review.refresh_from_db()
    assert review.version == 1
    assert not ReviewSection.objects.filter(review=review, code="general", text__contains="treknu").exists()
    # A viewer may neither preview nor save the section.
    for extra in ({"preview": "1"}, {}):
        refused = client_for(viewer).post(f"{BASE}/2021/s/general/", data | extra)
        assert refused.status_code == 404
    review.refresh_from_db()
    assert review.version == 1
