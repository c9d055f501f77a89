"""In a real browser: the seminar page shows the agenda and leads to its editor (reordering is in
test_seminar_agenda_table.py); the public agenda page on a phone; WCAG 2.1 AA on both."""

import pytest
from django.utils import timezone

from parskats.seminar.models import Seminar

from ..factories import PASSWORD
from ..seminar_support import approved_reports, make_seminar
from .conftest import assert_accessible, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_seminar_page_shows_the_agenda_and_leads_to_its_editor(page, world, methodologist, reporter_a):
    approved_reports(world)
    seminar = make_seminar(world, methodologist)
    log_in(page, methodologist.email, PASSWORD)
    page.goto(f"/n/{world.network.slug}/seminars/{seminar.pk}/")
    assert page.get_by_role("heading", name=seminar.title).is_visible()
    assert page.locator("#agenda tbody tr", has_text="Sedas bibliotēka").is_visible()
    assert_accessible(page)
    screenshot(page, "seminar-detail")
    page.get_by_role("link", name="Labot darba kārtību").click()
    assert page.get_by_role("heading", name="Labot darba kārtību").is_visible()


def test_the_public_agenda_on_a_phone(phone_page, world, methodologist):
    seminar = make_seminar(world, methodologist, visibility=Seminar.Visibility.PUBLIC)
    assert seminar.starts_at > timezone.now()
    phone_page.goto(f"/n/{world.network.slug}/seminars/{seminar.pk}/agenda/")
    assert phone_page.get_by_role("heading", name=seminar.title).is_visible()
    assert phone_page.get_by_role("link", name="Pievienot kalendāram (.ics)").is_visible()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    assert_accessible(phone_page)
    screenshot(phone_page, "seminar-agenda-phone")
