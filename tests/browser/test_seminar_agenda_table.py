"""In a real browser: the methodologist moves an agenda item up by keyboard and saves once; the table
fits a 360 px window; WCAG 2.1 AA at both widths."""

import shutil
from pathlib import Path

import pytest

from parskats.seminar.models import Seminar

from ..factories import PASSWORD
from ..seminar_support import approved_reports, make_seminar
from .conftest import assert_accessible, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NOTES_IMG = Path(__file__).resolve().parents[2] / "docs" / "notes" / "img"


def titles_on_page(page) -> list[str]:
    values = [box.input_value() for box in page.locator(".agenda-table tbody textarea").all()]
    return [value.strip() for value in values if value.strip()]


@pytest.mark.parametrize("width", [1280, 360])
def test_methodologist_moves_an_item_up_by_keyboard_and_saves(browser, live_server, world, methodologist, width):
    approved_reports(world)
    seminar = make_seminar(world, methodologist)
    long_title = "Reģions 2021. gadā: kopējie rādītāji, apmeklējumi, izsniegumi un pasākumi klātienē un tiešsaistē"
    seminar.agenda_items.filter(position=2).update(title=long_title)
    context = browser.new_context(base_url=live_server.url, locale="lv-LV", viewport={"width": width, "height": 800})
    page = context.new_page()
    log_in(page, methodologist.email, PASSWORD)
    page.goto(f"/n/{world.network.slug}/seminars/{seminar.pk}/agenda/edit/")
    assert page.get_by_role("heading", name="Labot darba kārtību").is_visible()
    width_now = page.evaluate("document.documentElement.scrollWidth")
    assert width_now <= width, f"the page is wider than the window ({width_now}px)"
    assert_accessible(page)
    # A long title is shown whole: it wraps in its box, which is as tall as the text.
    box = page.locator(".agenda-table textarea").nth(1)
    assert box.input_value() == long_title
    assert box.evaluate("b => b.scrollHeight <= b.clientHeight + 1"), "the title is cut off"
    # The whole page in one window, so the sticky save bar sits where it ends up, not mid-page.
    page.set_viewport_size({"width": width, "height": page.evaluate("document.documentElement.scrollHeight")})
    shot = screenshot(page, f"seminar-agenda-table-{width}")
    page.set_viewport_size({"width": width, "height": 800})
    if NOTES_IMG.is_dir():
        shutil.copy(shot, NOTES_IMG / f"16-agenda-{width}.png")
    before = titles_on_page(page)
    assert before.index("Sedas bibliotēka") == 5 and before[4] == "Pārtraukums"
    # By keyboard: to the button, Enter; the focus stays on it, and the row is one place higher.
    up = page.get_by_role("button", name="Pārvietot „Sedas bibliotēka“ augšup")
    up.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement && document.activeElement.dataset.move === 'up'")
    assert titles_on_page(page)[4] == "Sedas bibliotēka"
    assert page.get_by_role("status").filter(has_text="tagad ir 5. punkts").count() == 1
    page.get_by_role("button", name="Saglabāt darba kārtību").first.click()
    assert page.get_by_text("Darba kārtība saglabāta.").is_visible()
    after = titles_on_page(page)
    assert after[4:6] == ["Sedas bibliotēka", "Pārtraukums"]
    saved = list(Seminar.objects.get(pk=seminar.pk).agenda_items.order_by("position").values_list("title", flat=True))
    assert saved == after
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_accessible(page)
    context.close()


def test_without_javascript_the_move_buttons_still_work(browser, live_server, world, methodologist):
    approved_reports(world)
    seminar = make_seminar(world, methodologist)
    context = browser.new_context(
        base_url=live_server.url, locale="lv-LV", viewport={"width": 360, "height": 800}, java_script_enabled=False
    )
    page = context.new_page()
    log_in(page, methodologist.email, PASSWORD)
    page.goto(f"/n/{world.network.slug}/seminars/{seminar.pk}/agenda/edit/")
    page.get_by_role("button", name="Pārvietot „Sedas bibliotēka“ augšup").click()
    assert titles_on_page(page)[4] == "Sedas bibliotēka"
    page.get_by_role("button", name="Saglabāt darba kārtību").first.click()
    assert page.get_by_text("Darba kārtība saglabāta.").is_visible()
    saved = list(Seminar.objects.get(pk=seminar.pk).agenda_items.order_by("position").values_list("title", flat=True))
    assert saved[4] == "Sedas bibliotēka"
    context.close()


def test_a_bad_row_is_shown_at_that_row_and_in_the_summary(page, world, methodologist):
    approved_reports(world)
    seminar = make_seminar(world, methodologist)
    log_in(page, methodologist.email, PASSWORD)
    page.goto(f"/n/{world.network.slug}/seminars/{seminar.pk}/agenda/edit/")
    page.locator(".agenda-table textarea").nth(5).fill("")
    page.get_by_role("button", name="Saglabāt darba kārtību").first.click()
    summary = page.get_by_role("alert")
    assert "6. rinda „Sedas bibliotēka“" in summary.inner_text()
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_form-5-title"  # the link leads to the field
    assert page.locator("#id_form-5-title-error").is_visible()
    assert_accessible(page)
    titles = list(Seminar.objects.get(pk=seminar.pk).agenda_items.values_list("title", flat=True))
    assert "Sedas bibliotēka" in titles
