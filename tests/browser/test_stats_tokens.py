"""In a real browser: the methodologist opens the API token page from the board, issues a token,
sees it once and revokes it; WCAG 2.1 AA on desktop and phone."""

import pytest

from ..factories import PASSWORD
from .conftest import assert_accessible, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_methodologist_issues_and_revokes_a_token(page, phone_page, world, methodologist):
    log_in(page, methodologist.email, PASSWORD)
    page.goto(f"/n/{world.network.slug}/review/?year=2021")
    page.get_by_role("link", name="API atslēgas").click()
    page.wait_for_load_state()
    assert page.get_by_text("Atslēgu vēl nav.").is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Izveidot atslēgu").click()
    page.wait_for_load_state()
    assert page.get_by_text("Šis lauks ir nepieciešams.").is_visible()
    assert_accessible(page)
    page.get_by_label("Kam atslēga paredzēta").fill("Pašvaldības atskaite")
    page.get_by_role("button", name="Izveidot atslēgu").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Jūsu jaunā atslēga").is_visible()
    assert page.locator("#secret").inner_text().startswith("pk_")
    assert_accessible(page)
    screenshot(page, "api-tokens-issued")
    page.get_by_role("row", name="Pašvaldības atskaite").get_by_role("button", name="Atsaukt").click()
    page.wait_for_load_state()
    assert page.get_by_text("Atslēga „Pašvaldības atskaite“ tika atsaukta.").is_visible()
    assert page.get_by_role("heading", name="Jūsu jaunā atslēga").count() == 0
    log_in(phone_page, methodologist.email, PASSWORD)
    phone_page.goto(f"/n/{world.network.slug}/figures/api-tokens/")
    assert phone_page.get_by_role("row", name="Pašvaldības atskaite").is_visible()
    assert_accessible(phone_page)
    screenshot(phone_page, "api-tokens-phone")
