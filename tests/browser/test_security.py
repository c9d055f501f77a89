"""In a real browser: script payloads in names and parameters stay text, and the pages run under the
Content-Security-Policy without a single violation (htmx, our only script, still loads)."""

import re
from urllib.parse import quote

import pytest

from ..factories import PASSWORD
from .conftest import assert_accessible, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""
NAME = '<img src=x onerror="window.__xss=1">Inese'
LIBRARY = "<script>window.__xss=2</script>Ērģemes bibliotēka"


def watch(page):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.add_init_script(WATCH)
    return dialogs


def assert_clean(page, dialogs):
    assert page.evaluate("window.__xss") is None, "a payload ran as script"
    assert dialogs == []
    assert page.evaluate("window.__csp") == [], "the page broke its own Content-Security-Policy"
    assert page.evaluate("typeof window.htmx") == "object", "htmx did not load under the CSP"


def test_script_payloads_in_names_stay_text(page, world, methodologist):
    methodologist.full_name = NAME
    methodologist.save()
    world.library_b.name = LIBRARY
    world.library_b.save()
    dialogs = watch(page)
    log_in(page, methodologist.email, PASSWORD)
    page.goto(f"/n/{world.network.slug}/?year=2021")
    assert page.get_by_text(LIBRARY).is_visible()
    assert page.get_by_role("link", name=NAME).is_visible()
    assert_clean(page, dialogs)
    assert_accessible(page)
    screenshot(page, "security-payloads-as-text")
    page.goto(f"/n/{world.network.slug}/libraries/{world.library_b.code}/")
    assert page.get_by_role("heading", name=LIBRARY).is_visible()
    assert_clean(page, dialogs)


def test_a_script_in_the_login_next_parameter_does_not_run(page, world, reporter_a):
    dialogs = watch(page)
    page.goto("/accounts/login/?next=" + quote('"><script>window.__xss=3</script>'))
    assert_clean(page, dialogs)
    page.goto("/accounts/login/?next=" + quote("javascript:window.__xss=4"))
    page.get_by_label("E-pasts").fill(reporter_a.email)
    page.get_by_label("Parole").fill(PASSWORD)
    page.get_by_role("button", name="Pieteikties").click()
    page.wait_for_url(re.compile(r"^https?://[^/]+/$"))  # her home: the page of her job
    assert_clean(page, dialogs)


PHOTO_ALT = '"><img src=x onerror="window.__xss=5">Lasītāji'
PHOTO_CAPTION = "<svg onload=window.__xss=6>Bērnu rīts</svg>"
STORY = "<script>window.__xss=7</script>[klikšķis](javascript:window.__xss=8) Mēs to izdarījām."


def test_script_payloads_in_photo_texts_and_stories_stay_text(page, world, reporter_a, settings, tmp_path):
    """A reporter's photo alt text and caption and the success story are shown on the report form
    and, once approved and consented, on the public stories page: text there, never script."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from parskats.catalogue.models import NarrativeSection
    from parskats.reporting.models import Narrative, Photo, Report

    from ..factories import report_with

    def picture() -> SimpleUploadedFile:
        buffer = io.BytesIO()
        Image.new("RGB", (64, 48), (120, 72, 40)).save(buffer, "JPEG")
        return SimpleUploadedFile("foto.jpg", buffer.getvalue(), content_type="image/jpeg")

    settings.MEDIA_ROOT = tmp_path
    report = report_with(world.library_a, world.periods[2020])
    section = NarrativeSection.objects.get(survey=world.survey, code="success_story")
    Narrative.objects.create(report=report, section=section, text=STORY)
    Photo.objects.create(
        report=report, image=picture(), thumbnail=picture(), alt_text=PHOTO_ALT, caption=PHOTO_CAPTION, consent=True
    )
    dialogs = watch(page)
    log_in(page, reporter_a.email, PASSWORD)
    page.goto(f"/n/{world.network.slug}/reports/{report.pk}/")
    assert page.get_by_text("Bērnu rīts").first.is_visible()
    assert_clean(page, dialogs)
    Report.objects.filter(pk=report.pk).update(status=Report.Status.APPROVED)
    page.goto(f"/stasti/{world.network.slug}/2020/")
    page.get_by_role("link", name="Sedas bibliotēka").click()
    assert page.get_by_role("img", name=PHOTO_ALT).is_visible()
    assert page.get_by_text("Mēs to izdarījām.").first.is_visible()
    assert page.locator("main a[href^='javascript']").count() == 0
    assert_clean(page, dialogs)
    screenshot(page, "security-story-payloads")
