"""The methodologist invites a reporter by email; the one-time link sets a password; expired,
reused and forged links are refused; login attempts are rate-limited."""

from __future__ import annotations

import datetime as dt
import re

from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from parskats.accounts.models import Invitation, Role, User

from .conftest import client_for
from .factories import PASSWORD

NEW_PASSWORD = "lasitava-pie-ezera-7"


def invite(client, world, **extra):
    data = {
        "email": "Jauna@Example.org",
        "full_name": "Jaunā Parauga",
        "kind": "reporter",
        "unit": world.library_b.pk,
        "language": "lv",
    }
    data.update(extra)
    return client.post(f"/n/{world.network.slug}/review/people/invite/", data)


def link_in(message) -> str:
    return re.search(r"http://[^\s]+/accounts/invitation/[^\s]+/", message.body).group(0).split("8000", 1)[1]


def test_invite_set_password_and_log_in(world, methodologist, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client_for(methodologist), world)
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["jauna@example.org"]
    assert message.subject == "Ielūgums Pārskatā — Testa reģions"
    assert "Ērģemes pagasta bibliotēka" in message.body
    invitation = Invitation.objects.get()
    assert invitation.token_hash not in message.body  # only the hash is stored
    url = link_in(message)
    visitor = client_for(None)
    page = visitor.get(url)
    assert page.status_code == 200 and "jauna@example.org" in page.content.decode()
    # A weak password or two different ones: refused, the link still works.
    assert (
        "Abas paroles atšķiras." in visitor.post(url, {"password1": NEW_PASSWORD, "password2": "cits"}).content.decode()
    )
    assert visitor.post(url, {"password1": "123", "password2": "123"}).status_code == 200
    assert not User.objects.filter(email="jauna@example.org").exists()
    response = visitor.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == f"/n/{world.network.slug}/"
    person = User.objects.get(email="jauna@example.org")
    assert person.check_password(NEW_PASSWORD) and person.full_name == "Jaunā Parauga"
    assert Role.objects.filter(user=person, kind="reporter", unit=world.library_b).exists()
    # The link is spent.
    again = client_for(None).get(url)
    assert again.status_code == 410 and "jau ir izmantota" in again.content.decode()
    assert client_for(None).post(url, {"password1": "x" * 12, "password2": "x" * 12}).status_code == 410


def test_expired_and_forged_links(world, methodologist, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client_for(methodologist), world)
    url = link_in(mail.outbox[0])
    Invitation.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    response = client_for(None).post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 410 and "novecojusi" in response.content.decode()
    assert not User.objects.filter(email="jauna@example.org").exists()
    forged = client_for(None).get("/accounts/invitation/not-a-token/")
    assert forged.status_code == 410 and "nav derīga" in forged.content.decode()


def test_invite_refuses_a_library_of_another_network(world, methodologist):
    response = invite(client_for(methodologist), world, unit=world.other_library.pk)
    assert response.status_code == 400
    assert "Jāatlasa derīga izvēle." in response.content.decode()
    response = invite(client_for(methodologist), world, unit="")
    assert "Atskaitītājam jābūt piesaistītam bibliotēkai." in response.content.decode()
    assert not Invitation.objects.exists() and not mail.outbox


def test_an_existing_person_gets_the_role_at_once(world, methodologist, reporter_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client_for(methodologist), world, email=reporter_a.email.upper())
    assert Role.objects.filter(user=reporter_a, unit=world.library_b).exists()
    assert mail.outbox[0].subject == "Jauna loma Pārskatā — Testa reģions"
    assert "/accounts/invitation/" not in mail.outbox[0].body


def test_remove_a_role_but_not_your_own(world, methodologist, reporter_b):
    client = client_for(methodologist)
    role = Role.objects.get(user=reporter_b)
    client.post(f"/n/{world.network.slug}/review/people/roles/{role.pk}/remove/")
    assert not Role.objects.filter(pk=role.pk).exists()
    own = Role.objects.get(user=methodologist)
    response = client.post(f"/n/{world.network.slug}/review/people/roles/{own.pk}/remove/", follow=True)
    assert "Savu metodiķa lomu noņemt nevar." in response.content.decode()
    assert Role.objects.filter(pk=own.pk).exists()


def test_add_and_edit_a_reporting_year(world, methodologist):
    client = client_for(methodologist)
    url = f"/n/{world.network.slug}/review/years/"
    bad = client.post(
        url,
        {
            "survey": world.survey.pk,
            "year": 2022,
            "opens_on": "2023-03-01",
            "deadline": "15.02.2023",
            "status": "planned",
        },
    )
    assert bad.status_code == 400 and "Termiņš ir pirms atvēršanas dienas." in bad.content.decode()
    taken = client.post(
        url,
        {"survey": world.survey.pk, "year": 2021, "opens_on": "2022-01-02", "deadline": "2022-02-15", "status": "open"},
    )
    assert "Šim gadam jau ir" in taken.content.decode()
    ok = client.post(
        url,
        {"survey": world.survey.pk, "year": 2022, "opens_on": "02.01.2023", "deadline": "2023-02-15", "status": "open"},
    )
    assert ok.status_code == 302
    period = world.network.periods.get(year=2022)
    assert period.deadline == dt.date(2023, 2, 15)
    client.post(f"{url}{period.pk}/", {"opens_on": "2023-01-02", "deadline": "2023-03-01", "status": "open"})
    period.refresh_from_db()
    assert period.deadline == dt.date(2023, 3, 1)


def test_login_attempts_are_rate_limited(world, reporter_a):
    cache.clear()
    client = client_for(None)
    for _ in range(5):
        assert client.post("/accounts/login/", {"username": reporter_a.email, "password": "wrong"}).status_code == 200
    blocked = client.post("/accounts/login/", {"username": reporter_a.email, "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Pārāk daudz neveiksmīgu mēģinājumu" in blocked.content.decode()
    assert "_auth_user_id" not in client.session
    cache.clear()
    assert client.post("/accounts/login/", {"username": reporter_a.email, "password": PASSWORD}).status_code == 302


def test_a_person_downloads_their_data(world, reporter_a, methodologist):
    from parskats.reporting.entry import save_value
    from parskats.reporting.models import Report

    report = Report.objects.create(unit=world.library_a, period=world.periods[2021])
    save_value(reporter_a, report, "visits", "12", None)
    data = client_for(reporter_a).get("/accounts/me/data.json").json()
    assert data["email"] == reporter_a.email and data["name"] == "Anda Parauga"
    assert data["roles"] == [{"network": "Testa reģions", "role": "reporter", "library": "Sedas bibliotēka"}]
    assert [(c["what"], c["channel"]) for c in data["changes_made"]] == [("visits", "form")]
    assert client_for(methodologist).get("/accounts/me/data.json").json()["changes_made"] == []
    assert client_for(None).get("/accounts/me/data.json").status_code == 302


def test_invite_a_methodologist_of_one_county(world, methodologist, django_capture_on_commit_callbacks):
    """The whole network's methodologist invites a colleague over Valka county: she accepts and
    reviews library B's report, and not library A's."""
    from django.urls import reverse

    from parskats.reporting.models import Report

    from .factories import report_with

    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client_for(methodologist), world, kind="admin", unit="", area=world.valka.pk)
    assert response.status_code == 302
    assert "Valkas novads" in mail.outbox[0].body
    visitor = client_for(None)
    visitor.post(link_in(mail.outbox[0]), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    person = User.objects.get(email="jauna@example.org")
    assert Role.objects.filter(user=person, kind="admin", unit=world.valka).exists()
    reports = {}
    for library in (world.library_a, world.library_b):
        reports[library.code] = report_with(library, world.periods[2021], users=3)
    Report.objects.update(status=Report.Status.SUBMITTED)
    colleague = client_for(person)
    review = "review:review"
    assert colleague.get(reverse(review, args=[world.network.slug, reports["ergeme"].pk])).status_code == 200
    assert colleague.get(reverse(review, args=[world.network.slug, reports["seda"].pk])).status_code == 404
    assert colleague.get(reverse("review:people", args=[world.network.slug])).status_code == 404


def test_invite_refuses_a_library_as_the_area_and_an_area_for_a_reporter(world, methodologist):
    response = invite(client_for(methodologist), world, kind="viewer", unit="", area=world.library_a.pk)
    assert response.status_code == 400 and "Jāatlasa derīga izvēle." in response.content.decode()
    response = invite(client_for(methodologist), world, area=world.valka.pk)
    assert response.status_code == 400
    assert "teritoriju atstājiet tukšu" in response.content.decode()
    assert not Invitation.objects.exists() and not mail.outbox
