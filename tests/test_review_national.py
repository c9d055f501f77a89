"""Two-level review over HTTP: the area's methodologist approves, the whole network's accepts
nationally or returns the report to the area with a comment; the area may then reopen it to the
library. Every transition and its refusals (wrong status, wrong person, empty comment, another
network, another area), the national board and the area's review deadline.

Library A (Sedas bibliotēka) is in Valmiera county in 2021, whose methodologist is
`part_methodologist_a`; library B (Ērģeme) in Valka county, `part_methodologist_b`'s."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from parskats.audit.models import AuditEntry
from parskats.reporting.models import Report
from parskats.review.national import accept_report, return_to_area, two_level
from parskats.review.rules import WorkflowError

from .conftest import client_for
from .factories import report_with

COMMENT = "Krājuma skaitlis nesakrīt ar iepriekšējo gadu; lūdzu pārbaudiet."


@pytest.fixture
def national(world, part_methodologist_a, part_methodologist_b):
    """2021: A and B approved by their areas, the school's report submitted; the other network's
    report approved."""
    period = world.periods[2021]
    reports = {}
    for key, library, status in (
        ("a", world.library_a, Report.Status.APPROVED),
        ("b", world.library_b, Report.Status.APPROVED),
        ("school", world.school, Report.Status.SUBMITTED),
    ):
        report = report_with(library, period, users=10)
        Report.objects.filter(pk=report.pk).update(
            status=status, submitted_at=timezone.now(), approved_at=timezone.now() if status == "approved" else None
        )
        reports[key] = Report.objects.get(pk=report.pk)
    return reports


def other_report(world) -> Report:
    from parskats.reporting.models import ReportingPeriod

    period = ReportingPeriod.objects.create(
        network=world.other_network, survey=world.survey, year=2021,
        opens_on=dt.date(2022, 1, 2), deadline=dt.date(2022, 2, 15),
    )  # fmt: skip
    report = report_with(world.other_library, period, users=3)
    Report.objects.filter(pk=report.pk).update(status=Report.Status.APPROVED)
    return report


def post(person, name: str, report: Report, network: str = "testa", **data: str):
    response = client_for(person).post(reverse(f"review:{name}", args=[network, report.pk]), data)
    return response, [str(m) for m in get_messages(response.wsgi_request)]


def fresh(report: Report) -> Report:
    return Report.objects.get(pk=report.pk)


# Accepting


def test_the_whole_networks_methodologist_accepts_an_approved_report(
    national, methodologist, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response, said = post(methodologist, "accept", national["a"])
    assert response.status_code == 302
    assert said == ["Atskaite ir pieņemta valsts līmenī."]
    report = fresh(national["a"])
    assert report.national_status == Report.NationalStatus.ACCEPTED
    assert report.accepted_at is not None
    assert report.status == Report.Status.APPROVED  # still locked for the library
    entry = report.audit_entries.get(action=AuditEntry.Action.NATIONAL_ACCEPTED)
    assert (entry.actor, entry.old, entry.new) == (methodologist, "", "accepted")
    # The area's methodologist hears of it, not the other area's.
    assert [m.to for m in mailoutbox] == [["metodikis.valmiera@example.org"]]
    assert "pieņemta valsts līmenī" in mailoutbox[0].subject


def test_accepting_refuses_a_report_the_area_has_not_approved(national, methodologist):
    response, said = post(methodologist, "accept", national["school"])
    assert response.status_code == 302
    assert said == ["Valkas pamatskolas bibliotēka: tas nav iespējams, kamēr atskaites statuss ir „iesniegta“."]
    assert fresh(national["school"]).national_status == ""
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.NATIONAL_ACCEPTED).exists()


def test_accepting_twice_is_refused(national, methodologist):
    post(methodologist, "accept", national["a"])
    response, said = post(methodologist, "accept", national["a"])
    assert response.status_code == 302
    assert said == ["Sedas bibliotēka: tas nav iespējams, kamēr atskaite ir „pieņemta valsts līmenī“."]
    assert AuditEntry.objects.filter(action=AuditEntry.Action.NATIONAL_ACCEPTED).count() == 1


@pytest.mark.parametrize("persona", ["part_methodologist_a", "part_methodologist_b", "part_viewer_a", "viewer",
                                     "reporter_a", "other_methodologist"])  # fmt: skip
@pytest.mark.parametrize("action", ["accept", "return_to_area"])
def test_no_one_else_acts_at_the_national_level(national, request, persona, action):
    person = request.getfixturevalue(persona)
    response, _said = post(person, action, national["a"], comment=COMMENT)
    assert response.status_code == 404
    report = fresh(national["a"])
    assert (report.national_status, report.national_comment) == ("", "")


def test_the_action_itself_refuses_an_areas_methodologist(national, part_methodologist_a):
    with pytest.raises(WorkflowError, match="Pieņemt valsts līmenī var tikai visa tīkla metodiķis"):
        accept_report(part_methodologist_a, national["a"])
    with pytest.raises(WorkflowError):
        return_to_area(part_methodologist_a, national["a"], COMMENT)


def test_another_networks_report_is_not_found(national, world, methodologist):
    theirs = other_report(world)
    response, _said = post(methodologist, "accept", theirs)
    assert response.status_code == 404
    response, _said = post(methodologist, "accept", theirs, network="cits")
    assert response.status_code == 404
    assert fresh(theirs).national_status == ""


def test_a_network_on_one_level_has_no_national_step(world, methodologist):
    """No methodologist over an area: the whole network's approval is the last word."""
    report = report_with(world.library_a, world.periods[2021], users=4)
    Report.objects.filter(pk=report.pk).update(status=Report.Status.APPROVED)
    assert not two_level(world.network)
    response, _said = post(methodologist, "accept", report)
    assert response.status_code == 404
    with pytest.raises(WorkflowError, match="vienā līmenī"):
        accept_report(methodologist, report)
    page = client_for(methodologist).get(reverse("review:board", args=["testa"]) + "?year=2021")
    assert "Valsts līmenī" not in page.content.decode()
    assert "Teritorijas" not in page.content.decode()


# Returning to the area


def test_returning_to_the_area_needs_a_comment_and_keeps_the_report_locked(
    national, methodologist, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response, said = post(methodologist, "return_to_area", national["b"], comment=COMMENT)
    assert response.status_code == 302
    assert said == ["Atskaite ir atgriezta teritorijai ar jūsu komentāru."]
    report = fresh(national["b"])
    assert (report.status, report.national_status, report.national_comment) == ("approved", "returned", COMMENT)
    entry = report.audit_entries.get(action=AuditEntry.Action.NATIONAL_RETURNED)
    assert (entry.actor, entry.note, entry.new) == (methodologist, COMMENT, "returned")
    assert [m.to for m in mailoutbox] == [["metodikis.valka@example.org"]]
    assert COMMENT in mailoutbox[0].body


def test_returning_with_an_empty_comment_is_refused(national, methodologist):
    response, said = post(methodologist, "return_to_area", national["b"], comment="   ")
    assert response.status_code == 302
    assert said == ["Komentārs ir tukšs."]
    assert fresh(national["b"]).national_status == ""


def test_returning_refuses_an_unapproved_or_accepted_report(national, methodologist):
    _response, said = post(methodologist, "return_to_area", national["school"], comment=COMMENT)
    assert said == ["Valkas pamatskolas bibliotēka: tas nav iespējams, kamēr atskaites statuss ir „iesniegta“."]
    post(methodologist, "accept", national["a"])
    _response, said = post(methodologist, "return_to_area", national["a"], comment=COMMENT)
    assert said == ["Sedas bibliotēka: tas nav iespējams, kamēr atskaite ir „pieņemta valsts līmenī“."]
    assert fresh(national["a"]).national_status == "accepted"


def test_returning_twice_is_refused_but_a_returned_report_may_be_accepted(national, methodologist):
    post(methodologist, "return_to_area", national["b"], comment=COMMENT)
    _response, said = post(methodologist, "return_to_area", national["b"], comment="Vēlreiz.")
    assert said == ["Ērģemes pagasta bibliotēka: tas nav iespējams, kamēr atskaite ir „atgriezta teritorijai“."]
    assert fresh(national["b"]).national_comment == COMMENT
    _response, said = post(methodologist, "accept", national["b"])
    assert said == ["Atskaite ir pieņemta valsts līmenī."]
    assert fresh(national["b"]).national_status == "accepted"


def test_the_area_sees_the_flag_and_reopens_to_the_library(national, methodologist, part_methodologist_b, reporter_b):
    post(methodologist, "return_to_area", national["b"], comment=COMMENT)
    page = client_for(part_methodologist_b).get(reverse("review:review", args=["testa", national["b"].pk]))
    text = page.content.decode()
    assert "atgriezta teritorijai" in text and COMMENT in text
    assert "Pieņemt valsts līmenī" not in text  # no national buttons for the area
    board = client_for(part_methodologist_b).get(reverse("review:board", args=["testa"]) + "?year=2021")
    assert "atgriezta teritorijai" in board.content.decode()
    # The library does not see the national remark: it is between the levels.
    feedback = client_for(reporter_b).get(reverse("review:feedback", args=["testa", national["b"].pk]))
    assert COMMENT not in feedback.content.decode()

    response, said = post(part_methodologist_b, "reopen", national["b"], reason="Valsts līmeņa komentārs.")
    assert response.status_code == 302
    assert said == ["Atskaite atkal ir atvērta labojumiem."]
    report = fresh(national["b"])
    assert (report.status, report.national_status, report.national_comment, report.accepted_at) == (
        "returned", "", "", None
    )  # fmt: skip


def test_an_accepted_report_cannot_be_reopened(national, methodologist, part_methodologist_a):
    post(methodologist, "accept", national["a"])
    for person in (part_methodologist_a, methodologist):
        response, said = post(person, "reopen", national["a"], reason="Kļūda.")
        assert response.status_code == 302
        assert said == [
            "Sedas bibliotēka: atskaite ir pieņemta valsts līmenī; atveriet to atkārtoti tikai pēc tam, kad "
            "valsts līmenis to atgriež."
        ]
    assert fresh(national["a"]).status == "approved"


# Accepting in bulk


def bulk(person, ids, network: str = "testa"):
    response = client_for(person).post(
        reverse("review:accept_many", args=[network]), {"year": "2021", "report": [str(i) for i in ids]}
    )
    return response, [str(m) for m in get_messages(response.wsgi_request)]


def test_bulk_accept_takes_all(national, methodologist):
    response, said = bulk(methodologist, [national["a"].pk, national["b"].pk])
    assert response.status_code == 302
    assert said == ["Valsts līmenī pieņemtas 2 atskaites."]
    assert set(Report.objects.filter(national_status="accepted").values_list("pk", flat=True)) == {
        national["a"].pk,
        national["b"].pk,
    }


def test_bulk_accept_is_all_or_nothing(national, methodologist, world):
    _response, said = bulk(methodologist, [national["a"].pk, national["school"].pk])
    school = "Valkas pamatskolas bibliotēka: tas nav iespējams, kamēr atskaites statuss ir „iesniegta“."
    assert said == [f"Nekas netika pieņemts: {school}"]
    _response, said = bulk(methodologist, [national["a"].pk, other_report(world).pk])
    assert said == ["Dažas no izvēlētajām atskaitēm nav šī gada sarakstā; nekas netika pieņemts."]
    _response, said = bulk(methodologist, [])
    assert said == ["Izvēlieties atskaites, ko pieņemt."]
    _response, said = bulk(methodologist, ["x"])
    assert said == ["Atskaišu saraksts ir bojāts; nekas netika pieņemts."]
    assert not Report.objects.filter(national_status="accepted").exists()


@pytest.mark.parametrize("persona", ["part_methodologist_a", "viewer", "reporter_a", "other_methodologist"])
def test_bulk_accept_is_the_whole_networks_methodologists(national, request, persona):
    response, _said = bulk(request.getfixturevalue(persona), [national["a"].pk])
    assert response.status_code == 404
    assert not Report.objects.filter(national_status="accepted").exists()


# The national board


def test_the_national_board_has_a_row_per_area_and_opens_each(national, methodologist):
    post(methodologist, "accept", national["a"])
    client = client_for(methodologist)
    page = client.get(reverse("review:board", args=["testa"]) + "?year=2021")
    areas = page.context["national"]
    assert [(t.unit.name, t.libraries, t.reported, t.approved, t.accepted, t.acceptable) for t in areas] == [
        ("Valkas novads", 2, 2, 1, 0, [national["b"].pk]),
        ("Valmieras novads", 1, 1, 1, 1, []),
    ]
    text = page.content.decode()
    assert "Teritorijas" in text and "Pieņemt 1" in text and "?year=2021&amp;area=valka" in text
    one = client.get(reverse("review:board", args=["testa"]) + "?year=2021&area=valka")
    assert {row.unit.code for row in one.context["rows"]} == {"ergeme", "valka-skola"}
    assert one.context["part"] == "Valkas novads"


def test_the_national_boards_workbook_has_the_areas_first(national, methodologist):
    from io import BytesIO

    from openpyxl import load_workbook

    post(methodologist, "accept", national["a"])
    client = client_for(methodologist)
    response = client.get(reverse("review:board_xlsx", args=["testa"]) + "?year=2021")
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["Teritorijas", "Bibliotēkas", "Skaiti"]
    areas = [[c.value for c in row] for row in book["Teritorijas"].iter_rows()]
    assert areas[0][:6] == [
        "Teritorija", "Bibliotēkas", "Iesniegti", "Apstiprinātas teritorijā", "Pieņemtas valsts līmenī",
        "Atgrieztas teritorijai",
    ]  # fmt: skip
    assert [r[:5] for r in areas[1:]] == [
        ["Valkas novads", 2, 2, 1, 0],
        ["Valmieras novads", 1, 1, 1, 1],
        ["Testa reģions", 3, 3, 2, 1],
    ]
    libraries = {row[0].value: row[-1].value for row in book["Bibliotēkas"].iter_rows(min_row=2)}
    assert libraries["Sedas bibliotēka"] == "pieņemta valsts līmenī"
    assert libraries["Ērģemes pagasta bibliotēka"] == "gaida pieņemšanu"
    # One area's board downloads that area's libraries only, without the areas' sheet.
    one = client.get(reverse("review:board_xlsx", args=["testa"]) + "?year=2021&area=valka")
    assert load_workbook(BytesIO(one.content)).sheetnames == ["Bibliotēkas", "Skaiti"]


def test_an_areas_board_has_no_national_rows(national, part_methodologist_b):
    page = client_for(part_methodologist_b).get(reverse("review:board", args=["testa"]) + "?year=2021&area=valmiera")
    assert page.context["national"] == []
    assert {row.unit.code for row in page.context["rows"]} == {"ergeme", "valka-skola"}


def test_the_board_counts_approval_by_the_areas_deadline(national, methodologist, world):
    period = world.periods[2021]
    assert period.region_deadline == dt.date(2022, 5, 1)
    Report.objects.filter(pk=national["a"].pk).update(approved_at=timezone.make_aware(dt.datetime(2022, 4, 20, 12)))
    Report.objects.filter(pk=national["b"].pk).update(approved_at=timezone.make_aware(dt.datetime(2022, 5, 3, 12)))
    page = client_for(methodologist).get(reverse("review:board", args=["testa"]) + "?year=2021")
    by_name = {t.unit.name: t for t in page.context["national"]}
    assert by_name["Valkas novads"].review_on_time == 0
    assert by_name["Valmieras novads"].review_on_time == 1


# The area's review deadline


def test_the_reporting_year_takes_the_areas_review_deadline(world, methodologist):
    period = world.periods[2021]
    url = reverse("review:edit_year", args=["testa", period.pk])
    data = {"opens_on": "2022-01-02", "deadline": "2022-02-15", "status": "open"}
    response = client_for(methodologist).post(url, {**data, "review_deadline": "2022-02-01"})
    assert response.status_code == 400
    assert "pirms bibliotēku iesniegšanas termiņa" in response.content.decode()
    response = client_for(methodologist).post(url, {**data, "review_deadline": "2022-05-15"})
    assert response.status_code == 302
    period.refresh_from_db()
    assert period.review_deadline == dt.date(2022, 5, 15) == period.region_deadline
    entry = AuditEntry.objects.get(action=AuditEntry.Action.PERIOD_CHANGED)
    assert entry.new["review_deadline"] == "2022-05-15"
