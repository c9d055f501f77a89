"""A reporter fills and submits a whole report with the keyboard alone (Tab, typing, Enter; no mouse
from the form page on): empty fields read "not filled yet" until she leaves them, the filled count
follows her, the submit dialog says what is sent and takes Enter."""

import pytest
from playwright.sync_api import expect

from parskats.audit.models import AuditEntry
from parskats.reporting.checks import form_indicators
from parskats.reporting.models import Report, Value

from ..factories import PASSWORD
from .conftest import assert_accessible, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A consistent report: these figures, "not applicable" chosen in the selector for every other field.
FIGURES = {"users": "100", "users_u18": "20", "visits": "1 000", "visits_inperson": "800",
           "visits_virtual": "200", "population": "1000", "loans": "3000"}  # fmt: skip


def focused(page):
    return page.evaluate(
        "() => { const e = document.activeElement; return {id: e.id, tag: e.tagName, text: e.textContent.trim(),"
        " disabled: e.disabled, value: e.value}; }"
    )


@pytest.fixture
def report(world, reporter_a):
    return Report.objects.create(unit=world.library_a, period=world.periods[2021])


def test_a_whole_report_by_keyboard_alone(page, report, reporter_a):
    log_in(page, reporter_a.email, PASSWORD)
    page.goto(f"/n/testa/reports/{report.pk}/")
    fields = len(form_indicators(report))
    expect(page.locator("#progress-total")).to_have_text(f"Aizpildīti 0 no {fields} laukiem")
    first = page.locator("#checks-users")
    expect(first.locator(".when-untouched")).to_be_visible()  # neutral, not red
    expect(first.locator(".when-touched")).to_be_hidden()

    presses, filled = 0, set()
    while presses < 600:
        page.keyboard.press("Tab")
        presses += 1
        now = focused(page)
        if now["id"] == "submit-open":
            break
        if now["id"].startswith("v-") and now["id"][2:] in FIGURES:
            code = now["id"][2:]
            page.keyboard.type(FIGURES[code])
            page.keyboard.press("Tab")  # leaves the field (saves it) for its kind selector
            presses += 1
            expect(page.locator(f"#status-{code}")).to_contain_text("saglabāts")
            filled.add(code)
        elif now["id"].startswith("kind-") and now["id"][5:] not in FIGURES and not now["disabled"]:
            code = now["id"][5:]
            if code in filled:
                continue
            page.keyboard.type("neat")  # the select's type-ahead picks "neattiecas"
            expect(page.locator(f"#status-{code}")).to_contain_text("saglabāts")
            filled.add(code)
    assert now["id"] == "submit-open", f"the submit button was not reached by Tab ({presses} presses)"
    assert filled == {i.code for i in form_indicators(report)}
    expect(page.locator("#progress-total")).to_have_text(f"Aizpildīti {fields} no {fields} laukiem")
    assert page.locator(".toc-count.is-complete").count() == page.locator(".form-section").count()
    screenshot(page, "report-form-keyboard-filled")

    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Iesniegt atskaiti?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(f"Aizpildīti {fields} no {fields} laukiem")
    assert focused(page)["text"] == "Iesniegt"  # the dialog's own button has the focus
    assert_accessible(page)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Atskaite iesniegta.")).to_be_visible()
    report.refresh_from_db()
    assert report.status == "submitted"
    assert Value.objects.get(report=report, indicator__code="visits").number == 1000
    assert Value.objects.filter(report=report, code="na").count() == fields - len(FIGURES)
    assert AuditEntry.objects.filter(report=report, action="status", new="submitted").count() == 1
    print(f"keyboard journey: {presses} Tab presses to the submit button, 2 Enter presses to submit")


def test_leaving_an_empty_field_shows_its_error_and_a_tried_submit_shows_all(page, report, reporter_a):
    log_in(page, reporter_a.email, PASSWORD)
    page.goto(f"/n/testa/reports/{report.pk}/")
    page.locator("#v-users").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # out of the row: users is touched
    expect(page.locator("#checks-users .when-touched")).to_be_visible()
    expect(page.locator("#v-users")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#checks-visits .when-untouched")).to_be_visible()  # not reached yet
    page.locator("#submit-open").focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Atskaiti vēl nevar iesniegt")
    expect(dialog).to_be_visible()
    expect(page.locator("#checks-visits .when-touched")).to_be_attached()
    assert page.locator(".report-form.tried").count() == 1
    assert_accessible(page)
    page.keyboard.press("Enter")  # "Back to the form"
    expect(dialog).to_be_hidden()
    expect(page.locator("#checks-visits .when-touched")).to_be_visible()  # tried: every error shows
    assert Report.objects.get(pk=report.pk).status == "draft"
