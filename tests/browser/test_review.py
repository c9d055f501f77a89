"""In a real browser: the review round and the completeness board, checked with axe (WCAG 2.1 AA)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from parskats.audit.models import record
from parskats.reporting.models import Report

from ..factories import PASSWORD, report_with
from .conftest import assert_accessible, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def submit(report: Report, actor) -> None:
    old = report.status
    Report.objects.filter(pk=report.pk).update(status=Report.Status.SUBMITTED, submitted_at=timezone.now())
    record(
        actor=actor,
        channel="form",
        action="status",
        network=report.period.network,
        report=report,
        target="status",
        old=old,
        new="submitted",
    )


def test_review_round(browser, live_server, world, reporter_a, methodologist):
    report_with(world.library_a, world.periods[2020], visits=1000, loans=3000)
    report = report_with(world.library_a, world.periods[2021], visits=1420, loans=3100)
    record(
        actor=reporter_a,
        channel="spreadsheet",
        action="value",
        network=world.network,
        report=report,
        target="visits",
        old=None,
        new={"number": "1420"},
    )
    submit(report, reporter_a)
    net = world.network.slug

    admin = browser.new_context(base_url=live_server.url, locale="lv-LV", viewport={"width": 1280, "height": 900})
    page = admin.new_page()
    log_in(page, methodologist.email, PASSWORD)
    page.goto(f"/n/{net}/review/?year=2021")
    expect(page.get_by_role("heading", name="Iesniegšanas pārskats 2021")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "review-board")
    page.get_by_role("link", name="Sedas bibliotēka").click()
    expect(page.get_by_role("heading", name="Sedas bibliotēka — 2021")).to_be_visible()
    row = page.locator("#field-visits")
    expect(row).to_contain_text("+42,0")
    assert_accessible(page)
    # A comment on the field, then return with a general comment.
    row.get_by_text("Komentēt").click()
    row.get_by_label("Komentārs pie “Apmeklējumu kopskaits”").fill("Kāpēc apmeklējumu ir par 42 % vairāk?")
    row.get_by_role("button", name="Saglabāt komentāru").click()
    expect(page.locator("#field-visits")).to_contain_text("vēl nav nosūtīts")
    page.get_by_label("Vispārīgs komentārs bibliotēkai").fill("Lūdzu, pārbaudiet apmeklējumus.")
    page.get_by_role("button", name="Atgriezt bibliotēkai").click()
    expect(page.get_by_text("Pārskats ar jūsu komentāriem atgriezts bibliotēkai.")).to_be_visible()
    screenshot(page, "review-returned")

    reporter = browser.new_context(
        base_url=live_server.url, locale="lv-LV", viewport={"width": 390, "height": 844}, is_mobile=True
    )
    phone = reporter.new_page()
    log_in(phone, reporter_a.email, PASSWORD)
    phone.goto(f"/n/{net}/review/reports/{report.pk}/feedback/")
    expect(phone.get_by_text("Kāpēc apmeklējumu ir par 42 % vairāk?")).to_be_visible()
    expect(phone.get_by_text("atgriezts", exact=True)).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(phone)
    screenshot(phone, "review-feedback-phone")

    # The library fixes the value and submits again (issue 3's form; here through the model).
    report.values.filter(indicator__code="visits").update(number=1240)
    submit(report, reporter_a)

    page.reload()
    page.get_by_role("button", name="Apstiprināt").click()
    expect(page.get_by_text("Pārskats ir apstiprināts un slēgts.")).to_be_visible()
    expect(page.get_by_role("heading", name="Atvērt atkārtoti")).to_be_visible()
    # The value's history in its popover (htmx).
    page.locator("#field-visits summary", has_text="Vēsture").click()
    popover = page.locator("#field-visits .popover-body")
    expect(popover.get_by_role("table")).to_be_visible()
    expect(popover).to_contain_text("izklājlapas augšupielāde")
    assert_accessible(page)
    screenshot(page, "review-approved")
    report.refresh_from_db()
    assert report.status == Report.Status.APPROVED and report.is_locked
    admin.close()
    reporter.close()


def test_bulk_approve_on_the_board(page, world, reporter_a, methodologist):
    for library in (world.library_a, world.library_b):
        submit(report_with(library, world.periods[2021], visits=10), reporter_a)
    log_in(page, methodologist.email, PASSWORD)
    page.goto(f"/n/{world.network.slug}/review/?year=2021")
    page.get_by_label("Apstiprināt: Sedas bibliotēka").check()
    page.get_by_label("Apstiprināt: Ērģemes pagasta bibliotēka").check()
    page.get_by_role("button", name="Apstiprināt izvēlētos pārskatus").click()
    expect(page.get_by_text("Apstiprināti 2 pārskati.")).to_be_visible()
    assert Report.objects.filter(status="approved").count() == 2
    page.get_by_label("Statuss").select_option("not_started")
    page.get_by_role("button", name="Rādīt").click()
    expect(page.get_by_role("row", name="Valkas pamatskolas bibliotēka")).to_be_visible()
    expect(page.get_by_role("row", name="Sedas bibliotēka")).to_have_count(0)
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Lejupielādēt XLSX").click()
    assert download.value.suggested_filename == f"{world.network.slug}-2021-board.xlsx"
    assert dt.date.today()  # the board's deadline column depends on today; rendering above did not fail
