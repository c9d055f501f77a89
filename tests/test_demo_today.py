"""The demo feels real whenever it is loaded: its years end with last year, open with a deadline ahead
or just past, nothing in it happened in the future, and each library writes its own stories."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from parskats.accounts.models import Role
from parskats.audit.models import AuditEntry
from parskats.reporting.checks import run_checks
from parskats.reporting.models import Activity, Narrative, Report, ReportingPeriod
from parskats.reporting.submission import submit_report
from parskats.site.demo import deadline_for, demo_years

from .conftest import client_for

pytestmark = pytest.mark.django_db

LATER = dt.date(2026, 12, 2)  # long after the usual deadline of 2025's reports


def test_the_years_end_with_last_year_and_the_open_deadline_is_near():
    assert demo_years(LATER) == list(range(2019, 2026))
    assert demo_years(dt.date(2023, 2, 1)) == [2019, 2020, 2021, 2022]
    # In the reporting season the usual 15 February stands, also a few days after it; later it moves ahead.
    assert deadline_for(2025, 2025, dt.date(2026, 1, 20)) == dt.date(2026, 2, 15)
    assert deadline_for(2025, 2025, dt.date(2026, 2, 20)) == dt.date(2026, 2, 15)
    assert deadline_for(2025, 2025, LATER) == LATER + dt.timedelta(days=14)
    assert deadline_for(2024, 2025, LATER) == dt.date(2025, 2, 15)


def test_a_demo_loaded_today_is_not_years_late_and_each_library_writes_its_own():
    call_command("load_demo", "--today", LATER.isoformat(), stdout=StringIO())
    periods = ReportingPeriod.objects.filter(network__slug="valka").order_by("year")
    assert [p.year for p in periods] == list(range(2019, 2026))
    open_year = periods.get(status=ReportingPeriod.Status.OPEN)
    assert open_year.year == 2025 and 0 < (open_year.deadline - LATER).days <= 14
    assert Report.objects.filter(period=open_year, status=Report.Status.SUBMITTED).exists()
    assert Report.objects.filter(period__year=2024).exclude(status=Report.Status.APPROVED).count() == 0
    assert not AuditEntry.objects.filter(at__gt=timezone.now()).exists()
    # No report past its draft lacks a value the survey requires, in any year the demo moved to; the
    # open year's returned report can be corrected and submitted again by its reporter.
    for report in Report.objects.exclude(status=Report.Status.DRAFT).filter(period__year__gte=2023):
        assert not [r.field for r in run_checks(report) if r.is_error], (report.period.year, report.unit.code)
    returned = Report.objects.filter(period=open_year, status=Report.Status.RETURNED).first()
    assert returned is not None
    reporter = Role.objects.filter(kind=Role.Kind.REPORTER, unit=returned.unit).first()
    assert reporter is not None
    submit_report(reporter.user, returned)
    assert Report.objects.get(pk=returned.pk).status == Report.Status.SUBMITTED

    stories = list(Narrative.objects.filter(section__code="success_story", report__period__year=2021))
    texts = [s.text for s in stories]
    approved = Report.objects.filter(period__year=2021, period__network__slug="valka").count()
    assert 0.7 * approved < len(texts) < approved  # most libraries wrote one, some left it empty
    assert len(set(texts)) == len(texts)  # no two libraries tell the same story
    assert all("Izdomāts demonstrācijas teksts" in t for t in texts)
    assert any("\n- " in t or "\n1. " in t for t in texts) and any("\n" not in t for t in texts)
    assert max(map(len, texts)) > 3 * min(map(len, texts))
    insights = Narrative.objects.filter(section__code="insight", report__period__year=2021)
    assert insights.count() > 20 and insights.values("text").distinct().count() == insights.count()
    # A library's story changes from year to year.
    ergeme_stories = Narrative.objects.filter(section__code="success_story", report__unit__code="ergeme")
    assert ergeme_stories.values("text").distinct().count() == ergeme_stories.count() >= 4

    per_report = Counter(Activity.objects.filter(report__period__year=2023).values_list("report_id", flat=True))
    reports_2023 = Report.objects.filter(period__year=2023).count()
    assert len(per_report) < reports_2023 and len(set(per_report.values())) >= 3  # some none, lengths vary

    # The public home leads a reader to the demo's published annual review.
    home = client_for(None).get("/").content.decode()
    assert 'href="/n/valka/annual-review/2020/public/"' in home
    assert client_for(None).get("/n/valka/annual-review/2020/public/").status_code == 200

    counts = (ReportingPeriod.objects.count(), Report.objects.count(), Narrative.objects.count())
    call_command("load_demo", "--today", LATER.isoformat(), stdout=StringIO())
    assert (ReportingPeriod.objects.count(), Report.objects.count(), Narrative.objects.count()) == counts
