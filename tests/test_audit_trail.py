"""The audit trail: every channel records who, when, old and new; the history shows it; nobody can
edit or delete an entry through the application (the admin is read-only)."""

from __future__ import annotations

import pytest

from parskats.audit.models import AuditEntry
from parskats.reporting.entry import save_value
from parskats.reporting.models import Report

from .conftest import client_for
from .factories import user


@pytest.fixture
def report(world):
    return Report.objects.create(unit=world.library_a, period=world.periods[2021])


def test_each_channel_is_recorded_and_shown(world, report, reporter_a, methodologist):
    # The form, through HTTP (the autosave view).
    client = client_for(reporter_a)
    client.post(
        f"/n/{world.network.slug}/reports/{report.pk}/value/visits/",
        {"v-visits": "1 200", "version-visits": "0"},
        headers={"HX-Request": "true"},
    )
    save_value(reporter_a, report, "visits", "1 250", None, channel="spreadsheet")
    save_value(methodologist, report, "visits", "1 260", None, channel="admin")
    save_value(None, report, "loans", "nav zināms", None, channel="api")
    entries = list(AuditEntry.objects.filter(report=report, action="value").order_by("at", "id"))
    assert [(e.channel, e.target, e.old, e.new, e.actor_name) for e in entries] == [
        ("form", "visits", None, "1200", "Anda Parauga"),
        ("spreadsheet", "visits", "1200", "1250", "Anda Parauga"),
        ("admin", "visits", "1250", "1260", "Inese Parauga"),
        ("api", "loans", None, "unknown", ""),
    ]
    html = client.get(f"/n/{world.network.slug}/review/reports/{report.pk}/history/").content.decode()
    for text in ("veidlapa", "izklājlapas augšupielāde", "administrēšana", "API", "1\xa0260", "nav zināms", "sistēma"):
        assert text in html, text


def test_audit_entries_cannot_be_changed_in_the_admin(world, report, reporter_a):
    save_value(reporter_a, report, "visits", "10", None)
    entry = AuditEntry.objects.get()
    admin = client_for(user("root@example.org", "Root", is_staff=True, is_superuser=True))
    assert admin.get(f"/admin/audit/auditentry/{entry.pk}/change/").status_code == 200  # view only
    admin.post(f"/admin/audit/auditentry/{entry.pk}/change/", {"new": '"99"', "note": "x"})
    assert admin.post(f"/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin.get("/admin/audit/auditentry/add/").status_code == 403
    entry.refresh_from_db()
    assert entry.new == "10" and entry.note == ""


def form_fields(html: str) -> dict[str, str]:
    """What a browser would send back for the page's form, unchanged (inputs, selects, textareas)."""
    from lxml import html as lxml_html

    data: dict[str, str] = {}
    for element in lxml_html.fromstring(html).xpath("//form[@id='report_form']//*[@name]"):
        name, kind = element.get("name"), element.get("type", "")
        if element.tag == "input" and kind in ("checkbox", "radio") and element.get("checked") is None:
            continue
        if element.tag == "input" and kind in ("submit", "file"):
            continue
        if element.tag == "select":
            chosen = element.xpath(".//option[@selected]")
            data[name] = chosen[0].get("value", "") if chosen else ""
        elif element.tag == "textarea":
            data[name] = element.text or ""
        else:
            data[name] = element.get("value", "on" if kind == "checkbox" else "")
    return data


def test_report_values_and_texts_cannot_be_changed_in_the_admin(world, report, reporter_a):
    """Values change only through save_value (row lock, versions, approval lock, audit record): the
    admin shows a report and its values, texts, activities, photos and explanations, read-only."""
    save_value(reporter_a, report, "visits", "10", None)
    report.narratives.create(section=report.period.survey.narrative_sections.first(), text="Mūsu gads")
    root = client_for(user("root@example.org", "Root", is_staff=True, is_superuser=True))
    url = f"/admin/reporting/report/{report.pk}/change/"
    page = root.get(url)
    assert page.status_code == 200 and "Mūsu gads" in page.content.decode()  # seen
    data = form_fields(page.content.decode())
    assert not {"status", "values-0-number", "values-0-code", "narratives-0-text"} & set(data)  # nothing to edit
    assert 'name="_save"' not in page.content.decode()
    # A hand-made post, as if the fields were there: refused, nothing changed, nothing recorded.
    attempt = {
        **data,
        "status": "approved",
        "values-TOTAL_FORMS": "1",
        "values-INITIAL_FORMS": "1",
        "values-0-id": str(report.values.get().pk),
        "values-0-report": str(report.pk),
        "values-0-number": "99999",
    }
    assert root.post(url, attempt).status_code == 403
    assert root.post(f"/admin/reporting/report/{report.pk}/delete/", {"post": "yes"}).status_code == 403
    assert root.get("/admin/reporting/report/add/").status_code == 403
    report.refresh_from_db()
    assert report.status == Report.Status.DRAFT and report.values.get().number == 10
    assert report.narratives.get().text == "Mūsu gads" and AuditEntry.objects.count() == 1
