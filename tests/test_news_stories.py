"""Public stories: only approved reports' success stories, only consented photos."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from parskats.catalogue.models import NarrativeSection
from parskats.reporting.models import Narrative, Photo, Report

from .conftest import client_for
from .factories import report_with

pytestmark = pytest.mark.django_db


def jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (120, 72, 40)).save(buffer, "JPEG")
    return SimpleUploadedFile("x.jpg", buffer.getvalue(), content_type="image/jpeg")


def story(report: Report, text: str, code: str = "success_story") -> Narrative:
    section = NarrativeSection.objects.get(survey=report.period.survey, code=code)
    return Narrative.objects.create(report=report, section=section, text=text)


@pytest.fixture
def reports(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    approved = report_with(world.library_a, world.periods[2020])
    approved.status = Report.Status.APPROVED
    approved.save()
    submitted = report_with(world.library_b, world.periods[2020])
    submitted.status = Report.Status.SUBMITTED
    submitted.save()
    story(approved, "Mēs **izdarījām** to ar darīšanas metodi. <script>alert(1)</script>")
    story(approved, "Pandēmijas pieredze — nav publiska.", code="pandemic")
    story(submitted, "Vēl nav apstiprināts stāsts.")
    for consent, alt in ((True, "Lasītāji pie plaukta"), (False, "Bērni bez piekrišanas")):
        Photo.objects.create(report=approved, image=jpeg(), thumbnail=jpeg(), alt_text=alt, consent=consent)
    return approved, submitted


def test_only_approved_success_stories_are_public(reports):
    reader = client_for(None)
    index = reader.get("/stasti/").content.decode()
    assert "Testa reģions" in index and "1 stāsts" in index
    year = reader.get("/stasti/testa/2020/").content.decode()
    assert "Sedas bibliotēka" in year and "Ērģemes" not in year
    page = reader.get("/stasti/testa/2020/seda/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<strong>izdarījām</strong>" in html and "<script>alert" not in html
    assert "Pandēmijas pieredze" not in html
    assert reader.get("/stasti/testa/2020/ergeme/").status_code == 404
    assert reader.get("/stasti/testa/2021/").status_code == 404
    assert reader.get("/stasti/cits/2020/seda/").status_code == 404


def test_only_consented_photos_are_shown_with_their_alt_text(reports):
    html = client_for(None).get("/stasti/testa/2020/seda/").content.decode()
    assert 'alt="Lasītāji pie plaukta"' in html
    assert "Bērni bez piekrišanas" not in html
    assert '<meta property="og:image"' in html


def test_a_reopened_report_leaves_the_public_pages(reports):
    approved, _ = reports
    approved.status = Report.Status.RETURNED
    approved.save()
    assert client_for(None).get("/stasti/testa/2020/seda/").status_code == 404
    assert "Sedas" not in client_for(None).get("/stasti/").content.decode()


def test_stories_are_in_the_sitemap(reports):
    xml = client_for(None).get("/sitemap.xml").content.decode()
    assert "http://testserver/stasti/testa/2020/seda/" in xml
    assert "/stasti/testa/2020/ergeme/" not in xml


def test_the_public_figures_can_link_the_years_stories(reports, world):
    from django.template import Context, Template

    template = Template("{% load news_links %}{% stories_link network year %}")
    html = template.render(Context({"network": world.network, "year": 2020}))
    assert 'href="/stasti/testa/2020/"' in html and "1 veiksmes stāsts" in html
    assert template.render(Context({"network": world.network, "year": 2021})).strip() == ""


def test_the_public_figures_page_links_the_years_stories(reports, world):
    page = client_for(None).get("/skaitli/testa/?year=2020")
    assert page.status_code == 200
    assert 'href="/stasti/testa/2020/"' in page.content.decode()
