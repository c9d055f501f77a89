"""Submitting through HTTP: a fresh form is "not filled yet" rather than red; numbers typed the
foreign way are explained; the confirmation says what is sent; the reporter withdraws until the
methodologist opens the report; the print view holds the whole report."""

import pytest

from parskats.audit.models import AuditEntry
from parskats.reporting.checks import form_indicators
from parskats.reporting.models import Activity, Report, Value
from parskats.review.workflow import approve_report
from tests.conftest import client_for
from tests.test_report_entry import fill_clean


@pytest.fixture
def report(world):
    return Report.objects.create(unit=world.library_a, period=world.periods[2021])


@pytest.fixture
def submitted(world, reporter_a, report):
    fill_clean(report, reporter_a)
    response = client_for(reporter_a).post(url(report, "submit/"))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "submitted"
    return report


def url(report, suffix=""):
    return f"/n/testa/reports/{report.pk}/{suffix}"


def test_a_fresh_draft_says_not_filled_yet_and_counts(reporter_a, report):
    page = client_for(reporter_a).get(url(report)).content.decode()
    fields = len(form_indicators(report))
    assert page.count("check-untouched") == fields  # every empty field: neutral until left
    assert 'aria-invalid="true"' not in page
    assert f"Aizpildīti 0 no {fields} laukiem" in page
    assert f"{fields} lauki vēl nav aizpildīti" in page or f"{fields} lauku vēl nav aizpildīts" in page
    assert "0 kļūdu" in page  # the panel counts no error for a form nobody has touched


def test_a_half_filled_form_counts_per_section(reporter_a, report):
    client = client_for(reporter_a)
    client.post(url(report, "value/visits/"), {"v-visits": "10", "version-visits": "0"}, HTTP_HX_REQUEST="true")
    page = client.get(url(report)).content.decode()
    fields = len(form_indicators(report))
    assert f"Aizpildīti 1 no {fields} laukiem" in page
    assert 'data-filled="1"' in page and page.count('data-filled="0"') == fields - 1


@pytest.mark.parametrize(
    ("code", "typed", "message"),
    [
        ("visits", "1.234", "tūkstošus atdaliet ar atstarpi: 1 234"),
        ("visits", "12,345", "tūkstošus atdaliet ar atstarpi: 12 345"),
        ("visits", "1.234.567", "Tūkstošus atdaliet ar atstarpi, decimāldaļu — ar komatu: 1 234 567"),
        ("staff_fte", "1.234,5", "Tūkstošus atdaliet ar atstarpi, decimāldaļu — ar komatu: 1 234,5"),
        ("visits", "12,5", "vesels skaitlis: noapaļojiet, piemēram, 13"),
        ("visits", "120 apmeklējumi", "bez mērvienības vai vārdiem: 120"),
        ("visits", "daudz", "„daudz“ nav skaitlis"),
    ],
)
def test_a_number_typed_another_way_is_explained(reporter_a, report, code, typed, message):
    response = client_for(reporter_a).post(
        url(report, f"value/{code}/"), {f"v-{code}": typed, f"version-{code}": "0"}, HTTP_HX_REQUEST="true"
    )
    assert message in response.content.decode()
    assert not Value.objects.filter(report=report).exists()


def test_the_confirmation_lists_what_stops_the_submission(reporter_a, report):
    client = client_for(reporter_a)
    dialog = client.get(url(report, "submit/confirm/"), HTTP_HX_REQUEST="true").content.decode()
    assert "Atskaiti vēl nevar iesniegt" in dialog and "data-not-ready" in dialog
    assert "vēl nav aizpildīts" in dialog and "<html" not in dialog
    assert "Iesniegt</button>" not in dialog
    # A refused submission brings the form back with every error shown
    response = client.post(url(report, "submit/"))
    assert response.status_code == 302 and response.url.endswith("?tried=1#checks")
    page = client.get(response.url).content.decode()
    assert 'class="report-form tried"' in page and '<details class="not-filled" open>' in page
    assert Report.objects.get(pk=report.pk).status == "draft"


def test_the_confirmation_summarises_what_is_sent(reporter_a, report):
    fill_clean(report, reporter_a)
    Activity.objects.create(report=report, title="Dzejas vakars", date="2021-03-21", mode="in_person")
    page = client_for(reporter_a).get(url(report, "submit/confirm/")).content.decode()  # the page without JS
    fields = len(form_indicators(report))
    assert "Iesniegt atskaiti?" in page and "<html" in page
    assert f"Aizpildīti {fields} no {fields} laukiem" in page
    assert f"„neattiecas“: {fields - 7}, „nav zināms“: 0" in page
    assert "<dt>Pasākumu saraksts</dt><dd>1</dd>" in page
    assert "Iesniegt</button>" in page and "varat atsaukt" in page


def test_the_reporter_withdraws_before_the_methodologist_opens(reporter_a, submitted):
    client = client_for(reporter_a)
    assert "Atsaukt iesniegšanu" in client.get(url(submitted)).content.decode()
    response = client.post(url(submitted, "withdraw/"))
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == "draft" and submitted.submitted_at is None
    entry = AuditEntry.objects.get(report=submitted, action="report_withdrawn")
    assert entry.actor == reporter_a and (entry.old, entry.new) == ("submitted", "draft")
    assert "atkal ir melnraksts" in client.get(url(submitted)).content.decode()


def test_once_opened_the_submission_cannot_be_withdrawn(reporter_a, methodologist, submitted):
    client_for(methodologist).get(f"/n/testa/review/reports/{submitted.pk}/")
    submitted.refresh_from_db()
    assert submitted.opened_at is not None
    assert AuditEntry.objects.filter(report=submitted, action="report_opened", actor=methodologist).count() == 1
    client_for(methodologist).get(f"/n/testa/review/reports/{submitted.pk}/")  # the second look is not recorded
    assert AuditEntry.objects.filter(report=submitted, action="report_opened").count() == 1
    client = client_for(reporter_a)
    page = client.get(url(submitted)).content.decode()
    assert "Atsaukt iesniegšanu" not in page and "jau ir atvērusi" in page
    response = client.post(url(submitted, "withdraw/"), follow=True)
    assert "tāpēc iesniegšanu atsaukt nevar" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == "submitted"
    assert not AuditEntry.objects.filter(report=submitted, action="report_withdrawn").exists()


@pytest.mark.parametrize("page", ["", "print/"])
def test_the_methodologist_opening_the_form_counts_as_opening(reporter_a, methodologist, submitted, page):
    client_for(reporter_a).get(url(submitted, page))  # the reporter's own look does not count
    assert Report.objects.get(pk=submitted.pk).opened_at is None
    client_for(methodologist).get(url(submitted, page))
    submitted.refresh_from_db()
    assert submitted.opened_at is not None
    client_for(reporter_a).post(url(submitted, "withdraw/"))
    assert Report.objects.get(pk=submitted.pk).status == "submitted"


def test_an_approved_report_cannot_be_withdrawn(reporter_a, methodologist, submitted):
    approve_report(methodologist, submitted)
    response = client_for(reporter_a).post(url(submitted, "withdraw/"), follow=True)
    assert "nav iesniegšanas, ko atsaukt" in response.content.decode()
    assert Report.objects.get(pk=submitted.pk).status == "approved"


@pytest.mark.parametrize("persona", ["reporter_b", "viewer", None])
def test_others_cannot_withdraw(request, submitted, persona):
    client = client_for(request.getfixturevalue(persona) if persona else None)
    assert client.post(url(submitted, "withdraw/")).status_code in (302, 404)
    assert Report.objects.get(pk=submitted.pk).status == "submitted"


def test_a_resubmission_may_be_withdrawn_again(reporter_a, methodologist, submitted):
    from parskats.review.workflow import return_report

    client_for(methodologist).get(f"/n/testa/review/reports/{submitted.pk}/")
    return_report(methodologist, submitted, "Lūdzu pārbaudiet.")
    client = client_for(reporter_a)
    client.post(url(submitted, "submit/"))
    submitted.refresh_from_db()
    assert submitted.status == "submitted" and submitted.opened_at is None
    client.post(url(submitted, "withdraw/"))
    assert Report.objects.get(pk=submitted.pk).status == "draft"


def test_the_print_view_holds_the_whole_report(world, reporter_a, viewer, report):
    fill_clean(report, reporter_a)
    Activity.objects.create(report=report, title="Dzejas vakars", date="2021-03-21", mode="in_person")
    page = client_for(viewer).get(url(report, "print/")).content.decode()
    assert "Drukāt" in page and "Dzejas vakars" in page
    for indicator in form_indicators(report):
        assert f'<th scope="row">{indicator.name}' in page
    assert ">1\u00a0000<" in page  # visits, the Latvian way
    assert client_for(None).get(url(report, "print/")).status_code == 302
