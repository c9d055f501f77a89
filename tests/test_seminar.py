"""The seminar: creation, the proposed agenda and its editing, access, .ics, invitations, news draft."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from parskats.audit.models import AuditEntry
from parskats.news.models import Article
from parskats.seminar.agenda import RIGA, timed
from parskats.seminar.models import AgendaItem, Guest, Seminar

from .conftest import client_for
from .factories import give_role, user
from .seminar_support import approved_reports, make_seminar

pytestmark = pytest.mark.django_db


@pytest.fixture
def seminar(world, methodologist, reporter_a, reporter_b):
    approved_reports(world)
    return make_seminar(world, methodologist)


def base(world) -> str:
    return f"/n/{world.network.slug}/seminars/"


def titles(seminar: Seminar) -> list[str]:
    return [row.item.title for row in timed(seminar)]


def test_a_new_seminar_gets_an_agenda_grouped_by_county_with_computed_times(world, methodologist, reporter_a):
    start = (timezone.now() + dt.timedelta(days=30)).astimezone(RIGA).replace(hour=10, minute=0)
    response = client_for(methodologist).post(
        base(world) + "new/",
        {
            "title": "Mana bibliotēka 2021. gadā",
            "year": "2021",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "meeting_url": "https://meet.example.org/x",
            "slot_minutes": "7",
            "visibility": "participants",
        },
    )
    seminar = Seminar.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{base(world)}{seminar.pk}/"
    assert seminar.starts_at.astimezone(RIGA).hour == 10  # entered in Riga time
    rows = timed(seminar)
    # On 31.12.2021 library A (Seda) is in Valmiera county: Valka's libraries first, a break, then Valmiera.
    assert [r.item.title for r in rows] == [
        "Atklāšana",
        "Reģions 2021. gadā: kopējie rādītāji",
        "Ērģemes pagasta bibliotēka",
        "Valkas pamatskolas bibliotēka",
        "Pārtraukums",
        "Sedas bibliotēka",
        "Noslēgums un atziņas",
    ]
    assert [r.county for r in rows][2:6] == ["Valkas novads", "Valkas novads", "", "Valmieras novads"]
    assert rows[0].start.strftime("%H:%M") == "10:00"
    assert rows[2].start.strftime("%H:%M") == "10:35" and rows[2].end.strftime("%H:%M") == "10:42"
    for before, after in itertools.pairwise(rows):
        assert after.start == before.end
    assert AuditEntry.objects.filter(target=f"seminar:{seminar.pk}:created").exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"starts_at": "2020-03-05T10:00"}, "Sākums ir pagātnē"),
        ({"meeting_url": ""}, "Norādiet vietu, tiešsaistes saiti vai abas."),
        ({"year": "1999"}, "Jāatlasa derīga izvēle"),
        ({"meeting_url": "javascript:alert(1)"}, "Jāievada derīgs URL"),
    ],
)
def test_bad_seminar_input_is_refused_with_a_message(world, methodologist, change, message):
    data = {
        "title": "Seminārs",
        "year": "2021",
        "starts_at": (timezone.now() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        "meeting_url": "https://meet.example.org/x",
        "slot_minutes": "5",
        "visibility": "public",
        **change,
    }
    response = client_for(methodologist).post(base(world) + "new/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Seminar.objects.exists()


def test_who_may_see_and_change_a_seminar(world, seminar, reporter_a, viewer, other_methodologist):
    page = f"{base(world)}{seminar.pk}/"
    assert client_for(None).get(page).status_code == 302
    for person in (reporter_a, viewer):
        html = client_for(person).get(page).content.decode()
        assert seminar.title in html and "Sūtīt ielūgumus" not in html
        assert client_for(person).get(page + "edit/").status_code == 404
        assert client_for(person).post(page + "invite/").status_code == 404
    assert client_for(other_methodologist).get(page).status_code == 404
    assert client_for(other_methodologist).get(page + "deck.pptx").status_code == 404
    item = seminar.agenda_items.first()
    assert client_for(reporter_a).post(page + f"agenda/{item.pk}/move/", {"direction": "down"}).status_code == 404


def test_the_agenda_page_is_public_only_when_the_seminar_is(world, seminar, other_methodologist):
    page = f"{base(world)}{seminar.pk}/agenda/"
    assert client_for(None).get(page).status_code == 302  # participants only: log in first
    assert client_for(other_methodologist).get(page).status_code == 404
    Seminar.objects.filter(pk=seminar.pk).update(visibility=Seminar.Visibility.PUBLIC)
    html = client_for(None).get(page).content.decode()
    assert "Sedas bibliotēka" in html and "Rīgas laiks" in html
    assert client_for(None).get(f"/n/{world.other_network.slug}/seminars/{seminar.pk}/agenda/").status_code == 302


def test_moving_an_item_with_htmx_reorders_and_retimes(world, seminar, methodologist):
    rows = timed(seminar)
    seda = next(r.item for r in rows if r.item.title == "Sedas bibliotēka")
    url = f"{base(world)}{seminar.pk}/agenda/{seda.pk}/move/"
    response = client_for(methodologist).post(url, {"direction": "up"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response.content.decode().startswith('<div id="agenda">')
    assert titles(seminar)[3:6] == ["Valkas pamatskolas bibliotēka", "Sedas bibliotēka", "Pārtraukums"]
    client_for(methodologist).post(url, {"direction": "up"})
    client_for(methodologist).post(url, {"direction": "sideways"})
    after = timed(seminar)
    assert [r.item.title for r in after][2:4] == ["Ērģemes pagasta bibliotēka", "Sedas bibliotēka"]
    assert after[3].start == after[2].end
    assert list(seminar.agenda_items.values_list("position", flat=True)) == list(range(1, len(after) + 1))


def test_a_pinned_start_that_overlaps_is_shown_and_blocks_invitations(world, seminar, methodologist):
    opening = seminar.agenda_items.get(kind=AgendaItem.Kind.OPENING)
    overview = seminar.agenda_items.get(kind=AgendaItem.Kind.OVERVIEW)
    pinned = (seminar.starts_at.astimezone(RIGA) + dt.timedelta(minutes=5)).strftime("%H:%M")
    client = client_for(methodologist)
    url = f"{base(world)}{seminar.pk}/agenda/{overview.pk}/edit/"
    client.post(url, {"title": "Kopējie rādītāji", "minutes": "30", "fixed_start": pinned})
    html = client.get(f"{base(world)}{seminar.pk}/").content.decode()
    assert "„Kopējie rādītāji“ sākas" in html and "5 min" in html
    client.post(f"{base(world)}{seminar.pk}/invite/")
    assert mail.outbox == []
    assert Seminar.objects.get(pk=seminar.pk).invitations_sent_at is None
    # Bad minutes change nothing and say so.
    response = client.post(
        f"{base(world)}{seminar.pk}/agenda/{opening.pk}/edit/", {"title": "X", "minutes": "0"}, HTTP_HX_REQUEST="true"
    )
    assert "netika mainīts" in response.content.decode()
    opening.refresh_from_db()
    assert opening.minutes == 10 and opening.title == "Atklāšana"


def test_guests_get_a_slot_and_are_erased_on_removal(world, seminar, methodologist):
    client = client_for(methodologist)
    page = f"{base(world)}{seminar.pk}/"
    client.post(page + "guests/", {"name": "Vita Parauga", "role": "domes pārstāve", "email": "V@Example.org",
                                   "language": "en"})  # fmt: skip
    guest = Guest.objects.get()
    assert guest.email == "v@example.org"
    assert titles(seminar)[-2:] == ["Vita Parauga (domes pārstāve)", "Noslēgums un atziņas"]
    response = client.post(page + "guests/", {"name": "", "email": "nav-epasts", "language": "lv"}, follow=True)
    assert "Viesis netika pievienots" in response.content.decode()
    client.post(page + f"guests/{guest.pk}/remove/")
    assert not Guest.objects.exists()
    assert "Vita Parauga" not in str(titles(seminar)) and "Viesa uzruna" in titles(seminar)


def test_the_calendar_file_parses_and_holds_the_meeting(world, seminar, reporter_a):
    response = client_for(reporter_a).get(f"{base(world)}{seminar.pk}/seminar.ics")
    assert response["Content-Type"] == "text/calendar"
    calendar = Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    assert str(event["summary"]) == "Mana bibliotēka 2021. gadā"
    assert str(event["url"]) == "https://meet.example.org/testa"
    assert event["dtstart"].dt == seminar.starts_at
    assert str(event["dtstart"].dt.tzinfo) == "Europe/Riga"
    assert event["dtend"].dt == timed(seminar)[-1].end
    assert str(event["uid"]) == f"{seminar.uid}@parskats"
    assert "Sedas bibliotēka" in str(event["description"])
    assert list(calendar.walk("VTIMEZONE"))


def test_invitations_go_to_every_participant_in_their_language(world, seminar, methodologist, reporter_a, settings):
    settings.DEFAULT_FROM_EMAIL = "Pārskats <parskats@localhost>"
    reporter_a.language = "en"
    reporter_a.save()
    both = user("divas@example.org", "Dace Parauga")
    give_role(both, world.network, "reporter", world.library_b)
    give_role(both, world.network, "reporter", world.school)
    client = client_for(methodologist)
    client.post(f"{base(world)}{seminar.pk}/guests/", {"name": "Vita Parauga", "role": "", "email": "v@example.org",
                                                       "language": "lv"})  # fmt: skip
    response = client.post(f"{base(world)}{seminar.pk}/invite/", follow=True)
    # Sent by a background job (inline here, as under make run): the answer is the job's page.
    assert response.redirect_chain[-1][0].startswith(f"/n/{world.network.slug}/jobs/")
    assert "Ielūgumi nosūtīti: 4." in response.content.decode()
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"reporter.a@example.org", "reporter.b@example.org", "divas@example.org",
                               "v@example.org"}  # fmt: skip
    english, latvian = by_address["reporter.a@example.org"], by_address["v@example.org"]
    assert english.subject == "Invitation: Mana bibliotēka 2021. gadā" and "Agenda" in english.body
    assert latvian.subject == "Ielūgums: Mana bibliotēka 2021. gadā" and "Darba kārtība" in latvian.body
    assert "https://meet.example.org/testa" in latvian.body and "Sedas bibliotēka" in latvian.body
    name, content, kind = latvian.attachments[0]
    assert name.endswith(".ics") and kind.startswith("text/calendar")
    invited = Calendar.from_ical(content).walk("VEVENT")[0]
    assert str(invited["organizer"]) == "mailto:parskats@localhost"  # DEFAULT_FROM_EMAIL "Pārskats <…>"
    assert Seminar.objects.get(pk=seminar.pk).invitations_sent_at is not None


def test_no_invitations_for_a_seminar_in_the_past(world, seminar, methodologist):
    Seminar.objects.filter(pk=seminar.pk).update(starts_at=timezone.now() - dt.timedelta(days=1))
    response = client_for(methodologist).post(f"{base(world)}{seminar.pk}/invite/", follow=True)
    assert "jau sācies" in response.content.decode()
    assert mail.outbox == []


def test_the_news_draft_after_the_seminar(world, seminar, methodologist):
    client = client_for(methodologist)
    url = f"{base(world)}{seminar.pk}/news/"
    response = client.post(url, follow=True)
    assert "pēc semināra sākuma" in response.content.decode()
    assert not Article.objects.exists()
    Seminar.objects.filter(pk=seminar.pk).update(starts_at=timezone.now() - dt.timedelta(hours=3))
    response = client.post(url)
    article = Article.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jaunumi/redakcija/raksts/{article.pk}/"
    assert article.status == Article.Status.DRAFT and article.author == methodologist
    assert article.title == seminar.title and article.network == world.network
    assert "publiskā bibliotēka: 2" in article.body and "skolas bibliotēka: 1" in article.body
    assert "Valkas novads: 2" in article.body and "Valmieras novads: 1" in article.body
    assert "„Izdarīt mēs varam ar darīšanas metodi.“ — Sedas bibliotēka" in article.body
    assert "Neapstiprināta atziņa" not in article.body  # library B's 2021 report is not approved
    client.post(url)
    assert Article.objects.count() == 1


def test_proposing_again_needs_confirmation(world, seminar, methodologist):
    seminar.agenda_items.filter(kind=AgendaItem.Kind.BREAK).delete()
    client = client_for(methodologist)
    client.post(f"{base(world)}{seminar.pk}/agenda/propose/")
    assert "Pārtraukums" not in titles(seminar)
    client.post(f"{base(world)}{seminar.pk}/agenda/propose/", {"confirm": "yes"})
    assert "Pārtraukums" in titles(seminar)
