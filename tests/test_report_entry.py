"""Saving values (one function for every channel), version conflicts, checks and submission."""

from decimal import Decimal

import pytest
from django.utils import translation

from parskats.audit.models import AuditEntry
from parskats.catalogue.models import CheckRule
from parskats.reporting.checks import blocking, run_checks
from parskats.reporting.entry import EntryError, VersionConflict, save_value
from parskats.reporting.models import Activity, Explanation, Report, Value
from parskats.reporting.signals import report_submitted
from parskats.reporting.submission import SubmissionError, submit_report
from tests.factories import report_with


@pytest.fixture(autouse=True)
def _latvian():
    """Messages in Latvian, whatever language an earlier request left active in this thread."""
    with translation.override("lv"):
        yield


@pytest.fixture
def report(world):
    return Report.objects.create(unit=world.library_a, period=world.periods[2021])


def test_latvian_numbers_codes_and_audit(report, reporter_a):
    value = save_value(reporter_a, report, "visits", "12\u00a0345", 0)
    assert value.number == Decimal(12345) and value.version == report.version
    save_value(reporter_a, report, "staff_fte", "1 234,5", 0)
    assert Value.objects.get(report=report, indicator__code="staff_fte").number == Decimal("1234.5")
    na = save_value(reporter_a, report, "ebook_loans", "nav attiecināms", 0)
    assert na.code == "na" and na.number is None
    entry = AuditEntry.objects.filter(report=report, target="visits").get()
    assert (entry.action, entry.old, entry.new, entry.channel, entry.actor) == (
        "value",
        None,
        "12345",
        "form",
        reporter_a,
    )


@pytest.mark.parametrize(
    ("code", "raw", "message"),
    [
        ("visits", "daudz", "nav skaitlis"),
        ("visits", "12,5", "vesels skaitlis"),
        ("staff_fte", "1,23456", "trīs"),
        ("expenditure", "1234,567", "divas zīmes aiz komata"),
        ("visits", "9" * 20, "pārāk liels"),
        ("visits", "=A1+1", "nav skaitlis"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(report, reporter_a, code, raw, message):
    with pytest.raises(EntryError) as error:
        save_value(reporter_a, report, code, raw, 0)
    assert message in error.value.message
    assert not Value.objects.filter(report=report).exists()
    assert not AuditEntry.objects.filter(report=report).exists()


def test_money_takes_cents_and_names_the_rounded_amount(report, reporter_a):
    with pytest.raises(EntryError) as error:
        save_value(reporter_a, report, "expenditure", "1234,565", 0)
    assert error.value.message.endswith("1\u00a0234,57.")
    assert not Value.objects.filter(report=report).exists()
    save_value(reporter_a, report, "expenditure", "1234,56", 0)
    assert Value.objects.get(report=report, indicator__code="expenditure").number == Decimal("1234.56")
    assert AuditEntry.objects.filter(report=report, target="expenditure").count() == 1


def test_a_field_not_on_the_form_is_refused(report, reporter_a):
    with pytest.raises(EntryError):
        save_value(reporter_a, report, "collection_textbooks", "5", 0)  # school libraries only


def test_the_second_stale_save_is_refused_with_both_values(report, reporter_a, methodologist):
    first = save_value(reporter_a, report, "loans", "100", 0)
    seen = first.version
    save_value(methodologist, report, "loans", "150", seen)
    with pytest.raises(VersionConflict) as conflict:
        save_value(reporter_a, report, "loans", "120", seen)
    assert "150" in conflict.value.message and "120" in conflict.value.message
    assert Value.objects.get(report=report, indicator__code="loans").number == 150
    # Another field is not blocked by the conflict.
    save_value(reporter_a, report, "visits", "5", 0)


def test_emptying_and_refilling_never_reuses_a_version(report, reporter_a, methodologist):
    stale = save_value(reporter_a, report, "loans", "100", 0).version
    save_value(methodologist, report, "loans", "", stale)
    refilled = save_value(methodologist, report, "loans", "90", 0)
    assert refilled.version != stale
    with pytest.raises(VersionConflict):
        save_value(reporter_a, report, "loans", "80", stale)


def test_a_submitted_report_cannot_be_changed(report, reporter_a):
    report.status = Report.Status.SUBMITTED
    report.save()
    with pytest.raises(EntryError):
        save_value(reporter_a, report, "loans", "1", 0)


def codes(results):
    return {(r.code, r.field) for r in results}


def test_checks_errors_and_warnings(world, reporter_a):
    report_with(world.library_a, world.periods[2020], visits=1000, visits_inperson=900, visits_virtual=100)
    report = report_with(
        world.library_a, world.periods[2021], users=100, users_u18=120, visits=2000, visits_inperson=-5,
        visits_virtual=2005, staff_fte=3, staff=2,
    )  # fmt: skip
    found = codes(run_checks(report))
    assert ("part-within-total", "users_u18") in found
    assert ("not-negative", "visits_inperson") in found
    assert ("required", "loans") in found
    assert ("year-over-year", "visits") in found
    assert ("staff-fte", "staff_fte") in found
    assert ("visits-parts-sum", "visits") not in found  # 2005 - 5 == 2000
    assert ("required", "collection_textbooks") not in found  # not on a public library's form
    assert CheckRule.objects.get(code="year-over-year").severity == "warning"


def test_activity_list_is_compared_with_the_event_count(world, reporter_a):
    report = report_with(world.library_a, world.periods[2021], events=1, event_attendance=5)
    for title in ("Dzejas vakars", "Lasīšanas stunda"):
        Activity.objects.create(report=report, title=title, date="2021-03-05", mode="in_person", attendance=10)
    assert {("activities-count", "events"), ("activities-attendance", "event_attendance")} <= codes(run_checks(report))


def fill_clean(report, user):
    """Every field of the form, consistent with itself."""
    from parskats.reporting.checks import form_indicators

    for indicator in form_indicators(report):
        save_value(user, report, indicator.code, "na", None)
    for code, raw in {"users": "100", "users_u18": "20", "visits": "1000", "visits_inperson": "800",
                      "visits_virtual": "200", "population": "1000", "loans": "3000"}.items():  # fmt: skip
        save_value(user, report, code, raw, None)


def test_submit_needs_no_errors_and_explained_warnings(world, reporter_a):
    report = Report.objects.create(unit=world.library_a, period=world.periods[2021])
    with pytest.raises(SubmissionError) as blocked:
        submit_report(reporter_a, report)
    assert any(r.code == "required" for r in blocked.value.results)
    fill_clean(report, reporter_a)
    save_value(reporter_a, report, "loans", "50000", None)  # 50 loans per inhabitant: a warning
    warnings = blocking(run_checks(report))
    assert [(w.code, w.severity) for w in warnings] == [("loans-per-capita", "warning")]
    with pytest.raises(SubmissionError):
        submit_report(reporter_a, report)
    Explanation.objects.create(
        report=report, check_code="loans-per-capita", indicator_code="loans", category="correct", text="Skolas."
    )
    heard = []
    report_submitted.connect(lambda sender, **kw: heard.append(kw["report"].pk), weak=False, dispatch_uid="t")
    try:
        submit_report(reporter_a, report)
    finally:
        report_submitted.disconnect(dispatch_uid="t")
    report.refresh_from_db()
    assert report.status == "submitted" and report.submitted_at
    entry = AuditEntry.objects.get(report=report, action="status")
    assert (entry.old, entry.new) == ("draft", "submitted")


def test_another_librarys_reporter_cannot_submit(world, reporter_b):
    report = Report.objects.create(unit=world.library_a, period=world.periods[2021])
    with pytest.raises(SubmissionError):
        submit_report(reporter_b, report)
    assert Report.objects.get(pk=report.pk).status == "draft"
