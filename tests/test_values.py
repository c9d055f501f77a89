"""A value is a number or a code ("not applicable", "unknown"); a code is never zero."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from parskats.catalogue.models import Indicator
from parskats.reporting.models import Report, Value

from .factories import report_with


def test_codes_are_stored_apart_from_numbers(world):
    report = report_with(world.library_a, world.periods[2020], users=0, visits="unknown", ebook_loans="na")
    values = {v.indicator.code: v for v in report.values.select_related("indicator")}
    assert values["users"].numeric == Decimal("0")
    assert values["visits"].numeric is None and values["visits"].code == Value.Code.UNKNOWN
    assert values["ebook_loans"].numeric is None and values["ebook_loans"].code == Value.Code.NOT_APPLICABLE
    assert Value.objects.filter(report=report, number=0).count() == 1


@pytest.mark.parametrize(
    ("code", "number"),
    [("na", Decimal("0")), ("unknown", Decimal("5")), ("num", None), ("zero", Decimal("1"))],
)
def test_the_database_refuses_a_code_with_a_number_or_a_number_without_one(world, code, number):
    report = Report.objects.create(unit=world.library_a, period=world.periods[2020])
    indicator = Indicator.objects.get(survey=world.survey, code="users")
    with pytest.raises(IntegrityError), transaction.atomic():
        Value.objects.create(report=report, indicator=indicator, code=code, number=number)


def test_one_value_per_indicator_per_report(world):
    report = report_with(world.library_a, world.periods[2020], users=10)
    indicator = Indicator.objects.get(survey=world.survey, code="users")
    with pytest.raises(IntegrityError), transaction.atomic():
        Value.objects.create(report=report, indicator=indicator, number=11)


def test_one_report_per_library_and_period(world):
    Report.objects.create(unit=world.library_a, period=world.periods[2020])
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(unit=world.library_a, period=world.periods[2020])
