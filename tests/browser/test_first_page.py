"""In a real browser: log in, see the libraries grouped by county, switch language; WCAG 2.1 AA."""

import pytest

from ..factories import PASSWORD
from .conftest import assert_accessible, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_methodologist_logs_in_and_sees_the_region(page, world, methodologist):
    page.goto("/")
    assert_accessible(page)
    log_in(page, methodologist.email, PASSWORD)
    page.get_by_role("navigation", name="Galvenā izvēlne").get_by_role("link", name="Bibliotēkas").click()
    page.get_by_label("Atskaites gads").select_option("2020")
    page.get_by_role("button", name="Rādīt").click()
    assert page.get_by_role("heading", name="Strenču novads").is_visible()
    assert page.get_by_role("row", name="Sedas bibliotēka").get_by_text("12 100").is_visible()
    assert page.get_by_text("Demonstrācijas dati").is_visible()
    assert_accessible(page)
    screenshot(page, "libraries-2020-lv")
    page.get_by_role("button", name="English").click()
    assert page.get_by_role("heading", name="Strenču novads").is_visible()
    assert page.get_by_role("columnheader", name="Population served").first.is_visible()
    assert_accessible(page)


def test_keyboard_alone_reaches_the_login_form(page, world, reporter_a):
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Pāriet uz saturu"
    page.goto("/accounts/login/")
    # The email field has focus on arrival; wait for it, or the first keys can land before autofocus does.
    page.wait_for_function("document.activeElement && document.activeElement.type === 'email'", timeout=5000)
    page.keyboard.type(reporter_a.email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: url.endswith("/") and "login" not in url)
    screenshot(page, "keyboard-login")
    assert page.get_by_role("heading", name="Labdien, Anda!").is_visible()


def test_the_page_works_on_a_phone(phone_page, world, viewer):
    log_in(phone_page, viewer.email, PASSWORD)
    phone_page.goto(f"/n/{world.network.slug}/?year=2021")
    assert phone_page.get_by_role("heading", name="Valmieras novads").is_visible()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    assert_accessible(phone_page)
    screenshot(phone_page, "libraries-2021-phone")


def test_a_large_network_lists_counties_first(phone_page, world, methodologist, monkeypatch):
    from parskats.site import libraries_views as views

    monkeypatch.setattr(views, "LIST_LIMIT", 1)
    log_in(phone_page, methodologist.email, PASSWORD)
    phone_page.goto(f"/n/{world.network.slug}/?year=2021")
    phone_page.get_by_role("link", name="Valmieras novads").click()
    assert phone_page.get_by_role("row", name="Sedas bibliotēka").is_visible()
    assert phone_page.get_by_role("link", name="Visi novadi").is_visible()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    assert_accessible(phone_page)
    phone_page.get_by_role("link", name="Visi novadi").click()
    assert phone_page.get_by_role("columnheader", name="Iesāktas atskaites").is_visible()
    assert_accessible(phone_page)
    screenshot(phone_page, "libraries-counties-first-phone")
