"""Figures in a real browser with JavaScript off: charts are there (server-drawn SVG) with their data
tables, the pages pass axe (WCAG 2.1 AA), and they do not scroll sideways on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from parskats.reporting.models import Report

from ..factories import PASSWORD, report_with
from .conftest import assert_accessible, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def figures(world):
    for year, factor in ((2020, 1), (2021, 2)):
        for library, loans in ((world.library_a, 1000), (world.library_b, 400), (world.school, 300)):
            report = report_with(
                library,
                world.periods[year],
                loans=loans * factor,
                users=loans // 5,
                visits_inperson=loans * 3,
                visits_virtual=loans * factor,
                visits=loans * (3 + factor),
                events_inperson=10,
                events_virtual=5 * factor,
                events=10 + 5 * factor,
            )
            report.status = Report.Status.APPROVED
            report.save()
    return world


def test_dashboard_without_javascript(browser: Browser, live_server, page, figures, methodologist):
    # Charts need no JavaScript: they are SVG drawn on the server.
    context = browser.new_context(base_url=live_server.url, locale="lv-LV", java_script_enabled=False)
    no_js = context.new_page()
    log_in(no_js, methodologist.email, PASSWORD)
    no_js.goto("/n/testa/figures/?year=2021")
    assert no_js.locator("figure.chart svg").count() == 4
    no_js.locator("figure.chart summary").first.click()
    assert no_js.locator("figure.chart details table").first.is_visible()
    context.close()
    # axe-core runs as JavaScript, so the accessibility checks use an ordinary page.
    log_in(page, methodologist.email, PASSWORD)
    page.goto("/n/testa/figures/?year=2021")
    assert page.get_by_role("heading", name="Testa reģions: 2021. gada skaitļi").is_visible()
    assert page.get_by_role("img", name="Izsniegumu kopskaits pa novadiem, 2021").is_visible()
    assert_accessible(page)
    screenshot(page, "figures-dashboard-2021")
    page.get_by_role("link", name="Valkas novads").first.click()
    assert page.get_by_role("heading", name="Valkas novads: 2021. gada skaitļi").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Ērģemes pagasta bibliotēka").first.click()
    assert page.get_by_role("heading", name="Ērģemes pagasta bibliotēka: skaitļi").is_visible()
    assert_accessible(page)
    screenshot(page, "figures-library")


def test_public_figures_on_a_phone(phone_page, figures):
    phone_page.goto("/skaitli/testa/?year=2021&boundaries=today")
    assert phone_page.get_by_text("Pārrēķināts uz").is_visible()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    assert_accessible(phone_page)
    screenshot(phone_page, "figures-public-phone")


def test_an_area_page_at_a_time_on_a_phone(phone_page, figures, monkeypatch):
    from parskats.stats import pages

    monkeypatch.setattr(pages, "AREA_ROWS", 1)
    phone_page.goto("/skaitli/testa/teritorija/valka/?year=2021")
    sections = phone_page.get_by_role("navigation", name="Bibliotēku lapas: rādītāji pa sadaļām")
    sections.get_by_role("link", name="2").click()
    assert phone_page.get_by_text("Bibliotēkas 2.–2. no 2").first.is_visible()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    assert_accessible(phone_page)
    screenshot(phone_page, "figures-area-pages-phone")
