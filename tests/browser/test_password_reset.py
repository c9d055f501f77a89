"""In a real browser: from the login page to a new password by the emailed link; WCAG 2.1 AA."""

import re

import pytest
from django.core import mail

from .conftest import assert_accessible, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NEW = "jauna-parole-Ziema-2026"


def test_a_forgotten_password_is_replaced_through_the_emailed_link(page, world, reporter_a, settings, live_server):
    settings.PARSKATS_BASE_URL = live_server.url
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Aizmirsāt paroli?").click()
    assert page.get_by_role("heading", name="Aizmirsta parole").is_visible()
    assert_accessible(page)
    page.get_by_label("E-pasts").fill(reporter_a.email)
    page.get_by_role("button", name="Sūtīt saiti").click()
    assert page.get_by_role("heading", name="Pārbaudiet e-pastu").is_visible()
    assert_accessible(page)
    link = re.search(r"https?://\S+", mail.outbox[0].body).group(0)  # type: ignore[union-attr]
    page.goto(link)
    assert page.get_by_role("heading", name="Jaunā parole").is_visible()
    assert_accessible(page)
    screenshot(page, "password-reset-form")
    page.get_by_role("button", name="Iestatīt paroli").click()  # empty: the errors, accessible too
    assert page.get_by_role("alert").is_visible()
    assert_accessible(page)
    page.locator("#id_new_password1").fill(NEW)
    page.locator("#id_new_password2").fill(NEW)
    page.get_by_role("button", name="Iestatīt paroli").click()
    assert page.get_by_role("heading", name="Parole nomainīta").is_visible()
    assert_accessible(page)
    log_in(page, reporter_a.email, NEW)
    page.wait_for_url(re.compile(r"^https?://[^/]+/$"))  # her home: the page of her job
    page.goto(link)  # the link, a second time
    assert page.get_by_text("Šī saite nedarbojas").is_visible()
    assert_accessible(page)
