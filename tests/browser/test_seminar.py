"""In a real browser: the methodologist reorders the seminar agenda with the buttons (htmx), the
times follow; the public agenda page on a phone; WCAG 2.1 AA on both."""

import pytest
from django.utils import timezone

from parskats.seminar.models import Seminar

from ..factories import PASSWORD
from ..seminar_support import approved_reports, make_seminar
from .conftest import assert_accessible, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_methodologist_reorders_the_agenda(page, world, methodologist, reporter_a):
    approved_reports(world)
    seminar = make_seminar(world, methodologist)
    log_in(page, methodologist.email, PASSWORD)
    page.goto(f"/n/{world.network.slug}/seminars/{seminar.pk}/")
    assert page.get_by_role("heading", name=seminar.title).is_visible()
    assert_accessible(page)
    screenshot(page, "seminar-detail")
    seda = page.locator("tr", has=page.get_by_label("Nosaukums").and_(page.locator("[value='Sedas bibliotēka']")))
    time_before = seda.locator("td").first.inner_text()
    page.get_by_role("button", name="Pārvietot „Sedas bibliotēka“ augstāk").click()
    page.wait_for_function(
        "(before) => document.querySelector('#agenda tbody tr:nth-child(5) input[name=title]').value"
        " === 'Sedas bibliotēka'",
        arg=time_before,
    )
    moved = page.locator("#agenda tbody tr").nth(4)
    assert moved.locator("td").first.inner_text() != time_before  # the times were computed again
    assert_accessible(page)
    titles = [item.title for item in Seminar.objects.get(pk=seminar.pk).agenda_items.order_by("position")]
    assert titles.index("Sedas bibliotēka") == 4


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
