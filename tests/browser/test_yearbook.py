"""In a real browser: the methodologist edits the annual review (outline, a section's choices) and
the pages pass WCAG 2.1 AA; on a phone too."""

import pytest

from parskats.yearbook import workflow

from ..factories import PASSWORD
from ..test_yearbook import approved, write
from .conftest import assert_accessible, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def review(world, methodologist):
    approved(world.library_a, world.periods[2020], users=400, visits=5000, loans=9000)
    report = approved(world.library_a, world.periods[2021], users=420, visits=5600, loans=9900)
    write(report, "general", "Sedas bibliotēka strādāja **visu gadu**.")
    return workflow.create_review(methodologist, world.network, world.survey, 2021)


def test_methodologist_edits_a_section(page, review, methodologist):
    log_in(page, methodologist.email, PASSWORD)
    page.goto("/n/testa/annual-review/2021/")
    assert page.get_by_role("heading", name="Struktūra").is_visible()
    assert_accessible(page)
    screenshot(page, "yearbook-editor-lv")
    page.get_by_role("link", name="Vispārīgs raksturojums").click()
    assert page.get_by_role("heading", name="Reģiona skaitļi").is_visible()
    page.get_by_label("Jūsu ievads šai sadaļai").fill("Gads bija ražīgs.")
    # Each library's text is collapsed: opening it shows the choices.
    page.locator("details.excerpt summary").first.click()
    page.get_by_role("checkbox", name="iekļaut").first.check()
    assert_accessible(page)
    page.get_by_role("button", name="Saglabāt sadaļu").click()
    assert page.get_by_text("Sadaļa saglabāta.").is_visible()
    # Collapsed again after the save, the summary says the text is included.
    assert "iekļauts" in page.locator("details.excerpt summary").first.inner_text()
    page.locator("details.excerpt summary").first.click()
    assert page.get_by_role("checkbox", name="iekļaut").first.is_checked()
    screenshot(page, "yearbook-section-lv")


def test_section_page_on_a_phone(phone_page, review, methodologist):
    log_in(phone_page, methodologist.email, PASSWORD)
    phone_page.goto("/n/testa/annual-review/2021/s/general/")
    assert phone_page.get_by_role("heading", name="Vispārīgs raksturojums").is_visible()
    assert_accessible(phone_page)
    screenshot(phone_page, "yearbook-section-phone")


def test_history_and_published_pages_are_accessible(page, review, methodologist):
    workflow.set_status(methodologist, review, "approved")
    workflow.set_status(methodologist, review, "published")
    page.goto("/n/testa/annual-review/published/")
    assert page.get_by_role("link", name="PDF latviski").is_visible()
    assert_accessible(page)
    screenshot(page, "yearbook-published-lv")
    log_in(page, methodologist.email, PASSWORD)
    page.goto("/n/testa/annual-review/2021/history/")
    assert page.get_by_role("heading", name="Izmaiņu vēsture").is_visible()
    assert_accessible(page)
    screenshot(page, "yearbook-history-lv")
