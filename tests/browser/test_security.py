"""In a real browser: script payloads in names and parameters stay text, and the pages run under the
Content-Security-Policy without a single violation (htmx, our only script, still loads)."""

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
    page.wait_for_url("**/n/testa/")
    assert_clean(page, dialogs)
