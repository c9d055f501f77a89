"""In Chromium: the public story page and the editors' pages pass axe-core (WCAG 2.1 AA), by keyboard too."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from parskats.catalogue.models import NarrativeSection
from parskats.news.models import Article
from parskats.reporting.models import Narrative, Photo, Report

from ..factories import PASSWORD, article, report_with
from .conftest import assert_accessible, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def picture(size: tuple[int, int]) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 72, 40)).save(buffer, "JPEG")
    return SimpleUploadedFile("foto.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_a_public_story_with_its_consented_photo(page, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report = report_with(world.library_a, world.periods[2020])
    report.status = Report.Status.APPROVED
    report.save()
    section = NarrativeSection.objects.get(survey=world.survey, code="success_story")
    Narrative.objects.create(report=report, section=section, text="Mēs to **izdarījām** ar darīšanas metodi.")
    Photo.objects.create(
        report=report, image=picture((640, 420)), thumbnail=picture((160, 105)), alt_text="Lasītāji", consent=True
    )
    page.goto("/stasti/")
    page.get_by_role("link", name="2020").click()
    page.get_by_role("link", name="Sedas bibliotēka").click()
    assert page.get_by_role("heading", name="Sedas bibliotēka: veiksmes stāsts").is_visible()
    assert page.get_by_role("img", name="Lasītāji").is_visible()
    assert_accessible(page)
    screenshot(page, "story-seda-2020")


def test_the_newsroom_pages_are_accessible(page, world, methodologist):
    article(world.network, "Publicēts raksts")
    article(world.network, "Melnraksts", status=Article.Status.DRAFT, publish_at=None)
    log_in(page, methodologist.email, PASSWORD)
    page.goto("/jaunumi/redakcija/")
    assert page.get_by_role("link", name="Melnraksts").is_visible()
    assert_accessible(page)
    screenshot(page, "news-desk")
    page.get_by_role("link", name="Jauns raksts").click()
    page.get_by_label("Virsraksts").fill("Tikšanās tiešsaistē")
    page.get_by_label("Teksts (Markdown)").fill("5. martā aizvadīts seminārs.\n\n- pirmais\n- otrais")
    page.get_by_label("Statuss").select_option("published")
    page.get_by_label("Birkas").fill("seminārs, 2020. gads")
    page.get_by_role("button", name="Saglabāt", exact=True).click()
    assert page.get_by_text("Raksts saglabāts.").is_visible()
    assert_accessible(page)
    screenshot(page, "news-edit")
    page.get_by_role("link", name="Skatīt").click()
    assert page.get_by_text("5. martā aizvadīts seminārs.").is_visible()
    page.goto("/jaunumi/redakcija/testa/iestatijumi/")
    assert_accessible(page)
    screenshot(page, "news-settings")


@pytest.mark.parametrize("width", [1280, 360])
def test_a_story_opening_with_a_year_and_holding_a_list_reads_as_written(browser, live_server, world, width):
    report = report_with(world.library_a, world.periods[2020])
    report.status = Report.Status.APPROVED
    report.save()
    section = NarrativeSection.objects.get(survey=world.survey, code="success_story")
    text = "2020. gadā atvērām jaunu telpu.\n\nMēs piedāvājām:\n\n- pasaku rītus ģimenēm\n- datorapmācību senioriem"
    Narrative.objects.create(report=report, section=section, text=text)
    context = browser.new_context(base_url=live_server.url, locale="lv-LV", viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto("/stasti/testa/2020/")
    excerpt = page.locator("article.news-item p").inner_text()
    assert excerpt.splitlines() == [
        "2020. gadā atvērām jaunu telpu.",
        "Mēs piedāvājām:",
        "• pasaku rītus ģimenēm",
        "• datorapmācību senioriem",
    ]
    assert_accessible(page)
    screenshot(page, f"stories-year-list-{width}")
    page.get_by_role("link", name="Sedas bibliotēka").click()
    body = page.locator(".article-body")
    assert body.locator("p").first.inner_text() == "2020. gadā atvērām jaunu telpu."
    assert body.get_by_role("listitem").all_inner_texts() == ["pasaku rītus ģimenēm", "datorapmācību senioriem"]
    assert_accessible(page)
    screenshot(page, f"story-year-list-{width}")
    context.close()
