"""In a real browser: the review round and the completeness board, checked with axe (WCAG 2.1 AA)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from parskats.reporting.models import Report

from ..factories import PASSWORD
from ..test_report_entry import fill_clean
from ..test_review_workflow import clean_submitted
from .conftest import assert_accessible, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_review_round(browser, live_server, world, reporter_a, methodologist):
    """Reporter submits, methodologist returns with a field comment, reporter fixes and resubmits,
    methodologist approves, the values are then locked."""
    report = Report.objects.create(unit=world.library_a, period=world.periods[2021])
    fill_clean(report, reporter_a)  # every field filled through the report form's entry, visits 1000
    net = world.network.slug

    reporter = browser.new_context(
        base_url=live_server.url, locale="lv-LV", viewport={"width": 390, "height": 844}, is_mobile=True
    )
    phone = reporter.new_page()
    log_in(phone, reporter_a.email, PASSWORD)
    phone.goto(f"/n/{net}/reports/{report.pk}/")
    phone.get_by_role("link", name="Iesniegt atskaiti…").click()  # the dialog says what is sent
    phone.get_by_role("dialog").get_by_role("button", name="Iesniegt", exact=True).click()
    expect(phone.get_by_text("iesniegta", exact=True).first).to_be_visible()

    admin = browser.new_context(base_url=live_server.url, locale="lv-LV", viewport={"width": 1280, "height": 900})
    page = admin.new_page()
    log_in(page, methodologist.email, PASSWORD)
    page.goto(f"/n/{net}/review/?year=2021")
    expect(page.get_by_role("heading", name="Iesniegšanas gaita 2021")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "review-board")
    page.get_by_role("link", name="Sedas bibliotēka", exact=True).click()
    expect(page.get_by_role("heading", name="Sedas bibliotēka — 2021")).to_be_visible()
    assert_accessible(page)
    # A comment on the field, then return with a general comment.
    row = page.locator("#field-visits")
    row.get_by_text("Komentēt").click()
    row.get_by_label("Komentārs pie „Apmeklējumu kopskaits“").fill("Vai apmeklējumu tiešām bija tieši 1000?")
    row.get_by_role("button", name="Saglabāt komentāru").click()
    expect(page.locator("#field-visits")).to_contain_text("vēl nav nosūtīts")
    page.get_by_label("Vispārīgs komentārs bibliotēkai").fill("Lūdzu, pārbaudiet apmeklējumus.")
    page.get_by_role("button", name="Atgriezt bibliotēkai").click()
    page.get_by_role("dialog").get_by_role("button", name="Jā, atgriezt").click()
    expect(page.get_by_text("Atskaite ar jūsu komentāriem atgriezta bibliotēkai.")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "review-returned")

    phone.goto(f"/n/{net}/review/reports/{report.pk}/feedback/")
    expect(phone.get_by_text("Vai apmeklējumu tiešām bija tieši 1000?")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(phone)
    screenshot(phone, "review-feedback-phone")
    # The reporter fixes the value in the form (autosave) and submits again.
    phone.goto(f"/n/{net}/reports/{report.pk}/")
    phone.locator("#v-visits").fill("1 040")
    phone.locator("#v-visits_inperson").fill("840")
    expect(phone.locator("#status-visits_inperson")).not_to_be_empty()
    phone.get_by_role("link", name="Iesniegt atskaiti…").click()  # the dialog says what is sent
    phone.get_by_role("dialog").get_by_role("button", name="Iesniegt", exact=True).click()
    expect(phone.get_by_text("iesniegta", exact=True).first).to_be_visible()
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED

    page.goto(f"/n/{net}/review/reports/{report.pk}/")
    expect(page.locator("#field-visits")).to_contain_text("1 040")
    page.get_by_role("button", name="Apstiprināt", exact=True).click()
    page.get_by_role("dialog").get_by_role("button", name="Jā, apstiprināt").click()
    expect(page.get_by_text("Atskaite ir apstiprināta un slēgta.")).to_be_visible()
    expect(page.get_by_role("button", name="Atvērt atskaiti atkārtoti")).to_be_visible()
    # The value's history in its popover (htmx): the reporter's two saves and the old value.
    page.locator("#field-visits summary", has_text="Vēsture").click()
    popover = page.locator("#field-visits .popover-body")
    expect(popover.get_by_role("table")).to_be_visible()
    expect(popover).to_contain_text("1 040")
    expect(popover).to_contain_text("veidlapa")
    assert_accessible(page)
    screenshot(page, "review-approved")

    # Locked: the reporter's form is read-only and a forged save changes nothing.
    phone.goto(f"/n/{net}/reports/{report.pk}/")
    expect(phone.locator("#v-visits")).to_have_attribute("readonly", "")
    report.refresh_from_db()
    assert report.status == Report.Status.APPROVED and report.is_locked
    assert report.values.get(indicator__code="visits").number == 1040
    admin.close()
    reporter.close()


def test_bulk_approve_on_the_board(page, world, reporter_a, reporter_b, methodologist):
    clean_submitted(world.library_a, world.periods[2021], reporter_a)
    clean_submitted(world.library_b, world.periods[2021], reporter_b)
    log_in(page, methodologist.email, PASSWORD)
    page.goto(f"/n/{world.network.slug}/review/?year=2021")
    page.get_by_label("Apstiprināt: Sedas bibliotēka").check()
    page.get_by_label("Apstiprināt: Ērģemes pagasta bibliotēka").check()
    page.get_by_role("button", name="Apstiprināt izvēlētās atskaites").click()
    page.get_by_role("dialog").get_by_role("button", name="Jā, apstiprināt").click()
    # She lands on the notices job's page (how far the emails got), then goes back to the board.
    expect(page.get_by_text("Apstiprinātas 2 atskaites.")).to_be_visible()
    assert Report.objects.filter(status="approved").count() == 2
    page.get_by_role("main").get_by_role("link", name="Atpakaļ").click()
    page.get_by_label("Statuss").select_option("not_started")
    page.get_by_role("button", name="Rādīt").click()
    expect(page.get_by_role("row", name="Valkas pamatskolas bibliotēka")).to_be_visible()
    expect(page.get_by_role("row", name="Sedas bibliotēka")).to_have_count(0)
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Lejupielādēt XLSX").click()
    assert download.value.suggested_filename == f"{world.network.slug}-2021-board.xlsx"


def test_management_and_history_pages_are_accessible(page, world, reporter_a, methodologist):
    report = clean_submitted(world.library_a, world.periods[2021], reporter_a)
    log_in(page, methodologist.email, PASSWORD)
    net = world.network.slug
    for url, heading in (
        (f"/n/{net}/review/people/", "Cilvēki"),
        (f"/n/{net}/review/libraries/", "Bibliotēkas"),
        (f"/n/{net}/review/libraries/seda/", "Sedas bibliotēka"),
        (f"/n/{net}/review/years/", "Atskaites gadi"),
        (f"/n/{net}/review/years/{world.periods[2021].pk}/", "2021"),
        (f"/n/{net}/review/reports/{report.pk}/history/", "Izmaiņu vēsture"),
        (f"/n/{net}/review/reports/{report.pk}/history/visits/", "„Apmeklējumu kopskaits“ vēsture"),
    ):
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        assert_accessible(page)
    # Invite a reporter: a form error first (no library), then the invitation.
    page.goto(f"/n/{net}/review/people/")
    page.get_by_label("E-pasts").fill("jauna@example.org")
    page.get_by_label("Vārds").fill("Jaunā Parauga")
    page.get_by_role("button", name="Nosūtīt ielūgumu").click()
    expect(page.get_by_text("Atskaitītājam jābūt piesaistītam bibliotēkai.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Bibliotēka (atskaitītājam)").select_option(label="Sedas bibliotēka")
    page.get_by_role("button", name="Nosūtīt ielūgumu").click()
    expect(page.get_by_text("Ielūgums nosūtīts uz jauna@example.org.")).to_be_visible()
    screenshot(page, "review-people")
