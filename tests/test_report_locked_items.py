"""Once a report is submitted or approved, nothing can be added to it through the form's side doors
(activities, photos, explanations, narratives, computed event figures, copied fields), and an
approval that lands while an addition is on its way wins: the addition waits for the report's row
lock, then is refused (reporting.items.lock_editable)."""

from __future__ import annotations

import datetime
import threading
import time

import pytest
from django.core.files.base import ContentFile
from django.db import connection, connections, transaction

from parskats.audit.models import AuditEntry
from parskats.reporting import items
from parskats.reporting.entry import EntryError, save_value
from parskats.reporting.models import Activity, Explanation, Narrative, Photo, Report, Value
from tests.conftest import client_for
from tests.test_report_entry import fill_clean
from tests.test_report_form import png_bytes, upload, url

ACTIVITY = {"title": "Dzejas vakars", "date": "2021-05-04", "mode": "in_person", "attendance": 25, "audience": "adults"}


def report_with_a_warning(world, reporter):
    """A clean report whose loans figure raises a warning that asks for an explanation."""
    report = Report.objects.create(unit=world.library_a, period=world.periods[2021])
    fill_clean(report, reporter)
    save_value(reporter, report, "loans", "50000", None)
    return report


def counts(report):
    return (
        Activity.objects.filter(report=report).count(),
        Photo.objects.filter(report=report).count(),
        Explanation.objects.filter(report=report).count(),
        Narrative.objects.filter(report=report).count(),
        sorted(Value.objects.filter(report=report).values_list("indicator__code", "number", "code")),
        AuditEntry.objects.filter(report=report).count(),
    )


@pytest.mark.parametrize("status", [Report.Status.SUBMITTED, Report.Status.APPROVED])
def test_nothing_is_added_to_a_closed_report(world, reporter_a, status, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report = report_with_a_warning(world, reporter_a)
    Report.objects.filter(pk=report.pk).update(status=status)
    before = counts(report)
    client = client_for(reporter_a)

    added = client.post(url(report, "activities/"), ACTIVITY, follow=True)
    assert "cannot be changed" in added.content.decode() or "nevar mainīt" in added.content.decode()
    upload(client, report, png_bytes())
    client.post(
        url(report, "explain/"),
        {"check": "loans-per-capita", "field": "loans", "category": "correct", "text": "Skolēni lasa daudz."},
        HTTP_HX_REQUEST="true",
    )
    client.post(url(report, "narrative/insight/"), {"text": "Jauna atziņa.", "version": "0"})
    client.post(url(report, "activities/compute/"))
    client.post(url(report, "copy-stable/"))

    assert counts(report) == before
    assert Report.objects.get(pk=report.pk).status == status
    assert not list(tmp_path.rglob("*.jpg")), "a refused photo leaves no file behind"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are proven on PostgreSQL")
@pytest.mark.parametrize("addition", ["activity", "photo", "explanation"])
def test_an_approval_landing_first_wins_over_an_addition_in_flight(world, reporter_a, addition, settings, tmp_path):
    """The reporter's page saw a draft; the methodologist's approval takes the row lock first. The
    addition, started while the approval holds the lock, waits for it and is then refused."""
    settings.MEDIA_ROOT = tmp_path
    report = report_with_a_warning(world, reporter_a)
    seen_by_the_page = Report.objects.get(pk=report.pk)  # a draft, as the reporter's page saw it
    locked = threading.Event()
    outcome: dict[str, object] = {}

    def approve() -> None:
        try:
            with transaction.atomic():
                Report.objects.select_for_update().get(pk=report.pk)
                locked.set()
                time.sleep(0.5)  # the addition arrives while the lock is held
                Report.objects.filter(pk=report.pk).update(status=Report.Status.APPROVED)
        finally:
            connections.close_all()

    def add() -> None:
        locked.wait(10)
        began = time.monotonic()
        try:
            if addition == "activity":
                items.add_activity(reporter_a, seen_by_the_page, dict(ACTIVITY, date=datetime.date(2021, 5, 4)))
            elif addition == "photo":
                items.add_photo(
                    reporter_a, seen_by_the_page, ContentFile(png_bytes()), ContentFile(png_bytes()),
                    alt_text="Bērni lasa", caption="", credit="", consent=True,
                )  # fmt: skip
            else:
                items.explain(reporter_a, seen_by_the_page, "loans-per-capita", "loans", "correct", "Lasa daudz.")
            outcome["result"] = "written"
        except EntryError as error:
            outcome["result"] = "refused"
            outcome["waited"] = time.monotonic() - began
            outcome["message"] = error.message
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve), threading.Thread(target=add)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert outcome.get("result") == "refused", outcome
    # The approval held the lock for 0.5 s after the addition set off: refused only after waiting for it.
    assert outcome["waited"] >= 0.3, outcome
    assert Report.objects.get(pk=report.pk).status == Report.Status.APPROVED
    assert not Activity.objects.filter(report=report).exists()
    assert not Photo.objects.filter(report=report).exists()
    assert not Explanation.objects.filter(report=report).exists()
