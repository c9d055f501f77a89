"""In a real browser: the annual review section editor keeps its save in view (sticky bar), shows a
preview through the Markdown pipeline, and fits a 360 px window."""

import shutil

import pytest

from ..factories import PASSWORD
from .conftest import ARTIFACTS, assert_accessible, log_in, screenshot
from .test_yearbook import review  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
URL = "/n/testa/annual-review/2021/s/general/"


def _save_in_view(page):
    box = page.get_by_role("button", name="Saglabāt sadaļu").bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


@pytest.mark.parametrize("width", [1280, 360])
def test_save_stays_in_view_and_preview_renders(browser, live_server, review, methodologist, width):  # noqa: F811
    context = browser.new_context(base_url=live_server.url, locale="lv-LV", viewport={"width": width, "height": 700})
    page = context.new_page()
    log_in(page, methodologist.email, PASSWORD)
    page.goto(URL)
    page.get_by_label("Jūsu ievads šai sadaļai").fill("Gads bija **ražīgs**.")
    page.mouse.wheel(0, 20000)
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    assert _save_in_view(page)
    # Sticky to its form: in view wherever the form is on screen, here at the libraries' texts.
    page.evaluate("window.scrollTo(0, 0)")
    assert _save_in_view(page), "the save is out of view at the top of the page, above the figures"
    page.locator("fieldset.county").first.scroll_into_view_if_needed()
    assert _save_in_view(page)
    # Two clicks to see the text as the document will read it: type, "Priekšskatīt".
    page.get_by_role("button", name="Priekšskatīt").click()
    preview = page.locator(".preview")
    assert preview.locator("strong", has_text="ražīgs").is_visible()
    # The typed text is kept in the box for the save that follows.
    assert page.get_by_label("Jūsu ievads šai sadaļai").input_value() == "Gads bija **ražīgs**."
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, overflow
    assert_accessible(page)
    shot = screenshot(page, f"yearbook-section-editor-{width}")
    shutil.copy(shot, ARTIFACTS / f"keep-yearbook-section-{width}.png")
    page.get_by_role("button", name="Saglabāt sadaļu").click()
    assert page.get_by_text("Sadaļa saglabāta.").is_visible()
    context.close()
