"""In a real browser, the journeys of each role counted in clicks from the login: the reporter to
her form, the methodologist to an approved report (with the decision in view without scrolling, on a
wide screen and on a phone), the same with the keyboard alone, returning with comments and bulk
approval from the board. Every page is checked with axe; screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from parskats.reporting.models import Report

from ..factories import PASSWORD
from ..test_review_workflow import clean_submitted
from ..test_role_homes import opened
from .conftest import ARTIFACTS, assert_accessible, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_year(world):
    return opened(world.periods[2021])


def view_shot(page: Page, name: str) -> None:
    """What the screen shows, not the whole page: where the decision is matters here."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def in_view_without_scrolling(page: Page, target: Locator) -> bool:
    """The element is wholly inside the viewport while the page is at its top."""
    box = target.bounding_box()
    size = page.viewport_size
    assert box is not None and size is not None
    scrolled = page.evaluate("window.scrollY")
    return scrolled == 0 and box["y"] >= 0 and box["y"] + box["height"] <= size["height"] and box["x"] >= 0


def test_the_reporter_reaches_her_form_in_one_click(page, world, open_year, reporter_a):
    log_in(page, reporter_a.email, PASSWORD)
    card = page.get_by_role("region", name="Sedas bibliotēka: 2021. gada atskaite")
    expect(card).to_contain_text("nav sākts")
    expect(card).to_contain_text("termiņš")
    assert_accessible(page)
    screenshot(page, "home-reporter-1280")
    clicks = 0
    card.get_by_role("button", name="Sākt atskaiti").click()
    clicks += 1
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sedas bibliotēka")
    assert clicks == 1
    report = Report.objects.get(unit=world.library_a, period=open_year)
    assert page.url.endswith(f"/n/{world.network.slug}/reports/{report.pk}/")
    # Back home: the started report is one click away too, with how far it is.
    page.get_by_role("navigation", name="Galvenā izvēlne").get_by_role("link", name="Sākums").click()
    card = page.get_by_role("region", name="Sedas bibliotēka: 2021. gada atskaite")
    expect(card).to_contain_text("Aizpildīti 0 no")
    card.get_by_role("link", name="Turpināt atskaiti").click()
    assert page.url.endswith(f"/reports/{report.pk}/")


def test_the_reporter_sees_the_returned_comments_on_her_home(phone_page, world, open_year, reporter_a, methodologist):
    from parskats.review.workflow import comment_on_report, return_report

    report = clean_submitted(world.library_a, open_year, reporter_a)
    comment_on_report(methodologist, report, "Vai apmeklējumu tiešām bija tieši 1000?", "visits")
    return_report(methodologist, report, "Lūdzu, pārbaudiet apmeklējumus.")
    log_in(phone_page, reporter_a.email, PASSWORD)
    card = phone_page.get_by_role("region", name="Sedas bibliotēka: 2021. gada atskaite")
    expect(card).to_contain_text("Apmeklējumu kopskaits: Vai apmeklējumu tiešām bija tieši 1000?")
    expect(card).to_contain_text("Lūdzu, pārbaudiet apmeklējumus.")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(phone_page)
    screenshot(phone_page, "home-reporter-returned-390")


@pytest.mark.parametrize("width", [1280, 360])
def test_the_methodologist_approves_in_three_clicks(
    browser, live_server, width, world, open_year, reporter_a, reporter_b, methodologist
):
    first = clean_submitted(world.library_b, open_year, reporter_b)  # waits longest: reviewed first
    clean_submitted(world.library_a, open_year, reporter_a)
    context = browser.new_context(
        base_url=live_server.url, locale="lv-LV", viewport={"width": width, "height": 800 if width > 400 else 640}
    )
    page = context.new_page()
    log_in(page, methodologist.email, PASSWORD)
    expect(page.get_by_role("heading", name="2021. gads īsumā")).to_be_visible()
    assert_accessible(page)
    screenshot(page, f"home-methodologist-{width}")
    clicks = 0
    page.get_by_role("link", name="Pārbaudīt nākamo atskaiti: Ērģemes pagasta bibliotēka").click()
    clicks += 1
    expect(page.get_by_role("heading", level=1)).to_have_text("Ērģemes pagasta bibliotēka — 2021")
    approve = page.get_by_role("button", name="Apstiprināt", exact=True)
    view_shot(page, f"review-{width}")
    assert in_view_without_scrolling(page, approve), f"the decision needs scrolling at {width} px"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_accessible(page)
    approve.click()
    clicks += 1
    dialog = page.get_by_role("dialog", name="Apstiprināt atskaiti?")
    expect(dialog).to_contain_text("Tiks apstiprināta un slēgta 2021. gada atskaite: Ērģemes pagasta bibliotēka.")
    assert_accessible(page)
    view_shot(page, f"review-confirm-{width}")
    dialog.get_by_role("button", name="Jā, apstiprināt").click()
    clicks += 1
    expect(page.get_by_role("status")).to_contain_text("apstiprināta un slēgta")
    first.refresh_from_db()
    assert first.status == Report.Status.APPROVED and clicks <= 3
    # The next report waiting is one click on.
    page.get_by_role("link", name="Nākamā gaidošā atskaite: Sedas bibliotēka").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sedas bibliotēka — 2021")
    context.close()


def test_a_cancelled_confirmation_changes_nothing(page, world, open_year, reporter_a, methodologist):
    report = clean_submitted(world.library_a, open_year, reporter_a)
    log_in(page, methodologist.email, PASSWORD)
    page.goto(f"/n/{world.network.slug}/review/reports/{report.pk}/")
    page.get_by_role("button", name="Apstiprināt", exact=True).click()
    page.get_by_role("dialog").get_by_role("button", name="Atcelt").click()
    expect(page.get_by_role("dialog")).to_be_hidden()
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED


def tab_to(page: Page, name: str, limit: int = 60) -> None:
    """Press Tab until the focused element's accessible text starts with the name."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        text = page.evaluate("(document.activeElement.innerText || document.activeElement.value || '').trim()")
        if text.startswith(name):
            return
    raise AssertionError(f"Tab never reached “{name}”")


def test_keyboard_alone_from_login_to_a_decision(page, world, open_year, reporter_a, reporter_b, methodologist):
    first = clean_submitted(world.library_b, open_year, reporter_b)
    second = clean_submitted(world.library_a, open_year, reporter_a)
    log_in(page, methodologist.email, PASSWORD)
    tab_to(page, "Pārbaudīt nākamo atskaiti")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ērģemes pagasta bibliotēka — 2021")
    tab_to(page, "Apstiprināt")
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog")).to_be_visible()
    page.keyboard.press("Enter")  # the dialog's "yes" has the focus
    expect(page.get_by_role("status")).to_contain_text("apstiprināta un slēgta")
    first.refresh_from_db()
    assert first.status == Report.Status.APPROVED
    # The next one is returned with a general comment, still from the keyboard.
    tab_to(page, "Nākamā gaidošā atskaite")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sedas bibliotēka — 2021")
    tab_to(page, "Apstiprināt")
    page.keyboard.press("Tab")  # on to the general comment
    page.keyboard.type("Lūdzu, pārbaudiet apmeklējumus.")
    tab_to(page, "Atgriezt bibliotēkai")
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Atgriezt atskaiti bibliotēkai?")
    expect(dialog).to_contain_text("Sedas bibliotēka saņems e-pastu ar 0 komentāriem pie laukiem")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("atgriezta bibliotēkai")
    second.refresh_from_db()
    assert second.status == Report.Status.RETURNED
    expect(page.get_by_text("Citas atskaites pārbaudi negaida.")).to_be_visible()


def test_choose_all_and_approve_on_the_board(page, world, open_year, reporter_a, reporter_b, methodologist):
    clean_submitted(world.library_a, open_year, reporter_a)
    clean_submitted(world.library_b, open_year, reporter_b)
    log_in(page, methodologist.email, PASSWORD)
    page.get_by_role("navigation", name="Galvenā izvēlne").get_by_role("link", name="Iesniegšanas gaita").click()
    page.get_by_label("Izvēlēties visas atskaites bez neatrisinātām problēmām").check()
    expect(page.get_by_label("Apstiprināt: Sedas bibliotēka")).to_be_checked()
    expect(page.get_by_label("Apstiprināt: Ērģemes pagasta bibliotēka")).to_be_checked()
    assert_accessible(page)
    screenshot(page, "board-1280")
    page.get_by_role("button", name="Apstiprināt izvēlētās atskaites").click()
    dialog = page.get_by_role("dialog", name="Apstiprināt izvēlētās atskaites?")
    expect(dialog).to_contain_text("Izvēlētās atskaites: 2.")
    dialog.get_by_role("button", name="Jā, apstiprināt").click()
    expect(page.get_by_role("status")).to_contain_text("2")
    assert Report.objects.filter(status=Report.Status.APPROVED).count() == 2


def test_a_comment_typed_on_a_field_goes_with_the_return(page, world, open_year, reporter_a, methodologist):
    report = clean_submitted(world.library_a, open_year, reporter_a)
    log_in(page, methodologist.email, PASSWORD)
    page.goto(f"/n/{world.network.slug}/review/reports/{report.pk}/")
    row = page.locator("#field-visits")
    row.get_by_text("Komentēt").click()
    row.get_by_label("Komentārs pie „Apmeklējumu kopskaits“").fill("Vai tiešām 1000?")  # typed, not saved
    page.get_by_role("button", name="Atgriezt bibliotēkai").click()
    dialog = page.get_by_role("dialog", name="Atgriezt atskaiti bibliotēkai?")
    expect(dialog).to_contain_text("vēl nesaglabātie komentāri, kas tiks nosūtīti līdz ar to: 1")
    assert_accessible(page)
    dialog.get_by_role("button", name="Jā, atgriezt").click()
    expect(page.get_by_role("status")).to_contain_text("atgriezta bibliotēkai")
    report.refresh_from_db()
    assert report.status == Report.Status.RETURNED
    assert report.review_comments.get(target="visits").text == "Vai tiešām 1000?"
