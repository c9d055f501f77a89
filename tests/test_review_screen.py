"""The review screen through HTTP: values with last year, change and peer median; comments per
field; return, approve, reopen; bad input refused with a message."""

from __future__ import annotations

import pytest
from django.core import mail

from parskats.audit.models import AuditEntry, record
from parskats.catalogue.models import NarrativeSection
from parskats.reporting.entry import save_value
from parskats.reporting.models import Explanation, Narrative, Report
from parskats.reporting.submission import submit_report
from parskats.review.board import build_board
from parskats.review.models import ReviewComment

from .conftest import client_for
from .factories import report_with, unit
from .test_report_entry import fill_clean


def submit(report: Report) -> Report:
    Report.objects.filter(pk=report.pk).update(status=Report.Status.SUBMITTED)
    report.refresh_from_db()
    return report


@pytest.fixture
def report_a(world):
    report_with(world.library_a, world.periods[2020], visits=1000, loans="unknown")
    return submit(report_with(world.library_a, world.periods[2021], visits=1250, loans=3400))


def test_review_screen_shows_last_year_change_and_peer_median(world, report_a, methodologist):
    # Peers: public libraries of the same year that have sent their report.
    submit(report_with(world.library_b, world.periods[2021], visits=800))
    peer = unit(world.network, "p3", "library", "Trešā bibliotēka", "public")
    submit(report_with(peer, world.periods[2021], visits=1000))
    report_with(unit(world.network, "p4", "library", "Melnraksta bibliotēka", "public"), world.periods[2021], visits=9)
    page = client_for(methodologist).get(f"/n/{world.network.slug}/review/reports/{report_a.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    row = html[html.index('id="field-visits"') :]
    row = row[: row.index("</tr>")]
    assert "1\xa0250" in row  # this year
    assert "1\xa0000" in row  # last year
    assert "+25,0\xa0%" in row  # change
    assert "900" in row and "(n=2)" in row  # median of 800 and 1000; the draft is not a peer
    loans = html[html.index('id="field-loans"') :]
    assert "nav zināms" in loans[: loans.index("</tr>")]  # last year unknown, no change computed


def test_return_with_field_comment_over_http(
    world, report_a, methodologist, reporter_a, django_capture_on_commit_callbacks
):
    client = client_for(methodologist)
    base = f"/n/{world.network.slug}/review/reports/{report_a.pk}"
    response = client.post(f"{base}/comment/", {"target": "visits", "text": "Kāpēc +25 %?"})
    assert response.status_code == 302 and response["Location"].endswith("#field-visits")
    assert "Kāpēc +25 %?" in client.get(f"{base}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{base}/return/", {"comment": ""}, follow=True)
    assert "Atskaite ar jūsu komentāriem atgriezta bibliotēkai." in response.content.decode()
    report_a.refresh_from_db()
    assert report_a.status == Report.Status.RETURNED
    assert "Apmeklējumu kopskaits: Kāpēc +25 %?" in mail.outbox[0].body
    feedback = client_for(reporter_a).get(f"{base}/feedback/").content.decode()
    assert "Kāpēc +25 %?" in feedback and "Apmeklējumu kopskaits" in feedback


def test_return_without_any_comment_is_refused(world, report_a, methodologist):
    response = client_for(methodologist).post(
        f"/n/{world.network.slug}/review/reports/{report_a.pk}/return/", {"comment": "  "}, follow=True
    )
    assert "Uzrakstiet, kas bibliotēkai jālabo" in response.content.decode()
    report_a.refresh_from_db()
    assert report_a.status == Report.Status.SUBMITTED


def test_comments_typed_on_fields_go_with_the_return(world, report_a, methodologist):
    base = f"/n/{world.network.slug}/review/reports/{report_a.pk}"
    response = client_for(methodologist).post(
        f"{base}/return/", {"comment": "", "field:visits": "Kāpēc +25 %?", "field:loans": "  "}, follow=True
    )
    assert "Atskaite ar jūsu komentāriem atgriezta bibliotēkai." in response.content.decode()
    sent = list(ReviewComment.objects.filter(report=report_a).values_list("target", "text", "sent_at"))
    assert [(t, x) for t, x, _at in sent] == [("visits", "Kāpēc +25 %?")] and sent[0][2] is not None


def test_a_typed_comment_on_a_forged_field_returns_nothing(world, report_a, methodologist):
    response = client_for(methodologist).post(
        f"/n/{world.network.slug}/review/reports/{report_a.pk}/return/",
        {"comment": "Vispārīgi.", "field:bogus": "x"},
        follow=True,
    )
    assert "Šīs atskaites veidlapā tāda lauka nav." in response.content.decode()
    report_a.refresh_from_db()
    assert report_a.status == Report.Status.SUBMITTED and not ReviewComment.objects.exists()


def test_comment_on_a_forged_field_is_refused(world, report_a, methodologist):
    response = client_for(methodologist).post(
        f"/n/{world.network.slug}/review/reports/{report_a.pk}/comment/", {"target": "bogus", "text": "x"}, follow=True
    )
    assert "Šīs atskaites veidlapā tāda lauka nav." in response.content.decode()
    assert not ReviewComment.objects.exists()


def test_approve_then_reopen_needs_a_reason(world, report_a, methodologist):
    client = client_for(methodologist)
    base = f"/n/{world.network.slug}/review/reports/{report_a.pk}"
    client.post(f"{base}/approve/")
    report_a.refresh_from_db()
    assert report_a.status == Report.Status.APPROVED
    # Approving again: refused with a message.
    response = client.post(f"{base}/approve/", follow=True)
    assert "tas nav iespējams" in response.content.decode()
    response = client.post(f"{base}/reopen/", {"reason": ""}, follow=True)
    assert "Norādiet atskaites atkārtotas atvēršanas iemeslu." in response.content.decode()
    report_a.refresh_from_db()
    assert report_a.status == Report.Status.APPROVED
    client.post(f"{base}/reopen/", {"reason": "Jāprecizē izdevumi."})
    report_a.refresh_from_db()
    assert report_a.status == Report.Status.RETURNED
    assert AuditEntry.objects.filter(report=report_a, action="status").first().note == "Jāprecizē izdevumi."


def test_history_page_and_value_popover(world, report_a, methodologist, reporter_a):
    for channel, old, new in (
        ("form", None, {"number": "1200"}),
        ("spreadsheet", {"number": "1200"}, {"number": "1250"}),
    ):
        record(
            actor=reporter_a,
            channel=channel,
            action="value",
            network=world.network,
            report=report_a,
            target="visits",
            old=old,
            new=new,
        )
    record(
        actor=None,
        channel="api",
        action="value",
        network=world.network,
        report=report_a,
        target="loans",
        new={"code": "unknown"},
    )
    record(
        actor=methodologist,
        channel="admin",
        action="value",
        network=world.network,
        report=report_a,
        target="loans",
        old={"code": "unknown"},
        new={"number": "3400"},
    )
    client = client_for(reporter_a)
    base = f"/n/{world.network.slug}/review/reports/{report_a.pk}/history"
    html = client.get(f"{base}/").content.decode()
    for text in (
        "veidlapa",
        "izklājlapas augšupielāde",
        "API",
        "administrēšana",
        "Anda Parauga",
        "1\xa0250",
        "nav zināms",
        "Apmeklējumu kopskaits",
    ):
        assert text in html, text
    popover = client.get(f"{base}/visits/", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in popover and "1\xa0200" in popover and "1\xa0250" in popover and "3\xa0400" not in popover
    assert client.get(f"{base}/no-such-field/").status_code == 404


def test_warnings_with_their_explanations(world, reporter_a, methodologist):
    report = Report.objects.create(unit=world.library_a, period=world.periods[2021])
    fill_clean(report, reporter_a)
    save_value(reporter_a, report, "loans", "50000", None)  # 50 loans per inhabitant: a warning
    Explanation.objects.create(
        report=report,
        check_code="loans-per-capita",
        indicator_code="loans",
        category="correct",
        text="Skolēni lasa daudz.",
    )
    submit_report(reporter_a, report)
    html = client_for(methodologist).get(f"/n/{world.network.slug}/review/reports/{report.pk}/").content.decode()
    row = html[html.index('id="field-loans"') :]
    row = row[: row.index("</tr>")]
    assert "Brīdinājums" in row
    assert "Paskaidrojums: skaitlis ir pareizs: Skolēni lasa daudz." in row
    # An unexplained warning (the explanation withdrawn after submission) is flagged.
    Explanation.objects.all().delete()
    html = client_for(methodologist).get(f"/n/{world.network.slug}/review/reports/{report.pk}/").content.decode()
    assert "Paskaidrojums nav sniegts." in html
    assert build_board(world.periods[2021]).rows[1].unexplained == 1


def test_stories_and_their_history(world, report_a, reporter_a, methodologist):
    section = NarrativeSection.objects.filter(survey=world.survey).order_by("order").first()
    Narrative.objects.create(report=report_a, section=section, text="Mēs **darām** <script>x()</script>")
    record(
        actor=reporter_a,
        channel="form",
        action="narrative",
        network=world.network,
        report=report_a,
        target=section.code,
        old="",
        new="Mēs **darām**",
    )
    client = client_for(methodologist)
    html = client.get(f"/n/{world.network.slug}/review/reports/{report_a.pk}/").content.decode()
    assert section.title in html and "<strong>darām</strong>" in html and "<script>" not in html
    history = client.get(
        f"/n/{world.network.slug}/review/reports/{report_a.pk}/history/{section.code}/"
    ).content.decode()
    assert "Mēs **darām**" in history and "teksts mainīts" not in history  # the field page lists values, not actions
    assert (
        section.title in client.get(f"/n/{world.network.slug}/review/reports/{report_a.pk}/history/").content.decode()
    )
