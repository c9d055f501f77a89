"""In a real browser: a reporter fills part of the form, reloads and finds it saved, fixes an error,
explains a warning and submits; the form works by keyboard and at phone width; WCAG 2.1 AA."""

import pytest
from playwright.sync_api import expect

from parskats.reporting.models import Report, Value

from ..factories import PASSWORD
from ..test_report_entry import fill_clean
from .conftest import assert_accessible, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def report(world, reporter_a):
    report = Report.objects.create(unit=world.library_a, period=world.periods[2021])
    fill_clean(report, reporter_a)
    Value.objects.filter(report=report, indicator__code__in=["users_u18", "loans"]).delete()
    return report


def type_into(page, code, text):
    field = page.locator(f"#v-{code}")
    field.fill("")
    field.press_sequentially(text)
    field.press("Tab")  # leaving the field saves at once; typing alone saves after a pause
    expect(page.locator(f"#status-{code}")).to_contain_text("saglabāts")


def test_fill_reload_fix_explain_submit(page, report, reporter_a):
    log_in(page, reporter_a.email, PASSWORD)
    page.goto(f"/n/testa/reports/{report.pk}/")
    assert_accessible(page)
    type_into(page, "users_u18", "150")
    expect(page.locator("#checks-users_u18")).to_contain_text("lielāka par kopskaitu")
    page.reload()
    expect(page.locator("#v-users_u18")).to_have_value("150")
    type_into(page, "users_u18", "20")
    expect(page.locator("#checks-users_u18")).to_be_empty()
    type_into(page, "loans", "50 000")
    warning = page.locator("#explain-loans-per-capita-loans")
    expect(warning).to_contain_text("ticamajām robežām")
    warning.get_by_label("Iemesls").select_option("correct")
    warning.get_by_label("Paskaidrojums").fill("Skolēni lasa ļoti daudz.")
    warning.get_by_role("button", name="Saglabāt paskaidrojumu").click()
    expect(page.locator("#explain-loans-per-capita-loans")).to_contain_text("paskaidrots")
    assert_accessible(page)
    screenshot(page, "report-form-laptop")
    page.get_by_role("link", name="Iesniegt atskaiti…").click()
    dialog = page.get_by_role("dialog", name="Iesniegt atskaiti?")
    expect(dialog).to_be_visible()
    assert_accessible(page)
    dialog.get_by_role("button", name="Iesniegt", exact=True).click()
    expect(page.get_by_text("Atskaite iesniegta.")).to_be_visible()
    assert Report.objects.get(pk=report.pk).status == "submitted"
    assert Value.objects.get(report=report, indicator__code="loans").number == 50000


def test_keyboard_alone_and_not_applicable(page, report, reporter_a):
    log_in(page, reporter_a.email, PASSWORD)
    page.goto(f"/n/testa/reports/{report.pk}/")
    page.locator("#v-loans").focus()
    page.keyboard.type("1234,0")
    page.keyboard.press("Tab")  # to the kind selector
    expect(page.locator("#status-loans")).to_contain_text("saglabāts")
    assert page.evaluate("document.activeElement.id") == "kind-loans"
    page.keyboard.press("Shift+Tab")
    page.locator("#kind-users_u18").select_option("unknown")
    expect(page.locator("#status-users_u18")).to_contain_text("saglabāts")
    expect(page.locator("#v-users_u18")).to_be_disabled()
    value = Value.objects.get(report=report, indicator__code="users_u18")
    assert value.code == "unknown" and value.number is None
    assert Value.objects.get(report=report, indicator__code="loans").number == 1234


def test_phone_width(phone_page, report, reporter_a):
    log_in(phone_page, reporter_a.email, PASSWORD)
    phone_page.goto(f"/n/testa/reports/{report.pk}/")
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    type_into(phone_page, "users_u18", "10")
    assert_accessible(phone_page)
    screenshot(phone_page, "report-form-phone")
    phone_page.get_by_role("link", name="Pievienot pasākumu").click()
    expect(phone_page.get_by_role("heading", name="Pievienot pasākumu")).to_be_visible()
    assert_accessible(phone_page)
    phone_page.go_back()
    phone_page.get_by_role("link", name="Pievienot fotoattēlu").click()
    assert_accessible(phone_page)


def test_two_people_on_one_field_see_the_conflict(browser, live_server, page, report, reporter_a, methodologist):
    log_in(page, reporter_a.email, PASSWORD)
    page.goto(f"/n/testa/reports/{report.pk}/")
    other_context = browser.new_context(base_url=live_server.url, locale="lv-LV")
    other = other_context.new_page()
    log_in(other, methodologist.email, PASSWORD)
    other.goto(f"/n/testa/reports/{report.pk}/")
    type_into(page, "visits_virtual", "250")
    field = other.locator("#v-visits_virtual")
    field.fill("300")
    field.press("Tab")
    status = other.locator("#status-visits_virtual")
    expect(status).to_contain_text("tagad tajā ir 250")
    expect(status).to_contain_text("jūs ievadījāt 300")
    assert Value.objects.get(report=report, indicator__code="visits_virtual").number == 250
    status.get_by_role("button", name="Saglabāt manu vērtību").click()
    expect(status).to_contain_text("saglabāts")
    assert Value.objects.get(report=report, indicator__code="visits_virtual").number == 300
    other_context.close()
